"""The pipeline with its cache: misses call the model, hits do not, and the key is complete."""

from __future__ import annotations

import asyncio
import time

import pytest
from backchannel.contract.errors import InputError, ModelUnavailable
from backchannel.contract.schema import ExtractRequest
from backchannel.pipeline.extractor import Extractor

from tests.factories import SEED_DATE, riyadh_draft
from tests.fakeserver import Reply


def run(extractor: Extractor, request: ExtractRequest, **kw):
    return asyncio.run(extractor.extract(request, **kw))


def test_miss_then_hit(settings, fake_model, seed_text):
    fake_model.push(Reply.json(riyadh_draft(seed_text)))
    ex = Extractor(settings)
    first = run(ex, ExtractRequest(text=seed_text, published_at=SEED_DATE, id="one"))
    second = run(ex, ExtractRequest(text=seed_text, published_at=SEED_DATE, id="two"))
    assert first.cached is False and second.cached is True
    assert second.id == "two" and second.meetings == first.meetings
    assert second.usage == first.usage
    assert len(fake_model.requests) == 1


def test_cache_hit_is_fast(settings, fake_model, seed_text):
    fake_model.push(Reply.json(riyadh_draft(seed_text)))
    ex = Extractor(settings)
    request = ExtractRequest(text=seed_text, published_at=SEED_DATE)
    run(ex, request)
    best = min(_timed(lambda: ex.cached(request)) for _ in range(50))
    assert best < 0.005  # generous bound for a noisy CI machine; bench/ measures it properly


def _timed(fn) -> float:
    t = time.perf_counter()
    assert fn() is not None
    return time.perf_counter() - t


def test_key_covers_date_and_prompt(settings, fake_model, seed_text):
    fake_model.default = lambda _payload: Reply.json({"meetings": []})
    ex = Extractor(settings)
    run(ex, ExtractRequest(text=seed_text, published_at=SEED_DATE))
    run(ex, ExtractRequest(text=seed_text, published_at=None))
    assert len(fake_model.requests) == 2
    other_model = Extractor(settings.model_copy(update={"model": "other"}))
    assert run(other_model, ExtractRequest(text=seed_text, published_at=SEED_DATE)).cached is False
    assert len(fake_model.requests) == 3


def test_no_cache_neither_reads_nor_writes(settings, fake_model, seed_text):
    fake_model.default = lambda _payload: Reply.json({"meetings": []})
    ex = Extractor(settings)
    request = ExtractRequest(text=seed_text)
    run(ex, request, use_cache=False)
    assert ex.cached(request) is None
    run(ex, request)
    assert run(ex, request, use_cache=False).cached is False
    assert len(fake_model.requests) == 3


def test_failure_is_not_cached(settings, fake_model, seed_text):
    fake_model.push(*[Reply(status=503)] * 3, Reply.json({"meetings": []}))
    ex = Extractor(settings)
    request = ExtractRequest(text=seed_text)
    with pytest.raises(ModelUnavailable):
        run(ex, request)
    assert ex.cached(request) is None
    assert run(ex, request).cached is False


def test_oversized_text_is_refused_before_the_model(settings, fake_model):
    ex = Extractor(settings.model_copy(update={"max_text_chars": 100}))
    with pytest.raises(InputError, match="101 characters; the limit is 100"):
        run(ex, ExtractRequest(text="x" * 101))
    assert fake_model.requests == []


def test_unwritable_cache_degrades_with_a_warning(settings, fake_model, seed_text, tmp_path):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    ex = Extractor(settings.model_copy(update={"cache_dir": blocker / "cache"}))
    fake_model.push(Reply.json({"meetings": []}))
    result = run(ex, ExtractRequest(text=seed_text))
    assert any("cache disabled" in w for w in result.warnings)


def test_truncation_is_reported(settings, fake_model, seed_text):
    draft = riyadh_draft(seed_text)
    content = Reply.json({"meetings": draft["meetings"] * 3}).content[:-60]
    fake_model.push(Reply(content=content, finish_reason="length"))
    result = run(Extractor(settings), ExtractRequest(text=seed_text, published_at=SEED_DATE))
    assert len(result.meetings) == 1
    assert "cut off at 1024 tokens" in result.warnings[0]
