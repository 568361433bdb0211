"""`backchannel eval`: runs the set through the extractor, scores it, writes the reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.factories import ROOT
from tests.fakeserver import Reply
from tests.test_cli import _env, run_cli

SEED_GOLD = ROOT / "eval" / "dev" / "seed-swiss-track-two.json"


def gold_as_draft(path: Path) -> dict:
    """A perfect model: the gold meetings as a draft citing each evidence sentence."""
    from backchannel.text.sentences import sentence_at, split_sentences

    art = json.loads(path.read_text())
    sentences = split_sentences(art["text"])
    keys = ("mention", "name", "affiliation", "role", "capacity")
    meetings = []
    for g in art["meetings"]:
        if not g["participants"]:
            continue
        meetings.append({
            "sentence": sentence_at(sentences, g["evidence"]["start"]).number,
            "participants": [{k: p[k] for k in keys} for p in g["participants"]],
            "location": g["location"]["mention"] if g["location"] else None,
            "time": g["time"]["mention"] if g["time"] else None,
            "track": g["track"], "status": g["status"], "topic": g["topic"],
        })  # fmt: skip
    return {"meetings": meetings}


def small_set(tmp_path: Path) -> Path:
    folder = tmp_path / "set"
    folder.mkdir()
    shutil.copy(SEED_GOLD, folder)
    shutil.copy(ROOT / "eval" / "dev" / "a06-canola-trade-no-meeting.json", folder)
    return folder


def run_small_set(fake_model, tmp_path: Path):
    """`eval` over the seed and a no-meeting article, the model answering the seed perfectly."""
    folder = small_set(tmp_path)
    fake_model.push(Reply.json({"meetings": []}), Reply.json(gold_as_draft(SEED_GOLD)))
    out = tmp_path / "out"
    env = _env(fake_model, tmp_path)
    proc = run_cli(["eval", "--set", str(folder), "--out", str(out)], env)
    assert proc.returncode == 0, proc.stderr
    return folder, out, env, proc, json.loads((out / "report.json").read_text())


def test_eval_runs_scores_and_rescores(fake_model, tmp_path):
    folder, out, env, proc, report = run_small_set(fake_model, tmp_path)
    assert report["stats"]["articles"] == 2 and report["stats"]["grounding_rate"] == 1.0
    assert report["meta"]["model"] == "fake-model" and report["meta"]["prompt_version"]
    seed = next(a for a in report["articles"] if a["id"] == "seed-swiss-track-two")
    no_meeting = next(a for a in report["articles"] if a["id"].startswith("a06"))
    assert no_meeting["meetings"]["fp"] == 0 and no_meeting["meetings"]["fn"] == 0
    # Gold meetings without participants cannot be drafted: they are the only misses.
    gold = json.loads(SEED_GOLD.read_text())["meetings"]
    unreachable = sum(1 for g in gold if g["required"] and not g["participants"])
    assert seed["meetings"]["fn"] == unreachable and seed["meetings"]["fp"] == 0
    assert "slot F1 micro strict" in proc.stdout
    md = (out / "report.md").read_text()
    assert "## Per article" in md and "seed-swiss-track-two" in md
    lines = (out / "predictions.jsonl").read_text().splitlines()
    assert len(lines) == 2
    assert (out / "drafts.jsonl").exists() and "predictions.jsonl, drafts.jsonl" in proc.stderr

    # Rescoring saved predictions calls no model and gives the same numbers.
    calls = len(fake_model.requests)
    rescored = tmp_path / "rescored"
    proc = run_cli(["eval", "--set", str(folder), "--predictions", str(out / "predictions.jsonl"),
                    "--out", str(rescored)], env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert len(fake_model.requests) == calls
    again = json.loads((rescored / "report.json").read_text())
    assert again["score"] == report["score"]


def test_eval_failure_is_reported_and_rerun_resumes(fake_model, tmp_path):
    folder = small_set(tmp_path)
    fake_model.push(Reply.json({"meetings": []}), Reply(status=400))
    env = _env(fake_model, tmp_path)
    out = tmp_path / "out"
    proc = run_cli(["eval", "--set", str(folder), "--out", str(out)], env)
    assert proc.returncode == 1 and "1 of 2 articles failed (seed-swiss-track-two)" in proc.stderr
    assert json.loads((out / "report.json").read_text())["stats"]["failed"] == 1
    fake_model.push(Reply.json({"meetings": []}))
    proc = run_cli(["eval", "--set", str(folder), "--out", str(out)], env)
    assert proc.returncode == 0, proc.stderr
    assert len(fake_model.requests) == 3  # the first article came from the cache
    assert json.loads((out / "report.json").read_text())["stats"]["cache_hits"] == 1


def test_eval_bad_inputs(tmp_path):
    env: dict[str, str] = {}
    proc = run_cli(["eval", "--set", str(tmp_path)], env)
    assert proc.returncode == 2 and "no eval articles" in proc.stderr
    bad = tmp_path / "p.jsonl"
    bad.write_text("{not json\n")
    proc = run_cli(["eval", "--set", str(SEED_GOLD), "--predictions", str(bad)], env)
    assert proc.returncode == 2 and "not valid JSON" in proc.stderr


def test_eval_reassemble_rebuilds_from_cached_model_answers(fake_model, tmp_path):
    folder = small_set(tmp_path)
    fake_model.push(Reply.json({"meetings": []}), Reply.json(gold_as_draft(SEED_GOLD)))
    env = _env(fake_model, tmp_path)
    first, second = tmp_path / "first", tmp_path / "second"
    proc = run_cli(["eval", "--set", str(folder), "--out", str(first)], env)
    assert proc.returncode == 0, proc.stderr
    calls = len(fake_model.requests)
    proc = run_cli(["eval", "--set", str(folder), "--out", str(second), "--reassemble"], env)
    assert proc.returncode == 0, proc.stderr
    assert len(fake_model.requests) == calls  # the drafts came from the cache
    a = json.loads((first / "report.json").read_text())
    b = json.loads((second / "report.json").read_text())
    assert b["stats"]["cache_hits"] == 0  # results were rebuilt, not replayed
    assert b["score"] == a["score"]
    assert b["stats"]["prompt_tokens_per_article"] == a["stats"]["prompt_tokens_per_article"]


def test_eval_strategy_option_and_conflicting_flags(fake_model, tmp_path):
    folder = small_set(tmp_path)
    fake_model.default = lambda _p: Reply.json({"answer": {"is_meeting": False}})
    env = _env(fake_model, tmp_path)
    out = tmp_path / "out"
    proc = run_cli(["eval", "--set", str(folder), "--out", str(out), "--strategy", "sentence"], env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["meta"]["strategy"] == "sentence"
    assert report["meta"]["prompt_version"].startswith("s1-")
    assert len(fake_model.requests) > 2  # one call per candidate sentence
    proc = run_cli(["eval", "--set", str(folder), "--reassemble", "--no-cache"], env)
    assert proc.returncode == 2 and "not with --no-cache" in proc.stderr
    proc = run_cli(["eval", "--set", str(folder), "--strategy", "bogus"], env)
    assert proc.returncode == 2 and "BACKCHANNEL_STRATEGY" in proc.stderr


def test_load_set_slices_by_offset_and_limit():
    from backchannel.evaluation.gold import load_set

    everything = [a.id for a in load_set(ROOT / "eval" / "dev")]
    middle = [a.id for a in load_set(ROOT / "eval" / "dev", limit=3, offset=20)]
    assert middle == everything[20:23]
    assert [a.id for a in load_set(ROOT / "eval" / "dev", offset=38)] == everything[38:]
    skip = frozenset(everything[:2])
    assert [a.id for a in load_set(ROOT / "eval" / "dev", exclude=skip)] == everything[2:]
    with pytest.raises(ValueError, match="no article of the set: nope"):
        load_set(ROOT / "eval" / "dev", exclude=frozenset({"nope"}))


def test_an_unexpected_error_in_one_article_does_not_end_the_batch(settings, fake_model):
    import asyncio

    from backchannel.contract.schema import ExtractRequest
    from backchannel.pipeline.batch import BatchItem, run_batch
    from backchannel.pipeline.extractor import Extractor

    fake_model.default = lambda _p: Reply.json({"meetings": []})
    ex = Extractor(settings)
    real = ex.extract

    async def flaky(request, **kw):
        if request.id == "bad":
            raise RuntimeError("a bug")
        return await real(request, **kw)

    ex.extract = flaky  # type: ignore[method-assign]
    items = [BatchItem(line=n, request=ExtractRequest(id=i, text=f"Talks {n}."))
             for n, i in enumerate(["a", "bad", "c"], 1)]  # fmt: skip
    seen: list = []
    outcomes = asyncio.run(run_batch(ex, items, 2, seen.append))
    assert [o.ok for o in outcomes] == [True, False, True] and len(seen) == 3
    assert outcomes[1].code == "internal_error" and "RuntimeError: a bug" in outcomes[1].message


def test_report_has_intervals_recall_per_tag_and_the_scorer(fake_model, tmp_path):
    folder, out, env, proc, report = run_small_set(fake_model, tmp_path)
    assert report["meta"]["scorer"] == "strict"
    low, high = report["intervals_95"]["meeting_f1"]
    assert 0.0 <= low <= report["score"]["meetings"]["f1"] <= high <= 1.0
    assert "name" in report["score"]["slots_strict"]  # the strict rules score names
    # The seed's gold predates meeting tags: its required meetings count as "untagged".
    gold = json.loads(SEED_GOLD.read_text())["meetings"]
    assert report["recall_by_tag"]["untagged"]["meetings"] == sum(g["required"] for g in gold)
    assert "95% CI over articles" in proc.stdout
    assert "## Recall per tag" in (out / "report.md").read_text()

    lenient = tmp_path / "lenient"
    proc = run_cli(["eval", "--set", str(folder), "--predictions", str(out / "predictions.jsonl"),
                    "--scorer", "lenient", "--out", str(lenient)], env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    old = json.loads((lenient / "report.json").read_text())
    assert old["meta"]["scorer"] == "lenient" and "name" not in old["score"]["slots_strict"]
    bad = run_cli(["eval", "--set", str(folder), "--scorer", "loose"], env)
    assert bad.returncode == 2 and "--scorer must be one of strict, lenient" in bad.stderr


def test_bootstrap_interval_narrows_with_agreement():
    from backchannel.evaluation.scoring import ArticleScore, Counts
    from backchannel.evaluation.stats import bootstrap

    def article(tp: int, fp: int, fn: int) -> ArticleScore:
        slots = {"participants": Counts(tp, fp, fn)}
        return ArticleScore("a", [], [], [], Counts(tp, fp, fn), slots, dict(slots))

    same = bootstrap([article(2, 0, 0)] * 20)
    assert same["meeting_f1"] == [1.0, 1.0]
    mixed = bootstrap([article(2, 0, 0), article(0, 1, 1)] * 10)
    low, high = mixed["meeting_f1"]
    assert low < 4 / 6 < high  # pooled F1 of the whole set: 2 * 20 / (2 * 20 + 10 + 10)


def test_recall_by_tag_counts_required_meetings_found():
    from backchannel.evaluation.gold import GoldArticle
    from backchannel.evaluation.scoring import score_article
    from backchannel.evaluation.stats import recall_by_tag

    from tests import factories

    text = "Envoys from Chad and Niger met in Doha. She later met him in Rome. " + "x" * 10_000
    one = factories.meeting(text, "Envoys from Chad and Niger met in Doha.",
                            [factories.person(text, "Envoys from Chad and Niger")],
                            tags=["kind:diplomacy"], event_id="doha")  # fmt: skip
    two = factories.meeting(text, "She later met him in Rome.", [factories.person(text, "She"),
                            factories.person(text, "him")],
                            tags=["kind:diplomacy", "pronoun"], event_id="rome")  # fmt: skip
    art = GoldArticle.model_validate({"id": "t", "text": text, "meetings": [one, two]})
    found = score_article("t", art.meetings, [factories.as_prediction(one)])
    table = recall_by_tag([art], [found])
    assert table["kind:diplomacy"] == {"meetings": 2, "found": 1, "recall": 0.5}
    assert table["pronoun"] == {"meetings": 1, "found": 0, "recall": 0.0}
    assert table["article>10k"]["meetings"] == 2


def test_candidate_recall_counts_meetings_the_selection_never_asks_about():
    from backchannel.evaluation.gold import GoldArticle
    from backchannel.evaluation.stats import candidate_recall

    from tests import factories

    text = ("Envoys from Chad and Niger met in Doha. The weather was fine. "
            "Later, Chad's envoy sat beside Niger's envoy on a sofa in Rome.")  # fmt: skip
    asked = factories.meeting(text, "Envoys from Chad and Niger met in Doha.",
                              [factories.person(text, "Envoys from Chad and Niger")])  # fmt: skip
    missed = factories.meeting(
        text, "Later, Chad's envoy sat beside Niger's envoy on a sofa in Rome.",
        [factories.person(text, "Chad's envoy"), factories.person(text, "Niger's envoy")],
    )  # fmt: skip
    optional = factories.meeting(text, "The weather was fine.", [], required=False)
    art = GoldArticle.model_validate(
        {"id": "t", "text": text, "meetings": [asked, missed, optional]}
    )
    table = candidate_recall([art])
    # "sat beside" is no meeting word: the second meeting is never asked about; the optional one
    # does not count; one of three sentences is a candidate.
    assert table == {"meetings": 2, "asked": 1, "recall": 0.5, "candidate_share": 0.3333}


def test_eval_resume_on_another_machine_runs_only_what_is_missing(fake_model, tmp_path):
    """A run's folder is what moves between machines (the cache does not): --resume keeps the
    results in its predictions.jsonl and runs only the missing and the failed."""
    folder = small_set(tmp_path)
    fake_model.push(Reply.json({"meetings": []}), Reply(status=400))
    out = tmp_path / "out"
    proc = run_cli(["eval", "--set", str(folder), "--out", str(out)], _env(fake_model, tmp_path))
    assert proc.returncode == 1
    # Written as the run went: the finished article and the failed one's error record.
    lines = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    assert [("error" in x) for x in lines] == [False, True]
    [draft] = [json.loads(x) for x in (out / "drafts.jsonl").read_text().splitlines()]
    assert draft["id"] == lines[0]["id"] and draft["key"].startswith("draft:")

    elsewhere = _env(fake_model, tmp_path / "other-machine")
    fake_model.push(Reply.json(gold_as_draft(SEED_GOLD)))
    calls = len(fake_model.requests)
    proc = run_cli(["eval", "--set", str(folder), "--out", str(out), "--resume"], elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert len(fake_model.requests) == calls + 1  # the failed article only
    assert "1 results kept, 1 to run" in proc.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["stats"]["articles"] == 2 and report["stats"]["failed"] == 0
    assert report["meta"]["resumed_with"] == 1
    assert len((out / "predictions.jsonl").read_text().splitlines()) == 2
    assert len((out / "drafts.jsonl").read_text().splitlines()) == 2

    # A run killed while writing leaves a cut-off last line: --resume drops it and runs that
    # article again (here its result is in this machine's cache), instead of failing on the file.
    whole = (out / "predictions.jsonl").read_text()
    (out / "predictions.jsonl").write_text(whole[: whole.rindex("{") + 20])
    proc = run_cli(["eval", "--set", str(folder), "--out", str(out), "--resume"], elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert "1 results kept, 1 to run" in proc.stderr
    again = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    before = [json.loads(x) for x in whole.splitlines()]
    assert [(x["id"], x["meetings"]) for x in again] == [(x["id"], x["meetings"]) for x in before]

    # Without --resume the folder's files start again rather than grow.
    fake_model.push(Reply.json({"meetings": []}))  # a06 was cached on the first machine only
    proc = run_cli(["eval", "--set", str(folder), "--out", str(out)], elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert len((out / "predictions.jsonl").read_text().splitlines()) == 2
    assert len((out / "drafts.jsonl").read_text().splitlines()) == 2


def test_committed_drafts_rebuild_results_without_the_model(fake_model, tmp_path):
    folder, out, _env_a, _proc, first = run_small_set(fake_model, tmp_path)
    calls = len(fake_model.requests)
    elsewhere = _env(fake_model, tmp_path / "other-machine")
    again = tmp_path / "again"
    proc = run_cli(["eval", "--set", str(folder), "--out", str(again), "--reassemble",
                    "--drafts", str(out / "drafts.jsonl")], elsewhere)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "2 model answers" in proc.stderr
    assert len(fake_model.requests) == calls
    second = json.loads((again / "report.json").read_text())
    assert second["score"] == first["score"] and second["stats"]["cache_hits"] == 0


def test_eval_drafts_option_errors(fake_model, tmp_path):
    folder = small_set(tmp_path)
    env = _env(fake_model, tmp_path)
    proc = run_cli(["eval", "--set", str(folder), "--drafts", str(tmp_path / "none.jsonl")], env)
    assert proc.returncode == 2 and "no such file" in proc.stderr
    bad = tmp_path / "drafts.jsonl"
    bad.write_text('{"id": "x", "key": "draft:abc", "draft": {}}\n{"id": "y"}\n')
    proc = run_cli(["eval", "--set", str(folder), "--drafts", str(bad)], env)
    assert proc.returncode == 2 and "drafts.jsonl:2 is not a draft line" in proc.stderr
    bad.write_text('{"id": "x", "key": "result:abc", "draft": {}}\n')
    proc = run_cli(["eval", "--set", str(folder), "--drafts", str(bad)], env)
    assert proc.returncode == 2 and "must be a draft key" in proc.stderr
    assert fake_model.requests == []


def test_alternate_runs_its_variants_article_by_article(fake_model, tmp_path):
    """eval/alternate.sh: after each article every run holds the same articles, so a stopped run
    is still a paired comparison; here three variants run to the end and `compare` pairs two."""
    import os
    import subprocess

    from tests.fakeserver import answer_for

    folder = small_set(tmp_path)
    fake_model.default = lambda p: Reply.json(answer_for(p, {"meetings": []}))
    env = {**os.environ, **_env(fake_model, tmp_path)}
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    proc = subprocess.run(
        ["bash", str(ROOT / "eval" / "alternate.sh"), str(folder), str(a),
         "BACKCHANNEL_STRATEGY=single", str(b), "BACKCHANNEL_STRATEGY=sentence", str(c),
         "BACKCHANNEL_STRATEGY=sentence BACKCHANNEL_SENTENCE_ANSWER=lean"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "1 of 2 articles in all 3 runs" in proc.stderr and "2 of 2" in proc.stderr
    for out, version in ((a, "p"), (b, "s1-"), (c, "s3-")):
        report = json.loads((out / "report.json").read_text())
        assert report["meta"]["prompt_version"].startswith(version), report["meta"]
        assert report["stats"]["articles"] == 2
    proc = run_cli(["compare", str(a), str(b), "--set", str(folder)], env)
    assert proc.returncode == 0 and "2 articles" in proc.stdout
    for args in ([str(folder)], [str(folder), str(a), "X=1", str(b)]):
        proc = subprocess.run(["bash", str(ROOT / "eval" / "alternate.sh"), *args],
                              capture_output=True, text=True)  # fmt: skip
        assert proc.returncode == 2 and "eval/alternate.sh SET OUT_A" in proc.stderr


def test_alternate_stops_on_sigterm_with_the_eval_it_is_running(fake_model, tmp_path):
    """Stopped by its PID, the script stops the eval step in progress too (bash alone would wait
    for that step to finish first), and leaves no process behind."""
    import os
    import signal
    import subprocess
    import time

    folder = small_set(tmp_path)
    fake_model.default = lambda _p: Reply.json({"meetings": []}, delay=10)
    env = {**os.environ, **_env(fake_model, tmp_path)}
    proc = subprocess.Popen(
        ["bash", str(ROOT / "eval" / "alternate.sh"), str(folder), str(tmp_path / "a"),
         "BACKCHANNEL_STRATEGY=single", str(tmp_path / "b"), "BACKCHANNEL_STRATEGY=single"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not fake_model.requests and time.monotonic() < deadline:
        time.sleep(0.2)
    assert fake_model.requests, "the eval never asked the model"
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    assert time.monotonic() - started < 20 and proc.returncode != 0
    time.sleep(0.5)
    left = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True)
    assert left.stdout.strip() == "", f"left running: {left.stdout}"


def test_eval_without_the_cache_says_it_wrote_no_drafts(fake_model, tmp_path):
    folder = small_set(tmp_path)
    fake_model.push(Reply.json({"meetings": []}), Reply.json(gold_as_draft(SEED_GOLD)))
    out = tmp_path / "out"
    proc = run_cli(["eval", "--set", str(folder), "--out", str(out), "--no-cache"],
                   _env(fake_model, tmp_path))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert not (out / "drafts.jsonl").exists() and "no drafts.jsonl" in proc.stderr
