"""Batch throughput vs concurrency: `extract --jsonl` over 200 articles, scripted model.

    .venv/bin/python bench/batch_scaling.py [--articles 200] [--delay 0.2]

The scripted model is multi-threaded (unbounded slots) and answers after a fixed delay, so the
ideal throughput at concurrency N is N times that at 1. Cache off, so every item calls the model.
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


def main(articles: int, delay: float, levels: list[int]) -> None:
    model, model_url = start_fake_model(delay=delay)
    texts = sorted((ROOT / "eval" / "articles").glob("*.json"))
    src = Path(tempfile.mkdtemp()) / "batch.jsonl"
    with src.open("w") as fh:
        for i in range(articles):
            art = json.loads(texts[i % len(texts)].read_text())
            fh.write(json.dumps({"id": f"{i}", "text": art["text"],
                                 "published_at": art["published_at"]}) + "\n")  # fmt: skip
    cli = str(Path(sys.executable).with_name("backchannel"))
    env = {**os.environ, "BACKCHANNEL_BASE_URL": model_url, "BACKCHANNEL_CACHE_ENABLED": "false",
           "BACKCHANNEL_STRATEGY": "single"}  # fmt: skip
    results = {}
    try:
        for n in levels:
            t = time.perf_counter()
            proc = subprocess.run([cli, "extract", "--jsonl", str(src), "--concurrency", str(n)],
                                  env=env, capture_output=True, text=True)  # fmt: skip
            elapsed = time.perf_counter() - t
            assert proc.returncode == 0, proc.stderr[-500:]
            assert len(proc.stdout.splitlines()) == articles
            results[n] = articles / elapsed
    finally:
        stop(model)
    base = results[levels[0]]
    for n, rate in results.items():
        ideal = min(n, articles)
        print(f"concurrency {n:>3}: {rate:7.2f} articles/s  x{rate / base:5.2f} "
              f"(ideal x{ideal}, {rate / base / ideal:.2f} of ideal)")  # fmt: skip


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--delay", type=float, default=0.2)
    ap.add_argument("--levels", default="1,2,4,8,16")
    a = ap.parse_args()
    main(a.articles, a.delay, [int(x) for x in a.levels.split(",")])
