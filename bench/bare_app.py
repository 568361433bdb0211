"""The reference for the cache-hit benchmark: FastAPI returning a stored JSON body, nothing else."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI, Request, Response

BODY = Path(os.environ["BENCH_BARE_BODY"]).read_bytes()
app = FastAPI()


@app.post("/v1/extract")
async def extract(request: Request) -> Response:
    await request.body()
    return Response(BODY, media_type="application/json")
