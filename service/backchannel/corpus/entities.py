"""The entity layer: one person across articles, however each article writes the name.

"Lavrov", "Sergei Lavrov" and "Russian Foreign Minister Sergei Lavrov" are one person: the
assembly already gives each participant the fullest name its own article writes, so across
articles the question is only whether two names are the same person. They are when one name's
words are all in the other and they end alike ("Tayyip Erdogan", "Recep Tayyip Erdogan"), or when
a single word ("Lula", "Burns") is in exactly one longer name known to the corpus. Accents, case
and hyphens do not count ("Jorge Rodríguez", "Kim Jong-un"). An ambiguous short name stays its
own entity rather than join the wrong one; a known country that differs keeps two names apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from pydantic import BaseModel

from backchannel import lexicon
from backchannel.text.fold import fold_ascii

_WORD = re.compile(r"[a-z0-9]+")


@cache
def _particles() -> frozenset[str]:
    return frozenset(lexicon.words("names", "particles")) | frozenset(
        lexicon.words("names", "honorifics")
    )


def name_words(name: str) -> tuple[str, ...]:
    """The words that identify a name: folded, without particles ("da", "bin") or honorifics."""
    words = tuple(w for w in _WORD.findall(fold_ascii(name).lower()) if w not in _particles())
    return words or tuple(_WORD.findall(fold_ascii(name).lower()))


class Person(BaseModel):
    """A named participant as one article gives it."""

    name: str
    country: str | None = None  # ISO 3166-1 alpha-3, from the affiliation


class Entity(BaseModel):
    key: str  # the fullest form's words, joined
    name: str  # the fullest form as written
    country: str | None = None


def _same(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    if short == long:
        return True
    if len(short) == 1:
        return short[0] in long
    return set(short) <= set(long) and short[-1] == long[-1]


def resolve(people: Iterable[Person]) -> dict[tuple[str, ...], Entity]:
    """Each distinct name's words -> its entity. Longer names are placed first, so a short name
    meets every long one it could belong to and joins only when that is one entity."""
    seen: dict[tuple[str, ...], Person] = {}
    for p in people:
        words = name_words(p.name)
        if words and (words not in seen or (p.country and not seen[words].country)):
            seen[words] = p
    entities: dict[tuple[str, ...], Entity] = {}
    for words in sorted(seen, key=lambda w: (-len(w), w)):
        person = seen[words]
        matches = {
            entities[other].key: entities[other]
            for other in entities
            if _same(words, other)
            and not (person.country and entities[other].country
                     and person.country != entities[other].country)
        }  # fmt: skip
        if len(matches) == 1:
            entities[words] = next(iter(matches.values()))
        else:
            entities[words] = Entity(key=" ".join(words), name=person.name, country=person.country)
    return entities
