"""The public contract (`CONTRACT.md`): what callers send and what they get back.

These models are the only shape that leaves the service, through the library, the CLI and the
HTTP API alike. What the model is asked to fill is the smaller draft in `backchannel.model.draft`.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

# The result's shape: part of the result cache's key. 2: participants' `name_span`.
SCHEMA_VERSION = "2"


class Capacity(StrEnum):
    official = "official"
    former_official = "former_official"
    unofficial = "unofficial"
    unknown = "unknown"


class Track(StrEnum):
    official = "official"
    mixed = "mixed"
    unofficial = "unofficial"
    unknown = "unknown"


class Status(StrEnum):
    held = "held"
    planned = "planned"
    cancelled = "cancelled"
    unknown = "unknown"


Span = Annotated[tuple[int, int], Field(description="[start, end) character offsets in `text`")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def iso_date_only(v: object) -> object:
    """Only `YYYY-MM-DD`: a number or a timestamp would silently become some other date."""
    if v is None or isinstance(v, dt.date):
        return v
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return v
    raise ValueError("published_at must be a date string YYYY-MM-DD")


class ExtractRequest(_Strict):
    """One article to read. Unknown fields are refused so a typo is not silently ignored."""

    text: str = Field(
        description="The article, 1 to 100,000 characters of UTF-8 text.",
        # Documents what `_text_has_content` enforces (with its own clearer message than
        # pydantic's "String should have at least 1 character"): some non-space character, and
        # no NUL.
        json_schema_extra={"minLength": 1, "pattern": "^[^\u0000]*[^\u0000\\s][^\u0000]*$"},
    )
    published_at: dt.date | None = Field(
        default=None,
        description="The article's date (YYYY-MM-DD); relative times resolve against it.",
    )
    id: str | None = Field(default=None, max_length=512, description="Caller's id, echoed back.")

    _iso_date = field_validator("published_at", mode="before")(iso_date_only)

    @model_validator(mode="after")
    def _text_has_content(self) -> Self:
        if not self.text.strip():
            raise ValueError("the article is empty (no text, or only whitespace): send its text")
        if "\x00" in self.text:
            raise ValueError("text contains NUL bytes: send plain UTF-8 text")
        return self


class Participant(_Strict):
    name: str | None = None
    # Where the article writes `name` (its fullest form, which may stand in another sentence than
    # the mention: "Tarek Soliman" for "Soliman"); null when there is no name. An extension of
    # the shared contract (README, "Output").
    name_span: Span | None = Field(
        default=None,
        description="[start, end) offsets where the article writes `name`; null without a name",
    )
    mention: str
    span: Span
    affiliation: str | None = None
    role: str | None = None
    capacity: Capacity = Capacity.unknown


class Location(_Strict):
    mention: str
    place: str | None = None
    country: str | None = None
    span: Span


class Time(_Strict):
    mention: str
    start: dt.date | None = None
    end: dt.date | None = None
    span: Span


class Evidence(_Strict):
    text: str
    start: int
    end: int


class Meeting(_Strict):
    participants: list[Participant]
    location: Location | None = None
    time: Time | None = None
    track: Track = Track.unknown
    status: Status = Status.unknown
    topic: str | None = None
    evidence: Evidence

    def quoted(self) -> list[tuple[str, int, int]]:
        """Every value quoted from the text, with its offsets: evidence, mentions, names, place,
        time."""
        out = [(self.evidence.text, self.evidence.start, self.evidence.end)]
        out += [(p.mention, *p.span) for p in self.participants]
        out += [(p.name, *p.name_span) for p in self.participants if p.name and p.name_span]
        out += [(x.mention, *x.span) for x in (self.location, self.time) if x is not None]
        return out


class Usage(_Strict):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    # Wall time spent waiting on the model server, so callers can tell model time from ours.
    model_ms: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            calls=self.calls + other.calls,
            model_ms=self.model_ms + other.model_ms,
        )


class ExtractResult(_Strict):
    id: str | None = None
    published_at: dt.date | None = None
    meetings: list[Meeting]
    model: str
    prompt_version: str
    cached: bool = False
    usage: Usage = Field(default_factory=Usage)
    latency_ms: int = 0
    warnings: list[str] = Field(default_factory=list)

    def check_grounded(self, text: str) -> None:
        """Raise if any quoted value is not exactly the text at its offsets.

        The pipeline builds every span from the text, so this only fails on a bug; it guards the
        one promise callers rely on most.
        """
        for m in self.meetings:
            for value, start, end in m.quoted():
                if text[start:end] != value:
                    raise AssertionError(f"ungrounded value {value!r} at [{start}, {end})")
