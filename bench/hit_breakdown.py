"""Where a cache hit's time goes, in process: the ASGI app alone, without uvicorn or a client.

    .venv/bin/python bench/hit_breakdown.py [--requests 2000] [--rounds 5]

Three apps answer the same POST of the seed article, called directly as ASGI apps: the bare
endpoint of cache_hits.py; the same endpoint behind the service's two middlewares (request id,
metrics and logging context; body size and type guard); and the service itself, on a warm cache.
Reported: CPU microseconds per request, the minimum over rounds (this machine's noise only ever
adds time), so the differences are what each layer costs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from common import SEED
from fastapi import FastAPI, Request, Response


def _guarded(endpoint: Callable[[Request], Awaitable[Response]]) -> FastAPI:
    """The bare endpoint itself, behind the service's two middlewares."""
    from backchannel.serve.admission import BodyGuard
    from backchannel.serve.api import RequestContext

    app = FastAPI()
    app.add_middleware(BodyGuard, paths={"/v1/extract"}, max_bytes=10**6)
    app.add_middleware(RequestContext)
    app.post("/v1/extract")(endpoint)
    return app


async def _call(app: FastAPI, body: bytes) -> bytes:
    sent: list[dict] = []
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict:
        if pending:
            return pending.pop()
        await asyncio.sleep(3600)  # the client never goes away
        raise AssertionError

    async def send(message: dict) -> None:
        sent.append(message)

    headers = [(b"content-type", b"application/json"), (b"host", b"bench"),
               (b"content-length", str(len(body)).encode())]  # fmt: skip
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/v1/extract", "raw_path": b"/v1/extract",
             "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}}  # fmt: skip
    await app(scope, receive, send)
    return sent[-1]["body"]


async def main(requests: int, rounds: int) -> None:
    from tests.factories import riyadh_draft
    from tests.fakeserver import FakeModelServer, Reply

    model = FakeModelServer(default=lambda _p: Reply.json(riyadh_draft(SEED))).start()
    os.environ.update(BACKCHANNEL_BASE_URL=model.base_url, BACKCHANNEL_STRATEGY="single",
                      BACKCHANNEL_CACHE_DIR=tempfile.mkdtemp(),
                      BACKCHANNEL_DATABASE_URL=f"sqlite:///{tempfile.mkdtemp()}/c.db")  # fmt: skip
    from backchannel.serve import logs
    from backchannel.serve.api import create_app
    from backchannel.settings import Settings

    logs.configure("WARNING")
    service = create_app(Settings())
    body = json.dumps({"text": SEED, "published_at": "2025-02-20"}).encode()
    async with service.router.lifespan_context(service):
        await _call(service, body)  # the miss that fills the cache
        stored = await _call(service, body)
        assert b'"cached":true' in stored, stored[:200]
        bare_file = Path(tempfile.mkdtemp()) / "body.json"
        bare_file.write_bytes(stored)
        os.environ["BENCH_BARE_BODY"] = str(bare_file)
        import bare_app

        apps = {"bare endpoint": bare_app.app, "+ middlewares": _guarded(bare_app.extract),
                "service (hit)": service}  # fmt: skip
        best = dict.fromkeys(apps, float("inf"))
        for _ in range(rounds):
            for name, app in apps.items():
                t = time.process_time()
                for _ in range(requests):
                    await _call(app, body)
                best[name] = min(best[name], (time.process_time() - t) / requests * 1e6)
    model.stop()
    previous = 0.0
    for name, us in best.items():
        print(f"{name:<15} {us:6.0f} us/request  (+{us - previous:4.0f})")
        previous = us


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    asyncio.run(main(a.requests, a.rounds))
