"""The corpus store on SQLite and PostgreSQL: migrations that match the tables, idempotent
articles, one extraction per setup written whole, and geography on every resolved place."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from backchannel.contract.schema import ExtractResult
from backchannel.sources.documents import make_article
from backchannel.store.database import StoreError
from backchannel.store.repository import Setup, Store
from backchannel.store.tables import Base, MeetingRow, ParticipantRow
from sqlalchemy import func, select

from tests.factories import meeting, person, place, span_in, when

TEXT = (
    "Blinken and Lavrov meet in Geneva\n"
    "U.S. Secretary of State Antony Blinken met Russian Foreign Minister Sergei Lavrov in Geneva "
    "on Friday."
)
SETUP = Setup(model="m", prompt_version="s1-x", strategy="sentence")


def _result() -> ExtractResult:
    evidence = TEXT.split("\n")[1]
    m = meeting(
        TEXT, evidence,
        [person(TEXT, "U.S. Secretary of State Antony Blinken", "United States", "official",
                name="Antony Blinken", role="Secretary of State"),
         person(TEXT, "Russian Foreign Minister Sergei Lavrov", "Russia", "official",
                name="Sergei Lavrov", role="Foreign Minister")],
        location=place(TEXT, "Geneva", "Geneva", "Switzerland"),
        time=when(TEXT, "on Friday", "2022-01-21", "2022-01-21"),
        track="official", status="held",
    )  # fmt: skip
    m["participants"][1]["name_span"] = span_in(TEXT, "Sergei Lavrov")
    return ExtractResult.model_validate({"meetings": [m], "model": "m", "prompt_version": "s1-x"})


@pytest.fixture
def store(database_url):
    s = Store.open(database_url)
    yield s
    s.close()


def test_the_migrations_build_exactly_the_tables_the_code_uses(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_opening_twice_migrates_once(database_url):
    Store.open(database_url).close()
    again = Store.open(database_url)  # already at head: no error, nothing redone
    assert again.counts()["articles"] == 0


def test_the_same_text_is_stored_once(store):
    article = make_article(TEXT, "a.html", published_at=dt.date(2022, 1, 21))
    copy = make_article(TEXT, "b.html", published_at=dt.date(2022, 1, 21))
    assert store.add(article) is True and store.add(copy) is False
    assert store.counts()["articles"] == 1
    assert store.get(article.id).article.source == "a.html"


def test_an_extraction_is_stored_whole_with_its_spans_and_geography(store):
    article = make_article(TEXT, "a.html", published_at=dt.date(2022, 1, 21))
    store.add(article)
    assert [a.id for a in store.pending(SETUP)] == [article.id]
    store.save(article.id, SETUP, _result())
    assert store.pending(SETUP) == []
    assert store.pending(SETUP.model_copy(update={"prompt_version": "s2-y"})) != []
    stored = store.get(article.id, SETUP)
    assert stored.state == "done" and stored.result == _result()
    with store.session() as s:
        row = s.scalars(select(MeetingRow)).one()
        assert TEXT[row.evidence_start : row.evidence_end] == row.evidence
        assert TEXT[row.place_start : row.place_end] == "Geneva"
        assert (row.place, row.country_code, row.geoname_id) == ("Geneva", "CHE", 2660646)
        assert row.latitude == pytest.approx(46.2, abs=0.05)
        assert row.time_from == dt.date(2022, 1, 21)
        people = s.scalars(select(ParticipantRow).order_by(ParticipantRow.ordinal)).all()
        assert [p.country_code for p in people] == ["USA", "RUS"]
        assert all(TEXT[p.start : p.end] == p.mention for p in people)
        assert (people[1].name, TEXT[people[1].name_start : people[1].name_end]) == (
            "Sergei Lavrov", "Sergei Lavrov")  # fmt: skip


def test_a_failure_is_retried_and_a_finished_extraction_never_downgraded(store):
    article = make_article(TEXT, "a.html")
    store.add(article)
    store.fail(article.id, SETUP, "model unavailable")
    assert store.get(article.id, SETUP).state == "failed"
    assert [a.id for a in store.pending(SETUP)] == [article.id]
    store.save(article.id, SETUP, _result())
    store.save(article.id, SETUP, _result())  # saved again: replaced, not added
    store.fail(article.id, SETUP, "late failure of a duplicate worker")
    stored = store.get(article.id, SETUP)
    assert stored.state == "done" and stored.error is None
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(MeetingRow)) == 1


def test_a_bad_database_url_says_what_to_send():
    with pytest.raises(StoreError, match="is not a database URL"):
        Store.open("not a url")
    with pytest.raises(StoreError, match="cannot open the database"):
        Store.open("postgresql+psycopg://nobody:wrong@127.0.0.1:1/none")
