"""`backchannel ingest` and `extract` on saved pages and URLs, as a user runs them: real
subprocesses, a real database, the scripted model; a run killed half-way and started again ends
with every article extracted exactly once."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from backchannel.store.repository import Setup, Store
from backchannel.store.tables import ExtractionRow, MeetingRow
from sqlalchemy import func, select

from tests.factories import draft_meeting, draft_person
from tests.fakeserver import Reply
from tests.test_cli import CLI, _env, run_cli

PAGES = Path(__file__).parent / "data" / "pages"
PEOPLE = ("Antony Blinken", "Sergei Lavrov", "Jake Sullivan", "Wang Yi", "Blinken", "Lavrov")
_NUMBERED = re.compile(r"^\[(\d+)\] (.*)$", re.MULTILINE)


def reader(payload: dict, delay: float = 0.0) -> Reply:
    """A scripted model that reports a meeting in every numbered sentence with "met" and two of
    `PEOPLE` in it: enough to tell which article was asked about and what got stored."""
    meetings = []
    for number, sentence in _NUMBERED.findall(payload["messages"][-1]["content"]):
        names = [p for p in PEOPLE if p in sentence]
        names = [n for n in names if not any(n != m and n in m for m in names)]
        if " met " in sentence and len(names) >= 2:
            place = next((c for c in ("Geneva", "Vienna") if c in sentence), None)
            when = next((t for t in ("on Friday", "yesterday") if t in sentence), None)
            people = [draft_person(n, name=n) for n in names[:2]]
            meetings.append(draft_meeting(int(number), people, location=place, time=when))
    return Reply.meetings({"meetings": meetings}, delay=delay)


def _text_of(prompt: str) -> str:
    """The article as the prompt numbers it, without the numbers."""
    return "\n".join(sentence for _, sentence in _NUMBERED.findall(prompt))


def _db_env(fake_model, tmp_path, database_url):
    return _env(fake_model, tmp_path) | {"BACKCHANNEL_DATABASE_URL": database_url}


def test_ingesting_a_folder_stores_and_extracts_each_page_once(fake_model, tmp_path, database_url):
    fake_model.default = reader
    env = _db_env(fake_model, tmp_path, database_url)
    proc = run_cli(["ingest", str(PAGES), "--format", "json"], env)
    assert proc.returncode == 1, proc.stderr  # one page had no text: reported, the rest stored
    assert "skipped" in proc.stderr and "empty-shell.html: no article text found" in proc.stderr
    report = json.loads(proc.stdout)
    assert (report["read"], report["new"], report["extracted"], report["meetings"]) == (3, 3, 3, 3)
    assert report["events"] == 2  # the two outlets' Geneva meeting is one event
    assert report["warnings"] == [{"source": str(PAGES / "vienna-undated.html"),
                                   "reason": "no publication date found: relative times stay "
                                             "unresolved"}]  # fmt: skip
    asked = len(fake_model.requests)
    again = run_cli(["ingest", str(PAGES / "outlets"), "--format", "json"], env)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["known"] == 2 and len(fake_model.requests) == asked
    store = Store.open(database_url)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ExtractionRow)) == 3
        places = s.scalars(select(MeetingRow.place).order_by(MeetingRow.place)).all()
    assert places == ["Geneva", "Geneva", "Vienna"]


def test_a_run_killed_half_way_and_rerun_extracts_every_article_exactly_once(
    fake_model, tmp_path, database_url
):
    folder = tmp_path / "pages"
    for i in range(6):  # six different articles
        text = f"Item {i}: Antony Blinken met Sergei Lavrov in Geneva on day {i}."
        (folder / f"{i}").mkdir(parents=True)
        (folder / f"{i}" / "a.txt").write_text(text, encoding="utf-8")
    fake_model.default = lambda p: reader(p, delay=0.4)
    env = _db_env(fake_model, tmp_path, database_url)
    proc = subprocess.Popen([CLI, "ingest", str(folder)], env={**__import__("os").environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    store = Store.open(database_url)
    deadline = time.monotonic() + 30
    while store.counts().get("done", 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # no clean-up at all
    proc.wait(timeout=10)
    done_before = store.counts().get("done", 0)
    assert 2 <= done_before < 6 and store.counts()["articles"] == 6
    asked_before = len(fake_model.requests)
    rerun = run_cli(["ingest", str(folder)], env)
    assert rerun.returncode == 0, rerun.stderr
    # Only the unfinished ones went to the model (the one in flight at the kill, asked again).
    assert len(fake_model.requests) - asked_before == 6 - done_before
    with store.session() as s:
        rows = s.execute(select(ExtractionRow.article_id, ExtractionRow.state)).all()
        meetings = s.scalar(select(func.count()).select_from(MeetingRow))
    assert len(rows) == 6 and {state for _, state in rows} == {"done"}
    assert len({article for article, _ in rows}) == 6 and meetings == 6


def test_a_failed_extraction_is_reported_and_retried_by_the_next_run(
    fake_model, tmp_path, database_url
):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(PAGES / "outlets" / "wire-geneva.html", folder)
    env = _db_env(fake_model, tmp_path, database_url)
    fake_model.default = lambda _p: Reply(status=500, body="boom")
    proc = run_cli(["ingest", str(folder)], env)
    assert proc.returncode == 1 and "1 failed" in proc.stderr and "rerun" in proc.stderr
    fake_model.default = reader
    assert run_cli(["ingest", str(folder)], env).returncode == 0
    assert Store.open(database_url).counts() == {"articles": 1, "meetings": 1, "done": 1}


def test_events_list_each_meeting_once_with_every_source(fake_model, tmp_path, database_url):
    fake_model.default = reader
    env = _db_env(fake_model, tmp_path, database_url)
    run_cli(["ingest", str(PAGES)], env)
    listing = json.loads(run_cli(["events"], env).stdout)  # piped: JSON
    assert listing["total"] == 2
    geneva, vienna = sorted(listing["events"], key=lambda e: e["place"])
    assert (geneva["first_date"], geneva["country_code"]) == ("2022-01-21", "CHE")
    assert geneva["latitude"] == pytest.approx(46.2, abs=0.05)
    assert sorted(geneva["people"]) == ["Antony Blinken", "Sergei Lavrov"], geneva["people"]
    assert sorted(s["site"] for s in geneva["sources"]) == ["The Evening Ledger", "Worldwire"]
    texts = {p.name: p for p in PAGES.rglob("*.htm*")}
    for src in geneva["sources"]:
        stored = Store.open(database_url).get(src["article_id"]).article.text
        assert stored[src["evidence_start"] : src["evidence_end"]] == src["evidence"]
    assert texts and vienna["first_date"] is None  # the undated page's meeting keeps no date
    # Filters, and each format.
    assert json.loads(run_cli(["events", "--person", "lavrov"], env).stdout)["total"] == 1
    assert json.loads(run_cli(["events", "--country", "Austria"], env).stdout)["total"] == 1
    assert json.loads(run_cli(["events", "--country", "CHE", "--since", "2022-01-22"],
                              env).stdout)["total"] == 0  # fmt: skip
    bad = run_cli(["events", "--country", "Atlantis"], env)
    assert bad.returncode == 2 and "not a country name" in bad.stderr
    csv_text = run_cli(["events", "--format", "csv", "--person", "Blinken"], env).stdout
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("event_id,first_date") and len(lines) == 3  # header + 2 sources
    table = run_cli(["events", "--format", "table"], env).stdout
    assert "2 event(s)" in table and "Worldwire (2022-01-22):" in table
    out = tmp_path / "events.parquet"
    assert run_cli(["events", "--format", "parquet", "--out", str(out)], env).returncode == 0
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows == 3


def test_extract_reads_a_saved_page_like_ingest(fake_model, tmp_path):
    fake_model.default = reader
    proc = run_cli(["extract", str(PAGES / "outlets" / "wire-geneva.html")],
                   _env(fake_model, tmp_path))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["published_at"] == "2022-01-22"  # from the page's metadata
    sent = fake_model.requests[0]["messages"][-1]["content"]
    assert "Blinken and Lavrov meet in Geneva" in sent and "<p>" not in sent
    assert "cookies" not in sent
    [meeting] = result["meetings"]
    assert meeting["time"]["start"] is not None  # "on Friday", resolved by the page's date
    plain = tmp_path / "same.txt"  # the same text without the page: the weekday stays open
    plain.write_text(_text_of(sent), encoding="utf-8")
    undated = json.loads(run_cli(["extract", str(plain)], _env(fake_model, tmp_path)).stdout)
    assert undated["meetings"][0]["time"]["start"] is None


def test_an_empty_page_or_file_says_so(fake_model, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    proc = run_cli(["extract", str(empty)], _env(fake_model, tmp_path))
    assert proc.returncode == 2 and "the article is empty" in proc.stderr
    assert "at least 1 character" not in proc.stderr
    proc = run_cli(["extract", str(PAGES / "empty-shell.html")], _env(fake_model, tmp_path))
    assert proc.returncode == 2 and "no article text found in the page" in proc.stderr
    assert fake_model.requests == []


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/a-file/corpus.db", "nope://", "::"])
def test_a_database_that_cannot_be_opened_is_one_line(fake_model, tmp_path, url):
    (tmp_path / "a-file").write_text("not a folder")
    url = url.format(tmp=tmp_path)
    proc = run_cli(["ingest", str(PAGES), "--database", url], _env(fake_model, tmp_path))
    assert proc.returncode == 1 and proc.stderr.startswith("error: ")
    assert "Traceback" not in proc.stderr


def test_extract_prints_a_readable_summary_when_asked(fake_model, tmp_path, seed_text):
    from tests.factories import SEED_PATH, riyadh_draft

    fake_model.default = lambda _p: Reply.meetings(riyadh_draft(seed_text))
    env = _env(fake_model, tmp_path)
    args = ["extract", str(SEED_PATH), "--published-at", "2025-02-20"]
    summary = run_cli([*args, "--format", "summary"], env)
    assert summary.returncode == 0, summary.stderr
    lines = summary.stdout.splitlines()
    assert lines[0] == "1 meeting(s)"
    assert "Sergei Lavrov, Foreign Minister, Russia" in lines[2]
    assert "where: Saudi Arabia" in lines[3] and "when: 2025-02-18" in lines[3]
    assert lines[4].startswith('   "On Tuesday, top US officials met') and "[1372:1494]" in lines[4]
    piped = json.loads(run_cli(args, env).stdout)  # piped: the contract JSON
    assert piped["meetings"][0]["evidence"]["start"] == 1372
    assert run_cli([*args, "--format", "xml"], env).returncode == 2


def test_ingest_reads_urls_as_saved_pages(fake_model, tmp_path, database_url):
    from tests.test_sources import _Site

    site = _Site()
    try:
        fake_model.default = reader
        env = _db_env(fake_model, tmp_path, database_url)
        proc = run_cli(["ingest", site.url + "/hop/1", site.url + "/missing", "--format", "json"],
                       env)  # fmt: skip
        report = json.loads(proc.stdout)
        assert proc.returncode == 1 and report["new"] == 1 and report["extracted"] == 1
        assert report["unreadable"] == [{"source": site.url + "/missing",
                                         "reason": "the server answered HTTP 404"}]  # fmt: skip
        [article] = Store.open(database_url).pending(
            Setup(model="other", prompt_version="x", strategy="single"))  # fmt: skip
        # Where it was fetched from, after the redirect; its URL is the one the page declares.
        assert article.source == site.url + "/page" and article.site == "Worldwire"
        assert article.url == "https://worldwire.example/world/2022/01/22/blinken-lavrov-geneva"
    finally:
        site.server.shutdown()


def test_extract_reads_a_url_and_events_on_an_empty_store_say_so(fake_model, tmp_path):
    from tests.test_sources import _Site

    site = _Site()
    try:
        fake_model.default = reader
        env = _env(fake_model, tmp_path) | {
            "BACKCHANNEL_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"
        }
        proc = run_cli(["extract", site.url + "/hop/0"], env)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["published_at"] == "2022-01-22"
        assert run_cli(["events", "--format", "table"], env).stdout.strip() == "no events match"
        missing = run_cli(["extract", site.url + "/missing"], env)
        assert missing.returncode == 2 and "HTTP 404" in missing.stderr
    finally:
        site.server.shutdown()


def test_a_rerun_with_nothing_to_extract_does_not_start_a_model(fake_model, tmp_path, database_url):
    from backchannel.settings import EMBEDDED_MODEL_NAMES

    fake_model.default = reader
    # Extracted by a server that serves the embedded model's name: the embedded setup's work.
    env = _db_env(fake_model, tmp_path, database_url) | {
        "BACKCHANNEL_MODEL": EMBEDDED_MODEL_NAMES["1.5b"]
    }
    assert run_cli(["ingest", str(PAGES / "outlets")], env).returncode == 0
    # Now the embedded model, with no model file and no server binary: starting it would fail.
    embedded = {k: v for k, v in {**os.environ, **env}.items()
                if k not in ("BACKCHANNEL_BASE_URL", "BACKCHANNEL_MODEL")}  # fmt: skip
    embedded |= {"BACKCHANNEL_MODEL_DIR": str(tmp_path / "no-models"),
                 "BACKCHANNEL_SERVER_BINARY": str(tmp_path / "no-llama-server"),
                 "BACKCHANNEL_SERVER_PORT": "9"}  # fmt: skip
    proc = subprocess.run([CLI, "ingest", str(PAGES / "outlets")], capture_output=True, text=True,
                          env=embedded, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "2 already stored" in proc.stderr and "model server" not in proc.stderr
