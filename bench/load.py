"""Load test: a bounded burst of mixed requests against the API; every one must be answered.

    .venv/bin/python bench/load.py [--requests 2000] [--concurrency 64]

Mix: cache hits, misses (scripted model, 50 ms), invalid bodies, oversized bodies, wrong content
type, bad keys. With 2 model slots and a queue of 8, misses beyond that get 503 + Retry-After.
Counts every response by status; any connection error or 500 is a failure (exit 1).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import random
import tempfile
import time

import httpx
from common import SEED, start_api, start_fake_model, stop


async def main(requests: int, concurrency: int) -> int:
    model, model_url = start_fake_model(delay=0.05)
    tmp = tempfile.mkdtemp(prefix="bench-load-")
    api, base = start_api({
        "BACKCHANNEL_BASE_URL": model_url, "BACKCHANNEL_CACHE_DIR": tmp,
        "BACKCHANNEL_API_KEYS": "bench-key", "BACKCHANNEL_MAX_INFLIGHT": "2",
        "BACKCHANNEL_MAX_QUEUE": "8", "BACKCHANNEL_MAX_TEXT_CHARS": "20000",
    })  # fmt: skip
    auth = {"authorization": "Bearer bench-key"}
    rng = random.Random(7)
    kinds = ["hit"] * 50 + ["miss"] * 20 + ["invalid"] * 10 + ["oversized"] * 5 + \
        ["content_type"] * 5 + ["bad_key"] * 10  # fmt: skip
    statuses: collections.Counter[str] = collections.Counter()
    errors: list[str] = []
    sem = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await client.post("/v1/extract", json={"text": SEED}, headers=auth)  # warm the cache

        async def one(i: int) -> None:
            kind = rng.choice(kinds)
            kw: dict = {"headers": dict(auth)}
            if kind == "hit":
                kw["json"] = {"text": SEED}
            elif kind == "miss":
                kw["json"] = {"text": f"Envoys met in Geneva, round {i} of {rng.random()}."}
            elif kind == "invalid":
                kw["json"] = rng.choice([{"text": ""}, {"text": 3}, {"txt": "x"},
                                         {"text": "x", "published_at": "20/02/2025"}])  # fmt: skip
            elif kind == "oversized":
                kw["json"] = {"text": "x" * 400_000}
            elif kind == "content_type":
                kw["content"] = b"text=hello"
                kw["headers"]["content-type"] = "text/plain"
            else:
                kw["headers"] = {"authorization": "Bearer wrong"}
                kw["json"] = {"text": SEED}
            async with sem:
                try:
                    r = await client.post("/v1/extract", **kw)
                except httpx.HTTPError as exc:
                    errors.append(f"{kind}: {type(exc).__name__}")
                    return
            statuses[f"{kind} {r.status_code}"] += 1
            if r.status_code >= 500 and r.status_code != 503:
                errors.append(f"{kind}: HTTP {r.status_code} {r.text[:100]}")
            if r.status_code == 503 and "retry-after" not in r.headers:
                errors.append(f"{kind}: 503 without Retry-After")
            json.loads(r.text)  # every answer is JSON

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(requests)))
        elapsed = time.perf_counter() - started
    stop(api, model)
    answered = sum(statuses.values())
    print(f"{requests} requests, concurrency {concurrency}, {elapsed:.1f} s, answered {answered}")
    for key, n in sorted(statuses.items()):
        print(f"  {key:<20} {n}")
    for e in errors[:20]:
        print("  ERROR", e)
    lost = requests - answered
    print(f"lost: {lost}, errors: {len(errors)}")
    return 1 if lost or errors else 0


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=64)
    args = ap.parse_args()
    raise SystemExit(asyncio.run(main(args.requests, args.concurrency)))
