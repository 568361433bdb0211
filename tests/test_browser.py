"""The pages in a real browser: headless Chromium (Debian's package) driven by Playwright, against
the API served by uvicorn on a local port with the scripted model.

Checks what a person sees: the highlighted texts equal the result's spans, a row lights up its
words, the corpus views and the eval report open, hostile text runs nothing, and the browser's
console stays clean. Screenshots go to `test-output/screenshots/` (BACKCHANNEL_TEST_ARTIFACTS).
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from backchannel.evaluation.gold import GoldArticle
from backchannel.evaluation.report import score_predictions, write_reports
from backchannel.serve.api import create_app

from tests.browser import LiveServer, expected_spans, launch, new_page, shot, shown_spans
from tests.factories import ROOT, SEED_PATH, riyadh_draft
from tests.fakeserver import Reply
from tests.test_api_corpus import GENEVA, LEDGER
from tests.test_ingest import reader

SEED = SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    yield from launch()


@pytest.fixture
def page(browser):
    yield from new_page(browser)


def test_pasting_the_seed_highlights_every_span_of_the_result(settings, fake_model, page):
    fake_model.default = lambda payload, delay=0.0: Reply.meetings(riyadh_draft(SEED))
    with LiveServer(create_app(settings)) as live:
        result = httpx.post(
            live.url + "/v1/extract", json={"text": SEED, "published_at": "2025-02-20"}
        ).json()
        page.goto(live.url + "/")
        page.get_by_label("Article text").fill(SEED)
        page.get_by_label("Published on").fill("2025-02-20")
        page.get_by_role("button", name="Extract").click()
        page.wait_for_selector("#result")
        # The very text the API read (the browser sends the textarea's breaks as CRLF): the same
        # cache entry, so the same offsets.
        assert "(cached)" in page.locator("#result + p").text_content()
        assert shown_spans(page) == expected_spans(result)
        assert page.locator("[data-text]").text_content() == SEED
        row = page.locator('tr[data-meeting="m0"]')
        row.focus()  # keyboard: a focused row lights its words, as hovering does
        lit = page.locator(".hl.on")
        assert lit.count() > 0 and lit.count() == page.locator('.hl[data-meetings~="m0"]').count()
        shot(page, "article-view")
        page.locator(".hl.k-place").first.click()  # a mark takes the reader to its row
        assert page.evaluate("document.activeElement.dataset.meeting") == "m0"
    assert page.problems == []


def test_a_hostile_article_runs_nothing(settings, fake_model, page):
    fake_model.default = lambda payload, delay=0.0: Reply.meetings({"meetings": []})
    hostile = (
        "Envoys met in Geneva.<script>window.pwned = 1</script> "
        '<img src=x onerror="window.pwned = 2"> <a href="javascript:window.pwned=3">x</a>'
    )
    with LiveServer(create_app(settings)) as live:
        page.goto(live.url + "/")
        page.get_by_label("Article text").fill(hostile)
        page.get_by_role("button", name="Extract").click()
        page.wait_for_selector("#result")
        assert page.evaluate("window.pwned") is None
        assert page.locator("[data-text]").text_content() == hostile
        assert page.locator("[data-text] script, [data-text] img, [data-text] a").count() == 0
    assert page.problems == []


def test_the_events_page_and_a_highlighted_source(settings, fake_model, page):
    fake_model.default = reader
    with LiveServer(create_app(settings)) as live:
        for text in (GENEVA, LEDGER):
            httpx.post(live.url + "/v1/articles", json={"text": text, "published_at": "2022-01-22"})
        deadline = time.monotonic() + 20
        while httpx.get(live.url + "/v1/events").json()["total"] == 0:
            assert time.monotonic() < deadline, "no event was linked"
            time.sleep(0.1)
        page.goto(live.url + "/events")
        assert page.locator("#count").text_content().startswith("1 event(s)")
        assert page.locator("svg line.bar").count() == 1
        assert page.locator("svg line.edge").count() >= 1
        page.get_by_label("Country").fill("Switzerland")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url("**/events?**country=Switzerland**")
        assert page.locator("tbody tr").count() == 1
        shot(page, "events")
        page.locator("tbody tr a").first.click()
        page.wait_for_url("**/articles/**")
        focused = page.locator("#focus")
        assert focused.get_attribute("class") == "on"
        assert page.locator(".hl.k-participant").count() >= 2
        shot(page, "source")
    assert page.problems == []


def test_the_eval_report_opens_offline_and_runs_only_its_own_script(tmp_path, page):
    hostile = SEED + '\n<script>window.pwned = 1</script><img src=x onerror="window.pwned=2">'
    data = next(
        d
        for f in sorted((ROOT / "eval" / "dev").glob("*.json"))
        if (d := json.loads(f.read_text(encoding="utf-8")))["meetings"]
    )  # a labelled article; its first gold meeting predicted with a wrong status
    gold = GoldArticle.model_validate(data | {"text": data["text"] + hostile[len(SEED) :]})
    other = GoldArticle.model_validate(data | {"id": "second"})
    first = gold.meetings[0].model_dump(mode="json", exclude={"required", "note", "event_id",
                                                               "tags"})  # fmt: skip
    wrong = first | {"status": "cancelled" if first["status"] != "cancelled" else "held"}
    predictions = {
        gold.id: {"id": gold.id, "meetings": [wrong], "model": "m", "prompt_version": "p",
                  "cached": False, "usage": {}, "latency_ms": 1, "warnings": []},
        "second": {"id": "second", "error": {"code": "model_error", "message": "gave up"}},
    }  # fmt: skip
    report = score_predictions([gold, other], predictions, {"set": "browser test"})
    write_reports(report, tmp_path, predictions)
    page.goto((tmp_path / "report.html").as_uri())
    assert page.locator("#headline").count() == 1 and page.locator("#tags").count() == 1
    assert page.locator('tr[data-kind="wrong"]').count() == 1
    assert page.get_by_text("The extraction failed: gave up").count() == 1
    row = page.locator('tr[data-kind="wrong"]').first
    row.hover()  # the inline script ran under the report's CSP: the row lights its marks
    assert page.locator(".hl.on").count() > 0
    assert page.evaluate("window.pwned") is None
    shot(page, "report")
    assert page.problems == []
