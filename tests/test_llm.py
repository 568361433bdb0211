"""The model client against the scripted server: re-asks, retries, bounds and clear errors."""

from __future__ import annotations

import asyncio
import json

import pytest
from backchannel.contract.errors import (
    ModelOutputError,
    ModelRequestRejected,
    ModelTimeout,
    ModelUnavailable,
)
from backchannel.model.draft import Draft
from backchannel.model.llm import LLMClient

from tests.fakeserver import Reply

MESSAGES = [{"role": "user", "content": "Officials met in Geneva."}]
GOOD = {"meetings": []}


def run(client: LLMClient):
    return asyncio.run(client.extract(MESSAGES, Draft))


def test_valid_reply_is_parsed_and_counted(settings, fake_model):
    fake_model.push(Reply.json(GOOD, prompt_tokens=321, completion_tokens=12))
    draft, stats = run(LLMClient(settings))
    assert draft.meetings == []
    assert (stats.usage.prompt_tokens, stats.usage.completion_tokens, stats.usage.calls) == (
        321, 12, 1,
    )  # fmt: skip
    request = fake_model.requests[0]
    assert request["temperature"] == 0
    assert request["max_tokens"] == settings.effective_max_tokens == 1024
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["schema"]["title"] == "Draft"


def test_json_object_dialect_carries_the_schema(settings, fake_model):
    fake_model.push(Reply.json(GOOD))
    run(LLMClient(settings.model_copy(update={"response_format": "json_object"})))
    fmt = fake_model.requests[0]["response_format"]
    assert fmt["type"] == "json_object" and fmt["schema"]["title"] == "Draft"


def test_request_carries_the_response_models_schema(settings, fake_model):
    # instructor's JSON_SCHEMA mode: the schema nested under json_schema.schema, as the
    # OpenAI-compatible servers read it (a top-level `schema` is silently ignored by some).
    client = LLMClient(settings)
    for _ in range(2):
        fake_model.push(Reply.json(GOOD))
        run(client)
    for request in fake_model.requests:
        fmt = request["response_format"]
        assert fmt["type"] == "json_schema"
        assert fmt["json_schema"]["name"] == "Draft"
        assert fmt["json_schema"]["schema"] == Draft.model_json_schema()
        assert request["max_tokens"] == settings.effective_max_tokens


def test_schema_invalid_reply_is_reasked_with_the_error(settings, fake_model):
    bad = {"meetings": [{"sentence": "first", "participants": []}]}
    fake_model.push(Reply.json(bad), Reply.json(GOOD))
    draft, stats = run(LLMClient(settings))
    assert draft.meetings == [] and stats.reasks == 1 and stats.usage.calls == 2
    assert stats.invalid_replies == 1
    reask = json.dumps(fake_model.requests[1]["messages"])
    assert "sentence" in reask and len(fake_model.requests[1]["messages"]) > len(MESSAGES)


def test_reasks_are_bounded_and_end_in_a_clear_error(settings, fake_model):
    fake_model.push(*[Reply(content="not json at all")] * 5)
    with pytest.raises(ModelOutputError, match=r"failed validation 2 time\(s\) \(1 re-ask"):
        run(LLMClient(settings))
    assert len(fake_model.requests) == settings.max_reasks + 1


def test_reask_continues_the_conversation_with_the_same_format(settings, fake_model):
    # The first call is ours, the re-ask instructor's: both must send one request format, and the
    # re-ask must show the model its own reply and what was wrong with it.
    fake_model.push(Reply(content='{"meetings": "none"}'), Reply.json(GOOD))
    run(LLMClient(settings))
    first, second = fake_model.requests
    assert second.keys() == first.keys()  # nothing of instructor's own leaks into the body
    assert second["response_format"] == first["response_format"]
    assert second["messages"][: len(MESSAGES)] == MESSAGES
    assistant, correction = second["messages"][len(MESSAGES) :]
    assert assistant == {"role": "assistant", "content": '{"meetings": "none"}'}
    assert correction["role"] == "user" and "meetings" in correction["content"]
    assert "list_type" in correction["content"]  # Pydantic's own report of the error


@pytest.mark.parametrize("max_reasks", [0, 2])
def test_every_allowed_reask_is_used_and_counted(settings, fake_model, max_reasks):
    fake_model.push(*[Reply(content="not json at all")] * 5)
    client = LLMClient(settings.model_copy(update={"max_reasks": max_reasks}))
    expected = rf"{max_reasks + 1} time\(s\) \({max_reasks} re-ask"
    with pytest.raises(ModelOutputError, match=expected):
        run(client)
    assert len(fake_model.requests) == max_reasks + 1


def test_truncated_reply_after_a_reask_keeps_complete_meetings(settings, fake_model):
    meeting = {"sentence": 1, "participants": [], "location": None, "time": None,
               "track": "official", "status": "held", "topic": None}  # fmt: skip
    cut = json.dumps({"meetings": [meeting, meeting]})[:-40]
    fake_model.push(Reply(content="[]"), Reply(content=cut, finish_reason="length"))
    draft, stats = run(LLMClient(settings))
    assert stats.truncated and stats.reasks == 1 and len(draft.meetings) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_transient_http_errors_are_retried(settings, fake_model, status):
    fake_model.push(Reply(status=status), Reply.json(GOOD))
    draft, stats = run(LLMClient(settings))
    assert draft.meetings == [] and stats.retries == 1 and len(fake_model.requests) == 2


def test_timeout_is_retried(settings, fake_model):
    fake_model.push(Reply.json(GOOD, delay=settings.read_timeout + 1), Reply.json(GOOD))
    draft, stats = run(LLMClient(settings))
    assert stats.retries == 1 and draft.meetings == []


def test_gives_up_after_the_retry_bound(settings, fake_model):
    fake_model.push(*[Reply(status=503)] * 10)
    with pytest.raises(ModelUnavailable, match=r"HTTP 503 after 3 attempt"):
        run(LLMClient(settings))
    assert len(fake_model.requests) == settings.max_retries + 1


def test_persistent_timeout_is_a_timeout_error(settings, fake_model):
    slow = settings.model_copy(update={"read_timeout": 0.3, "max_retries": 1})
    fake_model.push(*[Reply.json(GOOD, delay=1.0)] * 2)
    with pytest.raises(ModelTimeout, match="did not answer in time after 2 attempt"):
        run(LLMClient(slow))


def test_connection_refused_is_unavailable(settings):
    gone = settings.model_copy(update={"base_url": "http://127.0.0.1:9/v1", "max_retries": 1})
    with pytest.raises(ModelUnavailable, match="unreachable"):
        run(LLMClient(gone))


def test_client_errors_are_not_retried(settings, fake_model):
    fake_model.push(Reply(status=404, body='{"error": {"message": "model fake-model not found"}}'))
    with pytest.raises(ModelRequestRejected, match="HTTP 404.*not found"):
        run(LLMClient(settings))
    assert len(fake_model.requests) == 1


def test_truncated_reply_keeps_complete_meetings(settings, fake_model):
    meeting = {"sentence": 1, "participants": [], "location": None, "time": None,
               "track": "official", "status": "held", "topic": None}  # fmt: skip
    cut = json.dumps({"meetings": [meeting, meeting]})[:-40]
    fake_model.push(Reply(content=cut, finish_reason="length"))
    draft, stats = run(LLMClient(settings))
    assert stats.truncated and len(draft.meetings) == 1


def test_truncated_reply_with_nothing_complete_is_an_error(settings, fake_model):
    fake_model.push(Reply(content='{"meetings": [{"sentence": 1, "partic', finish_reason="length"))
    with pytest.raises(ModelOutputError, match="cut off at max_tokens"):
        run(LLMClient(settings))


def test_connect_timeout_is_bounded_by_its_own_setting(settings):
    import socket
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)  # never accepts: once the backlog is full, new connects hang
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(8):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        fillers.append(s)
    conf = settings.model_copy(update={
        "base_url": f"http://127.0.0.1:{port}/v1", "connect_timeout": 0.3, "read_timeout": 60,
        "max_retries": 1,
    })  # fmt: skip
    started = time.monotonic()
    try:
        with pytest.raises(ModelTimeout, match="after 2 attempt"):
            run(LLMClient(conf))
    finally:
        for s in [*fillers, listener]:
            s.close()
    assert time.monotonic() - started < 10  # the 60 s read timeout never came into play
