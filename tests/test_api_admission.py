"""Admission control: content type, body size, API keys, bounded queue, client disconnects."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from backchannel import metrics
from backchannel.serve.api import create_app
from fastapi.testclient import TestClient

from tests.fakeserver import Reply

ARTICLE = {"text": "Envoys from both sides met in Geneva on Tuesday.", "published_at": "2025-02-20"}
EMPTY = {"meetings": []}


@pytest.fixture
def live_api(settings) -> Iterator[callable]:
    """Start the real app under uvicorn on a free port; yields a factory of setting overrides."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(**overrides) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        app = create_app(settings.model_copy(update=overrides))
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


def test_wrong_content_type_is_415(settings):
    with TestClient(create_app(settings)) as c:
        r = c.post("/v1/extract", content=b'{"text": "x"}', headers={"content-type": "text/plain"})
    assert r.status_code == 415 and "application/json" in r.json()["error"]["message"]


def test_oversized_body_is_413_before_it_is_read(settings, fake_model):
    with TestClient(create_app(settings.model_copy(update={"max_text_chars": 100}))) as c:
        big = b'{"text": "' + b"x" * 200_000 + b'"}'
        r = c.post("/v1/extract", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413 and "BACKCHANNEL_MAX_TEXT_CHARS" in r.json()["error"]["message"]

        def chunks():  # no Content-Length: counted while streaming
            yield b'{"text": "'
            for _ in range(200):
                yield b"x" * 1000
            yield b'"}'

        r = c.post("/v1/extract", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
    assert fake_model.requests == []


def test_api_keys(settings, fake_model):
    fake_model.default = lambda _p: Reply.json(EMPTY)
    with TestClient(create_app(settings.model_copy(update={"api_keys": "k1, k2"}))) as c:
        assert c.post("/v1/extract", json=ARTICLE).status_code == 401
        bad = c.post("/v1/extract", json=ARTICLE, headers={"authorization": "Bearer nope"})
        assert bad.status_code == 401 and bad.headers["www-authenticate"] == "Bearer"
        for key in ("k1", "k2"):
            ok = c.post("/v1/extract", json=ARTICLE, headers={"authorization": f"Bearer {key}"})
            assert ok.status_code == 200
        assert c.get("/healthz").status_code == 200


def test_queue_bound_gives_503_with_retry_after(live_api, fake_model):
    fake_model.default = lambda _p: Reply.json(EMPTY, delay=1.5)
    base = live_api(max_inflight=1, max_queue=1, cache_enabled=False)
    texts = [f"Envoys met in Geneva, round {i}." for i in range(4)]
    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(
            lambda t: httpx.post(f"{base}/v1/extract", json={"text": t}, timeout=30), texts
        ))  # fmt: skip
    statuses = sorted(r.status_code for r in codes)
    assert statuses == [200, 200, 503, 503]
    busy = next(r for r in codes if r.status_code == 503)
    assert busy.headers["retry-after"] == "5" and busy.json()["error"]["code"] == "overloaded"


def test_cache_hits_do_not_wait_for_a_slot(live_api, fake_model):
    fake_model.push(Reply.json(EMPTY), Reply.json(EMPTY, delay=1.2))
    base = live_api(max_inflight=1, max_queue=0)
    assert httpx.post(f"{base}/v1/extract", json=ARTICLE, timeout=10).status_code == 200
    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(
            httpx.post, f"{base}/v1/extract", json={"text": "Other talks."}, timeout=10
        )
        time.sleep(0.3)
        started = time.monotonic()
        hit = httpx.post(f"{base}/v1/extract", json=ARTICLE, timeout=10)
        assert hit.status_code == 200 and hit.json()["cached"] is True
        assert time.monotonic() - started < 1.0
        assert slow.result().status_code == 200


def test_client_disconnect_cancels_the_extraction(live_api, fake_model):
    fake_model.default = lambda _p: Reply.json(EMPTY, delay=1.8)
    base = live_api(max_inflight=1, max_queue=0, cache_enabled=False)
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{base}/v1/extract", json=ARTICLE, timeout=0.3)
    deadline = started + 1.2  # the model would answer at 1.8 s
    while metrics.INFLIGHT._value.get() > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert metrics.INFLIGHT._value.get() == 0  # freed before the model would have answered
    assert time.monotonic() - started < 1.8 and len(fake_model.requests) == 1
    fake_model.default = lambda _p: Reply.json(EMPTY)
    r = httpx.post(f"{base}/v1/extract", json={"text": "Talks resumed."}, timeout=10)
    assert r.status_code == 200  # the slot was released, so this one is admitted


def test_no_article_text_or_keys_in_logs(settings, fake_model, caplog):
    from backchannel.serve.logs import JsonFormatter

    secret_text = "Zanzibar envoys met the Quokka delegation in Tallinn on Tuesday."
    fake_model.push(Reply.json(EMPTY), Reply(status=500), Reply(status=500), Reply(status=500))
    conf = settings.model_copy(update={"api_keys": "client-key-123"})
    conf.api_key = type(conf.api_key)("model-key-456")
    caplog.set_level("INFO")
    with TestClient(create_app(conf)) as c:
        auth = {"authorization": "Bearer client-key-123"}
        assert c.post("/v1/extract", json={"text": secret_text}, headers=auth).status_code == 200
        c.post("/v1/extract", json={"text": secret_text + " Again."}, headers=auth)
        c.post("/v1/extract", json={"text": secret_text}, headers={"authorization": "Bearer bad"})
    formatter = JsonFormatter()
    logged = "\n".join(formatter.format(r) for r in caplog.records if r.levelno >= 20)
    assert "extracted" in logged  # the request was logged ...
    for leak in ("Zanzibar", "Quokka", "client-key-123", "model-key-456"):
        assert leak not in logged  # ... without its text or any key


def test_cors_is_off_by_default(settings):
    with TestClient(create_app(settings)) as c:
        r = c.options("/v1/extract", headers={"origin": "https://evil.example",
                                              "access-control-request-method": "POST"})  # fmt: skip
        assert "access-control-allow-origin" not in r.headers


def test_invalid_utf8_body_is_a_clear_400(settings):
    with TestClient(create_app(settings)) as c:
        r = c.post("/v1/extract", content=b'{"text": "caf\xe9 talks"}',
                   headers={"content-type": "application/json"})  # fmt: skip
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]["message"]
    with TestClient(create_app(settings)) as c:
        assert c.get("/nope").json()["error"]["code"] == "not_found"
        assert c.get("/v1/extract").json()["error"]["code"] == "method_not_allowed"
