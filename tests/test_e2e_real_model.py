"""The only tests that use a model: one real extraction through the embedded llama-server, the
same article through the web page on `backchannel serve` (its result cached by the first, so the
model is asked once), and one reply that ignores the schema, on a real llama-server too.

Run when BACKCHANNEL_E2E=1 (`make test` and CI set it); then missing prerequisites fail the test
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


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    """The user's environment without our settings, and one cache for the module's tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKCHANNEL_")}
    env.update(
        BACKCHANNEL_CACHE_DIR=str(tmp_path_factory.mktemp("e2e") / "cache"),
        BACKCHANNEL_SERVER_PORT=os.environ.get("BACKCHANNEL_E2E_PORT", "8791"),
        BACKCHANNEL_DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'corpus.db'}",
    )
    if "BACKCHANNEL_MODEL_DIR" in os.environ:
        env["BACKCHANNEL_MODEL_DIR"] = os.environ["BACKCHANNEL_MODEL_DIR"]
    return env


def test_seed_article_on_the_embedded_model(env):
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


def test_the_article_page_on_the_embedded_model(env):
    """`backchannel serve` as a user runs it (it starts the embedded model server), the seed pasted
    into `/`: the page shows exactly the spans the API returns for it."""
    import httpx

    from tests.browser import expected_spans, launch, new_page, shot, shown_spans

    port = int(env["BACKCHANNEL_SERVER_PORT"]) + 2
    proc = subprocess.Popen(
        [CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else "serve exited"
            try:
                if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the API never became ready"
            time.sleep(1)
        text = SEED_PATH.read_text(encoding="utf-8")
        # The browser only for this test, closed before the next: Playwright's sync API keeps an
        # event loop running while it is open, which the next test's asyncio.run() cannot share.
        browsers = launch()
        pages = new_page(next(browsers))
        try:
            pg = next(pages)
            pg.set_default_timeout(1_200_000)  # a cache miss is a real extraction
            pg.goto(url + "/")
            pg.get_by_label("Article text").fill(text)
            pg.get_by_label("Published on").fill("2025-02-20")
            pg.get_by_role("button", name="Extract").click()
            pg.wait_for_selector("#result")
            result = httpx.post(
                url + "/v1/extract", json={"text": text, "published_at": "2025-02-20"},
                timeout=1200,
            ).json()  # fmt: skip
            assert result["cached"] and result["meetings"]
            assert shown_spans(pg) == expected_spans(result)
            assert pg.locator("[data-text]").text_content() == text
            shot(pg, "article-view-embedded-model")
            assert pg.problems == []
        finally:
            pages.close()
            browsers.close()
    finally:
        proc.terminate()
        proc.wait(60)


def test_a_reply_that_ignores_the_schema_never_reaches_the_caller(tmp_path):
    """Fail closed: llama.cpp's server has returned 200 with output that ignores the schema (a
    top-level `schema` it silently dropped). Here the schema is dropped on purpose, on the real
    server, and the prompt asks for prose: the reply must end as a clear error, not a result."""
    import asyncio

    from backchannel.contract.errors import ModelOutputError
    from backchannel.embedded.local_server import embedded_backend
    from backchannel.model.draft import SentenceAnswer
    from backchannel.model.llm import LLMClient
    from backchannel.settings import Settings

    class SchemaDropped(LLMClient):
        async def _create(self, **body):
            body.pop("response_format", None)
            return await super()._create(**body)

    port = int(os.environ.get("BACKCHANNEL_E2E_PORT", "8791")) + 1
    settings = Settings(
        server_port=port, cache_dir=tmp_path, max_tokens=64, max_reasks=1, read_timeout=600
    )
    messages = [{"role": "user", "content": "Say hello in one short English sentence."}]
    with embedded_backend(settings, print):
        client = SchemaDropped(settings)
        with pytest.raises(ModelOutputError):  # invalid, or cut off: either way no result
            asyncio.run(client.extract(messages, SentenceAnswer))
