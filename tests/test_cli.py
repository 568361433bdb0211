"""The `backchannel` command, run as a real subprocess against the scripted model server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.factories import SEED_PATH, riyadh_draft
from tests.fakeserver import FakeModelServer, Reply

CLI = str(Path(sys.executable).with_name("backchannel"))

# The meeting from CONTRACT.md, whose offsets are real offsets in the seed article.
CONTRACT_LAVROV = {
    "name": "Sergei Lavrov",
    "mention": "Russian Foreign Minister Sergei Lavrov",
    "span": [1455, 1493],
    "affiliation": "Russia",
    "role": "Foreign Minister",
    "capacity": "official",
}
CONTRACT_LOCATION = {"mention": "Saudi Arabia", "place": None, "country": "Saudi Arabia",
                     "span": [1431, 1443]}  # fmt: skip
CONTRACT_TIME = {"mention": "On Tuesday", "start": "2025-02-18", "end": "2025-02-18",
                 "span": [1372, 1382]}  # fmt: skip
CONTRACT_EVIDENCE = {
    "text": "On Tuesday, top US officials met with Russian officials in Saudi Arabia, "
    "including Russian Foreign Minister Sergei Lavrov.",
    "start": 1372,
    "end": 1494,
}


def run_cli(args: list[str], env: dict[str, str], stdin: str | None = None):
    return subprocess.run(
        [CLI, *args], input=stdin, capture_output=True, text=True, env={**os.environ, **env},
        timeout=60,
    )  # fmt: skip


def _env(server: FakeModelServer, tmp_path: Path, strategy: str = "single") -> dict[str, str]:
    return {
        "BACKCHANNEL_BASE_URL": server.base_url,
        "BACKCHANNEL_MODEL": "fake-model",
        "BACKCHANNEL_STRATEGY": strategy,
        "BACKCHANNEL_CACHE_DIR": str(tmp_path / "cache"),
        "BACKCHANNEL_MAX_RETRIES": "0",
    }


def test_extract_seed_matches_contract_example(fake_model, tmp_path, seed_text, strategy):
    fake_model.default = lambda _p: Reply.meetings(riyadh_draft(seed_text))
    proc = run_cli(["extract", str(SEED_PATH), "--published-at", "2025-02-20", "--id", "seed"],
                   _env(fake_model, tmp_path, strategy))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["id"] == "seed"
    assert result["published_at"] == "2025-02-20"
    [meeting] = result["meetings"]
    # The contract's example participant, plus this service's one extension: where the name is.
    [lavrov] = [p for p in meeting["participants"] if p["name"] == "Sergei Lavrov"]
    assert {k: v for k, v in lavrov.items() if k != "name_span"} == CONTRACT_LAVROV
    assert seed_text[slice(*lavrov["name_span"])] == "Sergei Lavrov"
    assert meeting["location"] == CONTRACT_LOCATION
    assert meeting["time"] == CONTRACT_TIME
    assert meeting["evidence"] == CONTRACT_EVIDENCE
    assert meeting["track"] == "official" and meeting["status"] == "held"
    assert {p["affiliation"] for p in meeting["participants"]} == {"United States", "Russia"}
    assert result["warnings"] == []
    assert result["cached"] is False and result["usage"]["calls"] == len(fake_model.requests)
    for p in meeting["participants"]:
        assert seed_text[p["span"][0] : p["span"][1]] == p["mention"]


def test_extract_reads_stdin_and_second_run_is_cached(fake_model, tmp_path, seed_text, strategy):
    fake_model.default = lambda _p: Reply.meetings(riyadh_draft(seed_text))
    env = _env(fake_model, tmp_path, strategy)
    first = run_cli(["extract", "-", "--published-at", "2025-02-20"], env, stdin=seed_text)
    second = run_cli(["extract", "-", "--published-at", "2025-02-20"], env, stdin=seed_text)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["cached"] is True
    assert json.loads(second.stdout)["meetings"] == json.loads(first.stdout)["meetings"]
    assert len(fake_model.requests) == json.loads(first.stdout)["usage"]["calls"]


def test_no_cache_calls_the_model_every_time(fake_model, tmp_path, seed_text, strategy):
    fake_model.default = lambda _p: Reply.meetings()
    env = _env(fake_model, tmp_path, strategy)
    calls = 0
    for _ in range(2):
        proc = run_cli(["extract", str(SEED_PATH), "--no-cache"], env)
        assert proc.returncode == 0, proc.stderr
        result = json.loads(proc.stdout)
        assert result["cached"] is False and result["usage"]["calls"] > 0
        calls += result["usage"]["calls"]
    assert len(fake_model.requests) == calls


def test_errors_are_one_line_and_nonzero(fake_model, tmp_path):
    env = _env(fake_model, tmp_path)
    cases = [
        (["extract", str(tmp_path / "missing.txt")], "cannot read"),
        (["extract", str(SEED_PATH), "--published-at", "20-02-2025"], "YYYY-MM-DD"),
        (["extract", str(SEED_PATH), "--published-at", "20250220"], "YYYY-MM-DD"),  # as the API
        (["events", "--since", "2025-2-1"], "YYYY-MM-DD"),
        (["extract"], "give either FILE"),
    ]
    for args, needle in cases:
        proc = run_cli(args, env)
        assert proc.returncode != 0
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0], proc.stderr
        assert "Traceback" not in proc.stderr
    blank = tmp_path / "blank.txt"
    blank.write_text("   \n")
    proc = run_cli(["extract", str(blank)], env)
    assert proc.returncode == 2 and "empty" in proc.stderr
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    proc = run_cli(["extract", str(bad)], env)
    assert proc.returncode == 2 and "UTF-8" in proc.stderr


def test_model_failure_is_one_clear_line(fake_model, tmp_path, strategy):
    fake_model.push(*[Reply(status=503)] * 3)
    proc = run_cli(["extract", str(SEED_PATH)], _env(fake_model, tmp_path, strategy))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "HTTP 503" in proc.stderr and "Traceback" not in proc.stderr


def test_jsonl_batch_in_order_with_failures_reported(fake_model, tmp_path, seed_text, strategy):
    def answer(payload: dict) -> Reply:
        # The article is in the last user message; answer depending on which one it is.
        content = payload["messages"][-1]["content"]
        if "Geneva" in content and "Lavrov" not in content:
            return Reply(status=400, body='{"error": {"message": "context too long"}}')
        return Reply.meetings()

    fake_model.default = answer
    src = tmp_path / "in.jsonl"
    lines = [
        {"id": "a", "text": "Officials met in Paris on Monday.", "published_at": "2025-02-20"},
        {"id": "b", "text": "Envoys met in Geneva.", "published_at": "2025-02-20"},
        {"id": "c", "text": "   "},
        {"id": "d", "text": seed_text, "published_at": "2025-02-20"},
    ]
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    proc = run_cli(
        ["extract", "--jsonl", str(src), "--concurrency", "2"], _env(fake_model, tmp_path, strategy)
    )
    assert proc.returncode == 1
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", "b", "c", "d", None]
    assert "meetings" in out[0] and "meetings" in out[3]
    assert out[1]["error"]["code"] == "model_request_rejected"
    assert out[2]["error"]["code"] == "invalid_input" and out[2]["line"] == 3
    assert out[4]["line"] == 5 and "not valid JSON" in out[4]["error"]["message"]
    assert "3 of 5 items failed (input lines 2, 3, 5)" in proc.stderr
