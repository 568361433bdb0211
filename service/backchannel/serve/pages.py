"""The web pages: `/` (paste or upload an article, see every grounded value highlighted),
`/events` (the corpus: filters, a timeline, who met whom), `/articles/{id}` (a stored source,
highlighted), and `/login` when the server has API keys.

Server-rendered (Jinja2, autoescaped) with one small vendored script; every page is sent with a
Content-Security-Policy that allows only the server's own script and style. With
`BACKCHANNEL_API_KEYS` set the pages need a key as the API does (a bearer token, or a session
cookie that holds an HMAC of the key, never the key), so they are no way around it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from backchannel.contract.errors import BackchannelError, InputError
from backchannel.contract.schema import ExtractRequest, ExtractResult, iso_date_only
from backchannel.corpus import export
from backchannel.render import corpus as views
from backchannel.render.pages import ASSETS, PAGE_CSP, asset, page
from backchannel.render.spans import marks_of, segments
from backchannel.serve.admission import Gate, admitted_extraction
from backchannel.settings import Settings
from backchannel.sources.documents import HTML_SUFFIXES, SourceError, decode, from_html
from backchannel.store.repository import MAX_OFFSET, EventFilter, EventView

COOKIE = "backchannel_session"
EVENTS_PER_PAGE = 100
FIGURE_EVENTS = 500  # the timeline and the network: beyond that a drawing stops being readable
PAGE_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
FORM_PATHS = ("/", "/login")
_SECURITY_HEADERS = {
    "content-security-policy": PAGE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=_SECURITY_HEADERS)


def session_token(key: str) -> str:
    """What the cookie holds: derived from the key, so a leaked cookie is not a leaked key."""
    return hmac.new(key.encode(), b"backchannel pages", hashlib.sha256).hexdigest()


def _local_path(target: str | None) -> str:
    """Where to go after signing in: a path on this server only (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


FILTERS = ("person", "country", "since", "until")


def _no_events(filters: dict[str, str]) -> dict[str, Any]:
    """The events page's context before (or without) a query."""
    return dict(filters=filters, total=0, events=[], offset=0, previous=None, following=None)


def _source_link(event: EventView) -> str:
    first = event.sources[0] if event.sources else None
    if first is None:
        return f"#event-{event.id}"
    return f"/articles/{first.article_id}?at={first.evidence_start}#focus"


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(iso_date_only(value))  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD") from None


@dataclass
class PageForm:
    """The article form as the user filled it, kept to show again with an error."""

    text: str = ""
    published_at: str = ""


def _show(settings: Settings, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("error", None)
    return html(page(template, signed_in=bool(settings.api_key_list), **context), status)


def _article_page(
    settings: Settings,
    status: int = 200,
    form: PageForm | None = None,
    error: str | None = None,
    result: ExtractResult | None = None,
    text: str = "",
    source: str | None = None,
) -> HTMLResponse:
    """`/`: the form (as the user filled it), and the article highlighted once extracted."""
    marks = marks_of(result.meetings) if result else []
    return _show(
        settings, "article.html", status, form=form or PageForm(), error=error, result=result,
        segments=segments(text, marks), source=source, max_chars=settings.max_text_chars,
    )  # fmt: skip


def form_refusal(settings: Settings) -> Callable[[str, int, str, str], Response]:
    """How the body guard refuses a form (too large, wrong type): the page again with the
    reason, for the person who sent it from a browser, rather than a JSON error."""

    def refuse(path: str, status: int, _code: str, message: str) -> Response:
        if path == "/login":
            return _show(settings, "login.html", status, next="/", error=message)
        return _article_page(settings, status, error=message)

    return refuse


def router(settings: Settings, gate: Gate) -> APIRouter:
    pages = APIRouter(include_in_schema=False)
    keys = settings.api_key_list
    tokens = [session_token(k) for k in keys]

    def signed_in(request: Request) -> bool:
        if not keys:
            return True
        cookie = request.cookies.get(COOKIE, "").encode()
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        return any(hmac.compare_digest(cookie, t.encode()) for t in tokens) or (
            scheme.lower() == "bearer"
            and any(hmac.compare_digest(bearer.strip().encode(), k.encode()) for k in keys)
        )

    def show(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return _show(settings, template, status, **context)

    def no_store(request: Request, filters: dict[str, str]) -> HTMLResponse:
        error = request.app.state.store_error or "the corpus store is closed"
        return show(request, "events.html", 503, error=error, **_no_events(filters))

    def login_first(request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @pages.get("/static/{name}")
    async def static(name: str) -> Response:
        if name not in ASSETS:
            return Response("no such file", status_code=404, media_type="text/plain")
        headers = {"cache-control": "public, max-age=3600", "x-content-type-options": "nosniff"}
        return Response(asset(name), media_type=ASSETS[name], headers=headers)

    @pages.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        if not signed_in(request):
            return login_first(request)
        return _article_page(settings)

    @pages.post("/", response_class=HTMLResponse)
    async def read_article(request: Request) -> Response:
        if not signed_in(request):
            return show(request, "login.html", 401, next="/", error="Sign in first: this server "
                        "requires an API key. (Your text was not sent to the model.)")  # fmt: skip
        fields = await request.form(
            max_files=1, max_fields=8, max_part_size=settings.max_text_chars * 4 + 1024
        )
        # A browser sends a textarea's line breaks as CRLF (HTML's form encoding): the article
        # the user pasted has the breaks it had, and its offsets and cache key are that text's.
        text = str(fields.get("text") or "").replace("\r\n", "\n")
        date = str(fields.get("published_at") or "").strip()
        form = PageForm(text, date)
        upload = fields.get("page")
        try:
            published_at = _date(date)
        except ValueError as exc:
            return _article_page(settings, 422, form, f"published on: {exc}")
        source = None
        try:
            if isinstance(upload, UploadFile) and upload.filename:
                source = PurePath(upload.filename).name
                raw = await upload.read(settings.fetch_max_bytes + 1)
                if len(raw) > settings.fetch_max_bytes:
                    raise InputError(f"{source} is over {settings.fetch_max_bytes:,} bytes "
                                     "(BACKCHANNEL_FETCH_MAX_BYTES)")  # fmt: skip
                if PurePath(source).suffix.lower() in HTML_SUFFIXES or (
                    upload.content_type or ""
                ).startswith("text/html"):
                    doc = await asyncio.to_thread(from_html, raw, source)
                    text, published_at = doc.text, published_at or doc.published_at
                else:
                    text = decode(raw, source)
                form = PageForm("", date or (str(published_at) if published_at else ""))
            body = ExtractRequest(text=text, published_at=published_at)
            fields = await admitted_extraction(request, request.app.state.extractor, gate, body)
            result = ExtractResult.model_validate(fields)
        except SourceError as exc:
            return _article_page(settings, 422, form, exc.unreadable(source or "").reason)
        except ValueError as exc:  # the request's own checks (pydantic), e.g. an empty article
            message = exc.errors()[0]["msg"] if hasattr(exc, "errors") else str(exc)
            return _article_page(settings, 422, form, message.removeprefix("Value error, "))
        except BackchannelError as exc:
            return _article_page(settings, exc.status, form, exc.message)
        if not form.text:
            form = PageForm(text, form.published_at)
        return _article_page(settings, 200, form, result=result, text=text, source=source)

    @pages.get("/events", response_class=HTMLResponse)
    async def events(request: Request) -> Response:
        if not signed_in(request):
            return login_first(request)
        q = request.query_params
        filters = {k: q.get(k, "").strip() for k in FILTERS}
        context = _no_events(filters)
        store = request.app.state.store
        if store is None:
            return no_store(request, filters)
        try:
            where = EventFilter(
                person=filters["person"][:200] or None,
                country=export.country_filter(filters["country"]) if filters["country"] else None,
                since=_date(filters["since"]),
                until=_date(filters["until"]),
            )
            offset = max(int(q.get("offset", "0") or 0), 0)
            if offset > MAX_OFFSET:
                raise ValueError(f"offset must be at most {MAX_OFFSET:,}")
        except ValueError as exc:
            message = str(exc)
            if "int()" in message:
                message = "offset must be a whole number"
            return show(request, "events.html", 422, error=message, **context)
        # The figures show every match (up to FIGURE_EVENTS, the newest), not just this page;
        # the page is a slice of them unless it lies beyond.
        total, drawn = await asyncio.to_thread(store.events, where, FIGURE_EVENTS, 0)
        found = drawn[offset : offset + EVENTS_PER_PAGE]
        if offset + EVENTS_PER_PAGE > len(drawn) and len(drawn) < total:
            _, found = await asyncio.to_thread(store.events, where, EVENTS_PER_PAGE, offset)

        def at(n: int) -> str:
            kept = {k: v for k, v in filters.items() if v}
            return "/events?" + "&".join(
                f"{k}={quote(v)}" for k, v in {**kept, "offset": str(n)}.items()
            )

        # A drawn event on this page links to its row, one on another page to its first source.
        href = {e.id: _source_link(e) for e in drawn} | {e.id: f"#event-{e.id}" for e in found}
        context.update(
            total=total, events=found, offset=offset, tl=views.timeline(drawn),
            net=views.network(drawn), when=views.when, drawn=len(drawn), href=href,
            previous=at(max(offset - EVENTS_PER_PAGE, 0)) if offset else None,
            following=at(offset + len(found)) if offset + len(found) < total else None,
        )  # fmt: skip
        return show(request, "events.html", **context)

    @pages.get("/articles/{article_id}", response_class=HTMLResponse)
    async def source(request: Request, article_id: str) -> Response:
        if not signed_in(request):
            return login_first(request)
        store, worker = request.app.state.store, request.app.state.worker
        if store is None:
            return no_store(request, dict.fromkeys(FILTERS, ""))
        stored = await asyncio.to_thread(store.get, article_id, worker.setup)
        if stored is not None and stored.state != "done":
            # Not (yet) by this server's setup: show the extraction its events are made of.
            stored = await asyncio.to_thread(store.get, article_id) or stored
        if stored is None:
            return _article_page(settings, 404, error=f"No article with id {article_id!r} in the "
                                "corpus.")  # fmt: skip
        result = stored.result
        at = request.query_params.get("at", "")
        focus = next(
            (i for i, m in enumerate(result.meetings) if str(m.evidence.start) == at), None
        ) if result else None  # fmt: skip
        return show(
            request, "source.html", article=stored.article, state=stored.state or "queued",
            error=stored.error, result=result, focus=focus,
            segments=segments(stored.article.text, marks_of(result.meetings) if result else []),
        )  # fmt: skip

    @pages.get("/login", response_class=HTMLResponse)
    async def login_page(request: Request) -> Response:
        if not keys:
            return RedirectResponse("/", status_code=303)
        return show(request, "login.html", next=_local_path(request.query_params.get("next")),
                    error=None)  # fmt: skip

    @pages.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        fields = await request.form(max_files=0, max_fields=4, max_part_size=4096)
        target = _local_path(str(fields.get("next") or "/"))
        key = str(fields.get("key") or "").strip()
        if not keys:
            return RedirectResponse(target, status_code=303)
        if not any(hmac.compare_digest(key.encode(), k.encode()) for k in keys):
            return show(request, "login.html", 401, next=target,
                        error="That is not one of this server's API keys.")  # fmt: skip
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE, session_token(key), httponly=True, samesite="strict",
            secure=request.url.scheme == "https", path="/",
        )  # fmt: skip
        return response

    @pages.get("/logout")
    async def logout() -> Response:
        response = RedirectResponse("/login" if keys else "/", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    return pages
