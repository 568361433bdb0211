"""The real model: seconds per article, tokens per second and the share of time outside the model.

    .venv/bin/python bench/real_model.py [--articles 4] [--levels 1,2] [--strategy sentence]
                                         [--no-warmup]

Runs `backchannel eval --no-cache` over the N shortest eval articles on the embedded llama.cpp
server (started once, shared by every level), at each concurrency in turn. Every result carries
`usage.model_ms`, the time spent waiting on the model server, so the share of an article's time
spent in our own code is `1 - model_ms / latency_ms`, summed over the articles.

A fresh server answers its first pass over the articles about 2.5 times slower than later ones,
so one unreported pass at concurrency 1 goes first: the levels then compare in any order.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from backchannel.embedded.local_server import embedded_backend
from backchannel.settings import Settings
from common import ROOT


def shortest(n: int) -> Path:
    folder = Path(tempfile.mkdtemp()) / "set"
    folder.mkdir()
    files = sorted((ROOT / "eval" / "dev").glob("*.json"), key=lambda f: f.stat().st_size)
    for f in files[:n]:
        shutil.copy(f, folder)
    return folder


def run(folder: Path, concurrency: int, env: dict[str, str]) -> dict:
    out = Path(tempfile.mkdtemp())
    cli = str(Path(sys.executable).with_name("backchannel"))
    started = time.perf_counter()
    proc = subprocess.run(
        [cli, "eval", "--set", str(folder), "--out", str(out), "--no-cache",
         "--concurrency", str(concurrency)],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr[-800:]
    results = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    model_ms = sum(r["usage"]["model_ms"] for r in results)
    latency_ms = sum(r["latency_ms"] for r in results)
    completion = sum(r["usage"]["completion_tokens"] for r in results)
    prompt = sum(r["usage"]["prompt_tokens"] for r in results)
    return {
        "concurrency": concurrency,
        "articles": len(results),
        "wall_s": round(wall, 1),
        "s_per_article": round(wall / len(results), 1),
        "completion_tok_per_s": round(completion / wall, 2),
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "outside_model_share": round(1 - model_ms / latency_ms, 4) if latency_ms else None,
    }


def main(
    articles: int, levels: list[int], strategy: str, max_tokens: int | None, warmup: bool
) -> None:
    settings = Settings()
    if not settings.embedded:
        sys.exit("unset BACKCHANNEL_BASE_URL: this benchmark measures the embedded model")
    env = {**os.environ, "BACKCHANNEL_STRATEGY": strategy}
    if max_tokens:
        env["BACKCHANNEL_MAX_TOKENS"] = str(max_tokens)
    folder = shortest(articles)
    # One server for every level: each eval finds it running and leaves it up.
    with embedded_backend(settings, lambda msg: print(msg, file=sys.stderr)):
        if warmup:
            print(f"warm-up pass: {json.dumps(run(folder, 1, env))}", file=sys.stderr)
        rows = [run(folder, n, env) for n in levels]
    base = rows[0]["wall_s"]
    for row in rows:
        row["throughput_vs_first"] = round(base / row["wall_s"], 2)
        print(json.dumps(row))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=4)
    ap.add_argument("--levels", default="1,2")
    ap.add_argument("--strategy", default="sentence")
    ap.add_argument("--max-tokens", type=int, help="default: the strategy's own bound")
    ap.add_argument("--no-warmup", dest="warmup", action="store_false",
                    help="report the first pass on a fresh server too")  # fmt: skip
    a = ap.parse_args()
    main(a.articles, [int(x) for x in a.levels.split(",")], a.strategy, a.max_tokens, a.warmup)
