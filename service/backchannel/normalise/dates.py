"""Calendar arithmetic for time phrases: days, weeks (Monday..Sunday), months, quarters, parts
of a span, and choosing one yearly instance of a recurring span. Pure functions of dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Literal, NamedTuple

from dateutil.relativedelta import relativedelta


class TimeRange(NamedTuple):
    """An inclusive date interval; a bound is None when the phrase leaves it open."""

    start: dt.date | None
    end: dt.date | None


UNRESOLVED = TimeRange(None, None)

Mode = Literal["past", "future", "last", "next", "this"]
Part = Literal["early", "mid", "late"]


class Unresolvable(Exception):
    """A rule matched but cannot give dates (e.g. a relative phrase without `published_at`)."""


# --- calendar helpers -----------------------------------------------------------------------------


def day(d: dt.date) -> TimeRange:
    return TimeRange(d, d)


def month_span(year: int, month: int) -> TimeRange:
    first = dt.date(year, month, 1)
    return TimeRange(first, first + relativedelta(months=1, days=-1))


def months_span(year: int, month: int, count: int) -> TimeRange:
    """`count` whole months starting at year-month (quarters, halves, seasons)."""
    first = dt.date(year, month, 1)
    return TimeRange(first, first + relativedelta(months=count, days=-1))


def period(unit: str, pub: dt.date, offset: int) -> TimeRange:
    """The calendar day/week (Monday..Sunday)/month/quarter/year `offset` units from `pub`'s."""
    if unit == "day":
        return day(pub + dt.timedelta(days=offset))
    if unit == "week":
        monday = pub - dt.timedelta(days=pub.weekday()) + dt.timedelta(weeks=offset)
        return TimeRange(monday, monday + dt.timedelta(days=6))
    if unit == "month":
        first = dt.date(pub.year, pub.month, 1) + relativedelta(months=offset)
        return month_span(first.year, first.month)
    if unit == "quarter":
        first_month = 3 * ((pub.month - 1) // 3) + 1
        first = dt.date(pub.year, first_month, 1) + relativedelta(months=3 * offset)
        return months_span(first.year, first.month, 3)
    year = pub.year + offset
    return TimeRange(dt.date(year, 1, 1), dt.date(year, 12, 31))


def part_of(span: TimeRange, unit: str, part: Part) -> TimeRange:
    """Early/mid/late of a span: thirds of its months (a year: Jan-Apr, May-Aug, Sep-Dec, as the
    spec says); a month: days 1-10, 11-20, 21-end; a week: Mon-Wed, Tue-Thu, Thu-Sun."""
    start, end = span
    assert start is not None and end is not None
    if unit == "week":
        first, last = {"early": (0, 2), "mid": (1, 3), "late": (3, 6)}[part]
        return TimeRange(start + dt.timedelta(days=first), start + dt.timedelta(days=last))
    if unit == "month":
        if part == "early":
            return TimeRange(start, start.replace(day=10))
        if part == "mid":
            return TimeRange(start.replace(day=11), start.replace(day=20))
        return TimeRange(start.replace(day=21), end)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    third = max(months // 3, 1)
    index = {"early": 0, "mid": 1, "late": 2}[part]
    first = start + relativedelta(months=index * third)
    if part == "late":
        return TimeRange(first, end)
    return TimeRange(first, first + relativedelta(months=third, days=-1))


def step_weekday(pub: dt.date, weekday: int, forward: bool) -> dt.date:
    """The given weekday strictly after (or strictly before) `pub`, never `pub` itself."""
    if forward:
        return pub + dt.timedelta(days=(weekday - pub.weekday()) % 7 or 7)
    return pub - dt.timedelta(days=(pub.weekday() - weekday) % 7 or 7)


def pick(make: Callable[[int], TimeRange], pub: dt.date, mode: Mode) -> TimeRange:
    """Choose one yearly instance of a recurring span (a month, a date, a season...).

    past: the latest that starts on or before `pub`; future: the earliest that ends on or after it
    (the spec's rule for "in March" and "March 3"). last: the latest wholly before `pub`; next: the
    earliest wholly after it; this: the one containing `pub`, else the one labelled `pub`'s year.
    """
    candidates: list[tuple[int, dt.date, dt.date]] = []
    for year in range(pub.year - 9, pub.year + 10):  # wide enough for February 29
        try:
            start, end = make(year)
        except (ValueError, OverflowError):
            continue
        assert start is not None and end is not None
        candidates.append((year, start, end))
    chosen: list[tuple[int, dt.date, dt.date]]
    if mode == "past":
        chosen = [c for c in candidates if c[1] <= pub][-1:]
    elif mode == "future":
        chosen = [c for c in candidates if c[2] >= pub][:1]
    elif mode == "last":
        chosen = [c for c in candidates if c[2] < pub][-1:]
    elif mode == "next":
        chosen = [c for c in candidates if c[1] > pub][:1]
    else:
        chosen = [c for c in candidates if c[1] <= pub <= c[2]][:1] or [
            c for c in candidates if c[0] == pub.year
        ]
    if not chosen:
        raise Unresolvable
    return TimeRange(chosen[0][1], chosen[0][2])


def season(year: int, name: str) -> TimeRange:
    """Meteorological seasons (northern hemisphere); winter YEAR is Dec YEAR..Feb YEAR+1."""
    first_month = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}[name]
    return months_span(year, first_month, 3)


def quarter_or_half(year: int, span: str, n: int) -> TimeRange:
    size = 3 if span in ("quarter", "q") else 6
    if not 1 <= n <= 12 // size:
        raise Unresolvable
    return months_span(year, (n - 1) * size + 1, size)
