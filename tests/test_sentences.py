from __future__ import annotations

from backchannel.text.sentences import split_sentences
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import SEED_PATH


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_splits_on_terminal_punctuation_and_lines():
    assert texts("Talks ended. Envoys left!\nA headline\nDid they meet? Yes.") == [
        "Talks ended.", "Envoys left!", "A headline", "Did they meet?", "Yes.",
    ]  # fmt: skip


def test_abbreviations_and_initials_do_not_split():
    text = "U.S. envoy Gen. J. Smith met Dr. Ali on Feb. 3 in St. Louis. Then he left."
    assert texts(text) == ["U.S. envoy Gen. J. Smith met Dr. Ali on Feb. 3 in St. Louis.",
                           "Then he left."]  # fmt: skip


def test_closing_quotes_stay_with_their_sentence():
    assert texts("\u201cThese help,\u201d he said. \u201cWe agree.\u201d Next.") == [
        "\u201cThese help,\u201d he said.", "\u201cWe agree.\u201d", "Next.",
    ]  # fmt: skip


def test_seed_article_sentence_offsets():
    text = SEED_PATH.read_text(encoding="utf-8")
    sentences = split_sentences(text)
    riyadh = next(s for s in sentences if s.text.startswith("On Tuesday"))
    assert (riyadh.start, riyadh.end) == (1372, 1494)
    assert [s.number for s in sentences] == list(range(1, len(sentences) + 1))


@given(st.text(max_size=400))
def test_offsets_always_match(text):
    previous_end = 0
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text and s.text.strip() == s.text and s.text
        assert s.start >= previous_end
        previous_end = s.end
