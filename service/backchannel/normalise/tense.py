"""Whether a sentence reports something upcoming: it decides which way "on Tuesday" resolves and
whether a meeting reported as held is in fact planned."""

from __future__ import annotations

from backchannel import lexicon
from backchannel.text.fold import ascii_typography

_FUTURE_RE = lexicon.regex("tense", "future")
_PAST_RE = lexicon.regex("tense", "past")


def is_future_tense(sentence: str) -> bool:
    """Cheap guess whether a sentence reports something upcoming, to pick `future` for
    `resolve_time`. Counts future markers ("will meet", "are due to", "next week") against past
    ones ("met", "held", "took place", "last week"); past wins ties, since news mostly reports
    what has happened."""
    if not isinstance(sentence, str):
        return False
    text = ascii_typography(sentence).lower()
    return len(_FUTURE_RE.findall(text)) > len(_PAST_RE.findall(text))
