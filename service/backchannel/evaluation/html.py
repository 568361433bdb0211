"""report.html: per article, gold and predicted meetings side by side over the highlighted text,
each row marked by what went wrong (missed, spurious, wrong slot), and the set's tables.

One self-contained file (script and style inline, allowed by hash in its own CSP): it opens from
disk, offline, and the article texts inside it cannot run script.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from backchannel.contract.schema import Meeting
from backchannel.render.pages import standalone
from backchannel.render.spans import Segment, meeting_marks, segments

if TYPE_CHECKING:
    from backchannel.evaluation.report import EvalReport


@dataclass
class Row:
    kind: str  # "right", "wrong", "missed", "spurious", "optional"
    keys: str  # the meeting keys this row lights up (gold's, prediction's, or both)
    gold: Meeting | None
    pred: Meeting | None
    errors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


@dataclass
class ArticleView:
    id: str
    anchor: str
    published_at: Any
    segments: list[Segment]
    rows: list[Row]
    scores: dict[str, Any]
    failure: str | None
    counts: dict[str, int]


KIND_LABELS = {
    "right": "right",
    "wrong": "wrong slot",
    "missed": "missed",
    "spurious": "spurious",
    "optional": "optional, not found",
}


def _article(n: int, report: EvalReport) -> ArticleView:
    gold_article, score = report.gold[n], report.articles[n]
    predicted = report.predicted.get(gold_article.id, [])
    by_gold = {m.gold: m for m in score.matches}
    spurious = set(score.extra)
    prefix = f"a{n}"
    marks = []
    rows: list[Row] = []
    for i, g in enumerate(gold_article.meetings):
        key = f"{prefix}g{i}"
        match = by_gold.get(i)
        if match is not None:
            errors = score.pair_errors.get(i, [])
            kind = "wrong" if errors else "right"
            pkey = f"{prefix}p{match.pred}"
            rows.append(Row(kind, f"{key} {pkey}", g, predicted[match.pred], errors, g.tags))
            tone = ""
        elif g.required:
            rows.append(Row("missed", key, g, None, [], g.tags))
            tone = "missed"
        else:
            rows.append(Row("optional", key, g, None, [], g.tags))
            tone = "optional"
        marks += meeting_marks(g, key, tone, layer="g")
    for j, p in enumerate(predicted):
        key = f"{prefix}p{j}"
        if j in spurious:
            rows.append(Row("spurious", key, None, p))
        marks += meeting_marks(p, key, "spurious" if j in spurious else "")
    counts = {k: sum(r.kind == k for r in rows) for k in KIND_LABELS}
    return ArticleView(
        id=gold_article.id,
        anchor=f"article-{n}",
        published_at=gold_article.published_at,
        segments=segments(gold_article.text, marks),
        rows=rows,
        scores=score.to_dict(),
        failure=report.failures.get(gold_article.id),
        counts=counts,
    )


def render_html(report: EvalReport) -> str:
    articles = [_article(n, report) for n in range(len(report.articles))]
    # Worst first: the report is for error analysis.
    articles.sort(key=lambda a: (a.scores["meetings"]["f1"], a.scores["slot_f1_strict"], a.id))
    return standalone(
        "report.html",
        meta=report.meta,
        score=report.score.to_dict(),
        stats=report.stats,
        intervals=report.intervals,
        by_tag=report.by_tag,
        articles=articles,
        kinds=KIND_LABELS,
    )
