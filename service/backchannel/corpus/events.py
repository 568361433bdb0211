"""Events: the meetings of different articles that report the same real-world meeting.

Two meetings can be one event only if nothing they say contradicts it: different articles (an
article's own repeats are merged by the pipeline already), overlapping times, the same country and
the same city where both are known, and a time consistent with each article's date (a meeting
reported as held happened before its article appeared). Among those, the ones that share people,
then sides, then a day or a place, are linked first; a cluster takes a meeting only if every
member is compatible with it (no chain from Singapore to Hanoi through a vague mention of "the
Trump-Kim summit"). A meeting that says neither when nor where joins a cluster only when one
cluster fits it best; otherwise it stays on its own, since a wrong merge hides a source.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from pydantic import BaseModel, Field

from backchannel.contract.schema import Meeting
from backchannel.corpus.entities import Entity, Person, name_words, resolve
from backchannel.normalise.places import city, country_code, recognised_affiliation

# A report dated a day after the meeting may resolve "yesterday" a day off; allow that much.
_SLACK = dt.timedelta(days=1)


class Sighting(BaseModel):
    """One meeting as one article reports it: what linking looks at."""

    id: str
    article: str
    published_at: dt.date | None = None
    people: list[Person] = Field(default_factory=list)
    sides: list[str] = Field(default_factory=list)  # the countries or bodies at the table
    place: str | None = None
    city: bool = False  # whether `place` is a city in the gazetteer
    country: str | None = None  # ISO 3166-1 alpha-3
    start: dt.date | None = None
    end: dt.date | None = None
    status: str = "unknown"

    @classmethod
    def of(cls, id: str, article: str, published_at: dt.date | None, m: Meeting) -> Sighting:
        people, sides = [], set()
        for p in m.participants:
            side = recognised_affiliation(p.affiliation) or p.affiliation
            code = country_code(side)
            if side:
                sides.add(code or side.casefold())
            # A "name" that is a country or a body ("Qatar", "NATO") is a side, not a person.
            if p.name and (body := recognised_affiliation(p.name)):
                sides.add(country_code(body) or body.casefold())
            elif p.name:
                people.append(Person(name=p.name, country=code))
        loc, when = m.location, m.time
        place = loc.place if loc else None
        return cls(
            id=id,
            article=article,
            published_at=published_at,
            people=people,
            sides=sorted(sides),
            place=place,
            city=city(place) is not None,
            country=country_code(loc.country) if loc else None,
            start=when.start if when else None,
            end=when.end if when else None,
            status=m.status.value,
        )

    def span(self) -> tuple[dt.date | None, dt.date | None]:
        """When it can have happened: its time, else what its article's date allows."""
        if self.start or self.end:
            return self.start, self.end
        if self.published_at and self.status in ("held", "cancelled"):
            return None, self.published_at
        if self.published_at and self.status == "planned":
            return self.published_at, None
        return None, None

    @property
    def vague(self) -> bool:
        return not (self.start or self.end or self.place or self.country)


def _overlap(a: tuple[dt.date | None, dt.date | None], b: tuple) -> bool:
    lo = max((x for x in (a[0], b[0]) if x), default=None)
    hi = min((x for x in (a[1], b[1]) if x), default=None)
    return lo is None or hi is None or lo <= hi + _SLACK


def _compatible(a: Sighting, b: Sighting) -> bool:
    if a.article == b.article:
        return False
    if not _overlap(a.span(), b.span()):
        return False
    if a.country and b.country and a.country != b.country:
        return False
    # Two meetings with two or more sides each, each with a side the other lacks, are two
    # meetings ("Biden and Erdogan" beside "Biden at NATO"), however close in time and place.
    sa, sb = set(a.sides), set(b.sides)
    if len(sa) > 1 and len(sb) > 1 and not (sa <= sb or sb <= sa):
        return False
    if a.city and b.city and a.place and b.place:
        return name_words(a.place) == name_words(b.place)
    return True


# A time that says which event it is: a day, a week, a month; "in 2023" does not.
_PRECISE = dt.timedelta(days=31)


def _bounded(s: Sighting) -> bool:
    return s.start is not None and s.end is not None and s.end - s.start <= _PRECISE


# What each shared thing weighs: people most, then a precise agreeing time or place (the same day
# or place more than the same month or country), then each side.
_PERSON, _SIDE, _SAME, _NEAR = 3.0, 1.0, 2.0, 1.0


def _score(a: Sighting, b: Sighting, people: int) -> float | None:
    """How strongly two compatible sightings look like one event; None if too weakly.

    A link needs the time or the place to agree (the same leaders meet again and again), and
    shared people, or else at least two shared sides with both time and place agreeing. An open
    or a long time ("before the article", "in 2023") is compatible with much but agrees with
    nothing. `people`: how many entities the two share.
    """
    sides = len(set(a.sides) & set(b.sides))
    same_day = _bounded(a) and a.start == b.start and a.end == b.end
    timed = _bounded(a) and _bounded(b)  # and they overlap: `_compatible` checked that
    same_place = bool(a.place and b.place and name_words(a.place) == name_words(b.place))
    located = a.country is not None and a.country == b.country
    when, where = timed, same_place or located  # the same day is timed too
    if not (when or where):
        return None
    if not people and not (sides >= 2 and when and where):
        return None
    return (
        _PERSON * people + _SIDE * sides + (_SAME if same_day else _NEAR if timed else 0.0)
        + (_SAME if same_place else _NEAR if located else 0.0)
    )  # fmt: skip


def _months(s: Sighting) -> list[tuple[int, int]]:
    """The months a precise time touches (a day, a week, a month: at most two)."""
    if not _bounded(s):
        return []
    assert s.start is not None and s.end is not None
    return sorted({(s.start.year, s.start.month), (s.end.year, s.end.month)})


def _candidates(sightings: Sequence[Sighting], ids: list[set[str]]) -> set[tuple[int, int]]:
    """Pairs that could score at all, found through shared keys instead of trying every pair: a
    shared person, or a shared side in the same month (sides alone link only with a precise,
    agreeing time). Keeps linking near-linear in the corpus, not quadratic."""
    index: dict[tuple, list[int]] = defaultdict(list)
    for i, s in enumerate(sightings):
        for key in ids[i]:
            index[("person", key)].append(i)
        for side in s.sides:
            for month in _months(s):
                index[("side", side, month)].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in index.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def link(
    sightings: Sequence[Sighting], entities: dict[tuple[str, ...], Entity] | None = None
) -> list[int]:
    """A cluster number per sighting (its event), in the order given. `entities`: their
    people's entities, if the caller has resolved them already."""
    if entities is None:
        entities = resolve(p for s in sightings for p in s.people)
    ids = [{entities[name_words(p.name)].key for p in s.people if name_words(p.name)}
           for s in sightings]  # fmt: skip
    n = len(sightings)
    known: dict[tuple[int, int], bool] = {}

    def compatible(i: int, j: int) -> bool:
        key = (min(i, j), max(i, j))
        if key not in known:
            known[key] = _compatible(sightings[key[0]], sightings[key[1]])
        return known[key]

    candidates = sorted(p for p in _candidates(sightings, ids) if compatible(*p))
    pairs: list[tuple[float, int, int]] = []
    for i, j in candidates:
        score = _score(sightings[i], sightings[j], len(ids[i] & ids[j]))
        if score is not None:
            pairs.append((score, i, j))
    cluster = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}

    def merge(x: int, y: int) -> bool:
        cx, cy = cluster[x], cluster[y]
        if cx == cy or not all(compatible(p, q) for p in members[cx] for q in members[cy]):
            return False
        for q in members.pop(cy):
            cluster[q] = cx
            members[cx].append(q)
        return True

    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    vague = {i for i in range(n) if sightings[i].vague}
    for _, a, b in pairs:  # first the sightings that say when or where
        if a not in vague and b not in vague:
            merge(a, b)
    partners: dict[int, list[int]] = defaultdict(list)
    for i, j in candidates:
        partners[i].append(j)
        partners[j].append(i)
    for i in sorted(vague):  # then each vague one, where one cluster fits it best
        best: dict[int, float] = {}
        for j in partners[i]:
            people = len(ids[i] & ids[j])
            other = cluster[j]
            if people and other != cluster[i] and all(compatible(i, q) for q in members[other]):
                sides = len(set(sightings[i].sides) & set(sightings[j].sides))
                score = _PERSON * people + _SIDE * sides
                best[other] = max(best.get(other, 0.0), score)
        ranked = sorted(best.values(), reverse=True)
        if ranked and (len(ranked) == 1 or ranked[0] > ranked[1]):
            merge(members[max(best, key=lambda c: best[c])][0], i)
    # Number the clusters in order of first appearance.
    numbers: dict[int, int] = {}
    return [numbers.setdefault(c, len(numbers)) for c in cluster]
