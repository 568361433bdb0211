"""What the service adds to a cache miss: end-to-end time over the model's own fixed delay.

    .venv/bin/python bench/miss_overhead.py [--delay 0.2] [--requests 40]

The scripted model answers the seed article's Riyadh meeting after `delay` seconds; the cache is
off, so every request runs the whole pipeline (sentences, prompt, client, grounding, times,
places, validation). Reports p50/p95 of end-to-end latency divided by the delay.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import httpx
from common import SEED, start_api, stop

from tests.conftest import riyadh_draft


def main(delay: float, requests: int) -> None:
    from tests.fakeserver import FakeModelServer, Reply

    draft = riyadh_draft(SEED)
    model = FakeModelServer(default=lambda _p: Reply.json(draft, delay=delay)).start()
    api, base = start_api({"BACKCHANNEL_BASE_URL": model.base_url,
                           "BACKCHANNEL_CACHE_ENABLED": "false",
                           "BACKCHANNEL_CACHE_DIR": tempfile.mkdtemp()})  # fmt: skip
    body = {"text": SEED, "published_at": "2025-02-20"}
    times = []
    try:
        with httpx.Client(timeout=30) as client:
            for i in range(requests + 3):
                t = time.perf_counter()
                r = client.post(f"{base}/v1/extract", json=body)
                elapsed = time.perf_counter() - t
                assert r.status_code == 200 and r.json()["meetings"], r.text
                if i >= 3:  # warm-up: first connections, gazetteer page-in
                    times.append(elapsed)
    finally:
        stop(api)
        model.stop()
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"delay {delay * 1000:.0f} ms, {requests} requests")
    print(f"p50 {p50 * 1000:.1f} ms (ratio {p50 / delay:.3f})")
    print(f"p95 {p95 * 1000:.1f} ms (ratio {p95 / delay:.3f})")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--requests", type=int, default=40)
    a = ap.parse_args()
    main(a.delay, a.requests)
