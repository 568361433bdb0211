"""Several workers on one queue: leases on queued articles (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

from backchannel.corpus.leases import held, worker_name
from backchannel.serve.api import create_app
from backchannel.sources.documents import make_article
from backchannel.store.repository import Setup, Store
from fastapi.testclient import TestClient

from tests.test_ingest import reader

SETUP = Setup(model="m", prompt_version="p", strategy="single")


def _store_with(database_url: str, n: int) -> tuple[Store, list[str]]:
    store = Store.open(database_url)
    ids = []
    for i in range(n):
        article = make_article(f"Item {i}: Antony Blinken met Sergei Lavrov in Geneva.", "t")
        store.add(article)
        ids.append(article.id)
    return store, ids


def test_one_holder_at_a_time_until_the_lease_runs_out_or_the_article_is_done(database_url):
    store, [a] = _store_with(database_url, 1)
    assert store.claim(a, SETUP, "w1", 60)
    assert not store.claim(a, SETUP, "w2", 60)
    assert store.claim(a, SETUP, "w1", 60)  # renewing one's own
    assert store.claim(a, Setup(model="m", prompt_version="p2", strategy="single"), "w2", 60)
    assert store.claim(a, SETUP, "w2", 60, replacing="w1")  # taking over from a dead worker
    assert store.lease_holder(a, SETUP) == "w2"
    assert store.claim(a, SETUP, "w3", 60) is False  # w2 still holds it
    store.fail(a, SETUP, "boom")  # failed: let go, so it can be retried
    assert store.lease_holder(a, SETUP) is None
    assert store.claim(a, SETUP, "w3", -1)  # a lease that has already run out...
    assert store.claim(a, SETUP, "w4", 60)  # ...is anyone's
    store.save(a, SETUP, _result())
    assert store.lease_holder(a, SETUP) is None and not store.claim(a, SETUP, "w5", 60)


def _result():
    from backchannel.contract.schema import ExtractResult

    return ExtractResult(meetings=[], model="m", prompt_version="p", cached=False,
                         usage={}, latency_ms=0)  # fmt: skip


def test_racing_claims_have_exactly_one_winner(database_url):
    store, [a] = _store_with(database_url, 1)
    wins: list[str] = []
    start = threading.Barrier(8)

    def grab(n: int) -> None:
        start.wait()
        if store.claim(a, SETUP, f"w{n}", 60):
            wins.append(f"w{n}")

    threads = [threading.Thread(target=grab, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(wins) == 1 and store.lease_holder(a, SETUP) == wins[0]


def test_a_lease_of_a_dead_process_on_this_machine_is_taken_over(database_url):
    store, [a] = _store_with(database_url, 1)
    dead = f"{socket.gethostname()}:999999999:x"  # no such pid
    assert store.claim(a, SETUP, dead, 600)
    alive = worker_name()  # this process: alive
    assert store.claim(a, SETUP, "other", 600) is False

    async def both() -> tuple[bool, bool]:
        async with (
            held(store, a, SETUP, alive) as mine,
            held(store, a, SETUP, worker_name()) as theirs,
        ):
            return mine, theirs

    assert asyncio.run(both()) == (True, False)  # taken from the dead; then held by the living


def test_two_api_workers_on_one_store_extract_each_article_once(settings, fake_model, database_url):
    fake_model.default = lambda p: reader(p, delay=0.2)
    one = settings.model_copy(update={"database_url": database_url})
    two = one.model_copy(update={"cache_dir": settings.cache_dir.parent / "cache-two"})
    texts = [f"Item {i}: Antony Blinken met Sergei Lavrov in Geneva on day {i}." for i in range(6)]
    with TestClient(create_app(one)) as a, TestClient(create_app(two)) as b:
        for i, text in enumerate(texts):
            (a if i % 2 else b).post("/v1/articles", json={"text": text})
        deadline = time.monotonic() + 30
        store = Store.open(database_url)
        while store.counts().get("done", 0) < 6:
            assert time.monotonic() < deadline, store.counts()
            time.sleep(0.1)
    asked = [p["messages"][-1]["content"] for p in fake_model.requests]
    for text in texts:  # the two workers never extracted the same article (separate caches)
        assert sum(text in q for q in asked) == 1, text


def test_an_extraction_past_the_article_timeout_is_let_go_and_retried(
    settings, fake_model, database_url
):
    """A worker whose extraction never returns would renew its lease for ever; past the bound
    the article is recorded as failed, the lease is free, and a later run extracts it."""
    from backchannel.corpus.ingest import extract_one, setup_of
    from backchannel.pipeline.extractor import Extractor

    store, [a] = _store_with(database_url, 1)
    article = store.pending(setup_of(Extractor(settings)))[0]
    fake_model.default = lambda p: reader(p, delay=1.5)
    slow = Extractor(settings.model_copy(update={"article_timeout": 0.3}))
    setup = setup_of(slow)
    outcome = asyncio.run(extract_one(store, slow, article, "w1"))
    assert outcome.state == "failed" and outcome.code == "article_timeout"
    assert "longer than 0.3 s" in outcome.error and "BACKCHANNEL_ARTICLE_TIMEOUT" in outcome.error
    assert store.lease_holder(a, setup) is None and store.get(a, setup).state == "failed"
    assert [p.id for p in store.pending(setup)] == [a]  # retried by the next run...
    fake_model.default = reader
    again = asyncio.run(extract_one(store, Extractor(settings), article, "w2"))
    assert again.state == "done" and again.meetings == 1  # ...which extracts it
    assert store.pending(setup) == []
