"""Events out of the store: a table for a terminal, JSON, CSV or Parquet for other tools.

Flat formats (CSV, Parquet) have one row per source, so that every row carries its evidence and
its offsets; JSON keeps each event whole.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from backchannel.normalise import places
from backchannel.store.repository import EventView, Source

# One row per source: the event's fields (its lists joined), then the source's.
_EVENT_FIELDS = [f for f in EventView.model_fields if f not in ("id", "sources")]
_COLUMNS = ("event_id", *_EVENT_FIELDS, *Source.model_fields)


def rows(events: Sequence[EventView]) -> list[dict[str, Any]]:
    out = []
    for e in events:
        fields = e.model_dump(include=set(_EVENT_FIELDS))
        fields["people"], fields["sides"] = "; ".join(e.people), "; ".join(e.sides)
        out += [{"event_id": e.id, **fields, **src.model_dump()} for src in e.sources]
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
