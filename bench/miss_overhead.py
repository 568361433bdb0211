"""What the service adds to a cache miss: end-to-end time over the model's own fixed delay.

    .venv/bin/python bench/miss_overhead.py [--delay 0.2] [--requests 40]

The scripted model answers the seed article's Riyadh meeting after `delay` seconds; the cache is
off, so every request runs the whole pipeline (sentences, prompt, client, grounding, times,
places, validation). Reports p50/p95 of end-to-end latency divided by the delay.

Side by side, the same client then sends the scripted model the very request the service sent
it, as often: that is the model call alone (one HTTP hop after an idle pause, and the scripted
server's own work), so the difference of the two medians is what the service adds. Last, the
client posts the same body to a bare FastAPI endpoint (bare_app.py) with the same idle pause
between requests: what one more HTTP hop costs on this machine before any work is done. The
model alone plus that hop is the floor no service in front of the model could beat here.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from common import SEED, start_api, start_bare, stop

from tests.conftest import riyadh_draft


def main(delay: float, requests: int) -> None:
    from tests.fakeserver import FakeModelServer, Reply

    draft = riyadh_draft(SEED)
    model = FakeModelServer(default=lambda _p: Reply.json(draft, delay=delay)).start()
    api, base = start_api({"BACKCHANNEL_BASE_URL": model.base_url,
                           "BACKCHANNEL_CACHE_ENABLED": "false",
                           "BACKCHANNEL_CACHE_DIR": tempfile.mkdtemp()})  # fmt: skip
    body = {"text": SEED, "published_at": "2025-02-20"}
    tmp = Path(tempfile.mkdtemp())
    bare = None
    try:
        with httpx.Client(timeout=30) as client:
            service = _timed(client, f"{base}/v1/extract", body, requests)
            model_alone = _timed(client, f"{model.base_url}/chat/completions",
                                 model.requests[-1], requests)  # fmt: skip
            (tmp / "body.json").write_bytes(client.post(f"{base}/v1/extract", json=body).content)
            bare, bare_url = start_bare(tmp / "body.json")
            hop = _timed(client, bare_url, body, requests, pause=delay)
    finally:
        stop(api, *([bare] if bare else []))
        model.stop()
    print(f"delay {delay * 1000:.0f} ms, {requests} requests each")
    for name, times in (("service", service), ("model alone", model_alone)):
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{name:<12} p50 {p50 * 1000:6.1f} ms (ratio {p50 / delay:.3f})  "
              f"p95 {p95 * 1000:6.1f} ms (ratio {p95 / delay:.3f})")  # fmt: skip
    added = statistics.median(service) - statistics.median(model_alone)
    floor = statistics.median(model_alone) + statistics.median(hop)
    print(f"the service adds {added * 1000:.1f} ms at p50 to the model call alone; "
          f"a bare endpoint hop after the same pause costs {statistics.median(hop) * 1000:.1f} ms, "
          f"so the floor is {floor / delay:.3f}")  # fmt: skip


def _timed(
    client: httpx.Client, url: str, body: dict, requests: int, pause: float = 0.0
) -> list[float]:
    """Latencies of `requests` sequential POSTs, after 3 warm-up ones (connections, page-in)."""
    times = []
    for i in range(requests + 3):
        time.sleep(pause)
        t = time.perf_counter()
        r = client.post(url, json=body)
        elapsed = time.perf_counter() - t
        reply = r.json()
        assert r.status_code == 200 and (reply.get("meetings") or reply.get("choices")), r.text
        if i >= 3:
            times.append(elapsed)
    return times


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--requests", type=int, default=40)
    a = ap.parse_args()
    main(a.delay, a.requests)
