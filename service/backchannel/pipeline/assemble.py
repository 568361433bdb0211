"""Turn the model's draft into contract meetings: ground, normalise, validate.

Everything here is deterministic code, the part of the job a small model does worst: offsets,
dates, country names. A quoted value that cannot be found in the article is dropped with a
warning; a meeting whose evidence cannot be found is dropped whole. Nothing unverifiable passes.
What a sentence says about meetings is read in `normalise.statements`, people's names in
`normalise.names`; how the meetings of one article then combine is `pipeline.merge`.
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
    says_not_officials,
    track_for,
    track_from_words,
)
from backchannel.normalise.statements import hosts_named, not_a_meeting
from backchannel.normalise.tense import is_future_tense
from backchannel.normalise.timenorm import resolve_time
from backchannel.pipeline import merge
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
        if meeting is not None and (what := merge.add(out.meetings, meeting)):
            out.warnings.append(f"meeting {i}: {what}")
    out.meetings, notes = merge.without_restated_headline(out.meetings, article.text, sentences)
    out.warnings += notes
    return out


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
    following = sentences[sentence.number] if sentence.number < len(sentences) else None
    # People the next sentence says hold no office are unofficial unless their words name one,
    # as in talks the sentence itself calls unofficial.
    people_track = named_track or (
        Track.unofficial if following and says_not_officials(following.text) else None
    )

    participants: list[Participant] = []
    for p in [*dm.participants, *_hosts(sentence.text, dm.participants)]:
        grounded = _participant(i, p, article, people, near, people_track, dm.location, out)
        if grounded and all(grounded.span != q.span for q in participants):
            participants.append(grounded)
    if not participants:
        out.drop(f"meeting {i} dropped: none of its participants could be found in the text")
        return None
    participants = _in_the_room(i, participants, sentence, out)
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
    why_not = not_a_meeting(sentence.text, has_time=time is not None)
    if why_not:
        out.drop(f"meeting {i} dropped: {why_not}")
        return None
    participants = _without_bare_countries(participants)
    return Meeting(
        participants=participants,
        location=_location(i, dm.location, article, near, out),
        time=time,
        track=named_track or track_for({p.capacity for p in participants}, dm.track),
        status=status,
        topic=_topic(i, dm.topic, article, out),
        evidence=Evidence(text=sentence.text, start=sentence.start, end=sentence.end),
    )


def _in_the_room(
    i: int, participants: list[Participant], sentence: Sentence, out: Assembly
) -> list[Participant]:
    """Participants named only outside the reporting sentence, when the sentence itself names
    two sides or more: the sentence says who met, and people the article names elsewhere (the
    presidents whose summit the talks prepare, the officials who announced them) were not in the
    room. Outside names stay where the sentence names fewer than two sides, as in "the fourth
    round was held in Oslo", whose sides are in the sentences before it. (Measured on the first
    40 dev articles' saved results: participant precision 0.616 -> 0.668, recall 0.651 -> 0.641,
    strict slot F1 +1.2 points, paired interval +0.4 to +2.1.)"""
    inside = [p for p in participants if sentence.start <= p.span[0] and p.span[1] <= sentence.end]
    if len(inside) < 2 or len(inside) == len(participants):
        return participants
    for p in participants:
        if p not in inside:
            out.drop(
                f"meeting {i}: participant {p.mention!r} dropped: named outside the reporting "
                "sentence, which names the sides itself"
            )
    return inside


def _hosts(sentence: str, named: list[DraftParticipant]) -> list[DraftParticipant]:
    """Hosts, chairs and mediators the sentence names in a clause and the model left out: the
    contract counts them as participants, and a small model lists the sides and drops the people
    in the chair."""
    return [
        DraftParticipant(
            mention=who, name=None, affiliation=None, role=None, capacity=Capacity.unknown
        )
        for who in hosts_named(sentence)
        if not any(
            who.casefold() in p.mention.casefold() or p.mention.casefold() in who.casefold()
            for p in named
        )
    ]


def _after(time: Time | None, published_at: dt.date | None) -> bool:
    return bool(time and time.start and published_at and time.start > published_at)


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
    why_not = _not_a_participant(mention, article.text[m.end : m.end + 160], location)
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
_ANONYMOUS_SOURCE = lexicon.regex("roles", "anonymous_source")


def _not_a_participant(mention: str, after: str, location: str | None) -> str | None:
    """Why a grounded mention is no participant, if it is not: the contract's participants are
    people, groups, organisations and states, not the article's sources or an event, and not the
    place of the meeting ("Geneva" beside "in Geneva"), nor a dateline ("DOHA, May 4 -"), which
    only says where the story was filed. A source is also known by what follows it (`after`, the
    text after the mention): the reason it is not named ("The person, who asked not to be
    named"). A single place name may also be a surname ("Soliman") or a capital standing for its
    government ("Washington"), so it is not judged alone."""
    bare = _ARTICLES.sub("", mention.strip())
    if _NOT_PARTICIPANTS.search(mention.strip()):
        return "the article's sources, or an event, not someone at the meeting"
    if _ANONYMOUS_SOURCE.search(after):
        return "one of the article's anonymous sources, not someone at the meeting"
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
