"""Shared pieces for the benchmarks: free ports, the API as a real uvicorn process, RSS, drafts
rebuilt and scored without the model."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from backchannel.evaluation import report as evaluate
from backchannel.evaluation.gold import GoldArticle
from backchannel.model.draft import Draft
from backchannel.pipeline.extractor import Extractor, StoredDraft

ROOT = Path(__file__).resolve().parent.parent
SEED = (ROOT / "examples" / "seed-article.txt").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready after {timeout}s")


def start_api(env: dict[str, str], port: int | None = None) -> tuple[subprocess.Popen, str]:
    """`backchannel serve` in its own process, as deployed (one uvicorn worker)."""
    port = port or free_port()
    cli = str(Path(sys.executable).with_name("backchannel"))
    proc = subprocess.Popen(
        [cli, "serve", "--host", "127.0.0.1", "--port", str(port)],
        # The scripted model answers whole-article drafts: the `single` strategy's one call.
        # A throwaway corpus store: a benchmark never writes to the user's.
        env={**os.environ, "BACKCHANNEL_LOG_LEVEL": "WARNING", "BACKCHANNEL_STRATEGY": "single",
             "BACKCHANNEL_DATABASE_URL": f"sqlite:///{tempfile.mkdtemp(prefix='bench-')}/c.db",
             **env},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_ready(f"{base}/healthz")
    return proc, base


def start_bare(body_file: Path) -> tuple[subprocess.Popen, str]:
    """bare_app.py under uvicorn, one worker: FastAPI answering with `body_file`, nothing else."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bare_app:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT / "bench", env={**os.environ, "BENCH_BARE_BODY": str(body_file)},
    )  # fmt: skip
    wait_ready(f"http://127.0.0.1:{port}/docs")
    return proc, f"http://127.0.0.1:{port}/v1/extract"


def start_fake_model(delay: float, port: int | None = None) -> tuple[subprocess.Popen, str]:
    port = port or free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakeserver", "--port", str(port), "--delay", str(delay)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set size."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def stop(*procs: subprocess.Popen) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()


def score_drafts(
    extractor: Extractor,
    articles: list[GoldArticle],
    drafts: dict[str, Draft],
    stored: dict[str, dict],
    out: Path,
    meta: dict,
) -> evaluate.EvalReport:
    """Each article's draft (`drafts[id]`, a `Draft`) through the code after the model, as
    `eval --reassemble` would, with its stored cost (`stored[id]`, a drafts.jsonl entry); the
    results written to `out` (JSONL) and scored. For the benchmarks that ask what another answer
    would have scored, with no model call."""
    predictions = {}
    for a in articles:
        stats = StoredDraft.model_validate(stored[a.id]).stats()
        result = extractor.build(a.request(), drafts[a.id], stats)
        predictions[a.id] = json.loads(result.model_dump_json())
    with out.open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions.values())
    return evaluate.score_predictions(articles, predictions, meta)
