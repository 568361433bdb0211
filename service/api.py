"""HTTP API: `POST /v1/extract`, health, readiness, metrics.

Every error is JSON `{"error": {"code", "message"}}` with a 4xx for what the caller must fix and a
502/503/504 for what the model server did; a stack trace never reaches a caller.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service import logs, metrics
from service.errors import BackchannelError
from service.extract import Extractor
from service.schema import ExtractRequest, ExtractResult
from service.settings import Settings

log = logging.getLogger(__name__)


def _error(status: int, code: str, message: str, **extra: object) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": {"code": code, "message": message, **extra}}
    )


def _validation_message(exc: RequestValidationError) -> tuple[str, list[dict]]:
    details = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        msg = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field; allowed fields are text, published_at, id"
        elif err.get("type") == "json_invalid":
            msg = "body is not valid JSON"
        elif loc == "published_at":
            msg = f"{msg}; use YYYY-MM-DD"
        details.append({"field": loc, "message": msg})
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return summary or "invalid request", details


def create_app(settings: Settings | None = None, extractor: Extractor | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.extractor = extractor or Extractor(settings)
        yield
        app.state.extractor.cache.close()

    app = FastAPI(
        title="backchannel",
        version="0.1.0",
        summary="Who met whom, where, when and in what capacity: grounded in the article's words.",
        lifespan=lifespan,
    )

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        token = logs.request_id.set(rid)
        route = request.url.path
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception:  # noqa: BLE001 - last line of defence: log it, answer JSON
            log.exception("unhandled error")
            response = _error(500, "internal_error", f"internal error (request id {rid})")
        finally:
            logs.request_id.reset(token)
        elapsed = time.perf_counter() - started
        if route in {"/v1/extract", "/healthz", "/readyz"}:
            metrics.REQUESTS.labels(route, str(response.status_code)).inc()
            metrics.REQUEST_LATENCY.labels(route).observe(elapsed)
        response.headers["x-request-id"] = rid
        return response

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = _validation_message(exc)
        return _error(422, "invalid_input", message, details=details)

    @app.exception_handler(BackchannelError)
    async def on_backchannel_error(_: Request, exc: BackchannelError) -> JSONResponse:
        log.warning("extraction failed", extra={"fields": {"code": exc.code}})
        return _error(exc.status, exc.code, exc.message)

    @app.post("/v1/extract", response_model=ExtractResult, response_model_exclude_none=False)
    async def extract(body: ExtractRequest, request: Request) -> ExtractResult:
        """Extract the meetings one article reports, every quoted value grounded in its text."""
        ex: Extractor = request.app.state.extractor
        result = await ex.extract(body)
        log.info(
            "extracted",
            extra={
                "fields": {
                    "article_id": body.id,
                    "chars": len(body.text),
                    "meetings": len(result.meetings),
                    "cached": result.cached,
                    "latency_ms": result.latency_ms,
                }
            },
        )
        return result

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

    @app.get("/metrics")
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
