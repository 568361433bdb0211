"""`ingest`: read inputs, store the articles, extract every article not yet extracted.

Reading and extracting are two passes over the store, not one over the inputs, so a run that was
killed (or whose model failed on some articles) is finished by running it again: articles already
stored are not stored twice, and only those without a finished extraction go to the model.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Literal

from pydantic import BaseModel, Field

from backchannel.contract.errors import BackchannelError
from backchannel.corpus.leases import held, worker_name
from backchannel.corpus.linking import relink
from backchannel.pipeline.extractor import Extractor
from backchannel.sources.documents import Article, Unreadable
from backchannel.store.repository import Setup, Store


class Failure(BaseModel):
    source: str
    reason: str


class IngestReport(BaseModel):
    read: int = 0
    new: int = 0
    known: int = Field(default=0, description="Already stored: the same text")
    unreadable: list[Unreadable] = Field(default_factory=list)
    warnings: list[Failure] = Field(default_factory=list)
    extracted: int = 0
    elsewhere: int = Field(default=0, description="Being extracted by another worker")
    meetings: int = 0
    failed: list[Failure] = Field(default_factory=list)
    events: int | None = Field(default=None, description="Events in the store after linking")


def setup_of(extractor: Extractor) -> Setup:
    return Setup(
        model=extractor.llm.model,
        prompt_version=extractor.strategy.version,
        strategy=extractor.strategy.name,
    )


class Outcome(BaseModel):
    """What became of one queued article."""

    state: Literal["done", "failed", "elsewhere"]  # elsewhere: another worker holds it
    meetings: int = 0
    error: str = ""
    code: str = ""  # the error's code, for logs that must not quote the article


async def extract_one(
    store: Store,
    extractor: Extractor,
    article: Article,
    holder: str,
    *,
    use_cache: bool = True,
    slot: Callable[[], AbstractAsyncContextManager[object]] = nullcontext,
) -> Outcome:
    """Extract one queued article under a lease and store what came of it (a result, or the
    failure, which a later run retries); `slot` is taken around the model's work only. Every
    worker (ingest, the API's, a Ray actor) goes through here."""
    setup = setup_of(extractor)
    async with held(store, article.id, setup, holder) as mine:
        if not mine:
            return Outcome(state="elsewhere")
        limit = extractor.settings.article_timeout
        try:
            async with slot():
                # Each model call has its own timeouts, but an await that never returns would
                # keep the lease renewed for ever; past the bound the article is let go.
                async with asyncio.timeout(limit):
                    result = await extractor.extract(article.request(), use_cache=use_cache)
        except BackchannelError as exc:
            await asyncio.to_thread(store.fail, article.id, setup, exc.message)
            return Outcome(state="failed", error=exc.message, code=exc.code)
        except TimeoutError:
            error = (f"the extraction took longer than {limit:g} s "
                     "(BACKCHANNEL_ARTICLE_TIMEOUT); a later run retries it")  # fmt: skip
            await asyncio.to_thread(store.fail, article.id, setup, error)
            return Outcome(state="failed", error=error, code="article_timeout")
        await asyncio.to_thread(store.save, article.id, setup, result)
        return Outcome(state="done", meetings=len(result.meetings))


def store_inputs(inputs: Iterable[Article | Unreadable], store: Store) -> IngestReport:
    report = IngestReport()
    for item in inputs:
        if isinstance(item, Unreadable):
            report.unreadable.append(item)
            continue
        report.read += 1
        if store.add(item):
            report.new += 1
            report.warnings += [Failure(source=item.source, reason=w) for w in item.warnings]
        else:
            report.known += 1
    return report


async def extract_pending(
    store: Store,
    extractor: Extractor,
    articles: list[Article],
    report: IngestReport,
    *,
    concurrency: int = 1,
    use_cache: bool = True,
    on_done: Callable[[Article], None] = lambda _a: None,
) -> IngestReport:
    """Extract `articles` (`store.pending(setup_of(extractor))`), `concurrency` at a time; a
    failure is recorded and reported, and the others go on."""
    slots = asyncio.Semaphore(concurrency)
    me = worker_name()

    async def one(article: Article) -> None:
        async with slots:
            outcome = await extract_one(store, extractor, article, me, use_cache=use_cache)
        if outcome.state == "elsewhere":  # another worker has it (or finished it meanwhile)
            report.elsewhere += 1
        elif outcome.state == "failed":
            report.failed.append(Failure(source=article.source, reason=outcome.error))
        else:
            report.extracted += 1
            report.meetings += outcome.meetings
        on_done(article)

    await asyncio.gather(*(one(a) for a in articles))
    # After new extractions, or after a run killed between extracting and linking.
    if articles or await asyncio.to_thread(store.unlinked):
        report.events = await asyncio.to_thread(relink, store)
    return report
