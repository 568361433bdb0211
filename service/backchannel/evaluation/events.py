"""Scoring event linking with B-cubed precision, recall and F1 over meetings.

Each gold meeting's event is its `event_id` (a meeting without one is an event of its own). Two
scores: linking the gold meetings themselves (does the linker group what the labellers grouped?),
and end to end, over the gold meetings the extractor found, each taking the event the linker gave
its matched prediction (missing a meeting is extraction recall, scored elsewhere; here it would
count as a perfectly placed singleton). Most events are reported by one article, and a singleton
placed alone scores 1, so each score is also given over the meetings of events that several
articles report (`shared_*`), where linking is the whole question.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence

from pydantic import BaseModel

from backchannel.contract.schema import Meeting
from backchannel.corpus.events import Sighting, link
from backchannel.evaluation.gold import GoldArticle


class BCubed(BaseModel):
    precision: float
    recall: float
    f1: float
    shared_precision: float  # over the meetings of events in several articles
    shared_recall: float
    shared_f1: float
    items: int
    gold_events: int  # events reported by more than one article
    linked: int  # of those, how many the prediction puts in one cluster whole


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def b_cubed(
    gold: Sequence[Hashable], pred: Sequence[Hashable], only: Sequence[bool] | None = None
) -> tuple[float, float, float]:
    """Mean over items of |own predicted cluster ∩ own gold cluster| / |predicted cluster| (P)
    and / |gold cluster| (R); clusters over all items, the mean over those `only` marks."""
    both = Counter(zip(gold, pred, strict=True))
    g, p = Counter(gold), Counter(pred)
    chosen = [(a, b) for k, (a, b) in enumerate(zip(gold, pred, strict=True))
              if only is None or only[k]]  # fmt: skip
    if not chosen:
        return 0.0, 0.0, 0.0
    precision = sum(both[(a, b)] / p[b] for a, b in chosen) / len(chosen)
    recall = sum(both[(a, b)] / g[a] for a, b in chosen) / len(chosen)
    return precision, recall, _f1(precision, recall)


def _labels(articles: Sequence[GoldArticle]) -> list[str]:
    return [m.event_id or f"{a.id}#{i}" for a in articles for i, m in enumerate(a.meetings)]


def _score(gold: list[str], pred: Sequence[Hashable]) -> BCubed:
    precision, recall, f1 = b_cubed(gold, pred)
    sizes = Counter(gold)
    sp, sr, sf = b_cubed(gold, pred, [sizes[g] > 1 for g in gold])
    groups: dict[str, set[Hashable]] = defaultdict(set)
    for g, p in zip(gold, pred, strict=True):
        groups[g].add(p)
    shared = [g for g, n in sizes.items() if n > 1]
    return BCubed(precision=round(precision, 4), recall=round(recall, 4), f1=round(f1, 4),
                  shared_precision=round(sp, 4), shared_recall=round(sr, 4), shared_f1=round(sf, 4),
                  items=len(gold), gold_events=len(shared),
                  linked=sum(1 for g in shared if len(groups[g]) == 1))  # fmt: skip


def sightings(
    article_id: str, published_at: dt.date | None, meetings: Sequence[Meeting]
) -> list[Sighting]:
    return [Sighting.of(f"{article_id}#{i}", article_id, published_at, m)
            for i, m in enumerate(meetings)]  # fmt: skip


def score_gold_linking(articles: Sequence[GoldArticle]) -> BCubed:
    """The linker run on the gold meetings: its ceiling, whatever the extractor finds."""
    items = [s for a in articles for s in sightings(a.id, a.published_at, a.meetings)]
    return _score(_labels(articles), link(items))


def score_linking(
    articles: Sequence[GoldArticle],
    predicted: dict[str, Sequence[Meeting]],
    matches: dict[str, dict[int, int]],
) -> BCubed:
    """End to end: the linker on the predictions; `matches[article][gold index] = prediction
    index` from the scorer's matching."""
    items: list[Sighting] = []
    where: dict[tuple[str, int], int] = {}
    for a in articles:
        for i, s in enumerate(sightings(a.id, a.published_at, predicted.get(a.id, []))):
            where[(a.id, i)] = len(items)
            items.append(s)
    clusters = link(items)
    labels = _labels(articles)
    gold_found, pred = [], []
    k = 0
    for a in articles:
        for g in range(len(a.meetings)):
            p = matches.get(a.id, {}).get(g)
            if p is not None:
                gold_found.append(labels[k])
                pred.append(clusters[where[(a.id, p)]])
            k += 1
    return _score(gold_found, pred)
