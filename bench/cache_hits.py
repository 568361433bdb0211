"""Cache hits over HTTP vs a bare FastAPI endpoint returning the same JSON, side by side.

    .venv/bin/python bench/cache_hits.py [--seconds 10] [--connections 16] [--rounds 3]

Needs wrk (apt-get install wrk). Both servers: uvicorn, one worker, same host; same wrk settings;
rounds alternate (bare, service, bare, service, ...) so drift hits both alike. The ratio reported
is the median over rounds of service/bare within a round: this machine's speed drifts by a
quarter between runs, so only side-by-side pairs compare.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from common import SEED, start_api, start_bare, start_fake_model, stop

LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = {body}
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %f %f %f\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def run_wrk(url: str, script: Path, seconds: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    n, duration, p50, p99 = re.search(r"RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+)", out).groups()
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": int(n) / float(duration), "p50_ms": float(p50), "p99_ms": float(p99),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}  # fmt: skip


def main(seconds: int, connections: int, rounds: int) -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install -y wrk")
    tmp = Path(tempfile.mkdtemp(prefix="bench-hits-"))
    model, model_url = start_fake_model(delay=0.0)
    api, base = start_api({"BACKCHANNEL_BASE_URL": model_url, "BACKCHANNEL_CACHE_DIR": str(tmp)})
    body = json.dumps({"text": SEED, "published_at": "2025-02-20"})
    stored = httpx.post(f"{base}/v1/extract", content=body,
                        headers={"content-type": "application/json"}, timeout=30)  # fmt: skip
    hit = httpx.post(f"{base}/v1/extract", content=body,
                     headers={"content-type": "application/json"}, timeout=30)  # fmt: skip
    assert stored.status_code == 200 and hit.json()["cached"] is True
    (tmp / "body.json").write_bytes(hit.content)
    bare, bare_url = start_bare(tmp / "body.json")
    script = tmp / "post.lua"
    script.write_text(LUA.format(body=json.dumps(body)))
    try:
        runs: dict[str, list[dict]] = {"bare": [], "service": []}
        for _ in range(rounds):
            runs["bare"].append(run_wrk(bare_url, script, seconds, connections))
            runs["service"].append(run_wrk(f"{base}/v1/extract", script, seconds, connections))
    finally:
        stop(api, model, bare)
    for k, rs in runs.items():
        for r in rs:
            print(f"{k:<8} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:6.2f} ms  "
                  f"p99 {r['p99_ms']:6.2f} ms  non-2xx {r['non_2xx']}")  # fmt: skip
    ratios = [s["rps"] / b["rps"] for b, s in zip(runs["bare"], runs["service"], strict=True)]
    print("ratio service/bare per round: " + ", ".join(f"{r:.2f}" for r in ratios))
    print(f"throughput ratio service/bare (median of rounds): {statistics.median(ratios):.2f}")
    print(json.dumps({"rounds": runs}))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    main(a.seconds, a.connections, a.rounds)
