"""Capacity and track from role words; what counts as two sides."""

from __future__ import annotations

import pytest
from backchannel.contract.schema import Capacity as C
from backchannel.contract.schema import Track as T
from backchannel.normalise.roles import (
    capacity_from_words,
    names_several_sides,
    track_from_capacities,
    track_from_words,
)


@pytest.mark.parametrize(
    ("words", "before", "model", "expected"),
    [
        ("Egyptian intelligence officials", "", C.former_official, C.official),
        ("Former Russian ambassador to Norway Viktor Sedov", "", C.official, C.former_official),
        ("Viktor Sedov", "They were joined by the former ambassador ", C.official,
         C.former_official),
        ("Russian polar scientists", "", C.unknown, C.unofficial),
        ("mediators from the Community of Sant'Egidio", "", C.official, C.unofficial),
        ("Qatari mediators", "", C.unknown, C.official),
        ("Eitan Brill", "", C.former_official, C.unknown),  # nothing says "former"
        ("Eitan Brill negotiator", "", C.former_official, C.official),
        ("Ms Hale", "", C.unofficial, C.unofficial),  # no words: the model's answer stands
        # Non-state sides are no serving officials, whatever office word they carry.
        ("opposition negotiator Daniela Urbaneja", "", C.official, C.unofficial),
        ("Ta'ang National Liberation Army representatives", "", C.official, C.unofficial),
        ("rebel commanders", "", C.official, C.unofficial),
    ],
)  # fmt: skip
def test_capacity_from_words(words, before, model, expected):
    assert capacity_from_words(words, before, model) is expected


def test_capacity_in_talks_the_sentence_calls_unofficial():
    # no office named: unofficial, whatever the model said
    assert (
        capacity_from_words("US and Russian participants", "", C.official, T.unofficial)
        is C.unofficial
    )
    # words still win: an official at unofficial talks stays one (Track 1.5 in effect)
    assert (
        capacity_from_words("a State Department official", "", C.unknown, T.unofficial)
        is C.official
    )
    assert capacity_from_words("Ms Hale", "", C.official, T.mixed) is C.official


def test_track_from_words_and_capacities():
    assert track_from_words('described the talks as "Track Two" discussions') is T.unofficial
    assert track_from_words("a Track 1.5 dialogue in Seoul") is T.mixed
    assert track_from_words("the ministers met") is None
    assert track_from_words("participants met in Geneva for unofficial talks") is T.unofficial
    # informal and secret meetings are held by serving officials too
    assert track_from_words("EU ministers held informal talks in Gymnich") is None
    assert track_from_words("officials held secret talks in Oman") is None
    assert track_from_capacities({C.official}) is T.official
    assert track_from_capacities({C.official, C.unofficial}) is T.mixed
    assert track_from_capacities({C.former_official, C.unofficial}) is T.unofficial
    assert track_from_capacities({C.official, C.unknown}) is T.unknown
    assert track_from_capacities(set()) is T.unknown


def test_several_sides():
    assert names_several_sides("US and Russian participants")
    assert names_several_sides("Officials from the two sides")
    assert names_several_sides("negotiators from nearly 200 countries")
    assert not names_several_sides("Kosovo's parliamentary committee on foreign affairs")
    assert not names_several_sides("Egyptian intelligence officials")
