"""Find where a value the model quoted stands in the article.

A small model copies short phrases well but not perfectly: it changes quotes, spacing and case, or
a word or two. Each value is searched exactly, then on a normalised form, then fuzzily by tokens;
whatever matches, the value returned is the article's own words at the returned offsets, so
`text[start:end] == value` holds by construction. Occurrences inside the evidence sentence win.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from rapidfuzz import fuzz

from backchannel.text.fold import fold as _fold
from backchannel.text.fold import fold_char as _fold_char

_TOKEN = re.compile(r"\w+(?:[-'\u2019.]\w+)*", re.UNICODE)
_EDGE_PUNCT = " \t\r\n.,;:!?\"'()[]{}\u201c\u201d\u2018\u2019"


class MatchKind(StrEnum):
    exact = "exact"
    normalised = "normalised"
    fuzzy = "fuzzy"


@dataclass(frozen=True, slots=True)
class Match:
    start: int
    end: int
    kind: MatchKind
    score: float


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    norm: str


class Article:
    """One article's text with the indexes grounding needs, built once and reused per value."""

    def __init__(self, text: str, fuzzy_threshold: float = 85.0) -> None:
        self.text = text
        self.fuzzy_threshold = fuzzy_threshold

    @cached_property
    def _normalised(self) -> tuple[str, list[int]]:
        """Folded text plus, for each folded character, its offset in the original."""
        chars: list[str] = []
        index: list[int] = []
        prev_space = False
        for i, ch in enumerate(self.text):
            folded = _fold_char(ch)
            for f in folded:
                if f.isspace():
                    if prev_space:
                        continue
                    f = " "
                    prev_space = True
                else:
                    prev_space = False
                chars.append(f)
                index.append(i)
        return "".join(chars), index

    @cached_property
    def _tokens(self) -> list[_Token]:
        return [_Token(m.start(), m.end(), _fold(m.group(0))) for m in _TOKEN.finditer(self.text)]

    @cached_property
    def _words(self) -> frozenset[str]:
        """Folded words, plus five-letter stems so "negotiations" finds "negotiating".

        Folds the text in one pass and needs no offsets: every miss builds this index, while the
        token list is only for the rarer fuzzy search.
        """
        words = set(_TOKEN.findall(_fold(self.text)))
        return frozenset(words | {w[:5] for w in words if len(w) >= 5})

    def has_word(self, word: str) -> bool:
        w = _fold(word)
        return w in self._words or (len(w) >= 5 and w[:5] in self._words)

    def locate(self, value: str, near: tuple[int, int] | None = None) -> Match | None:
        """Best occurrence of `value`, preferring one inside `near` (the evidence), else the
        nearest before it, else the nearest after."""
        # Without trailing sentence punctuation first (keeps balanced quotes), then without any
        # edge punctuation, so '"Track Two" talks' keeps its quotes and 'Geneva.' loses the dot.
        first = value.strip().rstrip(".,;:!?").strip()
        candidates = list(dict.fromkeys(c for c in (first, value.strip(_EDGE_PUNCT)) if c))
        if not candidates:
            return None
        for needle in candidates:
            exact = _all_occurrences(self.text, needle)
            if exact:
                s = _closest(exact, near)
                return Match(s, s + len(needle), MatchKind.exact, 100.0)
            normalised = self._locate_normalised(needle, near)
            if normalised:
                return normalised
        return self._locate_fuzzy(candidates[-1], near)

    def _locate_normalised(self, needle: str, near: tuple[int, int] | None) -> Match | None:
        folded, index = self._normalised
        target = _fold(needle)
        if not target:
            return None
        starts = _all_occurrences(folded, target)
        if not starts:
            return None
        spans = [(index[s], index[s + len(target) - 1] + 1) for s in starts]
        best = min(spans, key=lambda sp: _distance(sp[0], near))
        return Match(best[0], best[1], MatchKind.normalised, 100.0)

    def _locate_fuzzy(self, needle: str, near: tuple[int, int] | None) -> Match | None:
        target_tokens = [_fold(t) for t in _TOKEN.findall(needle)]
        tokens = self._tokens
        if not target_tokens or not tokens:
            return None
        target = " ".join(target_tokens)
        n = len(target_tokens)
        best: tuple[float, int, int, int] | None = None  # (score, -distance, start, end)
        for size in range(max(1, n - 2), n + 3):
            for i in range(0, len(tokens) - size + 1):
                window = tokens[i : i + size]
                # Anchor on the first or last word so a match cannot start or end mid-phrase.
                if window[0].norm != target_tokens[0] and window[-1].norm != target_tokens[-1]:
                    continue
                score = fuzz.ratio(target, " ".join(t.norm for t in window))
                if score < self.fuzzy_threshold:
                    continue
                key = (score, -_distance(window[0].start, near), window[0].start, window[-1].end)
                if best is None or key[:2] > best[:2]:
                    best = key
        if best is None:
            return None
        return Match(best[2], best[3], MatchKind.fuzzy, best[0])


def _all_occurrences(haystack: str, needle: str) -> list[int]:
    out: list[int] = []
    i = haystack.find(needle)
    while i != -1:
        out.append(i)
        i = haystack.find(needle, i + 1)
    return out


_AFTER = 1 << 40  # any occurrence after the evidence ranks behind every one before it


def _distance(pos: int, near: tuple[int, int] | None) -> int:
    """Rank of an occurrence at `pos` for evidence `near`: inside it first, then the nearest
    before it, then the nearest after. A value the evidence does not contain is most often an
    antecedent ("He" for the minister named earlier, the sides of "the round, held in Oslo"),
    and news names people and places before it refers back to them."""
    if near is None:
        return pos
    lo, hi = near
    if lo <= pos < hi:
        return 0
    return lo - pos if pos < lo else _AFTER + pos - hi + 1


def _closest(starts: list[int], near: tuple[int, int] | None) -> int:
    return min(starts, key=lambda s: _distance(s, near))
