"""What the scorer counts as right: the strict rules (the default) or the lenient ones.

The lenient rules are the scorer's rules before 2026-12 (issue 14), kept so that older reports
stay reproducible (`backchannel eval --scorer lenient`). They flattered: the right sentence alone
made a found meeting, "Palace" was the place "Government Palace", "Sudan" the country "South
Sudan", and two unnamed participants with no affiliation matched on half their words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rules:
    name: str
    # A pair of meetings matches only if the evidence overlaps AND a participant matches
    # (strict), or if either holds (lenient).
    match_needs_evidence_and_participant: bool
    # Unnamed participants whose spans do not overlap still match on mention words (Jaccard at
    # least 0.5) when their affiliations are equal, null included (lenient only).
    participants_by_words: bool
    # `place` right when one names the other ("Palace" ~ "Government Palace"), and relaxed
    # `country` likewise ("Sudan" ~ "South Sudan"); strict rules compare after normalisation.
    place_containment: bool
    country_containment: bool
    # Each participant's `name` and `role` are scored slots.
    person_slots: bool

    @property
    def slots(self) -> tuple[str, ...]:
        people = ("participants", "name", "role") if self.person_slots else ("participants",)
        return (*people, "capacity", "affiliation", "place", "country", "time", "track", "status")


STRICT = Rules("strict", True, False, False, False, True)
LENIENT = Rules("lenient", False, True, True, True, False)
RULES = {r.name: r for r in (STRICT, LENIENT)}
