"""What dropping a field from the model's answer would cost in quality, without the model (issue 17,
"generate less"; `answer_fields.py` says what each field costs in tokens).

    .venv/bin/python bench/field_quality.py --drafts eval/results/<dev run>/drafts.jsonl \
        [--set eval/dev] [--fields capacity,track,role+track,...] [--out bench/out/field-quality]

The code after the model derives several answer fields itself where the article's words allow (a
capacity from role words, a track from the capacities or the sentence, a name from the mention, an
affiliation from a demonym) and uses the model's value only as a fallback. For each field, every
draft of the run is rebuilt with that field emptied (the value the model writes for "don't
know"), through the same code after the model, scored on the dev articles, and compared with the
unaltered drafts by the paired bootstrap of `backchannel compare`. A field whose loss stays within
the noise can leave the answer schema, so the model generates fewer tokens. The estimate holds the
model's other answers fixed; a dev run of the shortened schema checks that. Dev only: a drafts file
of test articles is refused, so no schema decision is read off the test split.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backchannel.evaluation import compare as paired_runs
from backchannel.evaluation import report as evaluate
from backchannel.evaluation.gold import load_set
from backchannel.model.draft import Draft
from backchannel.pipeline.extractor import Extractor
from backchannel.settings import Settings
from common import ROOT, score_drafts

# The "don't know" of each field: what the model would leave if it were not asked.
EMPTY: dict[str, object] = {
    "capacity": "unknown",
    "name": None,
    "affiliation": None,
    "role": None,
    "track": "unknown",
    "status": "unknown",
    "topic": None,
}
PARTICIPANT_FIELDS = frozenset({"capacity", "name", "affiliation", "role"})


def without(draft: dict, field: str | None) -> Draft:
    """The draft with `field` emptied in every meeting (or participant); several fields joined
    by "+" are emptied together (what a shorter answer would drop at once); None: unaltered."""
    fields = field.split("+") if field else []
    meetings = []
    for m in draft["meetings"]:
        m = dict(m)
        for f in fields:
            if f in PARTICIPANT_FIELDS:
                m["participants"] = [{**p, f: EMPTY[f]} for p in m["participants"]]
            else:
                m[f] = EMPTY[f]
        meetings.append(m)
    return Draft.model_validate({"meetings": meetings})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=Path, required=True, help="a dev run's drafts.jsonl")
    parser.add_argument("--set", type=Path, default=ROOT / "eval" / "dev")
    parser.add_argument("--fields", default=",".join(EMPTY),
                        help='comma-separated; "a+b" empties a and b together')  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "field-quality")
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    fields = [f.strip() for f in args.fields.split(",") if f.strip()]
    unknown = [f for f in fields if any(part not in EMPTY for part in f.split("+"))]
    if unknown:
        parser.error(f"unknown field(s) {', '.join(unknown)}; choose from {', '.join(EMPTY)}")
    test_ids = {a.id for a in load_set(ROOT / "eval" / "test")}
    gold = {a.id: a for a in load_set(args.set)}
    stored = {obj["id"]: obj["draft"] for _, obj in evaluate.jsonl_objects(args.drafts)}
    if test_ids & (set(gold) | set(stored)):
        parser.error("test articles in the set or the drafts: tune on eval/dev only")
    articles = [gold[i] for i in sorted(set(gold) & set(stored))]
    if not articles:
        parser.error(f"no article of {args.set} has a draft in {args.drafts}")

    extractor = Extractor(Settings(cache_enabled=False))
    args.out.mkdir(parents=True, exist_ok=True)
    reports = {}
    for field in [None, *fields]:
        name = field or "as-answered"
        drafts = {a.id: without(stored[a.id]["draft"], field) for a in articles}
        reports[field] = score_drafts(extractor, articles, drafts, stored,
                                      args.out / f"{name}.jsonl", {"field": name})  # fmt: skip

    base = reports[None].articles
    print(f"{len(articles)} dev articles with drafts in {args.drafts}; B = the field emptied")
    w = max(14, *(len(f) + 2 for f in fields))
    print(f"{'field':<{w}}{'slot F1 strict':>16}{'B - A':>9}   95% paired   "
          f"{'meeting F1':>11}{'B - A':>9}   verdict (slot F1)")  # fmt: skip
    a_slot = reports[None].score.slot_f1_strict
    print(f"{'(as answered)':<{w}}{a_slot:>16.3f}")
    for field in fields:
        d = {x.metric: x for x in paired_runs.paired(base, reports[field].articles, args.rounds)}
        slot, meet = d["slot F1 strict"], d["meeting F1"]
        print(f"{field:<{w}}{slot.b:>16.3f}{slot.delta:>+9.3f}"
              f"   {slot.low:+.3f} to {slot.high:+.3f}{meet.b:>11.3f}{meet.delta:>+9.3f}"
              f"   {slot.verdict}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
