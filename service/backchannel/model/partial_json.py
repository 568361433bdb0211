"""Recover the complete part of a JSON reply that was cut off at `max_tokens`.

A small model that loops produces good items first and repeats after; when the token bound cuts
it off, the complete items it did produce are still worth returning (with a warning).
"""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)
_CLOSERS = {"{": "}", "[": "]"}


def salvage(content: str, model: type[T]) -> T | None:
    """The longest prefix of `content` that, closed, validates as `model`; None if none does."""
    stack: list[str] = []
    in_string = escaped = False
    cuts: list[tuple[int, str]] = []  # (end of a complete value, closers needed after it)
    for i, ch in enumerate(content):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in _CLOSERS:
            stack.append(_CLOSERS[ch])
        elif ch in "}]" and stack:
            stack.pop()
            cuts.append((i + 1, "".join(reversed(stack))))
    for end, closers in reversed(cuts):
        try:
            return model.model_validate(json.loads(content[:end] + closers))
        except (ValueError, ValidationError):
            continue
    return None
