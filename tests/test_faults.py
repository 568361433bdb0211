"""Faults around the pipeline: a corrupt or shared cache, a model server killed mid-batch."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import diskcache
from backchannel.contract.schema import ExtractRequest
from backchannel.pipeline.cache import ResultCache
from backchannel.pipeline.extractor import Extractor

from tests.factories import ROOT
from tests.fakeserver import Reply
from tests.test_cli import CLI


def test_corrupt_cache_entry_is_a_miss_and_is_replaced(strategy_settings, fake_model, seed_text):
    settings = strategy_settings
    fake_model.default = lambda _p: Reply.meetings()
    ex = Extractor(settings)
    request = ExtractRequest(text=seed_text)
    asyncio.run(ex.extract(request))
    key = ex.key_for(request)
    ex.cache._cache.set(key, '{"meetings": "truncated garb')  # type: ignore[union-attr]
    ex = Extractor(settings)  # a new process: nothing in memory, the disk entry is corrupt
    assert ex.cached(request) is None
    result = asyncio.run(ex.extract(request))
    # Rebuilt from the model's cached draft: no second model call.
    calls = len(fake_model.requests)
    assert result.cached is False and calls == result.usage.calls
    assert ex.cached(request) is not None  # replaced by the fresh result
    # A corrupt draft as well: the model is asked again.
    ex.cache._cache.set(key, "garbage")  # type: ignore[union-attr]
    ex.cache._cache.set(ex.draft_key(request), '{"draft": {"meet')  # type: ignore[union-attr]
    result = asyncio.run(Extractor(settings).extract(request))
    assert result.cached is False and len(fake_model.requests) == 2 * calls


def test_a_new_result_shape_is_rebuilt_from_the_cached_draft(
    strategy_settings, fake_model, seed_text, monkeypatch
):
    """The contract's version is in the result's key, not the draft's: after a change to the
    result's shape, results are rebuilt from the model's stored answers, with no model call."""
    from backchannel.pipeline import extractor

    fake_model.default = lambda _p: Reply.meetings()
    request = ExtractRequest(text=seed_text)
    first = Extractor(strategy_settings)
    asyncio.run(first.extract(request))
    calls, keys = len(fake_model.requests), (first.key_for(request), first.draft_key(request))
    monkeypatch.setattr(extractor, "SCHEMA_VERSION", "next")
    later = Extractor(strategy_settings)
    assert later.key_for(request) != keys[0] and later.draft_key(request) == keys[1]
    result = asyncio.run(later.extract(request))
    assert result.cached is False and len(fake_model.requests) == calls


def test_recent_entries_are_answered_from_memory_within_a_budget(tmp_path):
    cache = ResultCache(tmp_path, memory_chars=10)
    for key in "abc":
        cache.set(key, key * 4)
    assert cache.get("a") == "aaaa"  # from disk: the budget kept only the last two
    with diskcache.Cache(str(tmp_path)) as disk:  # the disk emptied behind the cache's back
        disk.clear()
    # Now only memory answers: "a" (just read back) and "c"; "b" was evicted for it.
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == ("aaaa", None, "cccc")
    assert ResultCache(tmp_path).get("a") is None  # another process reads the disk


def _writer(directory: str, worker: int, n: int) -> None:
    cache = ResultCache(Path(directory))
    for i in range(n):
        cache.set(f"w{worker}-{i}", json.dumps({"worker": worker, "i": i}))
        cache.set("shared", json.dumps({"worker": worker, "i": i}))
    cache.close()


def test_concurrent_writers_from_several_processes_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    workers, n = 4, 100
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), w, n)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    cache = ResultCache(tmp_path)
    for w in range(workers):
        for i in range(n):
            assert json.loads(cache.get(f"w{w}-{i}")) == {"worker": w, "i": i}
    assert json.loads(cache.get("shared"))["i"] == n - 1  # the last write of some worker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_model(port: int, delay: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakeserver", "--port", str(port), "--delay", str(delay)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stdout.readline().startswith("http://")
    return proc


def test_model_killed_mid_batch_then_resume(tmp_path, strategy):
    port = _free_port()
    items = [{"id": f"n{i}", "text": f"Envoys met in Geneva for round {i}."} for i in range(8)]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in items) + "\n")
    env = {**os.environ, "BACKCHANNEL_BASE_URL": f"http://127.0.0.1:{port}/v1",
           "BACKCHANNEL_STRATEGY": strategy,
           "BACKCHANNEL_CACHE_DIR": str(tmp_path / "cache"), "BACKCHANNEL_MAX_RETRIES": "1",
           "BACKCHANNEL_RETRY_MAX_SECONDS": "2", "BACKCHANNEL_CONNECT_TIMEOUT": "1"}  # fmt: skip
    model = _start_model(port, delay=0.4)
    batch = subprocess.Popen([CLI, "extract", "--jsonl", str(src)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert batch.stdout is not None
    head = [batch.stdout.readline() for _ in range(3)]  # three items done: now kill the model
    os.killpg(model.pid, signal.SIGKILL)
    model.wait()
    out, err = batch.communicate(timeout=120)
    assert batch.returncode == 1, err
    first = [json.loads(line) for line in head + out.splitlines()]
    assert [o["id"] for o in first] == [x["id"] for x in items]  # every line answered once
    done = [o["id"] for o in first if "meetings" in o]
    failed = [o for o in first if "error" in o]
    assert done and failed and failed[0]["error"]["code"] == "model_unavailable"
    assert f"{len(failed)} of 8 items failed" in err

    model = _start_model(port, delay=0.0)
    try:
        rerun = subprocess.run([CLI, "extract", "--jsonl", str(src)], env=env,
                               capture_output=True, text=True, timeout=120)  # fmt: skip
    finally:
        os.killpg(model.pid, signal.SIGKILL)
    assert rerun.returncode == 0, rerun.stderr
    second = [json.loads(line) for line in rerun.stdout.splitlines()]
    assert [o["id"] for o in second] == [x["id"] for x in items]
    assert all("meetings" in o for o in second)
    assert {o["id"] for o in second if o["cached"]} == set(done)  # resumed from the cache


def test_sigterm_stops_a_batch_cleanly(tmp_path, strategy):
    port = _free_port()
    model = _start_model(port, delay=1.0)
    try:
        src = tmp_path / "in.jsonl"
        src.write_text("".join(json.dumps({"text": f"Talks {i}."}) + "\n" for i in range(20)))
        env = {**os.environ, "BACKCHANNEL_BASE_URL": f"http://127.0.0.1:{port}/v1",
               "BACKCHANNEL_STRATEGY": strategy,
               "BACKCHANNEL_CACHE_DIR": str(tmp_path / "cache")}  # fmt: skip
        pipe = subprocess.PIPE
        batch = subprocess.Popen([CLI, "extract", "--jsonl", str(src)], env=env,
                                 stdout=pipe, stderr=pipe, text=True)  # fmt: skip
        assert batch.stdout is not None and batch.stdout.readline()  # one item done
        batch.send_signal(signal.SIGTERM)
        _, err = batch.communicate(timeout=30)
        assert batch.returncode == 130 and "interrupted" in err
    finally:
        os.killpg(model.pid, signal.SIGKILL)
