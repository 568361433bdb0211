"""Model servers and their options side by side: seconds per article, tokens, and quality.

    .venv/bin/python bench/servers.py [--set eval/dev] [--articles 20]
        [--variants llama-cpp-python,llama-server,cache-reuse,ngram,draft-0.5b] [--out DIR]

Each variant answers the same articles (`--articles N`: every k-th of the set by id, so lengths
stay spread as in the set; default all), one variant after the other, on its own freshly started
server; one unreported article goes first on each so that no variant pays the others' warm-up.
The runs use `backchannel eval --no-cache`, so every answer comes from the model and each variant
gets its own report (meeting F1, strict slot F1 and their intervals) beside its timings:

- `model_s`: time spent waiting on the model (`usage.model_ms`), per article;
- `evaluated`: prompt tokens the server actually evaluated (its log; prefix reuse saves the rest)
  against `sent`, the prompt tokens of the requests;
- `generated`: completion tokens per article.

Variants are the embedded llama-server with more options (`BACKCHANNEL_SERVER_ARGS`), or
llama-cpp-python's server (the `.[local]` extra), which asks for `json_object` (its dialect).
Only one server runs at a time: two would share two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from backchannel.embedded import model_files
from backchannel.embedded.local_server import embedded_backend, is_ready, stop
from backchannel.settings import Settings
from common import ROOT, free_port


def _draft_model() -> str:
    settings = Settings()
    variant = model_files.VARIANTS["0.5b"]
    status = model_files.check_cached(settings.model_dir, variant)
    if not status.verified:
        status = model_files.install(settings.model_dir, variant, print)
    return str(status.path)


# name -> llama-server options (a callable when they need a file); None: llama-cpp-python.
VARIANTS: dict[str, object] = {
    "llama-cpp-python": None,
    "llama-server": "",
    "cache-reuse": "--cache-reuse 256",
    "ngram": "--spec-type ngram-simple --spec-draft-n-max 16",
    "draft-0.5b": lambda: f"--model-draft {_draft_model()} --spec-draft-n-max 8",
}
WARM_UP = {
    "id": "warm-up",
    "published_at": "2025-01-10",
    "text": "Envoys of Chile and Peru met in Lima on Monday to discuss fishing rights, officials "
    "said. The talks will resume in Santiago next month.",
    "meetings": [],
}
_EVALUATED = re.compile(r"prompt eval time =\s*[\d.]+ ms /\s*(\d+) tokens")


def spread(folder: Path, n: int | None) -> Path:
    files = sorted(folder.glob("*.json"))
    if n and n < len(files):
        step = len(files) / n
        files = [files[int(i * step)] for i in range(n)]
    out = Path(tempfile.mkdtemp()) / "set"
    out.mkdir()
    for f in files:
        shutil.copy(f, out)
    return out


def evaluate(folder: Path, env: dict[str, str], out: Path) -> dict:
    cli = str(Path(sys.executable).with_name("backchannel"))
    started = time.perf_counter()
    proc = subprocess.run(
        [cli, "eval", "--set", str(folder), "--out", str(out), "--no-cache"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-800:])
    wall = time.perf_counter() - started
    report = json.loads((out / "report.json").read_text())
    results = [json.loads(line) for line in (out / "predictions.jsonl").read_text().splitlines()]
    n = len(results)
    return {
        "articles": n,
        "wall_s": round(wall, 1),
        "model_s": round(sum(r["usage"]["model_ms"] for r in results) / 1000 / n, 1),
        "sent": round(sum(r["usage"]["prompt_tokens"] for r in results) / n),
        "generated": round(sum(r["usage"]["completion_tokens"] for r in results) / n),
        "meeting_f1": round(report["score"]["meetings"]["f1"], 3),
        "slot_f1_strict": round(report["score"]["slot_f1_strict"], 3),
        "intervals_95": report["intervals_95"],
        "failed": report["stats"]["failed"],
    }


def evaluated_tokens(log: Path, offset: int, articles: int) -> int | None:
    text = log.read_text(errors="replace")[offset:] if log.exists() else ""
    counts = [int(x) for x in _EVALUATED.findall(text)]
    return round(sum(counts) / articles) if counts else None


def run_llama_server(name: str, options: str, warm: Path, folder: Path, out: Path) -> dict:
    # A port of its own: a server left running on the default one would be used as it is,
    # whatever options this variant asks for.
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "BACKCHANNEL_BASE_URL"}
    env["BACKCHANNEL_SERVER_PORT"] = str(port)
    settings = Settings(base_url=None, server_args=options, server_port=port)
    log = settings.model_dir / "server.log"
    with embedded_backend(settings, lambda msg: print(msg, file=sys.stderr)):
        evaluate(warm, env, out / f"{name}-warm")
        offset = len(log.read_text(errors="replace")) if log.exists() else 0
        row = evaluate(folder, env, out / name)
    row["evaluated"] = evaluated_tokens(log, offset, row["articles"])
    return row


def run_llama_cpp_python(warm: Path, folder: Path, out: Path) -> dict:
    settings = Settings()
    path = model_files.model_path(settings.model_dir, model_files.VARIANTS["1.5b"])
    port = free_port()
    log = out / "llama-cpp-python.log"
    threads = str(os.cpu_count() or 2)
    with log.open("wb") as fh:
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(path),
             "--model_alias", settings.effective_model, "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", str(settings.server_ctx), "--n_threads", threads,
             "--n_threads_batch", threads],
            stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 300
        while not is_ready(base) and time.monotonic() < deadline:
            time.sleep(1)
        env = {**os.environ, "BACKCHANNEL_BASE_URL": base, "BACKCHANNEL_MODEL":
               settings.effective_model, "BACKCHANNEL_RESPONSE_FORMAT": "json_object"}  # fmt: skip
        evaluate(warm, env, out / "llama-cpp-python-warm")
        offset = len(log.read_text(errors="replace"))
        row = evaluate(folder, env, out / "llama-cpp-python")
    finally:
        stop(server)
    row["evaluated"] = evaluated_tokens(log, offset, row["articles"])
    return row


def main(set_dir: Path, articles: int | None, variants: list[str], out: Path) -> None:
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown:
        sys.exit(f"unknown variant(s) {unknown}; known: {', '.join(VARIANTS)}")
    folder = spread(set_dir, articles)
    chosen = {f.name for f in folder.glob("*.json")}
    spare = next((f for f in sorted(set_dir.glob("*.json")) if f.name not in chosen), None)
    warm = Path(tempfile.mkdtemp()) / "warm"
    warm.mkdir()
    if spare is not None:
        shutil.copy(spare, warm)
    else:  # the whole set is measured: warm up on a text of none of its articles
        (warm / "warm-up.json").write_text(json.dumps(WARM_UP))
    out.mkdir(parents=True, exist_ok=True)
    for name in variants:
        options = VARIANTS[name]
        if options is None:
            row = run_llama_cpp_python(warm, folder, out)
        else:
            words = options() if callable(options) else str(options)
            row = run_llama_server(name, words, warm, folder, out)
        row = {"variant": name, **row}
        print(json.dumps(row), flush=True)
        with (out / "rows.jsonl").open("a") as fh:
            fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--set", type=Path, default=ROOT / "eval" / "dev")
    ap.add_argument("--articles", type=int, help="every k-th article of the set (default: all)")
    ap.add_argument("--variants", default="llama-cpp-python,llama-server")
    ap.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp()) / "servers")
    a = ap.parse_args()
    main(a.set, a.articles, a.variants.split(","), a.out)
