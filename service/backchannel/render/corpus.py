"""Geometry for the corpus views: a timeline of events and a who-met-whom network, drawn as SVG
by the templates (no script library: positions are computed here, once, on the server)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

from backchannel.store.repository import EventView

TIMELINE_WIDTH = 960
TIMELINE_LEFT = 16
TIMELINE_ROW = 22
NETWORK_SIZE = 760
NETWORK_MAX_NODES = 40


def describe(event: EventView) -> str:
    who = ", ".join(event.people or event.sides) or "unnamed sides"
    where = event.place or event.country_code or "place not said"
    return f"{who} ({where})"


def when(event: EventView) -> str:
    first, last = event.first_date, event.last_date
    if first is None and last is None:
        return "date not said"
    if first == last or last is None:
        return str(first)
    return f"{first or '?'} to {last}"


@dataclass
class Bar:
    event_id: int
    x1: float
    x2: float
    y: float
    label: str
    title: str


@dataclass
class Timeline:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    undated: int


def timeline(events: Sequence[EventView]) -> Timeline:
    """One row per dated event, oldest first, on a scale from the first date to the last."""
    dated = sorted(
        (e for e in events if e.first_date or e.last_date),
        key=lambda e: (e.first_date or e.last_date, e.id),
    )
    if not dated:
        return Timeline(TIMELINE_WIDTH, 0, [], [], len(events))
    start = min(e.first_date or e.last_date for e in dated)  # type: ignore[type-var]
    end = max(e.last_date or e.first_date for e in dated)  # type: ignore[type-var]
    span = max((end - start).days, 1)
    usable = TIMELINE_WIDTH - 2 * TIMELINE_LEFT - 260  # room for the labels on the right

    def x(day: dt.date) -> float:
        return round(TIMELINE_LEFT + usable * (day - start).days / span, 1)

    bars = []
    for row, e in enumerate(dated):
        first = e.first_date or e.last_date
        last = e.last_date or e.first_date
        y = 30 + row * TIMELINE_ROW
        bars.append(Bar(e.id, x(first), x(last), y, describe(e), f"{when(e)}: {describe(e)}"))  # type: ignore[arg-type]
    ticks = (
        [(x(start), str(start)), (x(end), str(end))] if start != end else [(x(start), str(start))]
    )
    height = 40 + len(dated) * TIMELINE_ROW
    return Timeline(TIMELINE_WIDTH, height, bars, ticks, len(events) - len(dated))


@dataclass
class Node:
    name: str
    kind: str  # "person" or "state"
    x: float
    y: float
    anchor: str
    label_x: float
    label_y: float


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    events: list[int]
    title: str
    width: float = field(default=1.5)


@dataclass
class Network:
    size: int
    nodes: list[Node]
    edges: list[Edge]
    left_out: int


def _ends(event: EventView) -> list[tuple[str, str]]:
    """Who an event connects: its named people, or, with fewer than two, its sides."""
    if len(event.people) >= 2:
        return [(p, "person") for p in event.people]
    return [(p, "person") for p in event.people] + [(s, "state") for s in event.sides]


def network(events: Sequence[EventView]) -> Network:
    """People and states as nodes on a circle, an edge for each pair that met (thicker for more
    events); the most connected `NETWORK_MAX_NODES` are drawn, and how many were left out said."""
    pairs: dict[tuple[tuple[str, str], tuple[str, str]], list[EventView]] = {}
    for e in events:
        for a, b in combinations(sorted(set(_ends(e))), 2):
            pairs.setdefault((a, b), []).append(e)
    degree = Counter(n for pair in pairs for n in pair)
    kept = [n for n, _ in degree.most_common(NETWORK_MAX_NODES)]
    kept.sort(key=lambda n: (n[1], n[0]))
    centre, radius = NETWORK_SIZE / 2, NETWORK_SIZE / 2 - 150
    where: dict[tuple[str, str], tuple[float, float]] = {}
    nodes = []
    for i, (name, kind) in enumerate(kept):
        angle = 2 * math.pi * i / max(len(kept), 1) - math.pi / 2
        x, y = centre + radius * math.cos(angle), centre + radius * math.sin(angle)
        where[(name, kind)] = (x, y)
        lx, ly = centre + (radius + 12) * math.cos(angle), centre + (radius + 12) * math.sin(angle)
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        nodes.append(Node(name, kind, round(x, 1), round(y, 1), anchor, round(lx, 1), round(ly, 1)))
    edges = []
    for (a, b), evs in pairs.items():
        if a in where and b in where:
            (x1, y1), (x2, y2) = where[a], where[b]
            title = f"{a[0]} and {b[0]}: " + "; ".join(f"{when(e)}, {e.place or '?'}" for e in evs)
            edges.append(
                Edge(
                    round(x1, 1),
                    round(y1, 1),
                    round(x2, 1),
                    round(y2, 1),
                    [e.id for e in evs],
                    title,
                    min(1.5 + len(evs), 8),
                )  # fmt: skip
            )
    return Network(NETWORK_SIZE, nodes, edges, len(degree) - len(kept))
