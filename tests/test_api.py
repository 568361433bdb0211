"""The HTTP API: contract in, contract out, and clear JSON errors for everything else."""

from __future__ import annotations

import pytest
from backchannel.serve.api import create_app
from fastapi.testclient import TestClient

from tests.factories import riyadh_draft
from tests.fakeserver import Reply


@pytest.fixture
def client(strategy_settings):
    """The API on each strategy in turn: what it answers must not depend on which one runs."""
    with TestClient(create_app(strategy_settings)) as c:
        yield c


def test_extract_200(client, fake_model, seed_text):
    fake_model.default = lambda _p: Reply.meetings(riyadh_draft(seed_text))
    r = client.post(
        "/v1/extract", json={"text": seed_text, "published_at": "2025-02-20", "id": "s"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == "s" and body["meetings"][0]["time"]["start"] == "2025-02-18"
    assert r.headers["x-request-id"]
    again = client.post("/v1/extract", json={"text": seed_text, "published_at": "2025-02-20"})
    assert again.json()["cached"] is True and again.json()["id"] is None


@pytest.mark.parametrize(
    ("payload", "field", "needle"),
    [
        ({"text": ""}, "body", "the article is empty"),
        ({"text": "  \n\t "}, "body", "the article is empty"),
        ({"text": "a\x00b"}, "body", "NUL"),
        ({}, "text", "Field required"),
        ({"text": 42}, "text", "valid string"),
        ({"text": "Talks.", "published_at": "20/02/2025"}, "published_at", "YYYY-MM-DD"),
        ({"text": "Talks.", "published_at": "2025-02-30"}, "published_at", "YYYY-MM-DD"),
        ({"text": "Talks.", "lang": "en"}, "lang", "unknown field"),
        ({"text": "Talks.", "id": ["x"]}, "id", "valid string"),
    ],
)
def test_invalid_input_is_422_with_a_message(client, fake_model, payload, field, needle):
    r = client.post("/v1/extract", json=payload)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "invalid_input" and needle in err["message"]
    assert err["message"].count(needle) == 1 and "Value error" not in err["message"]
    assert any(d["field"] == field for d in err["details"])
    assert fake_model.requests == []


def test_non_json_body_is_422(client):
    r = client.post(
        "/v1/extract", content=b"text=hello", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and "JSON" in r.json()["error"]["message"]


def test_oversized_text_is_422(settings, fake_model):
    with TestClient(create_app(settings.model_copy(update={"max_text_chars": 10}))) as c:
        r = c.post("/v1/extract", json={"text": "x" * 11})
    assert r.status_code == 422 and "limit is 10" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("replies", "status", "code"),
    [
        ([Reply(status=503)] * 3, 503, "model_unavailable"),
        ([Reply(status=401, body='{"error": "bad key"}')], 502, "model_request_rejected"),
        ([Reply(content="nonsense")] * 2, 502, "model_output_invalid"),
    ],
)
def test_model_failures_map_to_5xx(client, fake_model, replies, status, code):
    fake_model.push(*replies)
    r = client.post("/v1/extract", json={"text": "Envoys met in Geneva."})
    assert r.status_code == status
    assert r.json()["error"]["code"] == code and "Traceback" not in r.text


def test_health_ready_metrics(client, fake_model):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["model"] == "fake-model"
    fake_model.default = lambda _p: Reply.meetings()
    client.post("/v1/extract", json={"text": "Envoys met in Geneva."})
    text = client.get("/metrics").text
    assert 'backchannel_requests_total{route="/v1/extract",status="200"}' in text
    assert "backchannel_model_calls_total" in text and "backchannel_cache_total" in text


def test_not_ready_when_model_server_is_down(settings):
    down = settings.model_copy(update={"base_url": "http://127.0.0.1:9/v1"})
    with TestClient(create_app(down)) as c:
        r = c.get("/readyz")
    assert r.status_code == 503 and "unreachable" in r.json()["error"]["message"]


def test_openapi_documents_the_contract(client):
    spec = client.get("/openapi.json").json()
    assert "/v1/extract" in spec["paths"]
    assert "ExtractResult" in spec["components"]["schemas"]
    body = spec["paths"]["/v1/extract"]["post"]["requestBody"]["content"]["application/json"]
    assert set(body["schema"]["properties"]) == {"text", "published_at", "id"}
    assert body["schema"]["required"] == ["text"]
    assert client.get("/docs").status_code == 200


def test_reply_that_quotes_nothing_gives_an_empty_result_with_reasons(client, fake_model):
    invented = {"meetings": [{
        "sentence": 1, "participants": [{"mention": "Martian envoys", "name": "Zorg",
                                         "affiliation": "Mars", "role": None,
                                         "capacity": "official"}],
        "location": "Olympus Mons", "time": "next millennium", "track": "official",
        "status": "held", "topic": None}]}  # fmt: skip
    fake_model.default = lambda _p: Reply.meetings(invented)
    r = client.post("/v1/extract", json={"text": "Envoys met in Geneva on Monday."})
    assert r.status_code == 200
    body = r.json()
    assert body["meetings"] == [] and "nothing it names" in body["warnings"][0]
