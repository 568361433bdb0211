"""Run LangExtract over the eval set and save its raw extractions (phase 1 of the peer comparison).

Runs in its own virtual environment (`eval/peers/setup.sh`), so LangExtract and its dependencies
never enter backchannel's. It talks to the same OpenAI-compatible server and model as backchannel's
eval, and writes one JSON line per article: the extractions with LangExtract's own character
intervals, and the seconds the article took. `langextract_convert.py` turns them into results of
backchannel's contract for the shared scorer.

    eval/peers/.venv/bin/python eval/peers/langextract_run.py --out eval/results/<run>/raw.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import langextract as lx
from langextract.providers.openai import OpenAILanguageModel

ROOT = Path(__file__).resolve().parents[2]

# The same task as backchannel's prompts, phrased the LangExtract way: entities grounded in the
# text, linked to their meeting by a `meeting` attribute.
DESCRIPTION = """\
Extract every meeting the article reports between people from two or more sides: talks, summits,
negotiation rounds, encounters, "Track Two" discussions; held, planned for a set time, or called
off. A phone call, a denied, hoped-for or hypothetical meeting is not a meeting.
For each meeting extract, in order of appearance:
- "meeting": the few words that report it; attributes: id (1, 2, ...), status (held, planned,
  cancelled, unknown), track (official: all serving officials; mixed: officials with
  non-officials; unofficial: no serving officials; unknown), topic (a few words).
- "participant": each person or group taking part, the words that name them; attributes: meeting
  (the meeting id), name (proper name or empty), affiliation (country or organisation), role
  (title or empty), capacity (official, former_official, unofficial, unknown).
- "location": where it took place, as written; attribute meeting.
- "time": when, as written ("on Tuesday", "last month"); attribute meeting.
Use exact text from the article. Do not paraphrase. Do not invent."""

EXAMPLE_TEXT = (
    "Qatari mediators hosted Israeli negotiators in Doha on Wednesday for talks on a hostage "
    "deal, two officials said. The US President spoke by phone with the Emir of Qatar the same "
    "day. Separately, retired diplomats and academics from Iran and the United States met in "
    "Oslo last month."
)


def _example() -> lx.data.ExampleData:
    e = lx.data.Extraction
    return lx.data.ExampleData(
        text=EXAMPLE_TEXT,
        extractions=[
            e("participant", "Qatari mediators", attributes={
                "meeting": "1", "name": "", "affiliation": "Qatar", "role": "mediators",
                "capacity": "official"}),
            e("participant", "Israeli negotiators", attributes={
                "meeting": "1", "name": "", "affiliation": "Israel", "role": "negotiators",
                "capacity": "official"}),
            e("location", "Doha", attributes={"meeting": "1"}),
            e("time", "on Wednesday", attributes={"meeting": "1"}),
            e("meeting", "talks", attributes={
                "id": "1", "status": "held", "track": "official", "topic": "a hostage deal"}),
            e("participant", "retired diplomats and academics from Iran", attributes={
                "meeting": "2", "name": "", "affiliation": "Iran", "role": "",
                "capacity": "former_official"}),
            e("participant", "the United States", attributes={
                "meeting": "2", "name": "", "affiliation": "United States", "role": "",
                "capacity": "former_official"}),
            e("meeting", "met", attributes={
                "id": "2", "status": "held", "track": "unofficial", "topic": ""}),
            e("location", "Oslo", attributes={"meeting": "2"}),
            e("time", "last month", attributes={"meeting": "2"}),
        ],
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=ROOT / "eval" / "dev")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base-url", default="http://127.0.0.1:8765/v1")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct-q4_k_m")
    parser.add_argument(
        "--max-tokens", type=int, default=1024, help="output bound per answer (512 cut off most)"
    )
    parser.add_argument("--limit", type=int, help="only this many articles (sorted by id)")
    parser.add_argument("--offset", type=int, default=0, help="skip this many articles first")
    args = parser.parse_args()

    model = OpenAILanguageModel(
        model_id=args.model,
        api_key="local",
        base_url=args.base_url,
        temperature=0.0,
        max_output_tokens=args.max_tokens,
    )
    files = sorted(args.set.glob("*.json"))[args.offset :]
    files = files[: args.limit] if args.limit else files
    done = set()
    if args.out.exists():  # resume: an interrupted run keeps what it finished
        done = {json.loads(line)["id"] for line in args.out.read_text().splitlines() if line}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", encoding="utf-8") as fh:
        for f in files:
            article = json.loads(f.read_text(encoding="utf-8"))
            if article["id"] in done:
                continue
            started = time.perf_counter()
            record: dict = {"id": article["id"]}
            try:
                doc = lx.extract(
                    text_or_documents=article["text"],
                    prompt_description=DESCRIPTION,
                    examples=[_example()],
                    model=model,
                    use_schema_constraints=False,
                    fence_output=False,
                    max_char_buffer=12000,  # one chunk per article: ids link within one answer
                    max_workers=1,
                    show_progress=False,
                )
                record["extractions"] = [
                    {
                        "class": x.extraction_class,
                        "text": x.extraction_text,
                        "start": x.char_interval.start_pos if x.char_interval else None,
                        "end": x.char_interval.end_pos if x.char_interval else None,
                        "alignment": x.alignment_status.value if x.alignment_status else None,
                        "attributes": x.attributes or {},
                    }
                    for x in doc.extractions or []
                ]
            except Exception as exc:  # noqa: BLE001 - a failed article is recorded, not fatal
                record["error"] = f"{type(exc).__name__}: {exc}"[:500]
            record["seconds"] = round(time.perf_counter() - started, 2)
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            print(f"{article['id']}: {record['seconds']} s, "
                  f"{len(record.get('extractions', []))} extractions {record.get('error', '')}",
                  file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
