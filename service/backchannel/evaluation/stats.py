"""What a score means with the noise in view: bootstrap intervals over articles, recall per tag.

Eval sets here are tens of articles, so two runs differ by chance as much as by design: a 95%
bootstrap interval over articles (resampled with replacement, counts pooled as the headline is)
says how far a figure could move on another draw of articles. A change inside it is not a gain.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from backchannel.evaluation.gold import GoldArticle
from backchannel.evaluation.scoring import ArticleScore, aggregate
from backchannel.pipeline.strategies import candidate_sentences
from backchannel.text.sentences import split_sentences

LONG_ARTICLE = 10_000  # characters: the length past which an article's meetings are also tagged


def bootstrap(
    articles: Sequence[ArticleScore], rounds: int = 1000, seed: int = 0
) -> dict[str, list[float]]:
    """95% percentile intervals of meeting F1 and strict slot F1, resampling whole articles."""
    if not articles:
        return {"meeting_f1": [1.0, 1.0], "slot_f1_strict": [1.0, 1.0]}
    rng = random.Random(seed)
    meeting, slot = [], []
    for _ in range(rounds):
        sample = aggregate([articles[rng.randrange(len(articles))] for _ in articles])
        meeting.append(sample.meetings.f1)
        slot.append(sample.slot_f1_strict)

    return {"meeting_f1": percentile_interval(meeting), "slot_f1_strict": percentile_interval(slot)}


def percentile_interval(values: list[float]) -> list[float]:
    """The 95% percentile interval of bootstrap values (one per round)."""
    ordered = sorted(values)
    n = len(ordered)
    return [round(ordered[int(0.025 * n)], 4), round(ordered[int(0.975 * n) - 1], 4)]


def meeting_tags(article: GoldArticle, index: int) -> list[str]:
    """A gold meeting's own tags, plus what its article says about it: long, or many sources."""
    tags = list(article.meetings[index].tags) or ["untagged"]
    if len(article.text) > LONG_ARTICLE:
        tags.append("article>10k")
    return tags


def recall_by_tag(
    gold: Sequence[GoldArticle], scores: Sequence[ArticleScore]
) -> dict[str, dict[str, Any]]:
    """Per tag: required gold meetings with it, how many were found, and the recall."""
    found: dict[str, list[int]] = {}
    for article, score in zip(gold, scores, strict=True):
        matched = {m.gold for m in score.matches}
        for i, meeting in enumerate(article.meetings):
            if not meeting.required:
                continue
            for tag in meeting_tags(article, i):
                found.setdefault(tag, []).append(int(i in matched))
    return {
        tag: {"meetings": len(hits), "found": sum(hits), "recall": round(sum(hits) / len(hits), 4)}
        for tag, hits in sorted(found.items())
    }


def candidate_recall(gold: Sequence[GoldArticle]) -> dict[str, Any]:
    """How many required gold meetings the `sentence` strategy asks about at all.

    It asks only about sentences with a meeting word (`candidate_sentences`); a meeting whose
    evidence holds none is lost before the model is called, so this bounds that strategy's recall.
    It needs no model: it is a property of the selection and the set.
    """
    meetings = asked = sentences = candidates = 0
    for article in gold:
        split = split_sentences(article.text)
        chosen = candidate_sentences(split)
        sentences, candidates = sentences + len(split), candidates + len(chosen)
        for m in article.meetings:
            if m.required:
                meetings += 1
                ev = m.evidence
                asked += any(c.start < ev.end and ev.start < c.end for c in chosen)
    return {
        "meetings": meetings,
        "asked": asked,
        "recall": round(asked / meetings, 4) if meetings else 1.0,
        "candidate_share": round(candidates / sentences, 4) if sentences else 0.0,
    }
