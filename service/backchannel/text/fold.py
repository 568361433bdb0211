"""One way to fold text for comparison, shared by grounding, places, time phrases and scoring.

A model (or a tokenizer, or a web page) swaps typographic variants freely: curly and straight
quotes, dashes, no-break spaces. Folding maps them to ASCII, strips accents, casefolds and
collapses white space, so two spellings of the same words compare equal. Offsets are never
computed on folded text without a map back (see `grounding`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Typographic variants and the ASCII character each stands for.
TYPOGRAPHIC = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}  # fmt: skip
_CHAR_MAP = str.maketrans(TYPOGRAPHIC)
# A regex visits only the few characters that change; `str.translate` looks up every character.
_VARIANT = re.compile("[" + "".join(TYPOGRAPHIC) + "]")
# Latin letters that NFKD does not split into an ASCII letter and an accent.
_LATIN_EXTRA = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ı": "i", "ə": "e", "þ": "th", "ð": "d",
     "ħ": "h", "ŀ": "l", "ŧ": "t"}
)  # fmt: skip
_NON_WORD = re.compile(r"[\W_]+")


def ascii_typography(text: str) -> str:
    """Curly quotes, dashes and odd spaces as their ASCII characters; nothing else changes."""
    return _VARIANT.sub(lambda m: TYPOGRAPHIC[m.group()], text)


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str:
    """One character folded (possibly to several, or none): the unit `grounding` maps offsets by."""
    ch = ch.translate(_CHAR_MAP)
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    # ł, ø, ı and the like carry no separable accent, yet a model writes them as l, o, i
    # ("Aydin" for "Aydın") as readily as it drops an acute.
    return (base or ch).casefold().translate(_LATIN_EXTRA)


def fold(text: str) -> str:
    """ASCII typography, no accents (nor ł, ø, ı: as l, o, i), casefolded, single spaces: for
    equality and search."""
    ascii_form = ascii_typography(text)
    if ascii_form.isascii():  # NFKD leaves ASCII alone: no per-character walk needed
        return " ".join(ascii_form.casefold().split())
    return " ".join("".join(fold_char(c) for c in text).split())


def fold_ascii(text: str) -> str:
    """`fold`, then Latin letters NFKD keeps (ł, ø, æ) spelled in ASCII and anything else non-ASCII
    dropped: names as a gazetteer key ("Łódź" and "Lodz" meet)."""
    text = text.casefold()
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKD", ascii_typography(text)).translate(_LATIN_EXTRA)
    return text.encode("ascii", "ignore").decode("ascii")


def words(text: str | None) -> str | None:
    """Folded words separated by single spaces, punctuation gone; None when no word is left."""
    if text is None:
        return None
    return _NON_WORD.sub(" ", fold(text)).strip() or None
