"""Shared test data: the seed article, model drafts, and contract or gold meetings.

Draft helpers build what the model answers (quotes, enums, sentence numbers); contract helpers
build what the service returns or the gold holds (mentions with real offsets in a given text).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from backchannel.contract.schema import Meeting
from backchannel.evaluation.gold import GoldMeeting
from backchannel.text.sentences import split_sentences

ROOT = Path(__file__).resolve().parent.parent
SEED_PATH = ROOT / "examples" / "seed-article.txt"
SEED_DATE = dt.date(2025, 2, 20)
STRATEGIES = ("single", "sentence")


def sentence_number(text: str, starts_with: str) -> int:
    """The 1-based number the prompt gives the sentence starting with `starts_with`."""
    return next(s.number for s in split_sentences(text) if s.text.startswith(starts_with))


# --- what the model answers ----------------------------------------------------------------------


def draft_person(mention: str, **kw: Any) -> dict[str, Any]:
    base = {"mention": mention, "name": None, "affiliation": None, "role": None,
            "capacity": "official"}  # fmt: skip
    return base | kw


def draft_meeting(sentence: int, participants: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    base = {"sentence": sentence, "participants": participants, "location": None, "time": None,
            "track": "unknown", "status": "held", "topic": None}  # fmt: skip
    return base | kw


def riyadh_draft(text: str) -> dict[str, Any]:
    """What a good model answers for the seed's Saudi Arabia meeting (contract example)."""
    people = [
        draft_person("top US officials", affiliation="US"),
        draft_person("Russian officials", affiliation="Russian"),
        draft_person("Russian Foreign Minister Sergei Lavrov", name="Sergei Lavrov",
                     affiliation="Russia", role="Foreign Minister"),
    ]  # fmt: skip
    riyadh = draft_meeting(
        sentence_number(text, "On Tuesday"), people, location="Saudi Arabia", time="On Tuesday",
        track="official", topic="ending the Ukraine war",
    )  # fmt: skip
    return {"meetings": [riyadh]}


# --- what the service returns, or the gold holds -------------------------------------------------


def span_in(text: str, mention: str, after: int = 0) -> list[int]:
    start = text.index(mention, after)
    return [start, start + len(mention)]


def person(
    text: str, mention: str, affiliation: str | None = None, capacity: str = "unknown",
    name: str | None = None, after: int = 0, role: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {"name": name, "mention": mention, "span": span_in(text, mention, after),
            "affiliation": affiliation, "role": role, "capacity": capacity}  # fmt: skip


def place(text: str, mention: str, place: str | None, country: str | None) -> dict[str, Any]:
    return {"mention": mention, "place": place, "country": country, "span": span_in(text, mention)}


def when(text: str, mention: str, start: str | None, end: str | None) -> dict[str, Any]:
    return {"mention": mention, "start": start, "end": end, "span": span_in(text, mention)}


def meeting(
    text: str, evidence: str, participants: list[dict[str, Any]], **fields: Any
) -> dict[str, Any]:
    """A contract meeting as JSON data: validate it as a `Meeting` or a `GoldMeeting`."""
    start = text.index(evidence)
    end = start + len(evidence)
    base = {"participants": participants, "location": None, "time": None, "track": "unknown",
            "status": "unknown", "topic": None,
            "evidence": {"text": evidence, "start": start, "end": end}}  # fmt: skip
    return base | fields


def as_prediction(gold: dict[str, Any], **changes: Any) -> Meeting:
    """A predicted meeting copied from gold data (its labeller's fields left out), changed."""
    data = {k: v for k, v in copy.deepcopy(gold).items() if k not in GOLD_ONLY}
    return Meeting.model_validate(data | changes)


GOLD_ONLY = frozenset(GoldMeeting.model_fields) - frozenset(Meeting.model_fields)
