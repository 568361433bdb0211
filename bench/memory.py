"""Peak RSS of the API process: at start, after 10,000 cache hits, after 500 misses.

.venv/bin/python bench/memory.py [--hits 10000] [--misses 500]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile

import httpx
from common import SEED, peak_rss_mb, rss_mb, start_api, start_fake_model, stop


async def hammer(base: str, bodies: list[dict], concurrency: int = 16) -> None:
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def one(body: dict) -> None:
            async with sem:
                r = await client.post("/v1/extract", json=body)
                assert r.status_code == 200, r.text

        await asyncio.gather(*(one(b) for b in bodies))


def main(hits: int, misses: int) -> None:
    model, model_url = start_fake_model(delay=0.0)
    api, base = start_api({"BACKCHANNEL_BASE_URL": model_url,
                           "BACKCHANNEL_CACHE_DIR": tempfile.mkdtemp(),
                           "BACKCHANNEL_MAX_QUEUE": "1000"})  # fmt: skip
    try:
        start = rss_mb(api.pid)
        asyncio.run(hammer(base, [{"text": SEED}] * hits))
        after_hits = peak_rss_mb(api.pid)
        bodies = [{"text": f"{SEED}\nUpdate {i}: envoys met again."} for i in range(misses)]
        asyncio.run(hammer(base, bodies))
        after_misses = peak_rss_mb(api.pid)
    finally:
        stop(api, model)
    print(f"RSS at start {start:.0f} MB; peak after {hits} hits {after_hits:.0f} MB; "
          f"peak after {misses} more misses {after_misses:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--hits", type=int, default=10_000)
    ap.add_argument("--misses", type=int, default=500)
    a = ap.parse_args()
    main(a.hits, a.misses)
