"""Events out of the store: a table for a terminal, JSON, CSV or Parquet for other tools.

Flat formats (CSV, Parquet) have one row per source, so that every row carries its evidence and
its offsets; JSON keeps each event whole.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, Literal

from backchannel.normalise import places
from backchannel.store.repository import EventView

Format = Literal["table", "json", "csv", "parquet"]

_COLUMNS = ("event_id", "first_date", "last_date", "place", "country_code", "latitude",
            "longitude", "status", "track", "people", "sides", "article_id", "url", "title",
            "site", "published_at", "evidence", "evidence_start", "evidence_end")  # fmt: skip


def rows(events: Sequence[EventView]) -> list[dict[str, Any]]:
    out = []
    for e in events:
        for src in e.sources:
            out.append({
                "event_id": e.id, "first_date": e.first_date, "last_date": e.last_date,
                "place": e.place, "country_code": e.country_code, "latitude": e.latitude,
                "longitude": e.longitude, "status": e.status, "track": e.track,
                "people": "; ".join(e.people), "sides": "; ".join(e.sides),
                **src.model_dump(),
            })  # fmt: skip
    return out


def to_json(events: Sequence[EventView], total: int) -> str:
    return json.dumps(
        {"total": total, "events": [e.model_dump(mode="json") for e in events]}, indent=2
    )


def to_csv(events: Sequence[EventView]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=_COLUMNS)
    writer.writeheader()
    writer.writerows(rows(events))
    return buffer.getvalue()


def to_parquet(events: Sequence[EventView]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(rows(events)) if events else pa.table(
        {c: pa.array([], pa.string()) for c in _COLUMNS}
    )  # fmt: skip
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


def _when(e: EventView) -> str:
    if e.first_date and e.last_date and e.first_date != e.last_date:
        return f"{e.first_date}..{e.last_date}"
    return str(e.first_date or e.last_date or "?")


def to_table(events: Sequence[EventView], total: int, width: int = 120) -> str:
    """A readable listing: one line per event, then its sources, indented."""
    if not events:
        return "no events match"
    lines = [f"{total} event(s)" + (f", showing {len(events)}" if total > len(events) else "")]
    for e in events:
        where = ", ".join(x for x in (e.place, e.country_code) if x) or "?"
        who = ", ".join(e.people[:5]) or ", ".join(e.sides[:5]) or "?"
        if len(e.people) > 5:
            who += f" +{len(e.people) - 5}"
        lines.append(f"#{e.id}  {_when(e)}  {where}  {e.status}  {who}")
        for src in e.sources:
            outlet = src.site or src.url or src.article_id[:12]
            quote = (
                src.evidence
                if len(src.evidence) < width - 20
                else src.evidence[: width - 23] + "..."
            )
            lines.append(f"    {outlet} ({src.published_at or 'undated'}): {quote}")
    return "\n".join(lines)


def country_filter(value: str) -> str:
    """A country as the user types it ("Russia", "RUS", "the U.S.") as the ISO code events keep;
    ValueError if it names no country."""
    code = places.country_code(value)
    if code is None:
        raise ValueError(f"{value!r} is not a country name or ISO 3166-1 code")
    return code


def country_codes() -> list[str]:
    """The ISO codes events can carry: what the HTTP API accepts as `country`."""
    return places.country_codes()
