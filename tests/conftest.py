"""Shared fixtures: the scripted model server, settings pointed at it, the seed article.

Test data (the seed, drafts, meetings) lives in `tests.factories`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from backchannel.settings import Settings

from tests.factories import SEED_PATH, STRATEGIES
from tests.fakeserver import FakeModelServer

# No test writes to the user's corpus: an API or CLI started without a database of its own gets
# this throwaway one (tests of the store pass their own `database_url`).
os.environ.setdefault(
    "BACKCHANNEL_DATABASE_URL", f"sqlite:///{tempfile.mkdtemp(prefix='bc-tests-')}/corpus.db"
)


@pytest.fixture
def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture
def fake_model() -> Iterator[FakeModelServer]:
    with FakeModelServer() as server:
        yield server


@pytest.fixture
def settings(fake_model: FakeModelServer, tmp_path: Path) -> Settings:
    return Settings(
        base_url=fake_model.base_url,
        model="fake-model",
        strategy="single",  # one request per article: tests can script each reply
        cache_dir=tmp_path / "cache",
        read_timeout=2.0,
        connect_timeout=1.0,
        max_retries=2,
        retry_max_seconds=5.0,
        max_reasks=1,
        database_url=f"sqlite:///{tmp_path / 'corpus.db'}",
    )


@pytest.fixture(params=STRATEGIES)
def strategy(request: pytest.FixtureRequest) -> str:
    """Each strategy in turn, for tests of what every entry point does whichever one runs."""
    return request.param


@pytest.fixture
def strategy_settings(settings: Settings, strategy: str) -> Settings:
    return settings.model_copy(update={"strategy": strategy})


def _postgres_url() -> str | None:
    """PostgreSQL for the store's tests (`scripts/postgres.sh` starts one and prints its URL).
    CI must have it: there a missing server fails the run instead of skipping its tests."""
    url = os.environ.get("BACKCHANNEL_TEST_POSTGRES_URL")
    if not url and os.environ.get("CI"):
        raise RuntimeError("CI: set BACKCHANNEL_TEST_POSTGRES_URL (scripts/postgres.sh)")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind the store supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'corpus.db'}"
        return
    url = _postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL: run scripts/postgres.sh, set BACKCHANNEL_TEST_POSTGRES_URL")
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:  # a clean schema for every test
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield url
