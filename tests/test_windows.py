"""Articles of any length: every request fits the context; windows share the headline and lede;
a meeting two windows see is reported once; a sentence too long for any window is a clear 422."""

from __future__ import annotations

import asyncio

import pytest
from backchannel.contract.schema import ExtractRequest
from backchannel.model.context import ContextWindow, estimate
from backchannel.pipeline.extractor import Extractor
from backchannel.serve.api import create_app
from fastapi.testclient import TestClient

from tests.factories import SEED_DATE, draft_meeting, draft_person
from tests.fakeserver import Reply, count_tokens

HEADLINE = "Envoys edge towards a border deal after months of shuttle diplomacy"
LEDE = "GENEVA (Wire) - Negotiators from Atlantis and Lemuria are closing in on a border accord."
CONTEXT = 4096


def long_article(chars: int = 100_000, every: int = 40) -> tuple[str, list[str]]:
    """A headline, a lede, then filler sentences with a meeting every `every`th."""
    lines, n = [HEADLINE, LEDE], 0
    while sum(len(x) + 1 for x in lines) < chars:
        n += 1
        if n % every == 0:
            lines.append(f"On round {n}, envoy Arno Vale met minister Ida Brun in Geneva.")
        else:
            lines.append(f"Paragraph {n} describes the river valley, its farms and its roads.")
    return "\n".join(lines), lines


@pytest.fixture
def windowed(settings, fake_model):
    fake_model.n_ctx = CONTEXT
    return settings


@pytest.mark.parametrize("strategy", ["single", "sentence"])
def test_a_100k_article_passes_with_every_request_within_the_context(
    windowed, fake_model, strategy
):
    text, lines = long_article()
    assert len(text) >= 100_000
    fake_model.default = lambda _p: Reply.meetings()
    settings = windowed.model_copy(update={"strategy": strategy, "max_text_chars": 100_000})
    result = asyncio.run(Extractor(settings).extract(ExtractRequest(text=text[:100_000])))
    assert fake_model.refused == [] and result.usage.calls == len(fake_model.requests) > 1
    assert fake_model.tokenized > 0  # too long to fit by its bytes: counted by the tokenizer
    articles = {r["messages"][-1]["content"].split("\n\n")[0] for r in fake_model.requests}
    assert len(articles) > 1  # several windows
    for request in fake_model.requests:
        article = request["messages"][-1]["content"]
        # The headline and the lede reach every window, with their own numbers.
        assert f"[1] {HEADLINE}\n[2] {LEDE}\n" in article
        assert count_tokens(article) < CONTEXT


def test_questions_about_one_window_share_its_prefix(windowed, fake_model):
    text, _ = long_article(30_000)
    fake_model.default = lambda _p: Reply.meetings()
    settings = windowed.model_copy(update={"strategy": "sentence"})
    asyncio.run(Extractor(settings).extract(ExtractRequest(text=text)))
    windows = [r["messages"][-1]["content"].split("Question about")[0] for r in fake_model.requests]
    # Questions come window by window: each window's prefix appears in one run, never again later.
    runs = [w for i, w in enumerate(windows) if i == 0 or w != windows[i - 1]]
    assert len(runs) == len(set(runs)) > 1


def test_a_meeting_two_windows_see_is_reported_once(windowed, fake_model):
    text, lines = long_article(30_000, every=5)
    fake_model.default = lambda _p: Reply.meetings()
    asyncio.run(Extractor(windowed).extract(ExtractRequest(text=text), use_cache=False))
    shown = [r["messages"][-1]["content"] for r in fake_model.requests]
    # A meeting sentence where two windows overlap.
    target = next(
        i for i, line in enumerate(lines, 1)
        if line.startswith("On round") and sum(f"[{i}] " in s for s in shown) == 2
    )  # fmt: skip
    meeting = draft_meeting(target, [draft_person("envoy Arno Vale", name="Arno Vale"),
                                     draft_person("minister Ida Brun", name="Ida Brun")],
                            location="Geneva")  # fmt: skip

    def answer(payload: dict) -> Reply:
        seen = f"[{target}] " in payload["messages"][-1]["content"]
        return Reply.meetings({"meetings": [meeting] if seen else []})

    fake_model.default = answer
    result = asyncio.run(Extractor(windowed).extract(ExtractRequest(text=text), use_cache=False))
    [found] = result.meetings
    assert found.evidence.text == lines[target - 1]
    assert any("duplicate of an earlier meeting" in w for w in result.warnings)


def test_an_article_that_fits_is_one_window(settings, fake_model, seed_text):
    fake_model.n_ctx = 16_384
    fake_model.default = lambda _p: Reply.meetings()
    asyncio.run(Extractor(settings).extract(ExtractRequest(text=seed_text, published_at=SEED_DATE)))
    [request] = fake_model.requests
    assert "[...]" not in request["messages"][-1]["content"]
    assert fake_model.tokenized == 0  # its bytes fit: no request to the tokenizer


def test_a_sentence_longer_than_the_context_is_a_clear_422(windowed, fake_model):
    text = HEADLINE + "\n" + " ".join(f"word{i}" for i in range(6000)) + " met."
    with TestClient(create_app(windowed)) as client:
        r = client.post("/v1/extract", json={"text": text})
    assert r.status_code == 422, r.text
    message = r.json()["error"]["message"]
    assert "sentence 2" in message and "tokens" in message and "split it" in message
    assert fake_model.requests == []  # refused before any model call


def test_context_size_and_token_counts_come_from_the_server(settings, fake_model):
    window = ContextWindow(settings, fake_model.base_url)
    fake_model.n_ctx = 3000
    assert asyncio.run(window.size()) == 3000
    assert asyncio.run(window.count(["Envoys met, again.", "Talks"])) == [
        5,
        1,
    ]  # a word or a mark is one token


def test_without_a_tokenizer_the_estimate_is_conservative(settings, fake_model):
    window = ContextWindow(
        settings.model_copy(update={"context_tokens": 5000}), fake_model.base_url
    )
    assert asyncio.run(window.size()) == 5000  # the server does not say: the setting
    text = "Negotiators from the two countries met in Geneva on Monday."
    assert asyncio.run(window.count([text])) == [estimate(text)]
    assert estimate(text) >= count_tokens(text)
