"""Batch throughput vs concurrency: `extract --jsonl` against the scripted model, cache off.

    .venv/bin/python bench/batch_scaling.py [--articles 200] [--delay 0.2] [--levels 1,2,4,8,16]

The scripted model is multi-threaded (unbounded slots) and answers after a fixed delay, so the
ideal throughput at concurrency N is N times that at 1. Each level runs twice, over `articles` and
over twice as many: the difference of the two wall times is what the extra articles cost, so the
steady-state rate leaves out the fixed start-up (imports, gazetteer, first connection), which is
reported on its own. Every item calls the model (cache off).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, start_fake_model, stop


def _write_batch(path: Path, count: int) -> None:
    texts = sorted((ROOT / "eval" / "dev").glob("*.json"))
    with path.open("w") as fh:
        for i in range(count):
            art = json.loads(texts[i % len(texts)].read_text())
            fh.write(json.dumps({"id": f"{i}", "text": art["text"],
                                 "published_at": art["published_at"]}) + "\n")  # fmt: skip


def _run(cli: str, src: Path, count: int, concurrency: int, env: dict[str, str]) -> float:
    t = time.perf_counter()
    proc = subprocess.run([cli, "extract", "--jsonl", str(src), "--concurrency", str(concurrency)],
                          env=env, capture_output=True, text=True)  # fmt: skip
    elapsed = time.perf_counter() - t
    assert proc.returncode == 0, proc.stderr[-500:]
    lines = proc.stdout.splitlines()
    assert len(lines) == count and all('"meetings"' in line for line in lines), lines[:1]
    return elapsed


def main(articles: int, delay: float, levels: list[int]) -> None:
    model, model_url = start_fake_model(delay=delay)
    tmp = Path(tempfile.mkdtemp())
    small, large = tmp / "small.jsonl", tmp / "large.jsonl"
    _write_batch(small, articles)
    _write_batch(large, 2 * articles)
    cli = str(Path(sys.executable).with_name("backchannel"))
    env = {**os.environ, "BACKCHANNEL_BASE_URL": model_url, "BACKCHANNEL_CACHE_ENABLED": "false",
           "BACKCHANNEL_STRATEGY": "single"}  # fmt: skip
    rows = []
    try:
        for n in levels:
            t_small = _run(cli, small, articles, n, env)
            t_large = _run(cli, large, 2 * articles, n, env)
            rate = articles / (t_large - t_small)
            rows.append((n, rate, t_small - articles / rate, 2 * articles / t_large))
    finally:
        stop(model)
    base = rows[0][1]
    print(f"{articles} and {2 * articles} articles, scripted model {delay * 1000:.0f} ms per call")
    for n, rate, startup, whole in rows:
        print(f"concurrency {n:>3}: {rate:7.2f} articles/s steady  x{rate / base:5.2f} "
              f"({rate / base / n:.2f} of ideal)  start-up {startup:4.1f} s  "
              f"whole {2 * articles}-article run {whole:6.2f} articles/s")  # fmt: skip


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--levels", default="1,2,4,8,16")
    a = ap.parse_args()
    main(a.articles, a.delay, [int(x) for x in a.levels.split(",")])
