"""Grounded values as marks over the article's text, and the text cut where marks begin or end.

Every quoted value of a result has `[start, end)` offsets; a mark is one of them, with a stable id
(`m0-p1`: meeting 0, participant 1) that the page's table rows and the browser tests use. Marks
overlap (a participant inside its evidence sentence), so the text is cut at every boundary and each
piece carries all the marks that cover it: one flat run of elements, no nesting to get wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
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


def meeting_marks(meeting: Meeting, key: str, tone: str = "", layer: str = "k") -> list[Mark]:
    """The marks of one meeting; `key` prefixes their ids and names the meeting; `tone` and
    `layer` are how they are drawn."""
    marks = [
        Mark(
            f"{key}-e",
            Kind.evidence,
            meeting.evidence.start,
            meeting.evidence.end,
            key,
            f"evidence ({meeting.status.value})",
        )
    ]
    for i, p in enumerate(meeting.participants):
        who = _describe(p.name, p.role, p.affiliation, p.capacity.value)
        marks.append(Mark(f"{key}-p{i}", Kind.participant, *p.span, key, f"participant: {who}"))
        if p.name and p.name_span and tuple(p.name_span) != tuple(p.span):
            marks.append(Mark(f"{key}-n{i}", Kind.name, *p.name_span, key, f"name: {p.name}"))
    if meeting.location is not None:
        where = _describe(meeting.location.place, meeting.location.country)
        marks.append(Mark(f"{key}-l", Kind.place, *meeting.location.span, key, f"place: {where}"))
    if meeting.time is not None:
        t = meeting.time
        when = f"{t.start or '?'} to {t.end or '?'}" if t.start != t.end else str(t.start)
        marks.append(Mark(f"{key}-t", Kind.time, *t.span, key, f"time: {when}"))
    return [replace(m, tone=tone, layer=layer) for m in marks]


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
