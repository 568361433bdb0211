"""HTTP API: `POST /v1/extract`, the corpus (`/v1/articles`, `/v1/events`), health, readiness,
metrics; and the web pages (`serve.pages`: `/`, `/events`, `/articles/{id}`).

Every error is JSON `{"error": {"code", "message"}}` with a 4xx for what the caller must fix and a
502/503/504 for what the model server did; a stack trace never reaches a caller.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ValidationError
from pydantic_core import to_json
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backchannel import metrics
from backchannel.contract.errors import BackchannelError, Overloaded, Unauthorized
from backchannel.contract.schema import ExtractRequest, ExtractResult
from backchannel.pipeline.extractor import Extractor
from backchannel.serve import corpus, logs, pages
from backchannel.serve.admission import JSON, BodyGuard, Gate, admitted_extraction, check_api_key
from backchannel.settings import Settings

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def _error(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": {"code": code, "message": message, **extra}}
    )


def _validation_message(
    exc: RequestValidationError, allowed: str = "text, published_at, id"
) -> tuple[str, list[dict]]:
    details = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        msg = err.get("msg", "invalid").removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            msg = f"unknown field; allowed fields are {allowed}"
        elif err.get("type") == "json_invalid":
            msg = "body is not valid JSON"
        elif err.get("type") == "enum":  # not the whole list (249 country codes)
            msg = "not a known value: see /docs" + (
                " (an ISO 3166-1 alpha-3 code, e.g. CHE)" if loc.endswith("country") else ""
            )
        elif loc == "published_at" and "YYYY-MM-DD" not in msg:
            msg = f"{msg}; use YYYY-MM-DD"
        details.append({"field": loc, "message": msg})
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return summary or "invalid request", details


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, str]] | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


_ERRORS = {
    400: "Body is not decodable UTF-8 JSON",
    401: "API key missing or invalid",
    403: "This server does not fetch that URL (fetching is off, or the address is private)",
    404: "No such article",
    413: "Body over the size limit",
    415: "Body is not application/json",
    422: "Invalid input: the message names the field and what to send",
    502: "Model output invalid after re-asks, the model server refused the request, or a page to "
    "fetch could not be read",
    503: "Model server unreachable, the queue is full (see Retry-After), or no corpus store",
    504: "Model server timed out",
}
_MEASURED_ROUTES = frozenset({"/v1/extract", "/v1/articles", "/v1/events", "/healthz", "/readyz"})
_REQUEST_BODY = {
    "required": True,
    "content": {"application/json": {"schema": ExtractRequest.model_json_schema()}},
}


def _parse_request(raw: bytes) -> ExtractRequest:
    """The body straight from JSON bytes to the model (pydantic-core parses and validates in one
    pass), rather than FastAPI's decode-then-validate: a cache hit has little else to do."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StarletteHTTPException(400) from None
    try:
        return ExtractRequest.model_validate_json(text)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


class RequestContext:
    """ASGI middleware: request id (in logs and the response), metrics, last-resort JSON 500.

    Plain ASGI rather than BaseHTTPMiddleware, which costs time per request and hides client
    disconnects from the endpoint.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex[:16]
        token = logs.request_id.set(rid)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message).append("x-request-id", rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:  # noqa: BLE001 - last line of defence: log it, answer JSON
            log.exception("unhandled error")
            if not response_started:
                await _error(500, "internal_error", f"internal error (request id {rid})")(
                    scope, receive, send_with_id
                )
        finally:
            logs.request_id.reset(token)
            route = scope["path"]
            if route in _MEASURED_ROUTES:
                metrics.REQUESTS.labels(route, str(status)).inc()
                metrics.REQUEST_LATENCY.labels(route).observe(time.perf_counter() - started)


def create_app(settings: Settings | None = None, extractor: Extractor | None = None) -> FastAPI:
    settings = settings or Settings()

    gate = Gate(settings.max_inflight, settings.max_queue)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.extractor = extractor or Extractor(settings)
        await asyncio.to_thread(app.state.extractor.warm_up)
        app.state.store, app.state.store_error = await asyncio.to_thread(
            corpus.open_store, settings
        )
        app.state.worker = None
        if app.state.store is not None:
            app.state.worker = corpus.Worker(app.state.store, app.state.extractor, gate)
            if settings.corpus_worker:  # off on API replicas when a worker service extracts
                app.state.worker.start()
        yield
        if app.state.worker is not None:
            await app.state.worker.stop()
            app.state.store.close()
        app.state.extractor.cache.close()

    app = FastAPI(
        title="backchannel",
        version="0.1.0",
        summary="Who met whom, where, when and in what capacity: grounded in the article's words.",
        lifespan=lifespan,
    )

    # A character outside the BMP can take 12 bytes of JSON (an escaped surrogate pair): allow
    # that for the text and the other fields at their longest, plus room for the JSON around them.
    app.add_middleware(
        BodyGuard,
        paths={"/v1/extract": JSON, "/v1/articles": JSON},
        max_bytes=(settings.max_text_chars + corpus.FIELD_CHARS) * 12 + 16_384,
    )
    # The page's form: the text as UTF-8 (4 bytes a character at most) or a saved page.
    app.add_middleware(
        BodyGuard,
        paths=dict.fromkeys(pages.FORM_PATHS, pages.PAGE_FORM_TYPES),
        max_bytes=settings.max_text_chars * 4 + settings.fetch_max_bytes + 16_384,
        refusal=pages.form_refusal(settings),
    )

    app.add_middleware(RequestContext)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.url.path == "/v1/articles":
            message, details = _validation_message(exc, ", ".join(corpus.ArticleIn.model_fields))
        else:
            message, details = _validation_message(exc)
        return _error(422, "invalid_input", message, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and request.url.path in pages.FORM_PATHS:
            return _error(400, "invalid_input", f"the form could not be read: {exc.detail}")
        if exc.status_code == 400:  # FastAPI could not decode the body at all
            return _error(400, "invalid_input", "body could not be read: send UTF-8 encoded JSON")
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        response = _error(exc.status_code, code, str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. Allow on a 405
        return response

    @app.exception_handler(BackchannelError)
    async def on_backchannel_error(_: Request, exc: BackchannelError) -> JSONResponse:
        log.warning("extraction failed", extra={"fields": {"code": exc.code}})
        response = _error(exc.status, exc.code, exc.message)
        if isinstance(exc, Overloaded):
            response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
        elif isinstance(exc, Unauthorized):
            response.headers["www-authenticate"] = "Bearer"
        return response

    keys = settings.api_key_list
    documented = {
        status: {"model": ErrorResponse, "description": description}
        for status, description in _ERRORS.items()
    }
    app.include_router(corpus.router(settings, documented))
    app.include_router(pages.router(settings, gate))

    @app.post(
        "/v1/extract",
        response_model=ExtractResult,
        responses={k: v for k, v in documented.items() if k not in (403, 404)},
        openapi_extra={"requestBody": _REQUEST_BODY},
    )
    async def extract(request: Request) -> Response:
        """Extract the meetings one article reports, every quoted value grounded in its text."""
        check_api_key(request, keys)
        body = _parse_request(await request.body())
        fields = await admitted_extraction(request, request.app.state.extractor, gate, body)
        log.info(
            "extracted",
            extra={
                "fields": {
                    "article_id": body.id,
                    "chars": len(body.text),
                    "meetings": len(fields["meetings"]),
                    "cached": fields["cached"],
                    "latency_ms": fields["latency_ms"],
                }
            },
        )
        # The result is already validated (or was, when stored): skip FastAPI's second pass.
        return Response(to_json(fields), media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is up (says nothing about the model server)."""
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        """The model server answers `GET /models`: requests can be served."""
        ex: Extractor = request.app.state.extractor
        url = f"{ex.llm.base_url}/models"
        try:
            async with httpx.AsyncClient(timeout=settings.connect_timeout) as client:
                r = await client.get(
                    url, headers={"authorization": f"Bearer {settings.api_key.get_secret_value()}"}
                )
            if r.status_code == 200:
                return JSONResponse({"status": "ready", "model": ex.llm.model})
            reason = f"model server returned HTTP {r.status_code}"
        except httpx.HTTPError as exc:
            reason = f"model server unreachable: {type(exc).__name__}"
        return _error(503, "model_unavailable", f"{reason} at {ex.llm.base_url}")

    @app.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
    )
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
