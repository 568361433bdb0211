"""Shared fixtures: the scripted model server, settings pointed at it, the seed article."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.sentences import split_sentences
from service.settings import Settings
from tests.fakeserver import FakeModelServer

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "examples" / "seed-article.txt"
SEED_DATE = dt.date(2025, 2, 20)


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
        strategy="single",  # the scripted replies are whole-article drafts
        cache_dir=tmp_path / "cache",
        read_timeout=2.0,
        connect_timeout=1.0,
        max_retries=2,
        retry_max_seconds=5.0,
        max_reasks=1,
    )


def sentence_number(text: str, starts_with: str) -> int:
    """The 1-based number the prompt gives the sentence starting with `starts_with`."""
    return next(s.number for s in split_sentences(text) if s.text.startswith(starts_with))


def riyadh_draft(text: str) -> dict:
    """What a good model answers for the seed's Saudi Arabia meeting (contract example)."""
    return {
        "meetings": [
            {
                "sentence": sentence_number(text, "On Tuesday"),
                "participants": [
                    {"mention": "top US officials", "name": None, "affiliation": "US",
                     "role": None, "capacity": "official"},
                    {"mention": "Russian officials", "name": None, "affiliation": "Russian",
                     "role": None, "capacity": "official"},
                    {"mention": "Russian Foreign Minister Sergei Lavrov", "name": "Sergei Lavrov",
                     "affiliation": "Russia", "role": "Foreign Minister", "capacity": "official"},
                ],
                "location": "Saudi Arabia",
                "time": "On Tuesday",
                "track": "official",
                "status": "held",
                "topic": "ending the Ukraine war",
            }
        ]
    }  # fmt: skip
