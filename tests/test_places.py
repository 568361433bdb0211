"""Tests for backchannel.normalise.places: country, place and affiliation normalisation."""

from __future__ import annotations

import pycountry
import pytest
from backchannel import lexicon
from backchannel.normalise.places import (
    affiliation_from_words,
    country_for_place,
    normalize_country,
)

COUNTRY_CASES = [
    ("United States of America", "United States"),
    ("US", "United States"),
    ("U.S.", "United States"),
    ("USA", "United States"),
    ("America", "United States"),
    ("the United States", "United States"),
    ("united states", "United States"),
    ("UK", "United Kingdom"),
    ("Britain", "United Kingdom"),
    ("Great Britain", "United Kingdom"),
    ("GBR", "United Kingdom"),
    ("Russian Federation", "Russia"),
    ("RU", "Russia"),
    ("China", "China"),
    ("People's Republic of China", "China"),
    ("Iran (Islamic Republic of)", "Iran"),
    ("Iran, Islamic Republic of", "Iran"),
    ("Syrian Arab Republic", "Syria"),
    ("Republic of Korea", "South Korea"),
    ("Korea, Republic of", "South Korea"),
    ("DPRK", "North Korea"),
    ("Democratic People's Republic of Korea", "North Korea"),
    ("Türkiye", "Turkey"),
    ("turkiye", "Turkey"),
    ("Turkey", "Turkey"),
    ("Viet Nam", "Vietnam"),
    ("Venezuela, Bolivarian Republic of", "Venezuela"),
    ("Bolivia, Plurinational State of", "Bolivia"),
    ("Taiwan, Province of China", "Taiwan"),
    ("United Republic of Tanzania", "Tanzania"),
    ("Moldova, Republic of", "Moldova"),
    ("Lao People's Democratic Republic", "Laos"),
    ("Czechia", "Czech Republic"),
    ("Palestine, State of", "Palestine"),
    ("the State of Palestine", "Palestine"),
    ("Côte d'Ivoire", "Ivory Coast"),
    ("Cote d\u2019Ivoire", "Ivory Coast"),
    ("Congo, The Democratic Republic of the", "Democratic Republic of the Congo"),
    ("DRC", "Democratic Republic of the Congo"),
    ("Saudi Arabia", "Saudi Arabia"),
    ("DEU", "Germany"),
    ("the Netherlands", "Netherlands"),
    ("  Switzerland  ", "Switzerland"),
    ("Holy See (Vatican City State)", "Vatican City"),
    ("Kosovo", "Kosovo"),
]


@pytest.mark.parametrize(("name", "expected"), COUNTRY_CASES)
def test_normalize_country(name: str, expected: str) -> None:
    assert normalize_country(name) == expected


@pytest.mark.parametrize(
    "name",
    [None, "", "   ", "Narnia", "Korea", "in", "deu", "Europe", "Hamas"],
)
def test_normalize_country_unknown_or_ambiguous_is_none(name: str | None) -> None:
    # "Korea" could be either; lower-case "in"/"deu" are words, not ISO codes.
    assert normalize_country(name) is None


PLACE_CASES = [
    ("Geneva", "Switzerland"),
    ("Genève", "Switzerland"),
    ("Riyadh", "Saudi Arabia"),
    ("Doha", "Qatar"),
    ("Istanbul", "Turkey"),
    ("Washington", "United States"),
    ("Washington, D.C.", "United States"),
    ("Moscow", "Russia"),
    ("Munich", "Germany"),
    ("Abu Dhabi", "United Arab Emirates"),
    ("Beijing", "China"),
    ("Kyiv", "Ukraine"),
    ("Kiev", "Ukraine"),
    ("Pyongyang", "North Korea"),
    ("Seoul", "South Korea"),
    ("Taipei", "Taiwan"),
    ("Ramallah", "Palestine"),
    ("Paris", "France"),
    ("Alexandria", "Egypt"),
    ("Tripoli", "Libya"),
    ("St. Petersburg", "Russia"),
    ("Odessa", "Ukraine"),
    ("Georgia", "Georgia"),
    ("Tbilisi", "Georgia"),
    ("Geneva, Switzerland", "Switzerland"),
    ("Lancaster House in London", "United Kingdom"),
    ("the White House", "United States"),
    ("Camp David", "United States"),
    ("the Kremlin", "Russia"),
    ("Davos", "Switzerland"),
    ("Atlanta, GA", "United States"),
    ("Libreville, GA", "Gabon"),
    ("Texas", "United States"),
    ("Alaska", "United States"),
    ("Anchorage", "United States"),
    ("Saudi Arabia", "Saudi Arabia"),
    ("the US", "United States"),
    ("Sharm el-Sheikh", "Egypt"),
    ("Ulaanbaatar", "Mongolia"),
]


@pytest.mark.parametrize(("place", "expected"), PLACE_CASES)
def test_country_for_place(place: str, expected: str) -> None:
    assert country_for_place(place) == expected


@pytest.mark.parametrize(
    "place",
    # Panmunjom straddles the inter-Korean border: no country is the honest answer.
    [None, "", "  ", "Narnia", "Europe", "Africa", "Middle East", "Panmunjom"],
)
def test_country_for_place_unknown_is_none(place: str | None) -> None:
    assert country_for_place(place) is None


AFFILIATION_CASES = [
    ("Russia", "Russia"),
    ("Russian Federation", "Russia"),
    ("Russian", "Russia"),
    ("Russians", "Russia"),
    ("US", "United States"),
    ("U.S.", "United States"),
    ("American", "United States"),
    ("Saudi", "Saudi Arabia"),
    ("Swiss", "Switzerland"),
    ("Ukrainian", "Ukraine"),
    ("Iranian", "Iran"),
    ("Israeli", "Israel"),
    ("Palestinian", "Palestine"),
    ("Emirati", "United Arab Emirates"),
    ("Qatari", "Qatar"),
    ("Turkish", "Turkey"),
    ("Chinese", "China"),
    ("North Korean", "North Korea"),
    ("South Korean", "South Korea"),
    ("British", "United Kingdom"),
    ("Kremlin", "Russia"),
    ("the Kremlin", "Russia"),
    ("White House", "United States"),
    ("Pentagon", "United States"),
    ("State Department", "United States"),
    ("U.S. State Department", "United States"),
    ("Russian officials", "Russia"),
    ("Iran's Foreign Ministry", "Iran"),
    ("Moscow", "Russia"),
    ("Washington", "United States"),
    ("NATO", "NATO"),
    ("nato", "NATO"),
    ("Hamas", "Hamas"),
    ("Hezbollah", "Hezbollah"),
    ("EU", "European Union"),
    ("European Union", "European Union"),
    ("United Nations", "United Nations"),
    ("UN", "United Nations"),
    ("U.N.", "United Nations"),
    ("African Union", "African Union"),
    ("ASEAN", "ASEAN"),
    ("OSCE", "OSCE"),
    ("IAEA", "IAEA"),
    ("International Atomic Energy Agency", "IAEA"),
    ("Türkiye", "Turkey"),
]


@pytest.mark.parametrize(("words", "expected"), AFFILIATION_CASES)
def test_affiliation_from_words(words: str, expected: str) -> None:
    assert affiliation_from_words(words) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            "Carnegie Endowment for International Peace",
            "Carnegie Endowment for International Peace",
        ),
        ("  Brookings Institution ", "Brookings Institution"),
        ("Syrian Democratic Forces", "Syrian Democratic Forces"),
        ("Korean", "Korean"),
    ],
)
def test_affiliation_unknown_passes_through_stripped(words: str, expected: str) -> None:
    assert affiliation_from_words(words) == expected


@pytest.mark.parametrize("words", [None, "", "   "])
def test_affiliation_blank_is_none(words: str | None) -> None:
    assert affiliation_from_words(words) is None


def test_repeated_calls_are_identical() -> None:
    for _ in range(3):
        assert [normalize_country(n) for n, _ in COUNTRY_CASES] == [e for _, e in COUNTRY_CASES]
        assert [country_for_place(p) for p, _ in PLACE_CASES] == [e for _, e in PLACE_CASES]
        assert [affiliation_from_words(w) for w, _ in AFFILIATION_CASES] == [
            e for _, e in AFFILIATION_CASES
        ]


def test_every_iso_country_normalises_to_a_clean_name() -> None:
    # Each ISO name, code and official name resolves, and no output keeps ISO's inverted or
    # parenthesised form ("Korea, Republic of").
    for country in pycountry.countries:
        out = normalize_country(country.alpha_2)
        assert out, country
        assert "," not in out and "(" not in out, out
        assert normalize_country(country.alpha_3) == out
        assert normalize_country(country.name) == out
        assert normalize_country(out) == out
        official = getattr(country, "official_name", None)
        if official:
            assert normalize_country(official) == out


def test_demonym_lexicon_uses_known_codes() -> None:
    extra = lexicon.mapping("demonyms", "extra")
    for code, words in extra.items():
        assert normalize_country(code), code
        for word in words:
            assert affiliation_from_words(word) == normalize_country(code), word
    for word, code in lexicon.mapping("demonyms", "ambiguous").items():
        expected = None if code == "none" else normalize_country(code)
        assert code == "none" or expected, code
        if expected:
            assert affiliation_from_words(word) == expected, word


def test_demonyms_from_countryinfo_and_the_lexicon() -> None:
    # countryinfo's own demonyms, the lexicon's variants, and its choice for shared words.
    assert affiliation_from_words("Singaporean") == "Singapore"
    assert affiliation_from_words("Argentinian") == "Argentina"
    assert affiliation_from_words("Chinese") == "China"  # not Hong Kong or Macau
    assert affiliation_from_words("French") == "France"  # not Reunion
    assert affiliation_from_words("Emiratis") == "United Arab Emirates"
