"""Comparing two runs: a paired bootstrap of B - A, and the `compare` command."""

from __future__ import annotations

import json
import subprocess

import pytest
from backchannel.evaluation.compare import paired
from backchannel.evaluation.gold import load_set
from backchannel.evaluation.scoring import score_article

from tests.factories import ROOT
from tests.test_cli import CLI


def _gold(n: int = 6):
    return [g for g in load_set(ROOT / "eval" / "dev") if g.meetings][:n]


def _prediction(article, meetings):
    return {"id": article.id, "meetings": meetings, "model": "m", "prompt_version": "p",
            "cached": False, "usage": {}, "latency_ms": 0, "warnings": []}  # fmt: skip


def _as_predicted(article):
    keep = ("participants", "location", "time", "track", "status", "topic", "evidence")
    return [{k: v for k, v in m.model_dump(mode="json").items() if k in keep}
            for m in article.meetings]  # fmt: skip


def test_the_same_run_twice_differs_by_nothing_and_a_better_one_is_called_better():
    gold = _gold()
    perfect = [score_article(g.id, g.meetings, g.meetings) for g in gold]
    empty = [score_article(g.id, g.meetings, []) for g in gold]
    same = {d.metric: d for d in paired(perfect, perfect, rounds=200)}
    assert all(d.delta == 0 and d.low == 0 and d.high == 0 for d in same.values())
    assert {d.verdict for d in same.values()} == {"within noise"}
    better = {d.metric: d for d in paired(empty, perfect, rounds=200)}
    assert better["meeting recall"].delta == 1.0 and better["meeting recall"].verdict == "B better"
    assert paired(perfect, empty, rounds=200)[2].verdict == "A better"
    with pytest.raises(ValueError, match="same articles"):
        paired(perfect, list(reversed(perfect)), rounds=200)


def test_one_article_better_of_many_is_within_noise():
    gold = _gold(12)
    base = [score_article(g.id, g.meetings, g.meetings if i else []) for i, g in enumerate(gold)]
    other = [score_article(g.id, g.meetings, g.meetings) for g in gold]
    f1 = {d.metric: d for d in paired(base, other, rounds=500)}["meeting F1"]
    assert f1.delta > 0 and f1.low == 0 and f1.verdict == "within noise"


def test_the_compare_command_scores_both_runs_on_their_common_articles(tmp_path):
    gold = _gold(4)
    a, b = tmp_path / "a", tmp_path / "b"
    for run, meetings in ((a, lambda g: []), (b, _as_predicted)):
        run.mkdir()
        lines = [json.dumps(_prediction(g, meetings(g))) for g in gold]
        (run / "predictions.jsonl").write_text("\n".join(lines) + "\n")
    proc = subprocess.run([CLI, "compare", str(a), str(b), "--set", str(ROOT / "eval" / "dev"),
                           "--rounds", "200"], capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "meeting recall" in proc.stdout and "B better" in proc.stdout
    assert "4 articles (" in proc.stdout and "not in both, left out" in proc.stdout
    nothing = tmp_path / "none.jsonl"
    nothing.write_text(json.dumps(_prediction(gold[0], []) | {"id": "elsewhere"}) + "\n")
    proc = subprocess.run([CLI, "compare", str(a), str(nothing), "--set",
                           str(ROOT / "eval" / "dev")], capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 2 and "no article of" in proc.stderr
