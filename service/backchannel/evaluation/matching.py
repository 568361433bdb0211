"""Pair predicted meetings with gold ones, and participants within a pair.

Predictions and gold meetings are paired one to one, maximising `similarity`, a weighted mean of
four agreements, each in [0, 1]:

- evidence (weight 0.4): character overlap of the evidence spans, intersection / union, or 1.0 when
  one span lies within the other (a model often quotes one sentence of a two-sentence evidence);
- participants (0.3): share of the gold participants matched (`match_participants`);
- location (0.15): mean agreement of `place` (one contains the other) and `country` (equal), over
  those of the two that either side fills;
- time (0.15): 1.0 for the same interval, 0.5 for overlapping ones, 0.0 for disjoint ones or when
  only one side has an interval.

A component that neither side fills (no participants, no location, no time on both) says nothing
either way, so it is left out and the weights of the others are renormalised; evidence is always
present. A pair can match only if its similarity is at least `MATCH_THRESHOLD` (0.3) and, under
the strict rules (`rules.py`), its evidence overlaps and at least one participant matches (the
lenient rules take either). Participants match on overlapping spans or the same proper name.
`place` agrees when equal after normalisation (lenient: when one contains the other). Required gold
is matched first; the predictions left over may then match optional (`required: false`) gold.
The meeting assignment is always optimal (maximum total similarity). Participants are matched
surest first (a greedy pass over tiers of evidence, see `participant_affinity`), so that a sure
name match is never traded for two weaker ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scipy.optimize import linear_sum_assignment

from backchannel.contract.schema import Meeting, Participant
from backchannel.evaluation.fields import (
    contains,
    country_in,
    evidence_span,
    intersection,
    interval_of,
    norm,
    overlaps,
    place_of,
    same_text,
    word_set,
)
from backchannel.evaluation.rules import STRICT, Rules

WEIGHTS: dict[str, float] = {"evidence": 0.4, "participants": 0.3, "location": 0.15, "time": 0.15}
MATCH_THRESHOLD = 0.3
_MIN_JACCARD = 0.5


@dataclass(frozen=True)
class MatchedPair:
    gold: int
    pred: int
    similarity: float
    required: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "pred": self.pred,
            "similarity": round(self.similarity, 4),
            "required": self.required,
        }


def span_similarity(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two [start, end) spans; 1.0 if one lies within the other."""
    if intersection(a, b) == 0:
        return 0.0
    if (a[0] <= b[0] and b[1] <= a[1]) or (b[0] <= a[0] and a[1] <= b[1]):
        return 1.0
    return intersection(a, b) / (max(a[1], b[1]) - min(a[0], b[0]))


# --- participants -----------------------------------------------------------------------------


def participant_affinity(gold: Participant, pred: Participant, rules: Rules = STRICT) -> float:
    """How surely two entries are the same participant; 0.0 means not the same.

    Tiers, so that the one-to-one assignment prefers the surest evidence: both named -> the name
    decides (1.0 equal, 0.95 same last name, else 0); otherwise overlapping mention spans
    (0.6-0.9, more with equal affiliation: one mention "US and Russian participants" often stands
    for two entries); under the lenient rules only, otherwise mention words with Jaccard >= 0.5
    and equal affiliation (0.35-0.4).
    """
    gold_name, pred_name = norm(gold.name), norm(pred.name)
    if gold_name and pred_name:
        if gold_name == pred_name:
            return 1.0
        return 0.95 if gold_name.split()[-1] == pred_name.split()[-1] else 0.0
    same_affiliation = norm(gold.affiliation) == norm(pred.affiliation)
    if intersection(gold.span, pred.span) > 0:
        return 0.6 + 0.2 * same_affiliation + 0.1 * span_similarity(gold.span, pred.span)
    if not rules.participants_by_words:
        return 0.0
    gold_words, pred_words = word_set(gold.mention), word_set(pred.mention)
    if not same_affiliation or not gold_words or not pred_words:
        return 0.0
    jaccard = len(gold_words & pred_words) / len(gold_words | pred_words)
    return 0.3 + 0.1 * jaccard if jaccard >= _MIN_JACCARD else 0.0


def match_participants(
    gold: Sequence[Participant], pred: Sequence[Participant], rules: Rules = STRICT
) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs of the same participant, surest first."""
    scores = {
        (i, j): score
        for i, g in enumerate(gold)
        for j, p in enumerate(pred)
        if (score := participant_affinity(g, p, rules)) > 0
    }
    return _assign_greedy(scores)


# --- meeting similarity and matching ----------------------------------------------------------


def _participant_share(gold: Meeting, pred: Meeting, pairs: list[tuple[int, int]]) -> float | None:
    if not gold.participants:
        return None if not pred.participants else 0.0
    return len(pairs) / len(gold.participants)


def _location_agreement(gold: Meeting, pred: Meeting, rules: Rules) -> float | None:
    same_place = contains if rules.place_containment else same_text
    checks = [
        1.0 if g is not None and p is not None and same(g, p) else 0.0
        for g, p, same in (
            (place_of(gold), place_of(pred), same_place),
            (country_in(gold), country_in(pred), same_text),
        )
        if g is not None or p is not None
    ]
    return sum(checks) / len(checks) if checks else None


def _time_agreement(gold: Meeting, pred: Meeting) -> float | None:
    g, p = interval_of(gold), interval_of(pred)
    if g is None and p is None:
        return None
    if g is None or p is None:
        return 0.0
    if g == p:
        return 1.0
    return 0.5 if overlaps(g, p) else 0.0


def _similarity(gold: Meeting, pred: Meeting, rules: Rules) -> tuple[float, bool]:
    """(similarity, whether the pair shares what the rules require to be the same meeting)."""
    pairs = match_participants(gold.participants, pred.participants, rules)
    parts = {
        "evidence": span_similarity(evidence_span(gold), evidence_span(pred)),
        "participants": _participant_share(gold, pred, pairs),
        "location": _location_agreement(gold, pred, rules),
        "time": _time_agreement(gold, pred),
    }
    present = {name: value for name, value in parts.items() if value is not None}
    weight = sum(WEIGHTS[name] for name in present)
    score = sum(WEIGHTS[name] * value for name, value in present.items()) / weight
    same_evidence = intersection(evidence_span(gold), evidence_span(pred)) > 0
    if rules.match_needs_evidence_and_participant:
        return score, same_evidence and bool(pairs)
    return score, same_evidence or bool(pairs)


def similarity(gold: Meeting, pred: Meeting, rules: Rules = STRICT) -> float:
    """The matching similarity in [0, 1] (see the module docstring for the weights)."""
    return _similarity(gold, pred, rules)[0]


def _assign_greedy(scores: Mapping[tuple[int, int], float]) -> list[tuple[int, int]]:
    """Highest score first, ties by (row, column): simple and deterministic."""
    rows: set[int] = set()
    cols: set[int] = set()
    chosen = []
    for (i, j), _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])):
        if i not in rows and j not in cols:
            rows.add(i)
            cols.add(j)
            chosen.append((i, j))
    return sorted(chosen)


def assign_optimal(scores: Mapping[tuple[int, int], float]) -> list[tuple[int, int]]:
    """One-to-one pairs of maximum total score (scipy's linear_sum_assignment); pairs absent
    from `scores` (0 in the matrix) are dropped after."""
    if not scores:
        return []
    rows = sorted({i for i, _ in scores})
    cols = sorted({j for _, j in scores})
    matrix = [[scores.get((i, j), 0.0) for j in cols] for i in rows]
    row_ind, col_ind = linear_sum_assignment(matrix, maximize=True)
    chosen = ((rows[r], cols[c]) for r, c in zip(row_ind, col_ind, strict=True))
    return sorted(pair for pair in chosen if pair in scores)


def match_meetings(
    gold: Sequence[Meeting],
    required: Sequence[bool],
    pred: Sequence[Meeting],
    rules: Rules = STRICT,
) -> list[MatchedPair]:
    """One-to-one gold/prediction pairs: required gold first, then optional gold, by gold index.

    One-to-one throughout, so an optional gold meeting absorbs at most one prediction; any
    other prediction of it counts as extra."""
    eligible: dict[tuple[int, int], float] = {}
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            score, shared = _similarity(g, p, rules)
            if shared and score >= MATCH_THRESHOLD:
                eligible[(i, j)] = score
    first = assign_optimal({k: s for k, s in eligible.items() if required[k[0]]})
    taken = {j for _, j in first}
    second = assign_optimal(
        {k: s for k, s in eligible.items() if not required[k[0]] and k[1] not in taken}
    )
    pairs = [MatchedPair(i, j, eligible[(i, j)], required[i]) for i, j in first + second]
    return sorted(pairs, key=lambda m: m.gold)
