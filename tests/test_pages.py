"""The web pages over HTTP (the scripted model): the article form, the corpus views, sign-in with
the API's keys, security headers, and report.html from the eval."""

from __future__ import annotations

import re
import time

import pytest
from backchannel.serve.api import create_app
from backchannel.serve.pages import COOKIE, session_token
from fastapi.testclient import TestClient

from tests.factories import SEED_DATE, SEED_PATH, riyadh_draft
from tests.fakeserver import Reply
from tests.test_api_corpus import GENEVA, LEDGER, _wait_done
from tests.test_ingest import PAGES, reader

SEED = SEED_PATH.read_text(encoding="utf-8")
_SPAN = re.compile(r'<span class="hl ([^"]*)" data-spans="([^"]*)"[^>]*>([^<]*)</span>')


def _spans(html: str) -> dict[str, str]:
    """Each mark id's text as the page shows it (pieces joined in order), HTML entities undone."""
    import html as h

    out: dict[str, str] = {}
    for _, ids, text in _SPAN.findall(html):
        for mark in ids.split():
            out[mark] = out.get(mark, "") + h.unescape(text)
    return out


def _article_text(html: str) -> str:
    import html as h

    inner = html.split("data-text>", 1)[1].split("</div>", 1)[0]
    return h.unescape(re.sub(r"<[^>]+>", "", inner))


@pytest.fixture
def seed_model(fake_model):
    fake_model.default = lambda payload, delay=0.0: Reply.meetings(riyadh_draft(SEED))
    return fake_model


def test_the_article_page_highlights_exactly_the_results_spans(settings, seed_model):
    with TestClient(create_app(settings)) as client:
        form = client.get("/")
        assert form.status_code == 200 and 'name="text"' in form.text
        r = client.post("/", data={"text": SEED, "published_at": "2025-02-20"})
        assert r.status_code == 200, r.text
        api = client.post("/v1/extract", json={"text": SEED, "published_at": "2025-02-20"}).json()
    [m] = api["meetings"]
    expected = {"m0-e": m["evidence"]["text"], "m0-l": m["location"]["mention"],
                "m0-t": m["time"]["mention"]}  # fmt: skip
    expected |= {f"m0-p{i}": p["mention"] for i, p in enumerate(m["participants"])}
    expected |= {f"m0-n{i}": p["name"] for i, p in enumerate(m["participants"])
                 if p["name_span"] and p["name_span"] != p["span"]}  # fmt: skip
    assert any(k.startswith("m0-n") for k in expected)  # a name inside a longer mention
    assert _spans(r.text) == expected
    assert _article_text(r.text) == SEED  # the text shown is the text, whitespace and all
    assert 'data-meeting="m0"' in r.text and "1 meeting(s)" in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    assert r.headers["x-frame-options"] == "DENY"


def test_bad_input_is_said_on_the_page_and_the_text_kept(settings, seed_model):
    with TestClient(create_app(settings)) as client:
        empty = client.post("/", data={"text": "   ", "published_at": ""})
        assert empty.status_code == 422 and "the article is empty" in empty.text
        bad_date = client.post("/", data={"text": "Envoys met.", "published_at": "20250220"})
        assert bad_date.status_code == 422 and "is not a date: use YYYY-MM-DD" in bad_date.text
        assert ">Envoys met.</textarea>" in bad_date.text  # nothing the user typed is lost
        too_long = client.post("/", data={"text": "a" * (settings.max_text_chars + 1)})
        assert too_long.status_code == 422 and "split the article" in too_long.text
        wrong_type = client.post("/", content=b"{}", headers={"content-type": "application/json"})
        assert wrong_type.status_code == 415 and "content-type must be" in wrong_type.text
        assert wrong_type.headers["content-type"].startswith("text/html")  # the page, not JSON
        broken = client.post("/", content=b"x", headers={"content-type": "multipart/form-data"})
        assert broken.status_code == 400 and "the form could not be read" in broken.text
        assert not seed_model.requests  # none of them reached the model


def test_an_upload_over_the_body_limit_is_refused_on_the_page(settings, seed_model):
    small = settings.model_copy(update={"max_text_chars": 1000, "fetch_max_bytes": 2048})
    with TestClient(create_app(small)) as client:
        big = b"<html><body>" + b"<p>Envoys met.</p>" * 3000 + b"</body></html>"
        r = client.post("/", files={"page": ("big.html", big, "text/html")})
        assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
        assert "request body over" in r.text and "<textarea" in r.text  # the form, to try again
        api = client.post("/v1/extract", content=b"x" * 200_000,
                          headers={"content-type": "application/json"})  # fmt: skip
        assert api.status_code == 413 and api.json()["error"]["code"] == "payload_too_large"
    assert not seed_model.requests


def test_a_saved_page_can_be_uploaded_and_its_date_is_used(settings, fake_model):
    fake_model.default = reader
    page = (PAGES / "outlets" / "wire-geneva.html").read_bytes()
    with TestClient(create_app(settings)) as client:
        r = client.post("/", files={"page": ("wire-geneva.html", page, "text/html")},
                        data={"text": "", "published_at": ""})  # fmt: skip
        assert r.status_code == 200, r.text
        assert "in wire-geneva.html" in r.text and "published 2022-01-22" in r.text
        assert "<nav" not in _article_text(r.text)  # the page's main text, not its markup
        shell = (PAGES / "empty-shell.html").read_bytes()
        r = client.post("/", files={"page": ("shell.html", shell, "text/html")})
        assert r.status_code == 422 and "no article text found in the page" in r.text


def test_the_events_page_shows_the_corpus_with_filters_and_links_to_sources(settings, fake_model):
    fake_model.default = reader
    with TestClient(create_app(settings)) as client:
        for text in (GENEVA, LEDGER):
            posted = client.post("/v1/articles", json={"text": text, "published_at": "2022-01-22"})
            _wait_done(client, posted.headers["location"])
        deadline = time.monotonic() + 10
        while client.get("/v1/events").json()["total"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        page = client.get("/events")
        assert page.status_code == 200 and "1 event(s)" in page.text
        assert page.text.count('class="bar"') == 1 and 'class="edge"' in page.text
        assert "Antony Blinken" in page.text and "Sergei Lavrov" in page.text
        links = re.findall(r'href="(/articles/[0-9a-f]{64}\?at=\d+#focus)"', page.text)
        assert len(links) == 2
        source = client.get(links[0])
        assert source.status_code == 200 and 'id="focus"' in source.text
        assert set(_spans(source.text)) >= {"m0-e", "m0-p0", "m0-p1"}
        assert (
            client.get("/events", params={"country": "Switzerland"}).text.count('class="bar"') == 1
        )
        assert "0 event(s)" in client.get("/events", params={"person": "Nobody"}).text
        bad = client.get("/events", params={"country": "Atlantis", "since": "2022-01-01"})
        assert bad.status_code == 422 and "&#39;Atlantis&#39; is not a country" in bad.text
        assert client.get("/events", params={"since": "yesterday"}).status_code == 422
        deep = client.get("/events", params={"offset": str(2**63)})
        assert deep.status_code == 422 and "offset must be at most 1,000,000,000" in deep.text
        missing = client.get("/articles/" + "0" * 64)
        assert missing.status_code == 404 and "No article with id" in missing.text


def test_with_api_keys_the_pages_need_a_key_too(settings, seed_model):
    keyed = settings.model_copy(update={"api_keys": "s3cret-key"})
    with TestClient(create_app(keyed)) as client:
        first = client.get("/events?person=x", follow_redirects=False)
        assert (
            first.status_code == 303
            and first.headers["location"] == "/login?next=/events%3Fperson%3Dx"
        )
        assert client.post("/", data={"text": SEED}).status_code == 401
        assert client.get("/articles/" + "0" * 64, follow_redirects=False).status_code == 303
        wrong = client.post("/login", data={"key": "guess", "next": "/"})
        assert wrong.status_code == 401 and COOKIE not in client.cookies
        evil = client.post("/login", data={"key": "s3cret-key", "next": "//evil.example/"},
                           follow_redirects=False)  # fmt: skip
        assert evil.status_code == 303 and evil.headers["location"] == "/"  # never off-site
        cookie = client.cookies[COOKIE]
        assert cookie == session_token("s3cret-key") and "s3cret-key" not in cookie
        assert "httponly" in evil.headers["set-cookie"].lower()
        assert "samesite=strict" in evil.headers["set-cookie"].lower()
        assert (
            client.post("/", data={"text": SEED, "published_at": "2025-02-20"}).status_code == 200
        )
        client.get("/logout")
        assert client.get("/", follow_redirects=False).status_code == 303
        bearer = client.get("/", headers={"authorization": "Bearer s3cret-key"})
        assert bearer.status_code == 200  # what the API takes, the pages take
        assert not seed_model.requests[1:]  # only the signed-in POST asked the model


def test_without_a_store_the_events_page_says_so(settings, seed_model, tmp_path):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("")
    broken = settings.model_copy(update={"database_url": f"sqlite:///{blocked}/corpus.db"})
    with TestClient(create_app(broken)) as client:
        r = client.get("/events")
        assert r.status_code == 503 and "corpus store is unavailable" in r.text
        source = client.get("/articles/" + "0" * 64)
        assert source.status_code == 503 and "corpus store is unavailable" in source.text


def test_static_files_are_only_the_vendored_ones(settings, seed_model):
    with TestClient(create_app(settings)) as client:
        assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
        assert client.get("/static/style.css").status_code == 200
        assert client.get("/static/pages.py").status_code == 404
        assert client.get("/static/..%2fpages.py").status_code == 404


def test_a_source_extracted_by_another_setup_shows_that_extraction(settings, seed_model):
    """Events are made of each article's newest finished extraction, whichever setup made it
    (an older prompt, another model): its source page shows the same one."""
    from backchannel.contract.schema import ExtractResult
    from backchannel.sources.documents import make_article
    from backchannel.store.repository import Setup, Store

    quiet = settings.model_copy(update={"corpus_worker": False})  # nothing else extracts it
    with TestClient(create_app(quiet)) as client:
        result = client.post("/v1/extract", json={"text": SEED, "published_at": "2025-02-20"})
        article = make_article(SEED, "seed.txt", published_at=SEED_DATE)
        store = Store.open(settings.database_url)
        store.add(article)
        older = Setup(model="another-model", prompt_version="old", strategy="single")
        store.save(article.id, older, ExtractResult.model_validate(result.json()))
        page = client.get(f"/articles/{article.id}")
    assert page.status_code == 200 and "Not extracted yet" not in page.text
    assert {"m0-e", "m0-p0"} <= set(_spans(page.text))


def test_the_figures_draw_every_matching_event_not_only_the_page(settings, fake_model, monkeypatch):
    from backchannel.serve import pages

    monkeypatch.setattr(pages, "EVENTS_PER_PAGE", 1)
    fake_model.default = reader
    vienna = "Jake Sullivan met Wang Yi in Vienna yesterday for talks on trade."
    with TestClient(create_app(settings)) as client:
        for text in (GENEVA, vienna):
            posted = client.post("/v1/articles", json={"text": text, "published_at": "2022-01-22"})
            _wait_done(client, posted.headers["location"])
        deadline = time.monotonic() + 10
        while client.get("/v1/events").json()["total"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        first = client.get("/events")
    assert first.text.count('<tr id="event-') == 1  # one row on the page...
    assert first.text.count('class="bar"') == 2  # ...both events drawn
    assert "All 2 matching event(s)" in first.text and "Next page" in first.text
    off_page = re.findall(r'<a href="(/articles/[0-9a-f]{64}\?at=\d+#focus)"><title>', first.text)
    assert len(set(off_page)) == 1  # the event not on this page links to its source (bar, edge)
