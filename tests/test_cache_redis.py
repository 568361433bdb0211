"""The shared cache on a real Redis (Debian's redis-server): replicas share results, and a Redis
that goes away and comes back costs misses, never an error."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from backchannel.pipeline.cache import ResultCache
from backchannel.serve.api import create_app
from backchannel.settings import Settings
from fastapi.testclient import TestClient
from pydantic import ValidationError

from tests.factories import SEED_PATH, riyadh_draft
from tests.fakeserver import Reply

SEED = SEED_PATH.read_text(encoding="utf-8")


class RedisServer:
    """A redis-server of the test's own, on a free port, that the test can stop and start."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI"):
                raise RuntimeError("CI: no redis-server (apt-get install -y redis-server)")
            pytest.skip("no redis-server: apt-get install -y redis-server")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.binary, self.directory = binary, directory
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    """The Redis `make test` started (scripts/redis.sh), else one of the test's own."""
    url = os.environ.get("BACKCHANNEL_TEST_REDIS_URL")
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()
        yield url
        return
    server = RedisServer(tmp_path)
    server.start()
    yield server.url
    server.stop()


def test_two_replicas_share_entries_through_redis(redis_url, tmp_path):
    a = ResultCache(tmp_path / "a", url=redis_url)
    b = ResultCache(tmp_path / "b", url=redis_url)
    assert b.get("k") is None
    a.set("k", '{"meetings": []}')
    assert b.get("k") == '{"meetings": []}'  # b's memory tier had nothing: it came from Redis
    assert not (tmp_path / "a").exists()  # nothing on disk: the shared store is Redis
    assert a.warning is None and b.warning is None


def test_api_replicas_answer_each_others_results_from_the_shared_cache(
    settings, fake_model, redis_url, tmp_path
):
    fake_model.default = lambda payload, delay=0.0: Reply.meetings(riyadh_draft(SEED))
    body = {"text": SEED, "published_at": "2025-02-20"}
    replicas = [
        settings.model_copy(update={"cache_url": redis_url, "cache_dir": tmp_path / f"r{n}"})
        for n in (1, 2)
    ]
    with TestClient(create_app(replicas[0])) as one, TestClient(create_app(replicas[1])) as two:
        first = one.post("/v1/extract", json=body).json()
        asked = len(fake_model.requests)
        second = two.post("/v1/extract", json=body).json()
    assert not first["cached"] and second["cached"]
    assert second["meetings"] == first["meetings"]
    assert len(fake_model.requests) == asked  # the second replica never asked the model


def test_a_redis_restart_costs_misses_never_errors(settings, fake_model, own_redis, tmp_path):
    fake_model.default = lambda payload, delay=0.0: Reply.meetings(riyadh_draft(SEED))
    shared = settings.model_copy(update={"cache_url": own_redis.url})
    body = {"text": SEED, "published_at": "2025-02-20"}
    with TestClient(create_app(shared)) as client:
        assert client.post("/v1/extract", json=body).status_code == 200
        own_redis.stop()
        # Another article while Redis is down: extracted, with a warning, no error.
        other = {"text": SEED + "\nA line more.", "published_at": "2025-02-20"}
        down = client.post("/v1/extract", json=other)
        assert down.status_code == 200, down.text
        assert any("result cache unavailable" in w for w in down.json()["warnings"])
        again = client.post("/v1/extract", json=body)  # still served from the memory tier
        assert again.status_code == 200 and again.json()["cached"]
        own_redis.start()  # empty again: no persistence
        time.sleep(2.2)  # past the pause after the last failure
        later = {"text": SEED + "\nAnd one more.", "published_at": "2025-02-20"}
        back = client.post("/v1/extract", json=later)
        assert back.status_code == 200
        assert not any("result cache unavailable" in w for w in back.json()["warnings"])
    # What was extracted after the restart is in Redis again: a new replica answers it cached.
    replica = shared.model_copy(update={"cache_dir": tmp_path / "replica"})
    with TestClient(create_app(replica)) as other_replica:
        asked = len(fake_model.requests)
        assert other_replica.post("/v1/extract", json=later).json()["cached"]
        assert len(fake_model.requests) == asked


def test_a_cache_url_that_is_not_redis_is_refused_with_the_setting_named(tmp_path):
    with pytest.raises(ValidationError, match="cache_url"):
        Settings(cache_url="http://cache.example:6379")
    assert Settings(cache_url="rediss://cache.example:6380/1").cache_url.startswith("rediss://")
