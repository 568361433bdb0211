"""The corpus over HTTP: articles in (202, then extracted by the worker), their state, events
out; API keys; URL fetching only when allowed, and never towards private addresses."""

from __future__ import annotations

import time

import pytest
from backchannel.serve.api import create_app
from fastapi.testclient import TestClient

from tests.fakeserver import Reply
from tests.test_ingest import PAGES, reader

GENEVA = (
    "Blinken and Lavrov meet in Geneva\n"
    "U.S. Secretary of State Antony Blinken met Russian Foreign Minister Sergei Lavrov in Geneva "
    "on Friday for about ninety minutes."
)
LEDGER = (
    "Ministers agree to keep talking\n"
    "Russia's top diplomat, Sergei Lavrov, met his American counterpart Antony Blinken in Geneva "
    "yesterday for talks both sides called frank."
)


def _wait_done(client: TestClient, location: str, headers: dict | None = None) -> dict:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        state = client.get(location, headers=headers or {}).json()
        if state["state"] != "queued":
            return state
        time.sleep(0.05)
    raise AssertionError("the article was never extracted")


@pytest.fixture
def corpus_settings(settings, database_url):
    return settings.model_copy(update={"database_url": database_url})


def test_an_article_is_accepted_extracted_and_becomes_an_event(corpus_settings, fake_model):
    fake_model.default = reader
    with TestClient(create_app(corpus_settings)) as client:
        body = {"text": GENEVA, "published_at": "2022-01-22", "url": "https://wire.example/1",
                "id": "w1"}  # fmt: skip
        r = client.post("/v1/articles", json=body)
        assert r.status_code == 202, r.text
        location = r.headers["location"]
        assert r.json()["state"] == "queued" and location == f"/v1/articles/{r.json()['id']}"
        done = _wait_done(client, location)
        assert done["state"] == "done" and done["external_id"] == "w1"
        [meeting] = done["result"]["meetings"]
        assert meeting["time"]["start"] == "2022-01-21"
        second = client.post("/v1/articles", json={"text": LEDGER, "published_at": "2022-01-22"})
        _wait_done(client, second.headers["location"])
        # The same text again: already stored and done, 200, nothing asked of the model.
        asked = len(fake_model.requests)
        again = client.post("/v1/articles", json={"text": GENEVA, "published_at": "2022-01-22"})
        assert again.status_code == 200 and again.json()["state"] == "done"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # linking runs when the queue is empty
            page = client.get("/v1/events").json()
            if page["total"] == 1 and len(page["events"][0]["sources"]) == 2:
                break
            time.sleep(0.05)
        [event] = page["events"]
        assert event["first_date"] == "2022-01-21" and event["country_code"] == "CHE"
        assert sorted(event["people"]) == ["Antony Blinken", "Sergei Lavrov"]
        assert len(fake_model.requests) == asked
        assert client.get("/v1/events", params={"person": "putin"}).json()["total"] == 0
        assert client.get("/v1/events", params={"country": "CHE"}).json()["total"] == 1


def test_events_are_paginated(corpus_settings, fake_model):
    fake_model.default = reader
    with TestClient(create_app(corpus_settings)) as client:
        for day in range(1, 6):
            text = f"Talks, day {day}\nAntony Blinken met Sergei Lavrov in Geneva on day {day}."
            r = client.post("/v1/articles", json={"text": text, "published_at": f"2022-0{day}-10"})
            _wait_done(client, r.headers["location"])
        first = client.get("/v1/events", params={"limit": 2}).json()
        # Undated ("on day N") meetings of different articles with no time: five events or fewer,
        # but the pages cover them all exactly once.
        seen, offset = [], 0
        while offset is not None:
            page = client.get("/v1/events", params={"limit": 2, "offset": offset}).json()
            seen += [e["id"] for e in page["events"]]
            offset = page["next_offset"]
        assert len(seen) == len(set(seen)) == first["total"]
        assert client.get("/v1/events", params={"limit": 0}).status_code == 422
        # An offset past any database's integers is a 422 that says the bound, not a 500.
        deep = client.get("/v1/events", params={"offset": 2**63})
        assert deep.status_code == 422 and "1000000000" in deep.text
        assert client.get("/v1/events", params={"offset": 10**9}).json()["events"] == []


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({}, "send either text or fetch_url"),
        ({"text": "x", "fetch_url": "https://e.example/"}, "send either text or fetch_url"),
        ({"text": "  "}, "the article is empty"),
        ({"text": "Talks.", "lang": "en"}, "allowed fields are text, published_at, id, url"),
        ({"text": "Talks.", "published_at": "Jan 5"}, "YYYY-MM-DD"),
        ({"text": None}, "valid string"),
        ({"fetch_url": "file:///etc/passwd"}, "should match pattern"),
    ],
)
def test_a_bad_article_is_422_with_a_message(corpus_settings, fake_model, payload, needle):
    with TestClient(create_app(corpus_settings)) as client:
        r = client.post("/v1/articles", json=payload)
        assert r.status_code == 422 and needle in r.json()["error"]["message"]


def test_unknown_article_is_404_and_bad_filters_422(corpus_settings):
    with TestClient(create_app(corpus_settings)) as client:
        r = client.get("/v1/articles/" + "0" * 64)
        assert r.status_code == 404 and "no article with id" in r.json()["error"]["message"]
        r = client.get("/v1/events", params={"country": "Switzerland"})  # the API takes codes
        assert r.status_code == 422 and "ISO 3166-1 alpha-3" in r.json()["error"]["message"]
        assert client.get("/v1/events", params={"since": "yesterday"}).status_code == 422


def test_the_corpus_is_behind_the_api_keys(corpus_settings, fake_model):
    fake_model.default = reader
    conf = corpus_settings.model_copy(update={"api_keys": "k1"})
    with TestClient(create_app(conf)) as client:
        assert client.post("/v1/articles", json={"text": GENEVA}).status_code == 401
        assert client.get("/v1/events").status_code == 401
        ok = client.post("/v1/articles", json={"text": GENEVA},
                         headers={"authorization": "Bearer k1"})  # fmt: skip
        assert ok.status_code == 202
        assert client.get(ok.headers["location"]).status_code == 401
        assert client.get(ok.headers["location"],
                          headers={"authorization": "Bearer k1"}).status_code == 200  # fmt: skip


def test_urls_are_fetched_only_when_allowed_and_never_private(corpus_settings, fake_model):
    with TestClient(create_app(corpus_settings)) as client:
        r = client.post("/v1/articles", json={"fetch_url": "https://example.org/a"})
        assert r.status_code == 403 and "does not fetch URLs" in r.json()["error"]["message"]
    allowed = corpus_settings.model_copy(update={"api_fetch_urls": True})
    with TestClient(create_app(allowed)) as client:
        for url in ("http://127.0.0.1:8765/v1/models", "http://169.254.169.254/latest/meta-data",
                    "http://[::1]/", "http://10.0.0.7/"):  # fmt: skip
            r = client.post("/v1/articles", json={"fetch_url": url})
            assert r.status_code == 403, url
            assert "does not fetch those" in r.json()["error"]["message"]
        assert fake_model.requests == []


def test_the_worker_resumes_what_a_stopped_server_accepted(corpus_settings, fake_model):
    fake_model.default = lambda _p: Reply(status=500, body="down")
    conf = corpus_settings.model_copy(update={"max_retries": 0})
    with TestClient(create_app(conf)) as client:
        r = client.post("/v1/articles", json={"text": GENEVA, "published_at": "2022-01-22"})
        assert _wait_done(client, r.headers["location"])["state"] == "failed"
    fake_model.default = reader  # the model is back; a new server picks the article up again
    with TestClient(create_app(conf)) as client:
        deadline = time.monotonic() + 20
        while client.get(r.headers["location"]).json()["state"] != "done":
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_without_a_store_extract_still_works_and_the_corpus_says_why(
    settings, fake_model, tmp_path
):
    (tmp_path / "a-file").write_text("x")
    broken = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/a-file/c.db"})
    fake_model.default = reader
    with TestClient(create_app(broken)) as client:
        assert client.post("/v1/extract", json={"text": GENEVA}).status_code == 200
        r = client.get("/v1/events")
        assert (
            r.status_code == 503 and "corpus store is unavailable" in r.json()["error"]["message"]
        )
    assert PAGES.exists()


def test_a_replica_without_a_worker_queues_and_the_worker_service_extracts(
    corpus_settings, fake_model
):
    fake_model.default = reader
    replica = corpus_settings.model_copy(update={"corpus_worker": False})
    with TestClient(create_app(replica)) as api:
        r = api.post("/v1/articles", json={"text": GENEVA, "published_at": "2022-01-22"})
        assert r.status_code == 202
        time.sleep(0.5)
        assert api.get(r.headers["location"]).json()["state"] == "queued"
        assert not fake_model.requests  # the replica never extracts
        with TestClient(create_app(corpus_settings)):  # the worker service, same database
            done = _wait_done(api, r.headers["location"])
    assert done["state"] == "done" and len(done["result"]["meetings"]) == 1
