"""Word lists the rules read, kept as data: one TOML file per stage, one table per group.

Every group says what it is for in its `about` line. A group is either a mapping (a key to a
list of names: aliases of a country, names of an organisation) or a list of `words` (matched
literally) and `patterns` (small regular expressions for inflections, "ministers?"), joined into
one case-insensitive regex by the group's `template` (default: whole words).
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DIRECTORY = Path(__file__).resolve().parent
_FLAGS = {"i": re.IGNORECASE, "x": re.VERBOSE, "a": re.ASCII}


@cache
def _file(name: str) -> dict[str, dict[str, Any]]:
    with (DIRECTORY / f"{name}.toml").open("rb") as fh:
        data = tomllib.load(fh)
    for group, table in data.items():
        if not isinstance(table, dict) or not str(table.get("about", "")).strip():
            raise ValueError(f"lexicon {name}.toml: group [{group}] has no `about` line")
    return data


def group(name: str, key: str) -> dict[str, Any]:
    """One group's table, `about` included."""
    try:
        return _file(name)[key]
    except KeyError:
        raise KeyError(f"lexicon {name}.toml has no group [{key}]") from None


def mapping(name: str, key: str) -> dict[str, Any]:
    """A group that maps keys to values: ISO codes to names, words to numbers."""
    return {k: v for k, v in group(name, key).items() if k != "about"}


def words(name: str, key: str) -> list[str]:
    return list(group(name, key).get("words", []))


@cache
def regex(name: str, key: str) -> re.Pattern[str]:
    """The group's words and patterns as one regex (alternatives in file order)."""
    table = group(name, key)
    alternatives = [re.escape(w) for w in table.get("words", [])]
    alternatives += list(table.get("patterns", []))
    if not alternatives:
        raise ValueError(f"lexicon {name}.toml: group [{key}] has no words or patterns")
    flags = 0
    for letter in table.get("flags", "i"):
        flags |= _FLAGS[letter]
    template = table.get("template", r"\b(?:{})\b")
    return re.compile(template.replace("{}", "|".join(alternatives)), flags)
