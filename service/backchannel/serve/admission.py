"""Admission control for the HTTP API: bounded model concurrency, bounded queue, API keys.

A pipeline that floods the service must get a fast 503 with Retry-After, not a growing pile of
waiting requests that eats memory and times out anyway. Cache hits never wait here.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backchannel import metrics
from backchannel.contract.errors import ClientGone, Overloaded, Unauthorized
from backchannel.contract.schema import ExtractRequest
from backchannel.pipeline.extractor import Extractor

T = TypeVar("T")


class Gate:
    """At most `limit` extractions call the model at once and at most `queue` wait for a slot."""

    def __init__(self, limit: int, queue: int) -> None:
        self.limit = limit
        self.queue = queue
        self._slots = asyncio.Semaphore(limit)
        self._waiting = 0

    @property
    def waiting(self) -> int:
        return self._waiting

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._slots.locked() and self._waiting >= self.queue:
            raise Overloaded(
                f"{self.limit} extraction(s) running and {self._waiting} waiting "
                "(BACKCHANNEL_MAX_INFLIGHT, BACKCHANNEL_MAX_QUEUE): retry later"
            )
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        metrics.INFLIGHT.inc()
        try:
            yield
        finally:
            metrics.INFLIGHT.dec()
            self._slots.release()


async def unless_disconnected(request: Request, work: Awaitable[T], poll: float = 0.25) -> T:
    """Run `work`, cancelling it if the client goes away: no model time for nobody."""
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=poll)
            if done:
                return task.result()
            if await request.is_disconnected():
                task.cancel()
                raise ClientGone("client disconnected; extraction cancelled")
    finally:
        if not task.done():
            task.cancel()


async def admitted_extraction(
    request: Request, extractor: Extractor, gate: Gate, body: ExtractRequest
) -> dict[str, Any]:
    """The stored result's fields (a hit never waits for a model slot), or a fresh extraction
    through a slot of `gate`, cancelled if the client goes away."""
    extractor.check_input(body)
    fields = extractor.cached_fields(body)
    if fields is None:
        async with gate.slot():
            result = await unless_disconnected(request, extractor.compute(body))
        fields = result.model_dump(mode="json")
    return fields


def check_api_key(request: Request, keys: list[str]) -> None:
    """Bearer token against each configured key, in constant time; no-op when none is set."""
    if not keys:
        return
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    presented = token.strip().encode()
    valid = [hmac.compare_digest(presented, k.encode()) for k in keys]
    if scheme.lower() != "bearer" or not any(valid):
        raise Unauthorized("missing or invalid API key: send 'Authorization: Bearer <key>'")


JSON = frozenset({"application/json"})


class BodyGuard:
    """ASGI middleware: refuse a POST whose body is too large or of a type its path does not take
    (`paths`: path -> content types) before reading it whole.

    The declared Content-Length is checked up front; a chunked body is counted as it streams and
    cut off at the limit, so an oversized upload never sits in memory. `refusal` makes the answer
    (path, status, code, message -> response): JSON errors by default; a page's form answers
    with the page, since a person in a browser sent it.
    """

    def __init__(
        self,
        app: ASGIApp,
        paths: dict[str, frozenset[str]],
        max_bytes: int,
        refusal: Callable[[str, int, str, str], Response] | None = None,
    ) -> None:
        self.app = app
        self.paths = paths
        self.max_bytes = max_bytes
        self.refusal = refusal or json_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        allowed = self.paths[scope["path"]]
        if ctype not in allowed:
            message = (
                f"content-type must be {' or '.join(sorted(allowed))}, got {ctype or 'none'!r}"
            )
            await self._reject(scope, receive, send, 415, "unsupported_media_type", message)
            return
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send, 413, "payload_too_large", self._too_large())
            return
        seen = 0
        rejected = False

        async def counting_receive() -> Message:
            # Past the limit: answer 413 ourselves and tell the app the client has gone.
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    rejected = True
                    await self._reject(
                        scope, receive, send, 413, "payload_too_large", self._too_large()
                    )
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    def _too_large(self) -> str:
        return (
            f"request body over {self.max_bytes:,} bytes: the text limit is "
            "BACKCHANNEL_MAX_TEXT_CHARS characters; split the article"
        )

    async def _reject(
        self, scope: Scope, receive: Receive, send: Send, status: int, code: str, msg: str
    ) -> None:
        await self.refusal(scope["path"], status, code, msg)(scope, receive, send)


def json_error(_path: str, status: int, code: str, message: str) -> Response:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})
