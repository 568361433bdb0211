"""Reading inputs: saved pages (main text, date, title, site), text and JSON files, folders, and
URLs fetched within bounds, never towards private addresses when the caller is not trusted."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from backchannel.sources import fetch as fetching
from backchannel.sources.documents import (
    NO_DATE,
    Article,
    Unreadable,
    article_id,
    read_paths,
)
from backchannel.sources.fetch import FetchPolicy, from_url, read_inputs

PAGES = Path(__file__).parent / "data" / "pages"
WIRE = PAGES / "outlets" / "wire-geneva.html"


def _articles(items: list) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def test_a_page_gives_its_main_text_and_metadata_not_its_boilerplate():
    [page] = read_paths([WIRE])
    assert isinstance(page, Article)
    assert page.text.startswith("Blinken and Lavrov meet in Geneva as Ukraine tensions mount\n")
    assert "met Russian Foreign Minister Sergei Lavrov in Geneva on Friday" in page.text
    for boilerplate in ("cookies", "Subscribe", "All rights reserved", "Read more", "Photo:"):
        assert boilerplate not in page.text
    assert page.published_at == dt.date(2022, 1, 22)
    assert page.site == "Worldwire"
    assert page.url == "https://worldwire.example/world/2022/01/22/blinken-lavrov-geneva"
    assert page.id == article_id(page.text) and page.warnings == []


def test_the_date_comes_from_structured_data_too():
    [page] = read_paths([PAGES / "outlets" / "daily-geneva.htm"])
    assert page.published_at == dt.date(2022, 1, 22) and page.site == "The Evening Ledger"
    assert "Most read" not in page.text and "Share this story" not in page.text


def test_a_page_without_a_date_is_kept_with_a_warning():
    [page] = read_paths([PAGES / "vienna-undated.html"])
    assert isinstance(page, Article) and page.published_at is None
    assert page.warnings == [NO_DATE]


def test_a_folder_is_read_recursively_skipping_hidden_files_and_reporting_bad_ones():
    items = list(read_paths([PAGES]))
    sources = [Path(i.source).name for i in items]
    assert sources == ["empty-shell.html", "daily-geneva.htm", "wire-geneva.html",
                       "vienna-undated.html"]  # fmt: skip
    [bad] = [i for i in items if isinstance(i, Unreadable)]
    assert bad.reason == "no article text found in the page"


def test_text_and_json_inputs(tmp_path):
    (tmp_path / "a.txt").write_text("Envoys met in Doha on Tuesday.", encoding="utf-8")
    lines = [
        {"id": "x1", "text": "Ministers met in Oslo.", "published_at": "2024-05-01",
         "url": "https://e.example/1", "title": "Oslo"},
        "not json",
        {"id": "x3", "text": ""},
        {"id": "x4", "text": "Talks in Lima.", "published_at": "May 2024"},
    ]  # fmt: skip
    (tmp_path / "b.jsonl").write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines), encoding="utf-8"
    )
    (tmp_path / "c.json").write_text(json.dumps([{"text": "Leaders met in Rome."}]))
    items = list(read_paths([tmp_path]))
    good = {a.source.rsplit("/", 1)[-1]: a for a in _articles(items)}
    assert set(good) == {"a.txt", "b.jsonl:1", "c.json[1]"}
    oslo = good["b.jsonl:1"]
    assert (oslo.external_id, oslo.published_at, oslo.url, oslo.title) == (
        "x1", dt.date(2024, 5, 1), "https://e.example/1", "Oslo")  # fmt: skip
    bad = {i.source.rsplit("/", 1)[-1]: i.reason for i in items if isinstance(i, Unreadable)}
    assert bad == {
        "b.jsonl:2": "not valid JSON: Expecting value",
        "b.jsonl:3": "the article is empty (no text, or only whitespace): send its text",
        "b.jsonl:4": "published_at 'May 2024' is not a date (YYYY-MM-DD)",
    }


def test_unknown_missing_and_undecodable_files_are_named(tmp_path):
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 talks".encode("latin-1"))
    items = list(read_paths([tmp_path / "x.pdf", tmp_path / "nope.txt", tmp_path / "latin1.txt"]))
    reasons = [i.reason for i in items]
    assert reasons[0].startswith("unknown kind of file")
    assert reasons[1] == "no such file or folder"
    assert reasons[2] == "not valid UTF-8 (byte 3); convert it"


# --- fetching ------------------------------------------------------------------------------------


class _Site:
    """Pages on 127.0.0.1: a page, redirects (a chain, one elsewhere), a large and a slow one."""

    def __init__(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                path = self.path
                if path == "/page":
                    self._send(200, WIRE.read_bytes(), "text/html; charset=utf-8")
                elif path == "/plain":
                    self._send(200, b"Envoys met in Doha on Tuesday.", "text/plain")
                elif path.startswith("/hop/"):
                    n = int(path.rsplit("/", 1)[1])
                    self._redirect("/page" if n == 0 else f"/hop/{n - 1}")
                elif path == "/elsewhere":
                    self._redirect(site.elsewhere)
                elif path == "/large":
                    self._send(200, b"<p>" + b"x" * 50_000 + b"</p>", "text/html")
                elif path == "/slow":
                    threading.Event().wait(3)
                    self._send(200, b"late", "text/plain")
                else:
                    self._send(404, b"not found", "text/plain")

            def _redirect(self, where: str) -> None:
                self.send_response(302)
                self.send_header("Location", where)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError):  # the client gave up (timeout test)
                    self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.elsewhere = f"http://127.0.0.2:{self.server.server_address[1]}/page"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def site() -> Iterator[_Site]:
    s = _Site()
    yield s
    s.server.shutdown()


TRUSTED = FetchPolicy(public_only=False, timeout=1.0, max_bytes=20_000, max_redirects=3)


def test_a_url_is_read_like_a_saved_page(site):
    page = from_url(site.url + "/hop/2", TRUSTED)
    [saved] = read_paths([WIRE])
    assert page.text == saved.text and page.id == saved.id
    assert page.source == site.url + "/page"  # where the redirects ended
    assert from_url(site.url + "/plain", TRUSTED).text == "Envoys met in Doha on Tuesday."


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/hop/5", "more than 3 redirects"),
        ("/large", "over the limit of 20,000"),
        ("/slow", "no answer within 1 s"),
        ("/missing", "HTTP 404"),
    ],
)
def test_fetching_is_bounded(site, path, needle):
    [bad] = list(read_inputs([site.url + path], TRUSTED))
    assert isinstance(bad, Unreadable) and needle in bad.reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/", "http://localhost/", "http://[::1]/", "http://10.1.2.3/",
        "http://192.168.0.10/", "http://172.16.5.4/", "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/",
    ],
)  # fmt: skip
def test_an_untrusted_fetch_never_reaches_private_addresses(url):
    with pytest.raises(fetching.SourceError, match="does not fetch those"):
        fetching.fetch(url, FetchPolicy(public_only=True))


def test_each_redirect_is_checked_again(site, monkeypatch):
    # Treat 127.0.0.1 as if it were public: its redirect to 127.0.0.2 (loopback) must still fail.
    monkeypatch.setattr(fetching, "_public", lambda address: address == "127.0.0.1")
    assert "Blinken" in from_url(site.url + "/page", FetchPolicy(public_only=True)).text
    with pytest.raises(fetching.SourceError, match="127.0.0.2 resolves to 127.0.0.2"):
        from_url(site.url + "/elsewhere", FetchPolicy(public_only=True))


def test_only_http_urls_are_fetched():
    with pytest.raises(fetching.SourceError, match="only http:// and https://"):
        fetching.fetch("file:///etc/passwd", TRUSTED)
