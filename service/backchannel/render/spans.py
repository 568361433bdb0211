"""Grounded values as marks over the article's text, and the text cut where marks begin or end.

Every quoted value of a result has `[start, end)` offsets; a mark is one of them, with a stable id
(`m0-p1`: meeting 0, participant 1) that the page's table rows and the browser tests use. Marks
overlap (a participant inside its evidence sentence), so the text is cut at every boundary and each
piece carries all the marks that cover it: one flat run of elements, no nesting to get wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from backchannel.contract.schema import Meeting


class Kind(StrEnum):
    evidence = "evidence"
    participant = "participant"
    name = "name"
    place = "place"
    time = "time"


@dataclass(frozen=True)
class Mark:
    id: str
    kind: Kind
    start: int
    end: int
    meeting: str  # the id of the meeting it belongs to ("m0", or "g0" for gold in the report)
    label: str
    tone: str = ""  # extra classes for every piece it covers, e.g. "missed" in the report
    layer: str = "k"  # "k": drawn as a background; "g": underlined (gold, under predictions)


@dataclass(frozen=True)
class Segment:
    text: str
    marks: tuple[Mark, ...]

    @property
    def classes(self) -> str:
        kinds = {f"{m.layer}-{m.kind}" for m in self.marks}
        tones = {f"t-{t}" for m in self.marks for t in m.tone.split()}
        return " ".join(sorted(kinds | tones))

    @property
    def ids(self) -> str:
        return " ".join(m.id for m in self.marks)

    @property
    def meetings(self) -> str:
        return " ".join(dict.fromkeys(m.meeting for m in self.marks))

    @property
    def title(self) -> str:
        return "; ".join(m.label for m in self.marks)


def _describe(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def interval(start: object, end: object) -> str:
    """A time's dates as shown: one day, or "start to end" ("?" for an open bound)."""
    return str(start or "?") if start == end else f"{start or '?'} to {end or '?'}"


def meeting_marks(meeting: Meeting, key: str, tone: str = "", layer: str = "k") -> list[Mark]:
    """The marks of one meeting; `key` prefixes their ids and names the meeting; `tone` and
    `layer` are how they are drawn."""
    marks: list[Mark] = []

    def add(suffix: str, kind: Kind, span: tuple[int, int], label: str) -> None:
        marks.append(Mark(f"{key}-{suffix}", kind, *span, key, label, tone, layer))

    ev = meeting.evidence
    add("e", Kind.evidence, (ev.start, ev.end), f"evidence ({meeting.status.value})")
    for i, p in enumerate(meeting.participants):
        who = _describe(p.name, p.role, p.affiliation, p.capacity.value)
        add(f"p{i}", Kind.participant, p.span, f"participant: {who}")
        if p.name and p.name_span and tuple(p.name_span) != tuple(p.span):
            add(f"n{i}", Kind.name, p.name_span, f"name: {p.name}")
    if meeting.location is not None:
        where = _describe(meeting.location.place, meeting.location.country)
        add("l", Kind.place, meeting.location.span, f"place: {where}")
    if meeting.time is not None:
        add(
            "t",
            Kind.time,
            meeting.time.span,
            f"time: {interval(meeting.time.start, meeting.time.end)}",
        )
    return marks


def marks_of(meetings: Sequence[Meeting], prefix: str = "m") -> list[Mark]:
    return [m for i, meeting in enumerate(meetings) for m in meeting_marks(meeting, f"{prefix}{i}")]


def segments(text: str, marks: Sequence[Mark]) -> list[Segment]:
    """`text` in pieces, each with the marks covering it; the pieces join back to `text`.

    A mark outside the text (which grounding never lets through, but a hand-edited prediction
    file might hold) is clipped to it rather than trusted.
    """
    n = len(text)
    kept = [m for m in marks if 0 <= m.start < m.end and m.start < n]
    cuts = sorted({0, n, *(m.start for m in kept), *(min(m.end, n) for m in kept)})
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = tuple(m for m in kept if m.start <= a and min(m.end, n) >= b)
        out.append(Segment(text[a:b], covering))
    return out
