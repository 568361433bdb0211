"""One real extraction through the embedded llama.cpp server (the only test that uses a model).

Runs when BACKCHANNEL_E2E=1 (`make test` and CI set it); then missing prerequisites fail the test
instead of skipping it, so CI cannot pass without really exercising the model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from backchannel.contract.schema import ExtractResult

from tests.factories import SEED_PATH

pytestmark = [
    pytest.mark.real_model,
    pytest.mark.skipif(os.environ.get("BACKCHANNEL_E2E") != "1", reason="set BACKCHANNEL_E2E=1"),
]
CLI = str(Path(sys.executable).with_name("backchannel"))


def test_seed_article_on_the_embedded_model(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKCHANNEL_")}
    env.update(
        BACKCHANNEL_CACHE_DIR=str(tmp_path / "cache"),
        BACKCHANNEL_SERVER_PORT=os.environ.get("BACKCHANNEL_E2E_PORT", "8791"),
    )
    if "BACKCHANNEL_MODEL_DIR" in os.environ:
        env["BACKCHANNEL_MODEL_DIR"] = os.environ["BACKCHANNEL_MODEL_DIR"]
    started = time.monotonic()
    proc = subprocess.run(
        [CLI, "extract", str(SEED_PATH), "--published-at", "2025-02-20", "--id", "seed"],
        capture_output=True, text=True, env=env, timeout=1200,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr
    result = ExtractResult.model_validate_json(proc.stdout)
    text = SEED_PATH.read_text(encoding="utf-8")
    result.check_grounded(text)
    assert result.meetings, f"no meeting found; warnings: {result.warnings}"
    assert result.model == "qwen2.5-coder-1.5b-instruct-q4_k_m" and result.usage.calls >= 1
    assert result.id == "seed" and result.published_at.isoformat() == "2025-02-20"
    summary = {
        "wall_s": round(elapsed, 1),
        "latency_ms": result.latency_ms,
        "usage": result.usage.model_dump(),
        "meetings": len(result.meetings),
        "warnings": len(result.warnings),
    }
    print("E2E", json.dumps(summary))
