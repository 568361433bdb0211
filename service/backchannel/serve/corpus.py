"""The corpus over HTTP: `POST /v1/articles` (stored at once, extracted by a background worker),
`GET /v1/articles/{id}`, `GET /v1/events`.

An article is answered 202 with its id while it waits; the worker extracts queued articles one at
a time through the same gate as `/v1/extract`, and relinks events when the queue runs dry. The
queue is the store itself (articles without a finished extraction), so a restarted server goes on
with what it had accepted. URLs are fetched only when the operator allows it
(`BACKCHANNEL_API_FETCH_URLS`), and never towards loopback, private or link-local addresses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backchannel.contract.errors import BackchannelError, InputError
from backchannel.contract.schema import ExtractResult, iso_date_only
from backchannel.corpus.export import country_filter
from backchannel.corpus.ingest import setup_of
from backchannel.corpus.linking import relink
from backchannel.pipeline.extractor import Extractor
from backchannel.serve.admission import Gate, check_api_key
from backchannel.settings import Settings
from backchannel.sources.documents import SourceError, make_article
from backchannel.sources.fetch import FetchPolicy, from_url
from backchannel.store.database import StoreError
from backchannel.store.repository import EventFilter, EventView, Store

log = logging.getLogger(__name__)


class StoreUnavailable(BackchannelError):
    status = 503
    code = "store_unavailable"


class FetchRefused(BackchannelError):
    status = 422
    code = "fetch_refused"


class ArticleIn(BaseModel):
    """An article to add to the corpus: its text, or (where the operator allows it) a URL."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, description="The article's text (or give fetch_url)")
    published_at: dt.date | None = None
    id: str | None = Field(default=None, max_length=512, description="Your own id, kept")
    url: str | None = Field(default=None, max_length=4096, description="Where it was published")
    title: str | None = Field(default=None, max_length=2048)
    fetch_url: str | None = Field(
        default=None,
        max_length=4096,
        description="Fetch the page at this http(s) URL instead of sending text (only if the "
        "server allows it: BACKCHANNEL_API_FETCH_URLS)",
    )

    _date = field_validator("published_at", mode="before")(iso_date_only)

    @model_validator(mode="after")
    def _one_source(self) -> ArticleIn:
        if (self.text is None) == (self.fetch_url is None):
            raise ValueError("send either text or fetch_url")
        return self


class ArticleState(BaseModel):
    id: str
    state: Literal["queued", "done", "failed"]
    published_at: dt.date | None = None
    url: str | None = None
    title: str | None = None
    site: str | None = None
    external_id: str | None = None
    warnings: list[str] = Field(default_factory=list)
    result: ExtractResult | None = None
    error: str | None = None


class EventPage(BaseModel):
    total: int
    limit: int
    offset: int
    next_offset: int | None
    events: list[EventView]


class Worker:
    """Extracts what the store has queued, one article at a time, and relinks when idle."""

    def __init__(self, store: Store, extractor: Extractor, gate: Gate) -> None:
        self.store, self.extractor, self.gate = store, extractor, gate
        self.setup = setup_of(extractor)
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run())
        self.wake.set()  # what a previous run accepted and did not finish

    async def stop(self) -> None:
        if self.task:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            pending = await asyncio.to_thread(self.store.pending, self.setup)
            for article in pending:
                await self._extract(article)
            if pending:
                await asyncio.to_thread(relink, self.store)

    async def _extract(self, article: Any) -> None:
        try:
            async with self.gate.slot():
                result = await self.extractor.extract(article.request())
        except BackchannelError as exc:
            await asyncio.to_thread(self.store.fail, article.id, self.setup, exc.message)
            log.warning("corpus extraction failed", extra={"fields": {"code": exc.code}})
        except Exception:  # noqa: BLE001 - the worker must outlive one bad article
            log.exception("corpus extraction crashed")
            await asyncio.to_thread(self.store.fail, article.id, self.setup, "internal error")
        else:
            await asyncio.to_thread(self.store.save, article.id, self.setup, result)


def router(settings: Settings, gate: Gate) -> APIRouter:
    api = APIRouter()
    keys = settings.api_key_list
    policy = FetchPolicy.of(settings, public_only=True)

    def store_of(request: Request) -> Store:
        store: Store | None = request.app.state.store
        if store is None:
            raise StoreUnavailable(request.app.state.store_error or "the corpus store is closed")
        return store

    def state_of(store: Store, worker: Worker, article_id: str) -> ArticleState | None:
        stored = store.get(article_id, worker.setup)
        if stored is None:
            return None
        a = stored.article
        return ArticleState(
            id=a.id, state=stored.state or "queued", published_at=a.published_at, url=a.url,
            title=a.title, site=a.site, external_id=a.external_id, warnings=a.warnings,
            result=stored.result, error=stored.error,
        )  # fmt: skip

    @api.post("/v1/articles", status_code=202, response_model=ArticleState)
    async def add_article(request: Request, body: ArticleIn) -> JSONResponse:
        """Add an article to the corpus: 202 while it waits to be extracted (poll its URL), 200
        if the same text is already stored."""
        check_api_key(request, keys)
        store, worker = store_of(request), request.app.state.worker
        if body.fetch_url is not None:
            if not settings.api_fetch_urls:
                raise FetchRefused(
                    "this server does not fetch URLs (BACKCHANNEL_API_FETCH_URLS is off): send "
                    "the article's text"
                )
            try:
                article = await asyncio.to_thread(from_url, body.fetch_url, policy)
            except SourceError as exc:
                raise FetchRefused(str(exc)) from None
        else:
            try:
                article = make_article(
                    body.text or "", "api", published_at=body.published_at, url=body.url,
                    title=body.title, external_id=body.id,
                )  # fmt: skip
            except SourceError as exc:
                raise InputError(str(exc).removeprefix("api: ")) from None
        request.app.state.extractor.check_input(article.request())
        new = await asyncio.to_thread(store.add, article)
        state = await asyncio.to_thread(state_of, store, worker, article.id)
        assert state is not None
        if state.state != "done":
            worker.wake.set()
        code = 202 if new or state.state != "done" else 200
        headers = {"location": f"/v1/articles/{article.id}"}
        return JSONResponse(state.model_dump(mode="json"), status_code=code, headers=headers)

    @api.get("/v1/articles/{article_id}", response_model=ArticleState)
    async def get_article(request: Request, article_id: str) -> ArticleState:
        """An article's state (queued, done, failed) and, once done, its extraction."""
        check_api_key(request, keys)
        store, worker = store_of(request), request.app.state.worker
        state = await asyncio.to_thread(state_of, store, worker, article_id)
        if state is None:
            raise _NotFound(f"no article with id {article_id!r} (ids are SHA-256 of the text)")
        return state

    @api.get("/v1/events", response_model=EventPage)
    async def list_events(
        request: Request,
        person: Annotated[str | None, Query(max_length=200, description="Part of a name")] = None,
        country: Annotated[
            str | None, Query(max_length=100, description="Where, or a side: name or ISO code")
        ] = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> EventPage:
        """The corpus's events, newest first, each with every source that reports it."""
        check_api_key(request, keys)
        store = store_of(request)
        try:
            code = country_filter(country) if country else None
        except ValueError as exc:
            raise InputError(f"country: {exc}") from None
        where = EventFilter(person=person, country=code, since=since, until=until)
        total, events = await asyncio.to_thread(store.events, where, limit, offset)
        following = offset + len(events)
        return EventPage(total=total, limit=limit, offset=offset, events=events,
                         next_offset=following if following < total else None)  # fmt: skip

    return api


class _NotFound(BackchannelError):
    status = 404
    code = "not_found"


def open_store(settings: Settings) -> tuple[Store | None, str | None]:
    """The store, or why not: the API still extracts without one."""
    try:
        return Store.open(settings.database_url), None
    except StoreError as exc:
        log.warning("corpus store unavailable", extra={"fields": {"error": str(exc)}})
        return None, f"the corpus store is unavailable: {exc}"
