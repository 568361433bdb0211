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
from enum import StrEnum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from backchannel.contract.errors import (
    FetchFailed,
    FetchRefused,
    InputError,
    NotFound,
    StoreUnavailable,
)
from backchannel.contract.schema import ExtractResult, iso_date_only
from backchannel.corpus import export
from backchannel.corpus.ingest import extract_one, setup_of
from backchannel.corpus.leases import worker_name
from backchannel.corpus.linking import relink
from backchannel.pipeline.extractor import Extractor
from backchannel.serve.admission import Gate, check_api_key
from backchannel.settings import Settings
from backchannel.sources.documents import Article, SourceError, make_article
from backchannel.sources.fetch import FetchPolicy, Refused, from_url
from backchannel.store.database import StoreError
from backchannel.store.repository import MAX_OFFSET, EventFilter, EventView, Store

log = logging.getLogger(__name__)


# Only YYYY-MM-DD: "0" or a timestamp would silently become some other date.
IsoDate = Annotated[dt.date, BeforeValidator(iso_date_only)]

# The API takes ISO codes (names are for people at the CLI): the schema lists every one it knows.
CountryCode = StrEnum("CountryCode", {code: code for code in export.country_codes()})


# Characters an article's fields other than its text may hold (id, url, title, fetch_url).
FIELD_CHARS = 512 + 2048 + 1024 + 2048


class ArticleIn(BaseModel):
    """An article to add to the corpus: its text, or (where the operator allows it) a URL."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"oneOf": [{"required": ["text"]}, {"required": ["fetch_url"]}]},
    )

    text: str = Field(
        default=None,  # type: ignore[assignment]  (absent means fetch_url is given)
        description="The article's text, 1 to 100,000 characters (or give fetch_url)",
        json_schema_extra={"minLength": 1, "pattern": "^[^\u0000]*[^\u0000\\s][^\u0000]*$"},
    )
    published_at: dt.date | None = None
    id: str | None = Field(default=None, max_length=512, description="Your own id, kept")
    url: str | None = Field(default=None, max_length=2048, description="Where it was published")
    title: str | None = Field(default=None, max_length=1024)
    fetch_url: str = Field(
        default=None,  # type: ignore[assignment]
        max_length=2048,
        pattern=r"^https?://[^\s/]+",
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
        self.name = worker_name()
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.task = self.loop.create_task(self._run())
        self.wake.set()  # what a previous run accepted and did not finish

    def notify(self) -> None:
        """There is work: callable from any request, whichever loop or thread serves it (a
        worker that was not started, on an API replica, leaves it to the worker service)."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.wake.set)

    async def stop(self) -> None:
        if self.task is None:
            return
        if asyncio.get_running_loop() is self.loop:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        else:
            self.loop.call_soon_threadsafe(self.task.cancel)

    async def _run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            pending = await asyncio.to_thread(self.store.pending, self.setup)
            for article in pending:
                await self._extract(article)
            if pending:
                try:
                    await asyncio.to_thread(relink, self.store)
                except Exception:  # noqa: BLE001 - e.g. a CLI relinking the same store at once
                    log.exception("relinking events failed; the next batch relinks again")

    async def _extract(self, article: Article) -> None:
        try:
            outcome = await extract_one(
                self.store, self.extractor, article, self.name, slot=self.gate.slot
            )
        except Exception:  # noqa: BLE001 - the worker must outlive one bad article
            log.exception("corpus extraction crashed")
            await asyncio.to_thread(self.store.fail, article.id, self.setup, "internal error")
        else:
            if outcome.state == "failed":
                log.warning("corpus extraction failed", extra={"fields": {"code": outcome.code}})


def router(settings: Settings, errors: dict[int, dict]) -> APIRouter:
    """The routes; `errors` documents the error responses they share with `/v1/extract`."""
    api = APIRouter()

    def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
        return {code: errors[code] for code in codes}

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

    @api.post(
        "/v1/articles",
        status_code=202,
        response_model=ArticleState,
        responses={200: {"model": ArticleState, "description": "Already stored and extracted"}}
        | documented(400, 401, 403, 413, 415, 422, 502, 503),
    )
    async def add_article(request: Request, body: ArticleIn) -> JSONResponse:
        """Add an article to the corpus: 202 while it waits to be extracted (poll its URL), 200
        if the same text is already stored."""
        check_api_key(request, keys)
        store, worker = store_of(request), request.app.state.worker
        if body.fetch_url is not None:
            if not settings.api_fetch_urls:  # an operator's choice: 403, not the caller's error
                raise FetchRefused(
                    "this server does not fetch URLs (BACKCHANNEL_API_FETCH_URLS is off): send "
                    "the article's text"
                )
            try:
                article = await asyncio.to_thread(from_url, body.fetch_url, policy)
            except Refused as exc:
                raise FetchRefused(str(exc)) from None
            except SourceError as exc:
                raise FetchFailed(str(exc)) from None
        else:
            try:
                article = make_article(
                    body.text or "", "api", published_at=body.published_at, url=body.url,
                    title=body.title, external_id=body.id,
                )  # fmt: skip
            except SourceError as exc:
                raise InputError(exc.reason) from None
        request.app.state.extractor.check_input(article.request())
        new = await asyncio.to_thread(store.add, article)
        state = await asyncio.to_thread(state_of, store, worker, article.id)
        assert state is not None
        if state.state != "done":
            worker.notify()
        code = 202 if new or state.state != "done" else 200
        headers = {"location": f"/v1/articles/{article.id}"}
        return JSONResponse(state.model_dump(mode="json"), status_code=code, headers=headers)

    @api.get(
        "/v1/articles/{article_id}",
        response_model=ArticleState,
        responses=documented(401, 404, 503),
    )
    async def get_article(request: Request, article_id: str) -> ArticleState:
        """An article's state (queued, done, failed) and, once done, its extraction."""
        check_api_key(request, keys)
        store, worker = store_of(request), request.app.state.worker
        state = await asyncio.to_thread(state_of, store, worker, article_id)
        if state is None:
            raise NotFound(f"no article with id {article_id!r} (ids are SHA-256 of the text)")
        return state

    @api.get("/v1/events", response_model=EventPage, responses=documented(401, 422, 503))
    async def list_events(
        request: Request,
        person: Annotated[str | None, Query(max_length=200, description="Part of a name")] = None,
        country: Annotated[
            CountryCode | None,
            Query(description="Where it was, or a side's country: ISO 3166-1 alpha-3"),
        ] = None,
        since: Annotated[IsoDate | None, Query(description="On or after, YYYY-MM-DD")] = None,
        until: Annotated[IsoDate | None, Query(description="On or before, YYYY-MM-DD")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> EventPage:
        """The corpus's events, newest first, each with every source that reports it."""
        check_api_key(request, keys)
        store = store_of(request)
        where = EventFilter(
            person=person, country=country.value if country else None, since=since, until=until
        )
        total, events = await asyncio.to_thread(store.events, where, limit, offset)
        following = offset + len(events)
        return EventPage(total=total, limit=limit, offset=offset, events=events,
                         next_offset=following if following < total else None)  # fmt: skip

    return api


def open_store(settings: Settings) -> tuple[Store | None, str | None]:
    """The store, or why not: the API still extracts without one."""
    try:
        return Store.open(settings.database_url), None
    except StoreError as exc:
        log.warning("corpus store unavailable", extra={"fields": {"error": str(exc)}})
        return None, f"the corpus store is unavailable: {exc}"
