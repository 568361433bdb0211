"""Corpus extraction on Ray Data (local mode, real Ray processes) with the scripted model: the same
store and events as the in-process engine, and a worker killed mid-batch loses nothing and
extracts nothing twice."""

from __future__ import annotations

import json
import os
import subprocess
import threading

import pytest
from backchannel.store.repository import Store
from backchannel.store.tables import ExtractionRow, MeetingRow
from sqlalchemy import func, select

from tests.fakeserver import Reply
from tests.test_cli import CLI
from tests.test_ingest import _db_env, reader

pytest.importorskip("ray")


def _articles(folder, n: int) -> list[str]:
    texts = [f"Item {i}: Antony Blinken met Sergei Lavrov in Geneva on day {i}." for i in range(n)]
    for i, text in enumerate(texts):
        (folder / f"{i}.txt").write_text(text, encoding="utf-8")
    return texts


def _ingest_on_ray(folder, env) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "ingest", str(folder), "--engine", "ray", "--concurrency", "2", "--format", "json"],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=300,
    )  # fmt: skip


def _stored(database_url: str) -> tuple[list[tuple[str, str]], int]:
    store = Store.open(database_url)
    with store.session() as s:
        rows = s.execute(select(ExtractionRow.article_id, ExtractionRow.state)).all()
        meetings = s.scalar(select(func.count()).select_from(MeetingRow)) or 0
    store.close()
    return [tuple(r) for r in rows], meetings


def test_ingest_on_ray_stores_every_article_once_and_links_events(fake_model, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _articles(folder, 6)
    fake_model.default = reader
    database_url = f"sqlite:///{tmp_path / 'corpus.db'}"
    proc = _ingest_on_ray(folder, _db_env(fake_model, tmp_path, database_url))
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert (report["new"], report["extracted"], report["meetings"], report["failed"]) == (
        6, 6, 6, []
    )  # fmt: skip
    rows, meetings = _stored(database_url)
    assert len(rows) == 6 and {s for _, s in rows} == {"done"} and meetings == 6
    assert len(fake_model.requests) == 6  # one model call per article (strategy single)
    # The in-process engine on the same inputs: the same events.
    in_process = f"sqlite:///{tmp_path / 'asyncio.db'}"
    env = _db_env(fake_model, tmp_path / "other", in_process)
    same = subprocess.run([CLI, "ingest", str(folder), "--format", "json"], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=120)  # fmt: skip
    assert json.loads(same.stdout)["events"] == report["events"] >= 1


def test_a_worker_killed_mid_batch_loses_nothing_and_extracts_nothing_twice(fake_model, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    texts = _articles(folder, 8)
    victim = texts[5]
    killed = threading.Event()

    def model(payload: dict) -> Reply:
        # The first request about one article kills the Ray worker that sent it, mid-batch.
        if victim in payload["messages"][-1]["content"] and not killed.is_set():
            killed.set()
            return Reply(kill_caller=True)
        return reader(payload)

    fake_model.default = model
    database_url = f"sqlite:///{tmp_path / 'corpus.db'}"
    proc = _ingest_on_ray(folder, _db_env(fake_model, tmp_path, database_url))
    assert killed.is_set(), "no worker was killed"
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["extracted"] == 8 and report["failed"] == []
    rows, meetings = _stored(database_url)
    assert len(rows) == 8 and len({a for a, _ in rows}) == 8 and meetings == 8
    asked = [p["messages"][-1]["content"] for p in fake_model.requests]
    for text in texts:  # each article once; the victim once more (its first call died with it)
        assert sum(text in a for a in asked) == (2 if text == victim else 1), text


def test_the_same_command_runs_on_a_ray_cluster_by_address(fake_model, tmp_path):
    """A Ray head node of its own (`ray start --head --block`, stopped by its PID): the ingest
    connects to it by address, and the cluster's workers, not a local Ray, extract."""
    import secrets
    import shutil
    import socket
    import tempfile
    import time
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ray_cli = str(Path(CLI).with_name("ray"))
    # The cluster's shared secret (Ray's token authentication), given to the head and the client.
    auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}
    temp = Path(tempfile.mkdtemp(prefix="bc-ray-"))  # short: Ray's sockets live under it
    head = subprocess.Popen(
        [ray_cli, "start", "--head", "--port", str(port),
         "--num-cpus", "2", "--include-dashboard", "false", "--temp-dir", str(temp),
         "--block"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, **auth},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert head.poll() is None, head.stderr.read() if head.stderr else "ray exited"
                assert time.monotonic() < deadline, "the Ray head did not start"
                time.sleep(0.5)
        folder = tmp_path / "in"
        folder.mkdir()
        _articles(folder, 4)
        fake_model.default = reader
        database_url = f"sqlite:///{tmp_path / 'corpus.db'}"
        env = _db_env(fake_model, tmp_path, database_url) | auth
        proc = subprocess.run(
            [CLI, "ingest", str(folder), "--engine", "ray", "--ray-address", f"127.0.0.1:{port}",
             "--format", "json"],
            capture_output=True, text=True, env={**os.environ, **env}, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["extracted"] == 4
        assert len(_stored(database_url)[0]) == 4
        assert list(temp.glob("session_*/logs"))  # the cluster's own session ran
    finally:
        head.terminate()  # `--block` drains and stops the node's processes on SIGTERM
        head.wait(60)
        shutil.rmtree(temp, ignore_errors=True)


def test_an_address_without_the_ray_engine_is_refused(tmp_path):
    proc = subprocess.run([CLI, "ingest", str(tmp_path), "--ray-address", "auto"],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 2 and "--ray-address needs --engine ray" in proc.stderr
