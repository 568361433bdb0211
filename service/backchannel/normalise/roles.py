"""Capacity, track and "how many sides" from the article's own words.

A 1.5B model copies the capacity of its few-shot example more than it reads the role ("former"
where the article says "minister"); the words that decide it ("former", "retired", "academics",
"minister") are few and unambiguous, so code reads them and the model's guess is the fallback.
"""

from __future__ import annotations

from backchannel import lexicon
from backchannel.contract.schema import Capacity, Track

_FORMER = lexicon.regex("roles", "former")
_UNOFFICIAL = lexicon.regex("roles", "unofficial")
_OFFICIAL = lexicon.regex("roles", "official")
_TRACK_TWO = lexicon.regex("roles", "track_two")
_TRACK_ONE_HALF = lexicon.regex("roles", "track_one_half")
_UNOFFICIAL_TALKS = lexicon.regex("roles", "unofficial_talks")
_MANY_SIDES = lexicon.regex("roles", "many_sides")


def capacity_from_words(
    words: str, before: str, model: Capacity, sentence_track: Track | None = None
) -> Capacity:
    """The capacity the mention's (and role's) words state, else the model's answer.

    `before` is the text just before the mention in its sentence ("former" can precede a name
    the model quoted without it). A "former_official" the words do not support becomes
    "official" when they name an office: the small model over-uses its example's capacity.
    In talks the sentence calls unofficial (`sentence_track`), a mention that names no office
    ("US and Russian participants") is unofficial whatever the model said.
    """
    if _FORMER.search(words) or _FORMER.search(before[-40:]):
        return Capacity.former_official
    if _UNOFFICIAL.search(words):
        return Capacity.unofficial
    if _OFFICIAL.search(words):
        return Capacity.official
    if sentence_track is Track.unofficial:
        return Capacity.unofficial
    if model is Capacity.former_official:
        return Capacity.official if _OFFICIAL.search(before[-60:]) else Capacity.unknown
    return model


def track_from_words(sentence: str) -> Track | None:
    """A track the sentence names outright ("Track Two", "unofficial talks"), else None."""
    if _TRACK_ONE_HALF.search(sentence):
        return Track.mixed
    if _TRACK_TWO.search(sentence) or _UNOFFICIAL_TALKS.search(sentence):
        return Track.unofficial
    return None


_NOT_OFFICIALS_AFTER = lexicon.regex("roles", "not_officials_after")


def says_not_officials(next_sentence: str) -> bool:
    """Whether the sentence after a meeting says its people hold no office ("they are not
    government officials"): what the article says about the people decides their capacity,
    wherever it says it, and news often says it right after reporting the meeting."""
    return bool(_NOT_OFFICIALS_AFTER.search(next_sentence))


def track_from_capacities(capacities: set[Capacity]) -> Track:
    """All serving officials: official; officials with others: mixed; none: unofficial."""
    if not capacities or Capacity.unknown in capacities:
        return Track.unknown
    if capacities == {Capacity.official}:
        return Track.official
    if Capacity.official in capacities:
        return Track.mixed
    return Track.unofficial


def track_for(capacities: set[Capacity], model: Track) -> Track:
    """From the capacities when all are known (code reads them from role words), else the
    model's."""
    derived = track_from_capacities(capacities)
    return derived if derived is not Track.unknown else model


def names_several_sides(mention: str) -> bool:
    """Whether one mention covers more than one side ("officials from the two sides")."""
    return bool(_MANY_SIDES.search(mention))
