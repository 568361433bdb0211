"""The hand-labelled gold: eval files as typed models, loaded from a folder.

A gold meeting is a contract `Meeting` plus what only a labeller knows: whether it must be found
(`required`), why (`note`), which real-world event it is (`event_id`, shared by every article
that reports it) and what makes it hard (`tags`). See eval/LABELLING.md.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from backchannel.contract.schema import ExtractRequest, Meeting


class GoldMeeting(Meeting):
    required: bool = True
    note: str = ""
    event_id: str | None = None
    tags: list[str] = Field(default_factory=list)


class GoldArticle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    published_at: dt.date | None = None
    tags: list[str] = Field(default_factory=list)
    note: str = ""
    text: str
    meetings: list[GoldMeeting]

    def request(self) -> ExtractRequest:
        return ExtractRequest(id=self.id, text=self.text, published_at=self.published_at)


def load_set(
    path: Path, limit: int | None = None, offset: int = 0, exclude: frozenset[str] = frozenset()
) -> list[GoldArticle]:
    """Gold articles from a folder of `<id>.json` files (or one such file), sorted by id;
    `exclude` (ids) leaves some out, then `offset` and `limit` select a slice of that order."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise FileNotFoundError(f"no eval articles (*.json) in {path}")
    unknown = exclude - {f.stem for f in files}
    if unknown:
        raise ValueError(f"--exclude names no article of the set: {', '.join(sorted(unknown))}")
    files = [f for f in files if f.stem not in exclude][offset:]
    return [
        GoldArticle.model_validate_json(f.read_text(encoding="utf-8"))
        for f in (files[:limit] if limit else files)
    ]
