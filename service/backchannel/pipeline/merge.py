"""How the meetings of one article combine: repeats merged, continuations folded in, headlines.

The model is asked sentence by sentence (and window by window in a long article), so one meeting
can come back several times: the same sentence seen in two windows, a later sentence that only
adds to it ("The talks were chaired by ..."), a headline that restates the body. Here they become
one meeting each; what stays apart is what a reader would count twice.
"""

from __future__ import annotations

from backchannel import lexicon
from backchannel.contract.schema import Location, Meeting, Participant, Time
from backchannel.normalise.roles import track_for, track_from_words
from backchannel.text.sentences import Sentence


def add(meetings: list[Meeting], meeting: Meeting) -> str | None:
    """Add `meeting` to `meetings`, in place, unless it repeats or continues one of them (then it
    is merged into it); returns what happened when it was not simply added."""
    if any(_same_event(meeting, earlier) for earlier in meetings):
        return "duplicate of an earlier meeting, merged"
    target = _follow_up_target(meeting, meetings)
    if target is not None:
        meetings[target] = _merge(meetings[target], meeting)
        return "its sentence refers back to an earlier meeting; merged into it"
    meetings.append(meeting)
    return None


_HEADLINE_WORDS = 25


def _headline(text: str, sentences: list[Sentence]) -> Sentence | None:
    """The headline, if the article has the headline layout: its first line, alone on it, with
    more lines after, short and without a full stop (a one-sentence first paragraph ends with
    one)."""
    first_line_end = text.find("\n")
    if len(sentences) < 2 or first_line_end == -1:
        return None
    first = sentences[0]
    if text[first.end : first_line_end].strip() or first.text.rstrip().endswith("."):
        return None
    return first if len(first.text.split()) <= _HEADLINE_WORDS else None


def without_restated_headline(
    meetings: list[Meeting], text: str, sentences: list[Sentence]
) -> tuple[list[Meeting], list[str]]:
    """A headline restates what the body reports ("Envoys hold talks in Doha on prisoner swap"):
    its meeting is the body's meeting of the same people at a compatible place and time, so it is
    left out; a headline is evidence only when the body never reports the meeting."""
    headline = _headline(text, sentences)
    if headline is None:
        return meetings, []
    kept, warnings = [], []
    for m in meetings:
        if m.evidence.start == headline.start:
            body = next((b for b in meetings if b is not m and _restates(m, b)), None)
            if body is not None:
                warnings.append(
                    f"the headline's meeting is the one reported at {body.evidence.start}: merged"
                )
                continue
        kept.append(m)
    return kept, warnings


def _restates(headline: Meeting, body: Meeting) -> bool:
    """Compatible place and time, and a side in common: the same person, or the same country or
    organisation."""
    if not _compatible(headline, body):
        return False
    names = {p.name.casefold() for p in body.participants if p.name}
    sides = {p.affiliation for p in body.participants if p.affiliation}
    return any(
        (p.name and p.name.casefold() in names) or (p.affiliation and p.affiliation in sides)
        for p in headline.participants
    )


_ANAPHOR = lexicon.regex("meetings", "anaphor")


def _follow_up_target(meeting: Meeting, earlier: list[Meeting]) -> int | None:
    """The earlier meeting this one only continues, if its sentence points back to one and
    it names no other place or time; the nearest such meeting before it.

    A sentence that gives its own place and time and points back only late, in an attribution
    ("..., met in Ankara on Wednesday, two diplomats briefed on the meeting said"), reports a
    meeting of its own rather than continuing one."""
    pointer = _ANAPHOR.search(meeting.evidence.text)
    if pointer is None:
        return None
    if pointer.start() > _EARLY_POINTER and _own_place_and_time(meeting):
        return None
    before = [k for k, m in enumerate(earlier) if m.evidence.start < meeting.evidence.start]
    if not before:
        return None
    # Only the nearest earlier meeting can be the one referred to.
    nearest = max(before, key=lambda k: earlier[k].evidence.start)
    return nearest if _compatible(earlier[nearest], meeting) else None


_EARLY_POINTER = 60  # characters: "The talks, held in Doha on Monday, were chaired by ..."


def _own_place_and_time(meeting: Meeting) -> bool:
    ev = (meeting.evidence.start, meeting.evidence.end)
    return all(
        x is not None and ev[0] <= x.span[0] and x.span[1] <= ev[1]
        for x in (meeting.location, meeting.time)
    )


def _compatible(a: Meeting, b: Meeting) -> bool:
    """No other place and no other time: the two may be one meeting."""
    return _compatible_place(a.location, b.location) and _compatible_time(a.time, b.time)


def _compatible_place(a: Location | None, b: Location | None) -> bool:
    if a is None or b is None:
        return True
    pa, pb = (a.place or a.country or "").casefold(), (b.place or b.country or "").casefold()
    return pa == pb or pa in pb or pb in pa or (a.country is not None and a.country == b.country)


def _compatible_time(a: Time | None, b: Time | None) -> bool:
    if a is None or b is None or None in (a.start, a.end, b.start, b.end):
        return True
    assert a.start and a.end and b.start and b.end
    return a.start <= b.end and b.start <= a.end


def _merge(into: Meeting, extra: Meeting) -> Meeting:
    people = list(into.participants)
    for p in extra.participants:
        if not any(_same_person(p, q) for q in people):
            people.append(p)
    explicit = track_from_words(into.evidence.text) or track_from_words(extra.evidence.text)
    return into.model_copy(
        update={
            "participants": people,
            "location": into.location or extra.location,
            "time": into.time or extra.time,
            "track": explicit or track_for({p.capacity for p in people}, into.track),
        }
    )


def _same_person(a: Participant, b: Participant) -> bool:
    if a.span == b.span:
        return True
    if a.name and b.name and a.name.casefold() == b.name.casefold():
        return True
    return a.mention.casefold() == b.mention.casefold()


def _same_event(a: Meeting, b: Meeting) -> bool:
    """Same evidence, a shared participant and no other place or time, or the same people, place
    and time. One sentence can report several meetings of the same people ("the talks opened in
    Lima in March and moved to Quito in May"): a different place or time keeps them apart."""
    people_a = {p.span for p in a.participants}
    people_b = {p.span for p in b.participants}
    if (a.evidence.start, a.evidence.end) == (b.evidence.start, b.evidence.end):
        return bool(people_a & people_b) and _compatible(a, b)
    where = (a.location.span if a.location else None) == (b.location.span if b.location else None)
    when = (a.time.span if a.time else None) == (b.time.span if b.time else None)
    return people_a == people_b and where and when
