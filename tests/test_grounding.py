"""Grounding: exact, normalised and fuzzy matches, always returning the article's own words."""

from __future__ import annotations

import pytest
from backchannel.text.grounding import Article, MatchKind
from hypothesis import given, settings
from hypothesis import strategies as st

TEXT = (
    "On Tuesday, top US officials met with Russian officials in Saudi Arabia.\n"
    "One source called the Switzerland talks \u201cTrack Two\u201d discussions.\n"
    "Later, Russian officials  met   Swiss diplomats in Geneva."
)


def found(value: str, near=None):
    m = Article(TEXT).locate(value, near=near)
    return None if m is None else (TEXT[m.start : m.end], m.kind)


def test_exact():
    assert found("Saudi Arabia") == ("Saudi Arabia", MatchKind.exact)


def test_prefers_the_occurrence_inside_the_evidence():
    second = TEXT.index("Later")
    m = Article(TEXT).locate("Russian officials", near=(second, len(TEXT)))
    assert m is not None and m.start > second
    m = Article(TEXT).locate("Russian officials", near=(0, 70))
    assert m is not None and m.start < 70


def test_quotes_case_and_whitespace_are_normalised():
    assert found('"track two" discussions') == (
        "\u201cTrack Two\u201d discussions",
        MatchKind.normalised,
    )
    assert found("officials met Swiss diplomats") == (
        "officials  met   Swiss diplomats", MatchKind.normalised,
    )  # fmt: skip


def test_surrounding_punctuation_is_ignored():
    assert found(" Geneva.") == ("Geneva", MatchKind.exact)


def test_fuzzy_tolerates_a_changed_word():
    value, kind = found("top U.S. officials met with the Russian officials")
    assert kind is MatchKind.fuzzy
    assert value == "top US officials met with Russian officials"


def test_not_in_text_is_none():
    assert found("Chinese Foreign Minister Wang Yi") is None
    assert found("") is None and found("   ") is None


def test_accents_fold():
    text = "Talks were held in Zürich and Bogotá."
    m = Article(text).locate("Zurich")
    assert m is not None and text[m.start : m.end] == "Zürich"


@pytest.mark.parametrize(("written", "said"), [
    ("Kemal Aydın", "Kemal Aydin"), ("Łukasz Nowak", "Lukasz Nowak"),
    ("Søren Dæhlen", "Soren Daehlen"),
])  # fmt: skip
def test_letters_without_a_separable_accent_fold_too(written, said):
    # NFKD splits "é" into "e" and an accent, but not "ı", "ł", "ø" or "æ"; a model writes those
    # as plain letters just as often, and the article's own spelling is what comes back.
    text = f"The talks were hosted by {written} in Ankara."
    m = Article(text).locate(said)
    assert m is not None and text[m.start : m.end] == written


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=300), st.data())
def test_any_substring_is_found_with_valid_offsets(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    needle = text[start:end]
    m = Article(text).locate(needle)
    if needle.strip(" \t\r\n.,;:!?\"'()[]{}\u201c\u201d\u2018\u2019"):
        assert m is not None
    if m is not None:
        assert 0 <= m.start < m.end <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=40))
def test_offsets_are_always_valid(text, needle):
    m = Article(text).locate(needle)
    if m is not None:
        assert 0 <= m.start < m.end <= len(text)


def test_outside_the_evidence_the_nearest_earlier_occurrence_wins():
    """An antecedent comes first: "Oslo" named before and after the evidence, at the same
    distance, grounds before it."""
    text = "Talks opened in Oslo. The round was held there again. Oslo was calm."
    article = Article(text)
    evidence = (text.index("The round"), text.index(" Oslo was"))
    m = article.locate("Oslo", near=evidence)
    assert m is not None and m.start == text.index("Oslo")
    # Inside the evidence still wins over both.
    inside = Article("Oslo first. Then Oslo again. Oslo last.")
    found = inside.locate("Oslo", near=(12, 28))
    assert found is not None and found.start == 17
