"""Which sentences should get the list answer: routings scored from two runs' drafts, without the
model (issue 15, "several meetings per sentence").

    .venv/bin/python bench/routing.py --one eval/results/dev-one/drafts.jsonl \
        --list eval/results/dev-list/drafts.jsonl [--set eval/dev] [--out bench/out/routing]

The `sentence` strategy asks one question per candidate sentence, and each question's answer
depends only on its own prompt (temperature 0, the article and the question), not on the other
questions. So with a `one` run and a `list` run of the same articles, any mix of the two (this
sentence answered by `list`, that one by `one`) can be rebuilt exactly from their drafts, through
the same code after the model, and scored against `one` as answered by the paired bootstrap of
`backchannel compare`. Each routing also says how many list questions it would ask, its cost:

- `list-everywhere`: the list run itself;
- `flagged`: the list answer where the sentence looks like it reports several meetings
  (`several_meetings_likely`), the one answer elsewhere: one question per sentence, as today;
- `flagged-yes`: the one answer everywhere, and a second, list question where the one answer
  said yes and the sentence is flagged; the list's meetings replace the one meeting when there
  are two or more;
- `yes-multi`: the same without the flag (every yes asked again): the ceiling of a second question.

Dev only: drafts of test articles are refused, so no routing is chosen on the test split.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from backchannel.evaluation import compare as paired_runs
from backchannel.evaluation import report as evaluate
from backchannel.evaluation.gold import load_set
from backchannel.model.draft import Draft, DraftMeeting
from backchannel.pipeline.extractor import Extractor
from backchannel.pipeline.strategies import candidate_sentences, several_meetings_likely
from backchannel.settings import Settings
from backchannel.text.sentences import split_sentences
from common import ROOT, score_drafts

Meetings = dict[int, list[dict]]  # sentence number -> the draft meetings answered for it
# A routing: (one's meetings, list's meetings, the sentence's text) -> which to keep, and whether
# a list question was asked for it.
Route = Callable[[list[dict], list[dict], str], tuple[list[dict], bool]]


def by_sentence(draft: dict) -> Meetings:
    out: Meetings = {}
    for m in draft["meetings"]:
        out.setdefault(m["sentence"], []).append(m)
    return out


def _list_everywhere(one: list[dict], many: list[dict], text: str) -> tuple[list[dict], bool]:
    return many, True


def _flagged(one: list[dict], many: list[dict], text: str) -> tuple[list[dict], bool]:
    return (many, True) if several_meetings_likely(text) else (one, False)


def _second_question(flag: bool) -> Route:
    def route(one: list[dict], many: list[dict], text: str) -> tuple[list[dict], bool]:
        if not one or (flag and not several_meetings_likely(text)):
            return one, False
        return (many if len(many) >= 2 else one), True

    return route


ROUTES: dict[str, Route] = {
    "list-everywhere": _list_everywhere,
    "flagged": _flagged,
    "flagged-yes": _second_question(flag=True),
    "yes-multi": _second_question(flag=False),
}


def mix(one: dict, many: dict, texts: dict[int, str], route: Route) -> tuple[Draft, int]:
    """The draft a routing gives, and the number of list questions it asks. A sentence neither
    answer found a meeting in stays out (`texts` holds every candidate sentence asked)."""
    a, b = by_sentence(one), by_sentence(many)
    meetings: list[DraftMeeting] = []
    asked = 0
    for n in sorted(texts):
        kept, list_asked = route(a.get(n, []), b.get(n, []), texts[n])
        asked += list_asked
        meetings += [DraftMeeting.model_validate(m) for m in kept]
    return Draft(meetings=meetings), asked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", type=Path, required=True, help="a `one` run's drafts.jsonl")
    parser.add_argument("--list", type=Path, required=True, help="a `list` run's drafts.jsonl")
    parser.add_argument("--set", type=Path, default=ROOT / "eval" / "dev")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "routing")
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    test_ids = {a.id for a in load_set(ROOT / "eval" / "test")}
    gold = {a.id: a for a in load_set(args.set)}
    one = {obj["id"]: obj["draft"] for _, obj in evaluate.jsonl_objects(args.one)}
    many = {obj["id"]: obj["draft"] for _, obj in evaluate.jsonl_objects(args.list)}
    if test_ids & (set(gold) | set(one) | set(many)):
        parser.error("test articles in the set or the drafts: tune on eval/dev only")
    articles = [gold[i] for i in sorted(set(gold) & set(one) & set(many))]
    if not articles:
        parser.error("no article of the set has a draft in both files")

    extractor = Extractor(Settings(cache_enabled=False))
    args.out.mkdir(parents=True, exist_ok=True)
    # Every candidate sentence asked, per article: the questions a routing distributes.
    texts = {
        a.id: {s.number: s.text for s in candidate_sentences(split_sentences(a.text))}
        for a in articles
    }
    candidates_total = sum(len(t) for t in texts.values())
    reports, asked_counts = {}, {}
    for name in ["one", *ROUTES]:
        drafts, asked = {}, 0
        for a in articles:
            if name == "one":
                drafts[a.id] = Draft.model_validate(one[a.id]["draft"])
            else:
                drafts[a.id], n = mix(one[a.id]["draft"], many[a.id]["draft"], texts[a.id],
                                      ROUTES[name])  # fmt: skip
                asked += n
        reports[name] = score_drafts(extractor, articles, drafts, one,
                                     args.out / f"{name}.jsonl", {"routing": name})  # fmt: skip
        asked_counts[name] = asked

    base = reports["one"]
    print(f"{len(articles)} dev articles with both drafts, {candidates_total} candidate sentences;"
          " B = the routing, A = the one answer everywhere")  # fmt: skip
    print(f"{'routing':<16}{'list qs':>8}{'meet P':>8}{'meet R':>8}{'meet F1':>8}{'B - A':>8}"
          f"   95% paired    {'slot F1':>8}{'B - A':>8}"
          "   95% paired    verdict (slot F1)")  # fmt: skip
    s = base.score
    print(f"{'one':<16}{0:>8}{s.meetings.precision:>8.3f}{s.meetings.recall:>8.3f}"
          f"{s.meetings.f1:>8.3f}{'':>27}{s.slot_f1_strict:>8.3f}")  # fmt: skip
    for name in ROUTES:
        d = {x.metric: x for x in paired_runs.paired(base.articles, reports[name].articles,
                                                     args.rounds)}  # fmt: skip
        meet, slot, sc = d["meeting F1"], d["slot F1 strict"], reports[name].score
        print(f"{name:<16}{asked_counts[name]:>8}{sc.meetings.precision:>8.3f}"
              f"{sc.meetings.recall:>8.3f}{meet.b:>8.3f}{meet.delta:>+8.3f}"
              f"   {meet.low:+.3f} to {meet.high:+.3f}{slot.b:>8.3f}{slot.delta:>+8.3f}"
              f"   {slot.low:+.3f} to {slot.high:+.3f}   {slot.verdict}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
