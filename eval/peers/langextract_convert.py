"""Turn LangExtract's raw extractions into backchannel results (phase 2 of the peer comparison).

Runs in backchannel's own environment. Spans are LangExtract's own character intervals: a value
it could not align to the text is dropped (and counted), so the alignment is LangExtract's, not
ours. The deterministic steps after the model are backchannel's (place -> country, time phrase
-> dates, evidence = the sentence holding the meeting words), so the scores compare how the two
read the article, not how they look up Geneva.

    .venv/bin/python eval/peers/langextract_convert.py RAW.jsonl --out PREDICTIONS.jsonl
    .venv/bin/backchannel eval --predictions PREDICTIONS.jsonl --out DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from backchannel.contract.schema import (
    Capacity,
    Evidence,
    ExtractResult,
    Location,
    Meeting,
    Participant,
    Status,
    Time,
    Track,
    Usage,
)
from backchannel.evaluation.gold import load_set
from backchannel.normalise.places import affiliation_from_words, normalize_country, resolve_place
from backchannel.normalise.timenorm import resolve_time
from backchannel.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[2]
VERSION = "langextract-1.7.1"


def _enum(kind: type, value: Any) -> Any:
    try:
        return kind(str(value).strip().lower())
    except ValueError:
        return kind("unknown")


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    value = str(value or "").strip()
    return value or None


def _grounded(x: dict[str, Any], text: str) -> tuple[int, int] | None:
    start, end = x.get("start"), x.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return start, end
    return None


def convert(
    raw: dict[str, Any], text: str, published_at: dt.date | None
) -> tuple[list[Meeting], int]:
    """Meetings from one article's extractions, and how many values were dropped as unaligned."""
    sentences = split_sentences(text)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    heads: dict[str, dict[str, Any]] = {}
    for x in raw.get("extractions", []):
        attrs = x.get("attributes") or {}
        if x.get("class") == "meeting":
            heads.setdefault(str(attrs.get("id", "")).strip(), x)
        else:
            groups[str(attrs.get("meeting", "")).strip()].append(x)
    dropped = 0
    meetings: list[Meeting] = []
    for mid in sorted(set(heads) | set(groups), key=lambda k: (len(k), k)):
        head, members = heads.get(mid), groups.get(mid, [])
        participants, location, time = [], None, None
        attrs = (head or {}).get("attributes") or {}
        status = _enum(Status, attrs.get("status"))
        for x in members:
            span = _grounded(x, text)
            if span is None:
                dropped += 1
                continue
            mention = text[span[0] : span[1]]
            a = x.get("attributes") or {}
            if x["class"] == "participant":
                aff = _text(a.get("affiliation"))
                participants.append(
                    Participant(
                        name=_text(a.get("name")),
                        mention=mention,
                        span=span,
                        affiliation=(normalize_country(aff) or affiliation_from_words(aff))
                        if aff
                        else None,
                        role=_text(a.get("role")),
                        capacity=_enum(Capacity, a.get("capacity")),
                    )
                )
            elif x["class"] == "location" and location is None:
                place, country = resolve_place(mention)
                location = Location(mention=mention, place=place, country=country, span=span)
            elif x["class"] == "time" and time is None:
                start, end = resolve_time(mention, published_at, future=status == Status.planned)
                time = Time(mention=mention, start=start, end=end, span=span)
        anchor = _grounded(head, text) if head else None
        if anchor is None and head is not None:
            dropped += 1
        anchor = anchor or (participants[0].span if participants else None)
        if anchor is None or not participants:
            continue  # nothing of this meeting is in the text
        sentence = next((s for s in sentences if s.start <= anchor[0] < s.end), None)
        if sentence is None:
            continue
        meetings.append(
            Meeting(
                participants=participants,
                location=location,
                time=time,
                track=_enum(Track, attrs.get("track")),
                status=status,
                topic=_text(attrs.get("topic")),
                evidence=Evidence(text=sentence.text, start=sentence.start, end=sentence.end),
            )
        )
    return meetings, dropped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path)
    parser.add_argument("--set", type=Path, default=ROOT / "eval" / "dev")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b-instruct-q4_k_m")
    args = parser.parse_args()
    gold = {a.id: a for a in load_set(args.set)}
    lines = []
    for line in args.raw.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        article = gold.get(raw["id"])
        if article is None:
            continue
        if "error" in raw:
            lines.append(
                {"id": raw["id"], "error": {"code": "peer_error", "message": raw["error"]}}
            )
            continue
        meetings, dropped = convert(raw, article.text, article.published_at)
        result = ExtractResult(
            id=raw["id"],
            published_at=article.published_at,
            meetings=meetings,
            model=args.model,
            prompt_version=VERSION,
            cached=False,
            usage=Usage(calls=1, model_ms=round(raw["seconds"] * 1000)),
            latency_ms=round(raw["seconds"] * 1000),
            warnings=[f"{dropped} value(s) LangExtract could not align, dropped"]
            if dropped
            else [],
        )
        result.check_grounded(article.text)
        lines.append(json.loads(result.model_dump_json()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    print(f"{len(lines)} results written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
