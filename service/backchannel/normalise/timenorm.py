"""Resolve a meeting's time phrase to an ISO date interval against the article's date.

The model only copies the phrase ("On Tuesday", "last week", "in early 2024"); the dates come from
this deterministic code, because a small model gets calendar arithmetic wrong and code does not.
The semantics follow eval/LABELLING.md ("Time rules"). Choices that table leaves open are stated
on the helpers below. Nothing here raises on any input: an unresolvable phrase is (None, None).

A phrase is matched against an ordered table of (regex, resolver); the first match wins. The order
encodes specificity: explicit dates before relative phrases, day-level relative phrases before
week/month ones, and a bare year ("the 2025 Munich Security Conference") last of all, so that in
"during last week's <event>" the relative part wins over anything in the event's name.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from backchannel import lexicon
from backchannel.normalise import dates as cal
from backchannel.normalise.dates import UNRESOLVED, TimeRange
from backchannel.text.fold import fold

__all__ = ["TimeRange", "UNRESOLVED", "resolve_time"]


@dataclass(frozen=True, slots=True)
class _Ctx:
    pub: dt.date | None
    future: bool

    @property
    def anchor(self) -> dt.date:
        """The publication date, for relative phrases; without it they resolve to nothing."""
        if self.pub is None:
            raise cal.Unresolvable
        return self.pub


_Resolver = Callable[[re.Match[str], _Ctx], TimeRange]
_RULES: list[tuple[re.Pattern[str], _Resolver]] = []


def _rule(*patterns: str) -> Callable[[_Resolver], _Resolver]:
    """Register a resolver for one or more patterns; registration order is match priority."""

    def register(fn: _Resolver) -> _Resolver:
        _RULES.extend((re.compile(p, re.ASCII), fn) for p in patterns)
        return fn

    return register


# --- vocabulary -----------------------------------------------------------------------------------

_MONTHS = tuple(lexicon.words("time", "months"))
_MONTH_ABBR: dict[str, int] = lexicon.mapping("time", "month_abbreviations")
_WEEKDAYS = tuple(lexicon.words("time", "weekdays"))
_NUMBERS: dict[str, int] = lexicon.mapping("time", "numbers")
_ORDINALS: dict[str, int] = lexicon.mapping("time", "ordinals")
_PARTS: dict[str, cal.Part] = lexicon.mapping("time", "parts")
_REL_MODE: dict[str, cal.Mode] = lexicon.mapping("time", "relative")
_REL_OFFSET = {"last": -1, "this": 0, "next": 1}

# Full names first so that "march" is not read as "mar" + "ch" (the \b also guards that).
_MONTH_FULL = "|".join(_MONTHS)
_MONTH_ABBRS = "sept|" + "|".join(k for k in _MONTH_ABBR if k != "sept")
_MONTH_ANY = rf"\b(?P<month>{_MONTH_FULL}|{_MONTH_ABBRS})\b\.?"
_MONTH_BARE = rf"\b(?P<month>{_MONTH_FULL})\b"
_DAY = r"\b(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?\b"
# 1800..2199 only, so that "1500 troops" is not a year; "1990s" is a decade, "2023's" a year.
_YEAR = r"(?<![0-9])(?P<year>(?:1[89]|2[01])[0-9]{2})(?![0-9])(?!s\b)"
_YEAR_REF = rf"(?:{_YEAR}|\b(?P<yrel>last|this|next|(?:the\s+)?current)\s+year\b)"
_PART = r"\b(?P<part>early|mid|late|(?:the\s+)?(?:start|beginning|middle|end|close)\s+of)"
_SEP = r"[\s-]+(?:in\s+)?"
_WEEKDAY = rf"\b(?P<weekday>{'|'.join(_WEEKDAYS)})s?\b"
_WEEKDAY_RE = re.compile(_WEEKDAY, re.ASCII)
_NUM = rf"(?P<n>[0-9]{{1,3}}|{'|'.join(_NUMBERS)})"
_SEASON = r"\b(?P<season>spring|summer|autumn|fall|winter)\b"
_REL = r"(?P<rel>last|next|this\s+past|this\s+coming|this|past|coming)"


def _mode(rel: str | None, ctx: _Ctx) -> cal.Mode:
    """A modifier ("last", "this coming"...) fixes the direction; without one the tense does."""
    if rel:
        return _REL_MODE[rel.split()[-1]]
    return "future" if ctx.future else "past"


def _month(m: re.Match[str]) -> int:
    word = m["month"]
    return _MONTHS.index(word) + 1 if word in _MONTHS else _MONTH_ABBR[word]


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word]


def _part_word(m: re.Match[str]) -> cal.Part:
    """'the end of' -> late, 'mid' -> mid: the keyword is the first word after an optional 'the'."""
    words = m["part"].split()
    return _PARTS[words[1] if words[0] == "the" else words[0]]


def _year(m: re.Match[str], ctx: _Ctx) -> int:
    """An explicit year, or one relative to `published_at` ("last year")."""
    if m["year"]:
        return int(m["year"])
    return ctx.anchor.year + _REL_OFFSET.get(m["yrel"].split()[-1], 0)


def _ordinal(m: re.Match[str]) -> int:
    """The quarter/half number; "last"/"final" is the last one of the year."""
    groups = m.groupdict()
    if groups.get("n"):
        return int(groups["n"])
    word = groups["ord"]
    if word in ("last", "final"):
        return 4 if m["span"] == "quarter" else 2
    return _ORDINALS[word]


# --- absolute rules: an explicit year, so they resolve without published_at ----------------------


@_rule(r"(?<![0-9])(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})(?![0-9])")
def _iso_date(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.day(dt.date(int(m["year"]), int(m["month"]), int(m["day"])))


@_rule(
    rf"{_MONTH_ANY}\s*{_DAY},?\s+(?:of\s+)?{_YEAR_REF}",
    rf"{_DAY}\s+(?:of\s+)?{_MONTH_ANY},?\s+(?:of\s+)?{_YEAR_REF}",
)
def _full_date(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.day(dt.date(_year(m, ctx), _month(m), int(m["day"])))


@_rule(rf"{_PART}{_SEP}{_MONTH_ANY},?\s+(?:of\s+)?{_YEAR_REF}")
def _part_of_month_year(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.part_of(cal.month_span(_year(m, ctx), _month(m)), "month", _part_word(m))


@_rule(rf"{_MONTH_ANY},?\s+(?:of\s+)?{_YEAR_REF}")
def _month_year(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.month_span(_year(m, ctx), _month(m))


@_rule(
    rf"\b(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|final|last)\s+(?P<span>quarter|half)"
    rf"\s+(?:of\s+)?{_YEAR_REF}",
    rf"\b(?P<span>q|h)(?P<n>[1-4])[\s/-]*(?:of\s+)?{_YEAR_REF}",
    rf"{_YEAR}[\s/-]*(?P<span>q|h)(?P<n>[1-4])\b",
)
def _quarter_year(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.quarter_or_half(_year(m, ctx), m["span"], _ordinal(m))


@_rule(rf"{_SEASON},?\s+(?:of\s+)?{_YEAR_REF}")
def _season_year(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.season(_year(m, ctx), m["season"])


@_rule(rf"{_PART}{_SEP}{_YEAR_REF}")
def _part_of_year(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.part_of(cal.period("year", dt.date(_year(m, ctx), 1, 1), 0), "year", _part_word(m))


# --- relative rules: they need published_at ------------------------------------------------------


@_rule(rf"{_MONTH_ANY}\s*{_DAY}", rf"{_DAY}\s+(?:of\s+)?{_MONTH_ANY}")
def _month_day(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    month, day = _month(m), int(m["day"])
    if not 1 <= day <= 31:
        raise cal.Unresolvable
    return cal.pick(lambda y: cal.day(dt.date(y, month, day)), ctx.anchor, _mode(None, ctx))


@_rule(rf"{_PART}{_SEP}(?:the\s+month\s+of\s+)?{_MONTH_ANY}")
def _part_of_month(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    month, part = _month(m), _part_word(m)

    def make(year: int) -> TimeRange:
        return cal.part_of(cal.month_span(year, month), "month", part)

    return cal.pick(make, ctx.anchor, _mode(None, ctx))


@_rule(r"\b(?:the\s+)?day\s+before\s+yesterday\b", r"\b(?:the\s+)?day\s+after\s+tomorrow\b")
def _two_days(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.period("day", ctx.anchor, -2 if "yesterday" in m[0] else 2)


@_rule(r"\b(?:yesterday|last\s+night)\b")
def _yesterday(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.period("day", ctx.anchor, -1)


@_rule(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b")
def _today(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.period("day", ctx.anchor, 0)


@_rule(r"\btomorrow\b")
def _tomorrow(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.period("day", ctx.anchor, 1)


@_rule(
    r"\b(?:a\s+)?(?:few|couple(?:\s+of)?|several|number\s+of)\s+(?:days|weeks|months|years)\s+ago\b"
)
def _vague_ago(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return TimeRange(None, ctx.anchor)


@_rule(rf"\b{_NUM}\s+(?P<unit>day|week|month|year)s?\s+ago\b")
def _units_ago(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    """A calendar unit N back: "two weeks ago" is a Monday..Sunday week, like "last week"."""
    return cal.period(m["unit"], ctx.anchor, -_number(m["n"]))


@_rule(
    r"\b(?:in|within)\s+(?:a\s+)?(?:few|couple(?:\s+of)?|several)\s+(?:days|weeks|months|years)\b",
    r"\bthe\s+(?:coming|next|following)\s+(?:days|weeks|months|years)\b",
    r"\b(?:coming|next)\s+(?:few|several|couple\s+of)\s+(?:days|weeks|months|years)\b",
    r"\b(?:soon|shortly|upcoming|forthcoming)\b",
)
def _vague_future(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    """The mirror image of "recently": from `published_at`, open-ended."""
    return TimeRange(ctx.anchor, None)


@_rule(
    rf"\bin\s+{_NUM}\s+(?P<unit>day|week|month|year)s?(?:'?\s+time)?\b",
    rf"\b{_NUM}\s+(?P<unit>day|week|month|year)s?\s+from\s+(?:now|today)\b",
)
def _units_ahead(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.period(m["unit"], ctx.anchor, _number(m["n"]))


@_rule(
    r"\b(?:recently|lately|of\s+late)\b",
    r"\brecent\s+(?:days|weeks|months|years|times)\b",
    r"\b(?:past|last|previous)\s+(?:few|several|couple\s+of)\s+(?:days|weeks|months|years)\b",
    r"\b(?:the|this)\s+(?:past|last|previous)\s+(?:days|weeks|months|years)\b",
)
def _recent(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return TimeRange(None, ctx.anchor)


@_rule(
    rf"\b(?:(?:the|this)\s+)?(?P<dir>past|last)\s+{_NUM}\s+(?P<unit>hour|day|week|month|year)s?\b",
    r"\b(?:the|this)\s+(?P<dir>past|last)\s+(?P<unit>hour|day|week|month|year)\b(?!\s+of\b)",
    rf"\b(?:the\s+)?(?P<dir>next|coming)\s+{_NUM}\s+(?P<unit>hour|day|week|month|year)s?\b",
    r"\bthe\s+(?P<dir>next|coming)\s+(?P<unit>hour|day|week|month|year)\b(?!\s+of\b)",
)
def _rolling(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    """A rolling window ending or starting at `pub` ("the past two weeks", "the coming month"),
    unlike "last week", which is a calendar week."""
    count = m.groupdict().get("n")
    pub, n = ctx.anchor, _number(count) if count else 1
    if m["unit"] == "hour":
        delta: relativedelta = relativedelta(days=max(1, math.ceil(n / 24)))
    else:
        delta = relativedelta(**{f"{m['unit']}s": n})
    if m["dir"] in ("next", "coming"):
        return TimeRange(pub, pub + delta)
    return TimeRange(pub - delta, pub)


@_rule(
    r"\b(?P<dir>earlier|later)\s+(?:this|in\s+the)\s+(?P<unit>week|month|quarter|year)\b",
    r"\b(?P<dir>earlier|later)\s+(?P<unit>today)\b",
)
def _earlier_later(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    """From the period's start to `pub` ("earlier this month", per the spec); "later" mirrors it."""
    pub = ctx.anchor
    if m["unit"] == "today":
        return cal.day(pub)
    start, end = cal.period(m["unit"], pub, 0)
    return TimeRange(start, pub) if m["dir"] == "earlier" else TimeRange(pub, end)


@_rule(
    rf"{_PART}{_SEP}(?P<rel>last|this|next|the|(?:the\s+)?current)\s+"
    r"(?P<unit>week|month|quarter|year)\b"
)
def _part_of_period(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    rel = _REL_MODE[m["rel"].split()[-1]]
    offset = {"last": -1, "next": 1}.get(rel, 0)
    return cal.part_of(cal.period(m["unit"], ctx.anchor, offset), m["unit"], _part_word(m))


@_rule(rf"(?:\b{_REL}\s+)?\bweekend\b")
def _weekend(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    """Past: the weekend whose Saturday is the latest before `pub`; future: the first weekend
    whose Sunday is after `pub` (so on a Saturday, "this weekend" is that day and the next)."""
    pub, mode = ctx.anchor, _mode(m["rel"], ctx)
    if mode == "this":
        mode = _mode(None, ctx)
    if mode in ("next", "future"):
        sunday = cal.step_weekday(pub, 6, forward=True)
        return TimeRange(sunday - dt.timedelta(days=1), sunday)
    saturday = cal.step_weekday(pub, 5, forward=False)
    return TimeRange(saturday, saturday + dt.timedelta(days=1))


@_rule(
    r"\b(?P<rel>last|this|next|(?:the\s+)?current)\s+(?P<unit>week|month|quarter|year)\b(?!\s+of\b)"
)
def _calendar_period(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    """Calendar week/month/quarter/year; with a weekday elsewhere in the phrase ("on Tuesday last
    week", "last week's Monday talks") it is that day of the week."""
    offset = _REL_OFFSET.get(m["rel"].split()[-1], 0)
    span = cal.period(m["unit"], ctx.anchor, offset)
    weekday = _WEEKDAY_RE.search(m.string)
    if m["unit"] == "week" and weekday and span.start is not None:
        return cal.day(span.start + dt.timedelta(days=_WEEKDAYS.index(weekday["weekday"])))
    return span


@_rule(rf"(?:\b{_REL}\s+)?{_WEEKDAY}")
def _weekday(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    """Strictly before (past) or after (future) `pub`; "last"/"next" force the direction and
    "this" follows the tense."""
    mode = _mode(m["rel"], ctx)
    forward = mode in ("next", "future") or (mode == "this" and ctx.future)
    return cal.day(cal.step_weekday(ctx.anchor, _WEEKDAYS.index(m["weekday"]), forward))


@_rule(
    r"\b(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th|final)\s+(?P<span>quarter|half)\b",
    r"\b(?P<span>q|h)(?P<n>[1-4])\b",
)
def _quarter(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    span, n = m["span"], _ordinal(m)
    return cal.pick(lambda y: cal.quarter_or_half(y, span, n), ctx.anchor, _mode(None, ctx))


@_rule(rf"(?:\b{_REL}\s+)?(?<!arab\s)(?<!prague\s){_SEASON}(?!\s+of\b)")
def _season_rel(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    name = m["season"]
    return cal.pick(lambda y: cal.season(y, name), ctx.anchor, _mode(m["rel"], ctx))


@_rule(
    rf"\b{_REL}\s+{_MONTH_BARE}",
    rf"(?:^|\b(?:in|during|since|from|of|at)\s+)(?:the\s+(?:month\s+of\s+)?)?{_MONTH_BARE}",
)
def _month_rel(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    """A month name without a year. Bare "may"/"march" mid-sentence are usually not months, so
    the name must start the phrase or follow a preposition or a modifier."""
    month = _month(m)
    rel = m.groupdict().get("rel")
    return cal.pick(lambda y: cal.month_span(y, month), ctx.anchor, _mode(rel, ctx))


# --- bare years last: a year in an event's name loses to a relative phrase ----------------------


@_rule(r"(?<![0-9])(?P<decade>(?:1[89]|2[01])[0-9])0'?s\b")
def _decade(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    first = int(m["decade"]) * 10
    return TimeRange(dt.date(first, 1, 1), dt.date(first + 9, 12, 31))


@_rule(_YEAR)
def _bare_year(m: re.Match[str], ctx: _Ctx) -> TimeRange:
    return cal.period("year", dt.date(int(m["year"]), 1, 1), 0)


# --- public API -----------------------------------------------------------------------------------

_SINCE = re.compile(r"\b(?:ever\s+)?since\s+(?P<rest>\S.*)$", re.ASCII)


def _match(text: str, ctx: _Ctx) -> TimeRange:
    for pattern, resolver in _RULES:
        m = pattern.search(text)
        if m:
            return resolver(m, ctx)
    return UNRESOLVED


def resolve_time(phrase: str, published_at: dt.date | None, *, future: bool = False) -> TimeRange:
    """Resolve a time phrase copied from an article to an inclusive (start, end) date interval.

    `future` says the sentence is future tense (a planned meeting): bare weekdays, months and
    dates then resolve forward from `published_at` instead of back. Relative phrases need
    `published_at`; absolute ones ("in 2023") do not. Never raises; (None, None) if unresolvable.
    """
    if not isinstance(phrase, str):
        return UNRESOLVED
    if isinstance(published_at, dt.datetime):  # a datetime does not compare with a date
        published_at = published_at.date()
    if published_at is not None and not isinstance(published_at, dt.date):
        published_at = None
    ctx = _Ctx(published_at, future)
    text = fold(phrase)
    try:
        since = _SINCE.search(text)
        if since:  # "since March": from its start to publication
            start = _match(since["rest"], _Ctx(published_at, False)).start
            result = TimeRange(start, published_at) if start else UNRESOLVED
        else:
            result = _match(text, ctx)
    except (cal.Unresolvable, ValueError, OverflowError):
        return UNRESOLVED
    if result.start and result.end and result.start > result.end:
        return UNRESOLVED
    return result
