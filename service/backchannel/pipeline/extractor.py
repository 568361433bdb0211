"""The pipeline: text -> prompt -> model -> draft -> grounding and normalisation -> result.

`Extractor` is what the API, the CLI and the eval all call; it owns the cache lookup so that every
entry point caches the same way.
"""

from __future__ import annotations

import logging
import time

from pydantic import BaseModel
from pydantic_core import from_json

from backchannel import metrics
from backchannel.contract.errors import InputError
from backchannel.contract.schema import SCHEMA_VERSION, ExtractRequest, ExtractResult, Usage
from backchannel.model.draft import DRAFT_VERSION, Draft
from backchannel.model.llm import CallStats, LLMClient
from backchannel.model.prompts import DEFAULT_PROMPTS_DIR, load_prompts, load_sentence_prompts
from backchannel.normalise.places import affiliation_from_words, country_for_place
from backchannel.pipeline.assemble import assemble
from backchannel.pipeline.cache import ResultCache, cache_key
from backchannel.pipeline.strategies import SentenceStrategy, SingleStrategy, Strategy
from backchannel.settings import Settings
from backchannel.text.grounding import Article
from backchannel.text.sentences import Sentence, split_sentences

log = logging.getLogger(__name__)


class StoredDraft(BaseModel):
    """The model's answer for one request, as cached before any post-processing."""

    draft: Draft
    usage: Usage
    truncated: bool = False
    unanswered: list[str] = []

    @classmethod
    def of(cls, draft: Draft, stats: CallStats) -> StoredDraft:
        """What to store of an answer: the draft and what of its cost the result reports."""
        return cls(draft=draft, usage=stats.usage, truncated=stats.truncated,
                   unanswered=stats.unanswered)  # fmt: skip

    def stats(self) -> CallStats:
        """What the stored answer cost when the model gave it."""
        return CallStats(
            usage=self.usage, truncated=self.truncated, unanswered=list(self.unanswered)
        )

    @classmethod
    def load(cls, raw: str | None) -> StoredDraft | None:
        if raw is None:
            return None
        try:
            return cls.model_validate_json(raw)
        except ValueError:
            log.warning("cached draft failed validation; calling the model again")
            return None


def make_strategy(settings: Settings) -> Strategy:
    directory = settings.prompts_dir or DEFAULT_PROMPTS_DIR
    if settings.strategy == "sentence":
        return SentenceStrategy(load_sentence_prompts(directory, settings.sentence_answer))
    return SingleStrategy(load_prompts(directory))


def _result_key(draft_key: str) -> str:
    return cache_key(draft=draft_key, schema_version=SCHEMA_VERSION)


class Extractor:
    def __init__(
        self,
        settings: Settings,
        llm: LLMClient | None = None,
        cache: ResultCache | None = None,
        strategy: Strategy | None = None,
    ) -> None:
        self.settings = settings
        self.llm = llm or LLMClient(settings)
        self.cache = cache or ResultCache(
            settings.cache_dir, settings.cache_enabled, url=settings.cache_url
        )
        self.strategy = strategy or make_strategy(settings)

    def warm_up(self) -> None:
        """Build the lookup tables (gazetteer, demonyms) now, not on the first request: a server
        calls this at start-up, since they take a second or two."""
        country_for_place("Geneva")
        affiliation_from_words("Emirati")

    def draft_key(self, request: ExtractRequest) -> str:
        """Everything the model's answer depends on, and nothing else: a change to the result's
        shape or to the code after the model keeps the draft (no model call to rebuild)."""
        return "draft:" + cache_key(
            text=request.text,
            published_at=request.published_at,
            model=self.llm.model,
            # The embedded server is the same model whatever port it listens on.
            base_url="embedded" if self.settings.embedded else self.llm.base_url,
            prompt_version=self.strategy.version,
            draft_version=DRAFT_VERSION,
            strategy=self.strategy.name,
            response_format=self.llm.response_format,
            max_tokens=self.settings.effective_max_tokens,
            temperature=self.settings.temperature,
        )

    def key_for(self, request: ExtractRequest) -> str:
        """The stored result: the draft's inputs plus the contract's version."""
        return _result_key(self.draft_key(request))

    def check_input(self, request: ExtractRequest) -> None:
        if len(request.text) > self.settings.max_text_chars:
            raise InputError(
                f"text is {len(request.text):,} characters; the limit is "
                f"{self.settings.max_text_chars:,} (BACKCHANNEL_MAX_TEXT_CHARS): split the article"
            )

    def cached_fields(self, request: ExtractRequest) -> dict | None:
        """The stored result for this request as plain JSON data, if any: the hot path.

        Plain JSON data (pydantic-core's parser) rather than a model round trip: a hit is
        answered in microseconds, and the cache key (which includes the schema version) already
        says the entry has today's shape.
        """
        started = time.perf_counter()
        stored = self.cache.get(self.key_for(request))
        if stored is None:
            return None
        try:
            fields = from_json(stored)
        except ValueError:
            fields = None
        if not isinstance(fields, dict) or not isinstance(fields.get("meetings"), list):
            log.warning("cache entry is not a stored result; treating as a miss")
            return None
        metrics.EXTRACTIONS.labels("cache_hit").inc()
        fields["id"] = request.id
        fields["cached"] = True
        fields["latency_ms"] = round((time.perf_counter() - started) * 1000)
        return fields

    def cached(self, request: ExtractRequest) -> ExtractResult | None:
        """The stored result as a validated model (CLI, batch, eval)."""
        fields = self.cached_fields(request)
        if fields is None:
            return None
        try:
            return ExtractResult.model_validate(fields)
        except ValueError:
            log.warning("cache entry failed validation; treating as a miss")
            return None

    async def extract(
        self, request: ExtractRequest, *, use_cache: bool = True, reassemble: bool = False
    ) -> ExtractResult:
        """The cached result if there is one, else a fresh extraction (stored when caching).

        `reassemble` skips the stored result but still reuses the model's cached draft.
        """
        self.check_input(request)
        if use_cache and not reassemble:
            hit = self.cached(request)
            if hit is not None:
                return hit
        return await self.compute(request, store=use_cache)

    async def compute(self, request: ExtractRequest, *, store: bool = True) -> ExtractResult:
        """Build the result from the model's draft; the caller has checked input and cache.

        The draft (the model's raw answer) is cached apart from the result, so a change to the
        code after the model (grounding, normalisation, merging) can be re-run over a whole set
        without paying for the model again: `eval --reassemble`.
        """
        started = time.perf_counter()
        sentences = split_sentences(request.text)
        draft_key = self.draft_key(request)
        key = _result_key(draft_key)
        stored = StoredDraft.load(self.cache.get(draft_key)) if store else None
        if stored is not None:
            draft, stats = stored.draft, stored.stats()
        else:
            try:
                draft, stats = await self.strategy.draft(self.llm, sentences, request.published_at)
            except Exception:
                metrics.EXTRACTIONS.labels("error").inc()
                raise
            if store:
                self.cache.set(draft_key, StoredDraft.of(draft, stats).model_dump_json())
        result = self.build(request, draft, stats, sentences, started)
        if store:
            self.cache.set(key, result.model_dump_json())
        metrics.EXTRACTIONS.labels("ok").inc()
        return result

    def build(
        self,
        request: ExtractRequest,
        draft: Draft,
        stats: CallStats,
        sentences: list[Sentence] | None = None,
        started: float | None = None,
    ) -> ExtractResult:
        """The result of a model's draft: everything after the model, nothing cached. Also how a
        tool rebuilds results from saved or altered drafts (`bench/field_quality.py`)."""
        started = time.perf_counter() if started is None else started
        sentences = split_sentences(request.text) if sentences is None else sentences
        article = Article(request.text, self.settings.fuzzy_threshold)
        built = assemble(draft, article, sentences, request.published_at)
        metrics.DROPPED.inc(built.dropped)
        warnings = list(built.warnings)
        if stats.truncated:
            warnings.insert(
                0,
                f"model output was cut off at {self.settings.effective_max_tokens} tokens; kept "
                f"the {len(draft.meetings)} meeting(s) it completed (BACKCHANNEL_MAX_TOKENS)",
            )
        warnings[:0] = stats.unanswered
        if self.cache.warning:
            warnings.append(self.cache.warning)
        result = ExtractResult(
            id=request.id,
            published_at=request.published_at,
            meetings=built.meetings,
            model=self.llm.model,
            prompt_version=self.strategy.version,
            cached=False,
            usage=stats.usage,
            latency_ms=round((time.perf_counter() - started) * 1000),
            warnings=warnings,
        )
        result.check_grounded(request.text)
        return result
