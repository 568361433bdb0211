"""How the scorer reads a field: words folded for comparison, enums, places, countries and
time intervals of a meeting (a None meeting is the empty side of an unmatched one)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from backchannel.contract.schema import Meeting, Participant
from backchannel.text.fold import words as norm  # folded words, or None when none is left

Interval = tuple[dt.date | None, dt.date | None]
_EXCERPT = 60


def text_value(value: str | None) -> str | None:
    """The value, or None when it is empty or only punctuation."""
    return value if norm(value) else None


def same_text(gold: str, pred: str) -> bool:
    return norm(gold) == norm(pred)


def contains(gold: str, pred: str) -> bool:
    """Either names the other, word-aligned ("Geneva" ~ "Geneva, Switzerland"; not "Niger")."""
    a, b = norm(gold), norm(pred)
    if a is None or b is None:
        return False
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def word_set(value: str) -> set[str]:
    folded = norm(value)
    return set(folded.split()) if folded else set()


def enum_value(value: StrEnum) -> str | None:
    return None if value.value == "unknown" else value.value


def place_of(m: Meeting | None) -> str | None:
    return text_value(m.location.place) if m and m.location else None


def country_in(m: Meeting | None) -> str | None:
    return text_value(m.location.country) if m and m.location else None


def interval_of(m: Meeting | None) -> Interval | None:
    """The time interval, or None when there is none (no time, or both bounds null)."""
    if m is None or m.time is None or (m.time.start is None and m.time.end is None):
        return None
    return (m.time.start, m.time.end)


def overlaps(a: Interval, b: Interval) -> bool:
    """Closed intervals overlap; a null start is open to the past, a null end to the future."""
    start = max(a[0] or dt.date.min, b[0] or dt.date.min)
    end = min(a[1] or dt.date.max, b[1] or dt.date.max)
    return start <= end


def show_interval(value: Interval | None) -> str:
    if value is None:
        return "null"
    return f"{value[0] or 'null'}..{value[1] or 'null'}"


def excerpt(m: Meeting) -> str:
    return repr(m.evidence.text[:_EXCERPT])


def who(p: Participant) -> str:
    return repr(p.name or p.mention)


def intersection(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def evidence_span(m: Meeting) -> tuple[int, int]:
    return (m.evidence.start, m.evidence.end)
