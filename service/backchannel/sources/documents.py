"""Articles read from files: HTML pages (main text by trafilatura), text files and JSON lines.

An article is identified by a hash of its text, so the same page saved twice, or ingested again,
is the same article. Metadata the page carries (date, title, URL, site) travels with it; what it
lacks is null, with a warning, never a guess.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from backchannel.contract.schema import ExtractRequest

HTML_SUFFIXES = frozenset({".html", ".htm"})
TEXT_SUFFIXES = frozenset({".txt"})
JSON_SUFFIXES = frozenset({".json", ".jsonl"})
SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES | JSON_SUFFIXES

NO_DATE = "no publication date found: relative times stay unresolved"


class SourceError(Exception):
    """One input cannot be read: which (`source`) and why (`reason`)."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source, self.reason = source, reason

    def unreadable(self, item: str) -> Unreadable:
        """The report for input `item`; the reason names the failing source when it is another
        one (where a redirect led)."""
        return Unreadable(source=item, reason=self.reason if self.source == item else str(self))


class Article(BaseModel):
    """One article as stored: `text` is what every offset of its extraction refers to."""

    id: str = Field(description="SHA-256 of the text: the same text is the same article")
    text: str
    published_at: dt.date | None = None
    url: str | None = None
    title: str | None = None
    site: str | None = None
    source: str = Field(description="The file, line or URL it was read from")
    external_id: str | None = Field(default=None, description="The input's own id, if it had one")
    warnings: list[str] = Field(default_factory=list)

    def request(self) -> ExtractRequest:
        return ExtractRequest(text=self.text, published_at=self.published_at, id=self.id)


class Unreadable(BaseModel):
    """An input that could not be read: reported by name, and the rest goes on."""

    source: str
    reason: str


def article_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _checked_text(text: str, source: str) -> str:
    """The same checks a request gets, with the request's own words, before anything is stored."""
    try:
        ExtractRequest(text=text)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise SourceError(source, reason) from None
    return text


def make_article(text: str, source: str, **meta: Any) -> Article:
    text = _checked_text(text, source)
    warnings = list(meta.pop("warnings", []))
    if meta.get("published_at") is None:
        warnings.append(NO_DATE)
    return Article(id=article_id(text), text=text, source=source, warnings=warnings, **meta)


def _date(value: Any, source: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise SourceError(source, f"published_at {value!r} is not a date (YYYY-MM-DD)") from None


def from_html(content: bytes | str, source: str, url: str | None = None) -> Article:
    """The page's main text, without menus, footers and the like (trafilatura), and its metadata.

    The headline leads the text, as in a wire story, because the pipeline reads the headline and
    the lede for the date and the main actors; it is added when the extracted body lacks it.
    """
    import trafilatura

    doc = trafilatura.bare_extraction(
        content,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if doc is None or not (doc.text or "").strip():
        raise SourceError(source, "no article text found in the page")
    text, title = doc.text.strip(), (doc.title or "").strip() or None
    if title and not text.startswith(title):
        text = f"{title}\n{text}"
    return make_article(
        text,
        source,
        published_at=_date(doc.date, source),
        url=doc.url or url,
        title=title,
        site=(doc.sitename or "").strip() or None,
    )


def decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(source, f"not valid UTF-8 (byte {exc.start}); convert it") from None


def from_record(record: Any, source: str) -> Article:
    """A JSON object: `text` (required), `published_at`, `id`, `url`, `title`."""
    if not isinstance(record, dict):
        raise SourceError(source, "expected a JSON object with a 'text' field")
    text = record.get("text")
    if not isinstance(text, str):
        raise SourceError(source, "'text' is missing or not a string")
    external = record.get("id")
    return make_article(
        text,
        source,
        published_at=_date(record.get("published_at"), source),
        url=record.get("url") if isinstance(record.get("url"), str) else None,
        title=record.get("title") if isinstance(record.get("title"), str) else None,
        external_id=None if external is None else str(external),
    )


def _json_records(raw: str, source: str) -> Iterator[Article | Unreadable]:
    """A `.json` file holds one object or a list of them; a `.jsonl` file one object per line.
    A bad line is reported with its number and the others are read."""
    if source.endswith(".json"):
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield Unreadable(source=source, reason=f"not valid JSON: {exc.msg} (line {exc.lineno})")
            return
        for i, record in enumerate(data if isinstance(data, list) else [data], 1):
            where = f"{source}[{i}]" if isinstance(data, list) else source
            yield _guarded(lambda r=record, w=where: from_record(r, w), where)
        return
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Unreadable(source=where, reason=f"not valid JSON: {exc.msg}")
            continue
        yield _guarded(lambda r=record, w=where: from_record(r, w), where)


def _guarded(read: Any, source: str) -> Article | Unreadable:
    try:
        return read()
    except SourceError as exc:
        return exc.unreadable(source)


def read_file(path: Path) -> Iterator[Article | Unreadable]:
    source = str(path)
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield Unreadable(source=source, reason=exc.strerror or str(exc))
        return
    if suffix in HTML_SUFFIXES:
        yield _guarded(lambda: from_html(raw, source), source)
    elif suffix in TEXT_SUFFIXES:
        yield _guarded(lambda: make_article(decode(raw, source), source), source)
    elif suffix in JSON_SUFFIXES:
        try:
            yield from _json_records(decode(raw, source), source)
        except SourceError as exc:
            yield exc.unreadable(source)
    else:
        kinds = ", ".join(sorted(SUFFIXES))
        yield Unreadable(source=source, reason=f"unknown kind of file (read: {kinds})")


def files_under(path: Path) -> Iterator[Path]:
    """A folder's readable files, recursively, in a stable order; hidden files are skipped."""
    for p in sorted(path.rglob("*")):
        hidden = any(part.startswith(".") for part in p.relative_to(path).parts)
        if p.is_file() and not hidden and p.suffix.lower() in SUFFIXES:
            yield p


def read_paths(paths: Iterable[Path]) -> Iterator[Article | Unreadable]:
    for path in paths:
        if path.is_dir():
            for p in files_under(path):
                yield from read_file(p)
        elif path.exists():
            yield from read_file(path)
        else:
            yield Unreadable(source=str(path), reason="no such file or folder")
