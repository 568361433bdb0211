"""Shared fixtures: the scripted model server, settings pointed at it, the seed article.

Test data (the seed, drafts, meetings) lives in `tests.factories`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backchannel.settings import Settings

from tests.factories import SEED_PATH, STRATEGIES
from tests.fakeserver import FakeModelServer


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
    )


@pytest.fixture(params=STRATEGIES)
def strategy(request: pytest.FixtureRequest) -> str:
    """Each strategy in turn, for tests of what every entry point does whichever one runs."""
    return request.param


@pytest.fixture
def strategy_settings(settings: Settings, strategy: str) -> Settings:
    return settings.model_copy(update={"strategy": strategy})
