"""Split an article into numbered sentences with exact offsets.

A small model quotes a long sentence badly but points at "sentence 9" reliably, so the prompt shows
numbered sentences and the evidence is taken from here, always verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backchannel import lexicon

_ABBREVIATIONS = frozenset(lexicon.words("sentences", "abbreviations"))
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace.
_BOUNDARY = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)")
_NEXT_STARTS_SENTENCE = re.compile(r"\s+[\"'\u201c\u2018(\[]*[A-Z0-9\u00c0-\u024f]")


@dataclass(frozen=True, slots=True)
class Sentence:
    number: int
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Sentences in order, numbered from 1; `text[s.start:s.end] == s.text` always holds."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\r\n]+", text):
        spans.extend(_split_line(text, line.start(), line.end()))
    return [Sentence(number=i, start=s, end=e, text=text[s:e]) for i, (s, e) in enumerate(spans, 1)]


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    cursor = start
    for m in _BOUNDARY.finditer(text, start, end):
        if not _NEXT_STARTS_SENTENCE.match(text, m.end(), end):
            continue
        if _is_abbreviation(text, cursor, m.start(), text[m.start()]):
            continue
        out.append((cursor, m.end()))
        cursor = m.end()
        while cursor < end and text[cursor].isspace():
            cursor += 1
    out.append((cursor, end))
    return [(s, e) for s, e in (_trim(text, s, e) for s, e in out) if e > s]


def _is_abbreviation(text: str, line_start: int, dot: int, mark: str) -> bool:
    if mark != ".":
        return False
    word = re.search(r"[\w.]+$", text[line_start:dot])
    if not word:
        return False
    token = word.group(0)
    # Initials and dotted acronyms: "U.S.", "J.", "a.m."
    if "." in token or len(token) == 1:
        return True
    return token.lower() in _ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_at(sentences: list[Sentence], offset: int) -> Sentence | None:
    """The sentence containing `offset`, for choosing which occurrence of a mention to use."""
    for s in sentences:
        if s.start <= offset < s.end:
            return s
    return None
