"""The batch eval: run the extractor over the labelled set, score it, write the reports.

Runs through the same cached `Extractor` as every other entry point, so an interrupted eval resumes
where it stopped; `--predictions` rescoring needs no model at all.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backchannel.contract.schema import ExtractResult, Meeting
from backchannel.evaluation.events import score_gold_linking, score_linking
from backchannel.evaluation.gold import GoldArticle
from backchannel.evaluation.html import render_html
from backchannel.evaluation.rules import STRICT, Rules
from backchannel.evaluation.scoring import (
    ArticleScore,
    SetScore,
    aggregate,
    grounding_rate,
    score_article,
)
from backchannel.evaluation.stats import bootstrap, candidate_recall, recall_by_tag
from backchannel.pipeline.batch import BatchItem, BatchOutcome


def jsonl_objects(path: Path) -> Iterator[tuple[int, Any]]:
    """The line number and parsed value of each non-blank line; ValueError names a bad line."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n} is not valid JSON: {exc.msg}") from exc


def load_predictions(path: Path) -> dict[str, dict[str, Any]]:
    """Saved prediction lines by id: results, or error records (which score as empty)."""
    out: dict[str, dict[str, Any]] = {}
    for n, obj in jsonl_objects(path):
        if not isinstance(obj, dict) or not obj.get("id"):
            raise ValueError(f"{path}:{n} has no id")
        out[str(obj["id"])] = obj
    return out


@dataclass
class EvalReport:
    score: SetScore
    articles: list[ArticleScore]
    stats: dict[str, Any]
    meta: dict[str, Any]
    intervals: dict[str, list[float]] = field(default_factory=dict)
    by_tag: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What report.html draws (not in report.json, which already holds the predictions' scores).
    gold: list[GoldArticle] = field(default_factory=list)
    predicted: dict[str, list[Meeting]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": self.meta,
            "stats": self.stats,
            "score": self.score.to_dict(),
            "intervals_95": self.intervals,
            "recall_by_tag": self.by_tag,
            "events_b_cubed": self.events,
            "articles": [a.to_dict() for a in self.articles],
        }


def score_predictions(
    gold: list[GoldArticle],
    predictions: dict[str, dict[str, Any]],
    meta: dict[str, Any],
    rules: Rules = STRICT,
) -> EvalReport:
    articles: list[ArticleScore] = []
    latencies, prompt_tokens, completion_tokens, calls, model_ms = [], [], [], [], []
    grounded = checked = warnings = cache_hits = failed = 0
    predicted: dict[str, list[Meeting]] = {}
    failures: dict[str, str] = {}
    for art in gold:
        pred = predictions.get(art.id)
        if pred is None or "error" in pred:
            failed += 1
            failures[art.id] = _failure(pred)
            meetings: list[Meeting] = []
        else:
            result = ExtractResult.model_validate(pred)
            meetings = result.meetings
            g, c = grounding_rate(art.text, meetings)
            grounded, checked = grounded + g, checked + c
            warnings += len(result.warnings)
            cache_hits += int(result.cached)
            latencies.append(result.latency_ms)
            prompt_tokens.append(result.usage.prompt_tokens)
            completion_tokens.append(result.usage.completion_tokens)
            calls.append(result.usage.calls)
            model_ms.append(result.usage.model_ms)
        predicted[art.id] = meetings
        articles.append(score_article(art.id, art.meetings, meetings, rules))
    matches = {a.id: {m.gold: m.pred for m in a.matches} for a in articles}
    events = {
        "gold_meetings": score_gold_linking(gold).model_dump(),
        "end_to_end": score_linking(gold, predicted, matches).model_dump(),
    }
    stats = {
        "articles": len(gold),
        "failed": failed,
        "grounding_rate": round(grounded / checked, 4) if checked else 1.0,
        "values_checked": checked,
        "warnings": warnings,
        "cache_hits": cache_hits,
        "latency_ms_p50": _percentile(latencies, 50),
        "latency_ms_p95": _percentile(latencies, 95),
        "prompt_tokens_per_article": _mean(prompt_tokens),
        "completion_tokens_per_article": _mean(completion_tokens),
        "model_calls_per_article": _mean(calls),
        # Time waiting on the model, kept with the cached draft: unlike latency it survives a
        # cache hit or a --reassemble run (0 for results that predate it).
        "model_seconds_per_article": round(statistics.fmean(model_ms) / 1000, 1)
        if model_ms
        else None,
    }
    selection = candidate_recall(gold)
    stats["candidate_recall"] = selection["recall"]  # of the `sentence` strategy's selection
    stats["candidate_share"] = selection["candidate_share"]
    meta = {**meta, "scorer": rules.name}
    return EvalReport(
        aggregate(articles),
        articles,
        stats,
        meta,
        intervals=bootstrap(articles),
        by_tag=recall_by_tag(gold, articles),
        events=events,
        gold=gold,
        predicted=predicted,
        failures=failures,
    )


def _failure(pred: dict[str, Any] | None) -> str:
    if pred is None:
        return "no prediction for this article"
    error = pred.get("error")
    return str(error.get("message", error)) if isinstance(error, dict) else str(error)


def predictions_from(outcomes: list[BatchOutcome]) -> dict[str, dict[str, Any]]:
    return {
        (o.item.request.id if o.item.request else str(o.item.line)): json.loads(o.to_json())
        for o in outcomes
    }


def batch_items(gold: list[GoldArticle]) -> list[BatchItem]:
    return [BatchItem(line=n, request=a.request()) for n, a in enumerate(gold, 1)]


def write_reports(report: EvalReport, out: Path, predictions: dict[str, dict] | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report.to_dict(), indent=2, default=str) + "\n")
    (out / "report.md").write_text(render_markdown(report))
    (out / "report.html").write_text(render_html(report), encoding="utf-8")
    if predictions is not None:
        with (out / "predictions.jsonl").open("w", encoding="utf-8") as fh:
            for pred in predictions.values():
                fh.write(json.dumps(pred, ensure_ascii=False) + "\n")


def render_markdown(report: EvalReport) -> str:
    s = report.score.to_dict()
    lines = ["# backchannel eval report", ""]
    lines += [f"- {k}: `{v}`" for k, v in report.meta.items()]
    lines += ["", "## Headline", "", "| metric | value |", "| --- | --- |"]
    meeting = s["meetings"]
    ci = report.intervals
    lines += [
        f"| meeting precision / recall / F1 | {meeting['precision']:.3f} / "
        f"{meeting['recall']:.3f} / {meeting['f1']:.3f}{_ci(ci.get('meeting_f1'))} |",
        f"| slot F1 (micro), strict | {s['slot_f1_strict']:.3f}{_ci(ci.get('slot_f1_strict'))} |",
        f"| slot F1 (micro), relaxed | {s['slot_f1_relaxed']:.3f} |",
    ]
    lines += [f"| {k} | {v} |" for k, v in report.stats.items()]
    lines += ["", "## Slots", "", "| slot | P | R | F1 | TP | FP | FN |", "|---" * 7 + "|"]
    for variant in ("strict", "relaxed"):
        for name, v in s[f"slots_{variant}"].items():
            lines.append(
                f"| {name} ({variant}) | {v['precision']:.3f} | {v['recall']:.3f} | "
                f"{v['f1']:.3f} | {v['tp']} | {v['fp']} | {v['fn']} |"
            )
    lines += ["", "## Recall per tag (required gold meetings)", "", "| tag | meetings | found |"
              " recall |", "| --- | --- | --- | --- |"]  # fmt: skip
    lines += [
        f"| {tag} | {v['meetings']} | {v['found']} | {v['recall']:.3f} |"
        for tag, v in report.by_tag.items()
    ]
    lines += ["", "## Events (B-cubed over gold meetings)", "",
              "The linker groups meetings of different articles into events; scored against the "
              "gold `event_id`s, on the gold meetings themselves and end to end (the gold "
              "meetings found, each with the event of its matched prediction). `shared`: over "
              "the meetings of events that several articles report.", "",
              "| linking | P | R | F1 | shared P | shared R | shared F1 | meetings | "
              "events in several articles | linked whole |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for name, e in report.events.items():
        lines.append(f"| {name.replace('_', ' ')} | {e['precision']:.3f} | {e['recall']:.3f} | "
                     f"{e['f1']:.3f} | {e['shared_precision']:.3f} | {e['shared_recall']:.3f} | "
                     f"{e['shared_f1']:.3f} | {e['items']} | {e['gold_events']} | "
                     f"{e['linked']} |")  # fmt: skip
    lines += ["", "## Per article", ""]
    for art in report.articles:
        d = art.to_dict()
        errors = d.get("errors", [])
        lines.append(f"### {d['id']} ({len(errors)} error(s))")
        lines += [f"- {e}" for e in errors] or ["- no errors"]
        lines.append("")
    return "\n".join(lines) + "\n"


def _ci(interval: list[float] | None) -> str:
    return f" (95% CI {interval[0]:.3f}-{interval[1]:.3f})" if interval else ""


def _percentile(values: list[int], q: int) -> int | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1])


def _mean(values: list[int]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


def render_summary(report: EvalReport) -> str:
    """The per-field table printed at the end of a run."""
    s = report.score.to_dict()
    m = s["meetings"]
    rows = [("field", "P", "R", "F1"), ("meetings", m["precision"], m["recall"], m["f1"])]
    for name, v in s["slots_strict"].items():
        relaxed = s["slots_relaxed"].get(name, v)
        label = name if relaxed == v else f"{name} (strict)"
        rows.append((label, v["precision"], v["recall"], v["f1"]))
        if relaxed != v:
            rows.append(
                (f"{name} (relaxed)", relaxed["precision"], relaxed["recall"], relaxed["f1"])
            )
    rows.append(("slot F1 micro strict", "", "", s["slot_f1_strict"]))
    ci = report.intervals
    rows.append(("slot F1 micro relaxed", "", "", s["slot_f1_relaxed"]))
    lines = []
    for label, *nums in rows:
        cells = [n if isinstance(n, str) else f"{n:.3f}" for n in nums]
        lines.append(f"{label:<28}" + "".join(f"{c:>8}" for c in cells))
    if ci:
        lines.append(
            f"95% CI over articles: meeting F1 {ci['meeting_f1'][0]:.3f}-{ci['meeting_f1'][1]:.3f}"
            f"  slot F1 strict {ci['slot_f1_strict'][0]:.3f}-{ci['slot_f1_strict'][1]:.3f}"
        )
    if report.events:
        g, e = report.events["gold_meetings"], report.events["end_to_end"]
        lines.append(
            f"events B-cubed F1: gold meetings {g['f1']:.3f} (shared events {g['shared_f1']:.3f}),"
            f" end to end {e['f1']:.3f} (shared events {e['shared_f1']:.3f})"
        )
    stats = report.stats
    lines.append(
        f"grounding {stats['grounding_rate']:.1%}  warnings {stats['warnings']}  "
        f"failed {stats['failed']}  latency p50 {stats['latency_ms_p50']} ms "
        f"p95 {stats['latency_ms_p95']} ms  calls/article {stats['model_calls_per_article']}  "
        f"model s/article {stats['model_seconds_per_article']}"
    )
    return "\n".join(lines)
