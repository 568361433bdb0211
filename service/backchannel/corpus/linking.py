"""Relinking the store: entities and events recomputed over every article's newest extraction.

Done whole after each ingest rather than meeting by meeting, so the result does not depend on
the order articles arrived in: a later report can join two earlier ones that nothing linked.
"""

from __future__ import annotations

from collections import defaultdict

from backchannel.corpus.entities import name_words, resolve
from backchannel.corpus.events import Sighting, link
from backchannel.store.repository import EntityRef, Store


def relink(store: Store) -> int:
    """Recompute entities and events; returns the number of events."""
    stored = store.latest_meetings()
    sightings = [Sighting.of(str(m.meeting_id), m.article_id, m.published_at, m.meeting)
                 for m in stored]  # fmt: skip
    entities = resolve(p for s in sightings for p in s.people)
    clusters: dict[int, list[int]] = defaultdict(list)
    for m, number in zip(stored, link(sightings, entities), strict=True):
        clusters[number].append(m.meeting_id)
    people: dict[tuple[int, int], EntityRef] = {}
    for m, s in zip(stored, sightings, strict=True):
        persons = {p.name: p for p in s.people}
        for ordinal, participant in enumerate(m.meeting.participants):
            person = persons.get(participant.name or "")
            if person is None or not name_words(person.name):
                continue
            entity = entities[name_words(person.name)]
            people[(m.meeting_id, ordinal)] = EntityRef(
                key=entity.key, name=entity.name, country_code=entity.country
            )
    store.write_events(list(clusters.values()), people)
    return len(clusters)
