"""Browser helpers for the page tests: Debian's Chromium under Playwright, a live API on a local
port, what the page shows of each mark, and screenshots kept with the test output."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.factories import ROOT

CHROMIUM = os.environ.get("BACKCHANNEL_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("BACKCHANNEL_TEST_ARTIFACTS", ROOT / "test-output")) / "screenshots"
# As root, in a closed network: no sandbox, and no background calls home that would fail.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def launch() -> Iterator[Any]:
    """The browser for a module of tests; CI must have it (there a missing one fails)."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"CI: no Chromium at {CHROMIUM} (apt-get install -y chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def new_page(browser: Any) -> Iterator[Any]:
    """A fresh page that records console errors, warnings and uncaught exceptions in
    `.problems`: every test expects none."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.problems = []
    pg.on("console", lambda m: m.type in ("error", "warning") and pg.problems.append(m.text))
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))
    yield pg
    context.close()


class LiveServer:
    """An ASGI app served by uvicorn in a thread, on a free local port."""

    def __init__(self, app: object) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_config=None)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the API did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def shot(pg: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def shown_spans(pg: Any) -> dict[str, str]:
    """Each mark id with the text of its pieces, in document order, as the browser renders it."""
    return pg.evaluate(
        """() => {
        const out = {};
        for (const el of document.querySelectorAll('.hl[data-spans]'))
          for (const id of el.dataset.spans.split(' ')) out[id] = (out[id] || '') + el.textContent;
        return out;
      }"""
    )


def expected_spans(result: dict[str, Any]) -> dict[str, str]:
    """What the page must show for a result (contract JSON): each grounded value by mark id."""
    expected = {}
    for i, m in enumerate(result["meetings"]):
        key = f"m{i}"
        expected[f"{key}-e"] = m["evidence"]["text"]
        for j, p in enumerate(m["participants"]):
            expected[f"{key}-p{j}"] = p["mention"]
            if p["name_span"] and p["name_span"] != p["span"]:
                expected[f"{key}-n{j}"] = p["name"]
        if m["location"]:
            expected[f"{key}-l"] = m["location"]["mention"]
        if m["time"]:
            expected[f"{key}-t"] = m["time"]["mention"]
    return expected
