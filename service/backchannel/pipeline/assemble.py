"""Turn the model's draft into contract meetings: ground, normalise, validate.

Everything here is deterministic code, the part of the job a small model does worst: offsets,
dates, country names. A quoted value that cannot be found in the article is dropped with a
warning; a meeting whose evidence cannot be found is dropped whole. Nothing unverifiable passes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from backchannel import lexicon
from backchannel.contract.schema import (
    Capacity,
    Evidence,
    Location,
    Meeting,
    Participant,
    Status,
    Time,
    Track,
)
from backchannel.model.draft import Draft, DraftMeeting, DraftParticipant
from backchannel.normalise.names import Name, People
from backchannel.normalise.places import (
    affiliation_from_words,
    country_for_place,
    normalize_country,
    recognised_affiliation,
    resolve_place,
)
from backchannel.normalise.roles import (
    capacity_from_words,
    names_several_sides,
    track_from_capacities,
    track_from_words,
)
from backchannel.normalise.tense import is_future_tense
from backchannel.normalise.timenorm import resolve_time
from backchannel.text.grounding import Article, Match
from backchannel.text.sentences import Sentence, sentence_at

_ARTICLES = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_LOCATION_PREPOSITION = re.compile(r"^(?:in|at|on|near|outside|inside)\s+", re.IGNORECASE)


@dataclass
class Assembly:
    meetings: list[Meeting] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dropped: int = 0

    def drop(self, message: str) -> None:
        self.warnings.append(message)
        self.dropped += 1


def assemble(
    draft: Draft,
    article: Article,
    sentences: list[Sentence],
    published_at: dt.date | None,
) -> Assembly:
    out = Assembly()
    people = People(article.text)
    for i, dm in enumerate(draft.meetings, 1):
        meeting = _meeting(i, dm, article, people, sentences, published_at, out)
        if meeting is None:
            continue
        if any(_same_event(meeting, earlier) for earlier in out.meetings):
            out.warnings.append(f"meeting {i}: duplicate of an earlier meeting, merged")
            continue
        target = _follow_up_target(meeting, out.meetings)
        if target is not None:
            out.meetings[target] = _merge(out.meetings[target], meeting)
            out.warnings.append(
                f"meeting {i}: its sentence refers back to an earlier meeting; merged into it"
            )
            continue
        out.meetings.append(meeting)
    out.meetings = _without_restated_headline(out, article.text, sentences)
    return out


_HEADLINE_WORDS = 25


def _is_headline(sentence: Sentence, text: str, sentences: list[Sentence]) -> bool:
    """The headline layout: the article's first line, alone on it, with more lines after, short
    and without a full stop (a one-sentence first paragraph ends with one)."""
    first_line_end = text.find("\n")
    return (
        sentence.number == 1
        and len(sentences) > 1
        and first_line_end != -1
        and text[sentence.end : first_line_end].strip() == ""
        and not sentence.text.rstrip().endswith(".")
        and len(sentence.text.split()) <= _HEADLINE_WORDS
    )


def _without_restated_headline(
    out: Assembly, text: str, sentences: list[Sentence]
) -> list[Meeting]:
    """A headline restates what the body reports ("Envoys hold talks in Doha on prisoner swap"):
    its meeting is the body's meeting of the same people at a compatible place and time, so it is
    left out; a headline is evidence only when the body never reports the meeting."""
    kept = []
    for m in out.meetings:
        sentence = sentence_at(sentences, m.evidence.start)
        if sentence is not None and _is_headline(sentence, text, sentences):
            body = next((b for b in out.meetings if b is not m and _restates(m, b)), None)
            if body is not None:
                out.warnings.append(
                    f"the headline's meeting is the one reported at {body.evidence.start}: merged"
                )
                continue
        kept.append(m)
    return kept


def _restates(headline: Meeting, body: Meeting) -> bool:
    """Compatible place and time, and a side in common: the same person, or the same country or
    organisation."""
    if not (
        _compatible_place(headline.location, body.location)
        and _compatible_time(headline.time, body.time)
    ):
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
    for k in sorted(before, key=lambda k: earlier[k].evidence.start, reverse=True):
        m = earlier[k]
        if _compatible_place(m.location, meeting.location) and _compatible_time(
            m.time, meeting.time
        ):
            return k
        return None  # only the nearest earlier meeting can be the one referred to
    return None


_EARLY_POINTER = 60  # characters: "The talks, held in Doha on Monday, were chaired by ..."


def _own_place_and_time(meeting: Meeting) -> bool:
    ev = (meeting.evidence.start, meeting.evidence.end)
    return all(
        x is not None and ev[0] <= x.span[0] and x.span[1] <= ev[1]
        for x in (meeting.location, meeting.time)
    )


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
            "track": explicit or _track(people, into.track),
        }
    )


def _same_person(a: Participant, b: Participant) -> bool:
    if a.span == b.span:
        return True
    if a.name and b.name and a.name.casefold() == b.name.casefold():
        return True
    return a.mention.casefold() == b.mention.casefold()


def _same_event(a: Meeting, b: Meeting) -> bool:
    """Same evidence and a shared participant, or the same people, place and time."""
    people_a = {p.span for p in a.participants}
    people_b = {p.span for p in b.participants}
    if (a.evidence.start, a.evidence.end) == (b.evidence.start, b.evidence.end):
        return bool(people_a & people_b)
    where = (a.location.span if a.location else None) == (b.location.span if b.location else None)
    when = (a.time.span if a.time else None) == (b.time.span if b.time else None)
    return people_a == people_b and where and when


def _meeting(
    i: int,
    dm: DraftMeeting,
    article: Article,
    people: People,
    sentences: list[Sentence],
    published_at: dt.date | None,
    out: Assembly,
) -> Meeting | None:
    if not 1 <= dm.sentence <= len(sentences):
        out.drop(
            f"meeting {i} dropped: evidence sentence {dm.sentence} does not exist "
            f"(the article has {len(sentences)})"
        )
        return None
    cited = sentences[dm.sentence - 1]
    sentence = _anchor_sentence(dm, article, sentences, cited)
    if sentence is None:
        out.drop(
            f"meeting {i} dropped: nothing it names (participants, place, time) is in the text"
        )
        return None
    if sentence is not cited:
        out.warnings.append(
            f"meeting {i}: evidence moved from sentence {cited.number} to {sentence.number}, "
            "which names what the meeting quotes"
        )
    near = (sentence.start, sentence.end)
    named_track = track_from_words(sentence.text)

    participants: list[Participant] = []
    for p in [*dm.participants, *_hosts(sentence, dm.participants)]:
        grounded = _participant(i, p, article, people, near, named_track, dm.location, out)
        if grounded and all(grounded.span != q.span for q in participants):
            participants.append(grounded)
    if not participants:
        out.drop(f"meeting {i} dropped: none of its participants could be found in the text")
        return None
    if len(participants) == 1 and not names_several_sides(participants[0].mention):
        out.drop(
            f"meeting {i} dropped: it names one side only ({participants[0].mention!r}); "
            "a meeting needs two"
        )
        return None

    status = dm.status
    future_tense = is_future_tense(sentence.text)
    if status is Status.held and future_tense:
        status = Status.planned
        out.warnings.append(f"meeting {i}: reported as held but its sentence is about the future")
    future = status is Status.planned or (status is Status.unknown and future_tense)
    time = _time(i, dm.time, article, near, published_at, future, out)
    if status is Status.held and _after(time, published_at):
        status = Status.planned
        out.warnings.append(f"meeting {i}: reported as held but dated after publication")
    if _general_comment(sentence.text, time):
        out.drop(f"meeting {i} dropped: its sentence speaks of meetings in general")
        return None
    if _DENIAL.search(sentence.text):
        out.drop(f"meeting {i} dropped: its sentence denies the meeting")
        return None
    if _HYPOTHETICAL.search(sentence.text) and not _REPORTED.search(sentence.text):
        out.drop(f"meeting {i} dropped: its sentence only hopes for or conditions a meeting")
        return None
    if _INTERNAL_SESSION.search(sentence.text) and not _JOINT_BODY.search(sentence.text):
        out.drop(f"meeting {i} dropped: one body meeting by itself, no second side")
        return None
    participants = _without_bare_countries(participants)
    return Meeting(
        participants=participants,
        location=_location(i, dm.location, article, near, out),
        time=time,
        track=named_track or _track(participants, dm.track),
        status=status,
        topic=_topic(i, dm.topic, article, out),
        evidence=Evidence(text=sentence.text, start=sentence.start, end=sentence.end),
    )


_HOST_CLAUSE = lexicon.regex("meetings", "host_clause")


def _hosts(sentence: Sentence, named: list[DraftParticipant]) -> list[DraftParticipant]:
    """Hosts, chairs and mediators the sentence names in a clause ("in talks hosted by Omani
    mediators", "with Emirati officials mediating") and the model left out: the contract counts
    them as participants, and a small model lists the sides and drops the people in the chair."""
    found = []
    for m in _HOST_CLAUSE.finditer(sentence.text):
        who = next((g for g in m.groups() if g), "").strip()
        folded = who.casefold()
        if who and not any(
            folded in p.mention.casefold() or p.mention.casefold() in folded for p in named
        ):
            found.append(
                DraftParticipant(
                    mention=who, name=None, affiliation=None, role=None, capacity=Capacity.unknown
                )
            )
    return found


def _after(time: Time | None, published_at: dt.date | None) -> bool:
    return bool(time and time.start and published_at and time.start > published_at)


_HABITUAL = lexicon.regex("meetings", "habitual")
_KIND = lexicon.regex("meetings", "kind")
# The contract's non-meetings, after the model too: denied, hoped-for or conditional meetings,
# and a body's own session.
_DENIAL = lexicon.regex("meetings", "denial")
_HYPOTHETICAL = lexicon.regex("meetings", "hypothetical")
_INTERNAL_SESSION = lexicon.regex("meetings", "internal_session")
_REPORTED = lexicon.regex("meetings", "reported")
_JOINT_BODY = lexicon.regex("meetings", "joint_body")


def _general_comment(sentence: str, time: Time | None) -> bool:
    return bool(_KIND.search(sentence)) or (time is None and bool(_HABITUAL.search(sentence)))


def _without_bare_countries(participants: list[Participant]) -> list[Participant]:
    """Drop "Ethiopia" beside "Ethiopian Foreign Minister Dawit Haile": the country is already
    there, represented by its people."""
    kept = []
    for p in participants:
        bare = normalize_country(_ARTICLES.sub("", p.mention)) is not None
        if bare and any(q is not p and q.affiliation == p.affiliation for q in participants):
            continue
        kept.append(p)
    return kept


def _track(participants: list[Participant], model: Track) -> Track:
    """From the capacities when all are known (code reads them from role words), else the
    model's."""
    derived = track_from_capacities({p.capacity for p in participants})
    return derived if derived is not Track.unknown else model


def _anchor_sentence(
    dm: DraftMeeting, article: Article, sentences: list[Sentence], cited: Sentence
) -> Sentence | None:
    """The cited sentence if it names something the meeting quotes, else the one that does.

    A small model often cites a neighbouring sentence, or counts sentences up while repeating one
    meeting. Evidence must contain at least one of the meeting's quoted values; otherwise the
    sentence holding most of them (nearest the citation on ties) is used; None if nothing is found.
    """
    values = [p.mention for p in dm.participants] + [dm.location or "", dm.time or ""]
    span = (cited.start, cited.end)
    counts: dict[int, int] = {}
    for value in values:
        if not value.strip():
            continue
        m = article.locate(_LOCATION_PREPOSITION.sub("", value.strip()), near=span)
        s = sentence_at(sentences, m.start) if m else None
        if s is not None:
            counts[s.number] = counts.get(s.number, 0) + 1
    if not counts:
        return None
    if cited.number in counts:
        return cited
    best = max(counts, key=lambda n: (counts[n], -abs(n - cited.number)))
    return sentences[best - 1]


def _ground(
    i: int, what: str, value: str | None, article: Article, near: tuple[int, int], out: Assembly
) -> Match | None:
    if value is None or not value.strip():
        return None
    m = article.locate(value, near=near)
    if m is None:
        out.drop(f"meeting {i}: {what} {value!r} not found in the text, dropped")
    return m


def _participant(
    i: int,
    p: DraftParticipant,
    article: Article,
    people: People,
    near: tuple[int, int],
    named_track: Track | None,
    location: str | None,
    out: Assembly,
) -> Participant | None:
    """The model's participant, grounded; name, role and affiliation completed from the article.

    The proper name is the model's or the one the mention ends with, in the fullest form the
    article gives it ("Soliman" -> "Tarek Soliman"). The role is the title the article writes
    before that name where it introduces the person ("Egyptian Irrigation Minister ..."), else the
    model's; the affiliation the model's, else the introduction's.
    """
    m = _ground(i, "participant", p.mention, article, near, out)
    if m is None:
        return None
    mention = article.text[m.start : m.end]
    why_not = _not_a_participant(mention, location)
    if why_not:
        out.drop(f"meeting {i}: participant {mention!r} dropped: {why_not}")
        return None
    said = _ground(i, "name", p.name, article, near, out)
    given = Name(article.text[said.start : said.end], said.start, said.end) if said else None
    name = people.name_for(m.start, m.end, given)
    role = _grounded_free_text(i, "role", p.role, article, near, out)
    affiliation = _affiliation(i, p.affiliation, mention, article, near, out)
    intro = people.introduction(name, m.start) if name else None
    if intro is not None:  # the title as the article writes it before the name beats the model's
        role, affiliation = intro.role or role, affiliation or intro.affiliation
    before = article.text[near[0] : m.start] if near[0] <= m.start else ""
    return Participant(
        name=name.text if name else None,
        name_span=(name.start, name.end) if name else None,
        mention=mention,
        span=(m.start, m.end),
        affiliation=affiliation,
        role=role,
        capacity=capacity_from_words(f"{mention} {role or ''}", before, p.capacity, named_track),
    )


_NOT_PARTICIPANTS = lexicon.regex("roles", "not_participants")


def _not_a_participant(mention: str, location: str | None) -> str | None:
    """Why a grounded mention is no participant, if it is not: the contract's participants are
    people, groups, organisations and states, not the article's sources or an event, and not the
    place of the meeting ("Geneva" beside "in Geneva"), nor a dateline ("DOHA, May 4 -"), which
    only says where the story was filed. A single place name may also be a surname ("Soliman")
    or a capital standing for its government ("Washington"), so it is not judged alone."""
    bare = _ARTICLES.sub("", mention.strip())
    if _NOT_PARTICIPANTS.search(mention.strip()):
        return "the article's sources, or an event, not someone at the meeting"
    if normalize_country(bare) or country_for_place(bare) is None:
        return None
    if bare.isupper() and len(bare) > 3:
        return "a dateline, not a participant"
    where = _ARTICLES.sub("", _LOCATION_PREPOSITION.sub("", (location or "").strip()))
    if where.casefold() == bare.casefold():
        return "the place of the meeting, not a participant"
    return None


def _grounded_free_text(
    i: int, what: str, value: str | None, article: Article, near: tuple[int, int], out: Assembly
) -> str | None:
    """A role is not a span (the model may shorten it), but must still be words the article uses."""
    return value.strip() if _ground(i, what, value, article, near, out) else None


def _affiliation(
    i: int,
    value: str | None,
    mention: str,
    article: Article,
    near: tuple[int, int],
    out: Assembly,
) -> str | None:
    """Normalise the model's affiliation; fall back to a demonym in the mention itself."""
    if value and value.strip():
        known = recognised_affiliation(value)
        if known:
            return known
        if article.locate(value, near=near):
            return affiliation_from_words(value)
        out.drop(f"meeting {i}: affiliation {value!r} not found in the text, dropped")
    return _affiliation_in(mention)


def _affiliation_in(mention: str) -> str | None:
    words = mention.replace("\u2019s", "").replace("'s", "").split()
    for n in (3, 2, 1):
        for k in range(len(words) - n + 1):
            candidate = " ".join(words[k : k + n]).strip(",.;:()\"'")
            found = recognised_affiliation(candidate)
            if found:
                return found
    return None


def _location(
    i: int, value: str | None, article: Article, near: tuple[int, int], out: Assembly
) -> Location | None:
    stripped = _LOCATION_PREPOSITION.sub("", value.strip()) if value else value
    m = _ground(i, "location", stripped, article, near, out)
    if m is None:
        return None
    mention = article.text[m.start : m.end]
    place, country = resolve_place(mention)
    if country is None and not _names_a_place(mention):
        out.drop(f"meeting {i}: location {mention!r} names no place, dropped")
        return None
    return Location(mention=mention, place=place, country=country, span=(m.start, m.end))


_ANY_DAY = dt.date(2000, 1, 1)


def _names_a_place(mention: str) -> bool:
    """A location the gazetteer does not know must at least be a name ("Villa La Grange"): not
    lower-case words ("before election", "the meeting") and not a time phrase ("Tuesday")."""
    if not any(ch.isupper() for ch in mention):
        return False
    return resolve_time(mention, _ANY_DAY) == (None, None)


def _time(
    i: int,
    value: str | None,
    article: Article,
    near: tuple[int, int],
    published_at: dt.date | None,
    future: bool,
    out: Assembly,
) -> Time | None:
    m = _ground(i, "time", value, article, near, out)
    if m is None:
        return None
    mention = article.text[m.start : m.end]
    start, end = resolve_time(mention, published_at, future=future)
    return Time(mention=mention, start=start, end=end, span=(m.start, m.end))


_WORD = re.compile(r"[^\W\d_]{4,}")


def _topic(i: int, value: str | None, article: Article, out: Assembly) -> str | None:
    """A topic is the model's paraphrase, so it is not a span; but at least half of its content
    words must occur in the article, so an injected instruction cannot smuggle text through it."""
    topic = (value or "").strip()
    if not topic:
        return None
    words = {w.casefold() for w in _WORD.findall(topic)}
    if words:
        present = sum(1 for w in words if article.has_word(w))
        if present * 2 < len(words):
            out.drop(f"meeting {i}: topic {topic!r} is not about the text, dropped")
            return None
    return topic[:200]
