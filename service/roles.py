"""Capacity, track and "how many sides" from the article's own words.

A 1.5B model copies the capacity of its few-shot example more than it reads the role ("former"
where the article says "minister"); the words that decide it ("former", "retired", "academics",
"minister") are few and unambiguous, so code reads them and the model's guess is the fallback.
"""

from __future__ import annotations

import re

from service.schema import Capacity, Track

_FORMER = re.compile(
    r"\b(?:former|retired|ex-|one-time|onetime|erstwhile|then-serving|veteran diplomats?)",
    re.IGNORECASE,
)
_UNOFFICIAL = re.compile(
    r"\b(?:academics?|scholars?|professors?|researchers?|think[- ]tanks?|independent experts?|"
    r"scientists?|business(?:man|men|woman|women|people| leaders?)?|executives?|activists?|"
    r"journalists?|civil[- ]society|clergy(?:men)?|priests?|bishops?|religious leaders?|"
    r"private citizens?|non-?governmental|NGOs?|institutes?|universit(?:y|ies)|foundations?|"
    r"Sant'?\u2019?Egidio|not (?:serving )?government officials|unofficial|tribal elders?|"
    r"elders|lawmakers' aides|students?|veterans' groups?)\b",
    re.IGNORECASE,
)
_OFFICIAL = re.compile(
    r"\b(?:ministers?|ministry|ministries|officials?|ambassadors?|envoys?|diplomats?|"
    r"negotiators?|president|presidents|premier|prime minister|secretar(?:y|ies)|"
    r"delegations?|delegates?|government|governments|mediators?|spokes(?:man|woman|person)|"
    r"generals?|commanders?|officers?|chancellor|king|emir|crown prince|senators?|"
    r"representatives?|head of state|heads of state|authorities|counterparts?|"
    r"foreign policy chief|high representative|commissioner|mayor|governor|intelligence|"
    r"military|army|navy|coast guard|police|sherpas?|chief of staff|adviser|advisers|"
    r"national security|state department|white house|kremlin|foreign office)\b",
    re.IGNORECASE,
)
_TRACK_TWO = re.compile(r"\btrack[- ](?:two|2|ii)\b", re.IGNORECASE)
_TRACK_ONE_HALF = re.compile(
    r"\btrack[- ](?:1\.5|one[- ]and[- ]a[- ]half|1\u00bd)\b", re.IGNORECASE
)
# The sentence itself calls the talks unofficial ("met ... for unofficial talks"). Not "informal"
# or "secret": ministers hold informal meetings and officials secret ones.
_UNOFFICIAL_TALKS = re.compile(
    r"\bunofficial\s+(?:talks|dialogues?|discussions|meetings?|contacts|exchanges|channels?)\b",
    re.IGNORECASE,
)
_MANY_SIDES = re.compile(
    r"\b(?:and|both|two|three|four|several|sides|parties|countries|nations|states|"
    r"delegations|counterparts|each other|one another|with|between|among|from \w+ \w+ countries)\b",
    re.IGNORECASE,
)


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


def track_from_capacities(capacities: set[Capacity]) -> Track:
    """All serving officials: official; officials with others: mixed; none: unofficial."""
    if not capacities or Capacity.unknown in capacities:
        return Track.unknown
    if capacities == {Capacity.official}:
        return Track.official
    if Capacity.official in capacities:
        return Track.mixed
    return Track.unofficial


def names_several_sides(mention: str) -> bool:
    """Whether one mention covers more than one side ("officials from the two sides")."""
    return bool(_MANY_SIDES.search(mention))
