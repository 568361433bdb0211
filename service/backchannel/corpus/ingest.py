"""`ingest`: read inputs, store the articles, extract every article not yet extracted.

Reading and extracting are two passes over the store, not one over the inputs, so a run that was
killed (or whose model failed on some articles) is finished by running it again: articles already
stored are not stored twice, and only those without a finished extraction go to the model.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

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
    setup = setup_of(extractor)
    slots = asyncio.Semaphore(concurrency)
    me = worker_name()

    async def one(article: Article) -> None:
        async with slots, held(store, article.id, setup, me) as mine:
            if not mine:  # another worker has it (or finished it meanwhile)
                report.elsewhere += 1
            else:
                try:
                    result = await extractor.extract(article.request(), use_cache=use_cache)
                except BackchannelError as exc:
                    await asyncio.to_thread(store.fail, article.id, setup, exc.message)
                    report.failed.append(Failure(source=article.source, reason=exc.message))
                else:
                    await asyncio.to_thread(store.save, article.id, setup, result)
                    report.extracted += 1
                    report.meetings += len(result.meetings)
            on_done(article)

    await asyncio.gather(*(one(a) for a in articles))
    # After new extractions, or after a run killed between extracting and linking.
    if articles or await asyncio.to_thread(store.unlinked):
        report.events = await asyncio.to_thread(relink, store)
    return report
