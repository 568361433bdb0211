"""Scoring under the lenient rules (before 2026-12, kept so older reports reproduce): hand-counted
cases on a small article, plus the seed gold scored against itself. The strict rules, the
default, are tested in test_scoring_strict.py.

Gold meetings A and B each fill 11 slot items: 2 participants, 2 capacities, 2 affiliations,
place, country, time, track, status. The extra prediction C fills 3: 1 participant, its capacity,
status. Micro F1 is 2TP / (2TP + FP + FN).
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest
from backchannel.contract.schema import Capacity, Meeting, Participant
from backchannel.evaluation import scoring
from backchannel.evaluation.gold import GoldArticle, GoldMeeting
from backchannel.evaluation.matching import (
    MATCH_THRESHOLD,
    assign_optimal,
    match_participants,
    similarity,
)
from backchannel.evaluation.rules import LENIENT
from backchannel.evaluation.scoring import Counts, aggregate, grounding_rate, score_article

from tests import factories
from tests.factories import ROOT, as_prediction

SLOTS = LENIENT.slots
SEED = ROOT / "eval" / "dev" / "seed-swiss-track-two.json"

EV_A = (
    "On Monday, Norwegian Foreign Minister Anna Berg met Finnish Foreign Minister Jonas Vik "
    "in Oslo."
)
EV_B = "Scholars from Norway and Finland held unofficial talks in Geneva last month."
EV_O = "Officials may have met regularly, an aide said."
EV_C = "Analysts expect further talks."
TEXT = " ".join([EV_A, EV_B, EV_O, "Berg later said the Oslo meeting was useful.", EV_C])

person = partial(factories.person, TEXT)
where = partial(factories.place, TEXT)
when = partial(factories.when, TEXT)


def meeting(evidence: str, participants: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return factories.meeting(TEXT, evidence, participants, **({"required": True} | fields))


A = meeting(
    EV_A,
    [
        person("Norwegian Foreign Minister Anna Berg", "Norway", "official", "Anna Berg"),
        person("Finnish Foreign Minister Jonas Vik", "Finland", "official", "Jonas Vik"),
    ],
    location=where("Oslo", "Oslo", "Norway"),
    time=when("On Monday", "2025-03-03", "2025-03-03"),
    track="official",
    status="held",
)
B = meeting(
    EV_B,
    [
        person("Scholars from Norway and Finland", "Norway", "unofficial"),
        person("Scholars from Norway and Finland", "Finland", "unofficial"),
    ],
    location=where("Geneva", "Geneva", "Switzerland"),
    time=when("last month", "2025-02-01", "2025-02-28"),
    track="unofficial",
    status="held",
)
OPT = meeting(EV_O, [person("Officials", None, "official")], status="held", required=False)
C = meeting(EV_C, [person("Analysts", None, "unofficial")], status="planned")


pred = as_prediction


def score(gold: list[dict[str, Any]], preds: list[Meeting]):
    return score_article("t", [GoldMeeting.model_validate(g) for g in gold], preds, LENIENT)


def slot(counts: dict[str, Counts], name: str) -> tuple[int, int, int]:
    c = counts[name]
    return (c.tp, c.fp, c.fn)


def micro(counts: dict[str, Counts]) -> tuple[int, int, int]:
    c = scoring.micro(counts)
    return (c.tp, c.fp, c.fn)


def test_perfect_prediction_scores_one_everywhere():
    s = score([A, B], [pred(A), pred(B)])
    assert (s.meetings.tp, s.meetings.fp, s.meetings.fn) == (2, 0, 0)
    assert s.meetings.precision == s.meetings.recall == s.meetings.f1 == 1.0
    assert micro(s.slots_strict) == micro(s.slots_relaxed) == (22, 0, 0)  # 11 + 11
    assert s.slot_f1_strict == s.slot_f1_relaxed == 1.0
    assert [(m.gold, m.pred, m.similarity) for m in s.matches] == [(0, 0, 1.0), (1, 1, 1.0)]
    assert s.missed == s.extra == s.errors == []


def test_empty_prediction_has_zero_recall_and_vacuous_precision():
    s = score([A, B], [])
    # TP 0, FP 0, FN 2: P = 0/0 := 1.0 (nothing claimed), R = 0/2, F1 = 0/(0+0+2) = 0.
    assert (s.meetings.precision, s.meetings.recall, s.meetings.f1) == (1.0, 0.0, 0.0)
    assert micro(s.slots_strict) == (0, 0, 22)
    assert slot(s.slots_strict, "participants") == (0, 0, 4)
    assert s.slot_f1_strict == 0.0
    assert s.missed == [0, 1]
    assert s.errors == [f"missed: {EV_A[:80]}", f"missed: {EV_B}"]


def test_no_gold_and_no_prediction_is_perfect_and_extra_is_not():
    s = score([], [])
    assert (s.meetings.precision, s.meetings.recall, s.meetings.f1) == (1.0, 1.0, 1.0)
    assert s.slot_f1_strict == 1.0
    s = score([], [pred(C)])
    # TP 0, FP 1, FN 0: P = 0/1, R = 0/0 := 1.0, F1 = 0.
    assert (s.meetings.precision, s.meetings.recall, s.meetings.f1) == (0.0, 1.0, 0.0)
    assert micro(s.slots_strict) == (0, 3, 0)


def test_one_missing_meeting():
    s = score([A, B], [pred(A)])
    # TP 1, FN 1: P = 1, R = 1/2, F1 = 2/(2+0+1) = 2/3.
    assert (s.meetings.tp, s.meetings.fp, s.meetings.fn) == (1, 0, 1)
    assert (s.meetings.precision, s.meetings.recall, s.meetings.f1) == (1.0, 1 / 2, 2 / 3)
    # A's 11 items right, B's 11 missed: F1 = 22 / (22 + 11) = 2/3.
    assert micro(s.slots_strict) == (11, 0, 11)
    assert s.slot_f1_strict == 2 / 3
    assert slot(s.slots_strict, "time") == (1, 0, 1)
    assert s.missed == [1]
    assert s.errors == [f"missed: {EV_B}"]


def test_one_extra_meeting():
    s = score([A, B], [pred(A), pred(B), pred(C)])
    # TP 2, FP 1: P = 2/3, R = 1, F1 = 4/(4+1) = 4/5.
    assert (s.meetings.precision, s.meetings.recall, s.meetings.f1) == (2 / 3, 1.0, 4 / 5)
    # C fills participant + capacity + status: FP 3. F1 = 44 / (44 + 3) = 44/47.
    assert micro(s.slots_strict) == (22, 3, 0)
    assert s.slot_f1_strict == 44 / 47
    assert slot(s.slots_strict, "status") == (2, 1, 0)
    assert slot(s.slots_strict, "affiliation") == (4, 0, 0)  # C's participant has none
    assert s.extra == [2]
    assert s.errors == [f"extra: {EV_C}"]


def test_wrong_capacity_is_one_fp_and_one_fn():
    wrong = pred(A)
    wrong.participants[0].capacity = Capacity.former_official
    s = score([A], [wrong])
    assert s.meetings.f1 == 1.0
    # capacity: Berg wrong (FP 1, FN 1), Vik right (TP 1): P = R = F1 = 1/2.
    assert slot(s.slots_strict, "capacity") == (1, 1, 1)
    assert s.slots_strict["capacity"].f1 == 1 / 2
    # 10 of 11 right: F1 = 20 / (20 + 1 + 1) = 10/11.
    assert micro(s.slots_strict) == (10, 1, 1)
    assert s.slot_f1_strict == 10 / 11
    assert s.errors == ["wrong capacity for 'Anna Berg': official != former_official"]


def test_missing_and_spurious_values():
    p = pred(A, location=None, track="unknown", status="cancelled")
    p.participants[1].affiliation = None
    s = score([A], [p])
    assert slot(s.slots_strict, "place") == (0, 0, 1)
    assert slot(s.slots_strict, "country") == (0, 0, 1)
    assert slot(s.slots_strict, "track") == (0, 0, 1)  # "unknown" is no value
    assert slot(s.slots_strict, "status") == (0, 1, 1)
    assert slot(s.slots_strict, "affiliation") == (1, 0, 1)
    p = pred(C, participants=[])
    s = score([C | {"status": "unknown"}], [p])
    assert slot(s.slots_strict, "status") == (0, 1, 0)  # null gold, value predicted
    assert slot(s.slots_strict, "participants") == (0, 0, 1)
    assert slot(s.slots_strict, "capacity") == (0, 0, 1)  # an unmatched participant's too


def test_optional_gold_is_neither_rewarded_nor_punished():
    s = score([A, OPT], [pred(A)])
    assert (s.meetings.tp, s.meetings.fp, s.meetings.fn) == (1, 0, 0)
    assert s.missed == [] and s.errors == []
    hit = score([A, OPT], [pred(A), pred(OPT)])
    assert (hit.meetings.tp, hit.meetings.fp, hit.meetings.fn) == (1, 0, 0)
    assert [(m.gold, m.pred, m.required) for m in hit.matches] == [(0, 0, True), (1, 1, False)]
    assert micro(hit.slots_strict) == micro(s.slots_strict) == (11, 0, 0)
    empty = score([A, OPT], [])
    assert (empty.meetings.tp, empty.meetings.fp, empty.meetings.fn) == (0, 0, 1)
    assert empty.missed == [0]


def test_required_gold_is_matched_before_optional():
    # Optional gold with the same evidence as A: the prediction of A must go to A.
    twin = A | {"required": False, "track": "unknown", "status": "unknown"}
    s = score([twin, A], [pred(A)])
    assert [(m.gold, m.pred, m.required) for m in s.matches] == [(1, 0, True)]
    assert (s.meetings.tp, s.meetings.fp, s.meetings.fn) == (1, 0, 0)


def test_time_strict_and_relaxed_differ():
    p = pred(A, time=when("On Monday", "2025-03-03", "2025-03-09"))
    s = score([A], [p])
    assert slot(s.slots_strict, "time") == (0, 1, 1)
    assert slot(s.slots_relaxed, "time") == (1, 0, 0)
    # strict: 10 TP, 1 FP, 1 FN -> 20/22 = 10/11; relaxed: all 11 right.
    assert s.slot_f1_strict == 10 / 11
    assert s.slot_f1_relaxed == 1.0
    assert s.errors == [
        f"wrong time for {EV_A[:60]!r}: 2025-03-03..2025-03-03 != 2025-03-03..2025-03-09"
    ]


def test_open_interval_overlaps_in_relaxed_only():
    recent = B | {"time": when("last month", None, "2025-03-05")}
    s = score([recent], [pred(B)])
    assert slot(s.slots_strict, "time") == (0, 1, 1)
    assert slot(s.slots_relaxed, "time") == (1, 0, 0)
    unresolved = pred(B, time=when("last month", None, None))  # both null: no value
    s = score([B], [unresolved])
    assert slot(s.slots_strict, "time") == slot(s.slots_relaxed, "time") == (0, 0, 1)


def test_relaxed_country_accepts_place_in_gold_country():
    country_only = B | {"location": where("Geneva", None, "Switzerland")}
    city_only = pred(B, location=where("Geneva", "Geneva", None))
    s = score([country_only], [city_only])
    assert slot(s.slots_strict, "place") == slot(s.slots_relaxed, "place") == (0, 1, 0)
    assert slot(s.slots_strict, "country") == slot(s.slots_relaxed, "country") == (0, 0, 1)
    named_in_place = pred(B, location=where("Geneva", "Switzerland", None))
    s = score([country_only], [named_in_place])
    assert slot(s.slots_relaxed, "country") == (1, 0, 0)


def test_place_matches_by_containment_and_accents():
    p = pred(A, location=where("Oslo", "Oslo, Norway", "NORWAY"))
    s = score([A], [p])
    assert slot(s.slots_strict, "place") == (1, 0, 0)
    assert slot(s.slots_strict, "country") == (1, 0, 0)
    zurich = B | {"location": where("Geneva", "Zürich", "Switzerland")}
    s = score([zurich], [pred(B, location=where("Geneva", "zurich", "Switzerland"))])
    assert slot(s.slots_strict, "place") == (1, 0, 0)


def test_participant_matched_by_last_name_despite_other_mention():
    later = TEXT.index("Berg later")
    berg = person("Berg", "Norway", "official", name="Berg", after=later)
    p = pred(A)
    p.participants[0] = Participant.model_validate(berg)
    s = score([A], [p])
    assert slot(s.slots_strict, "participants") == (2, 0, 0)
    assert s.slot_f1_strict == 1.0
    assert match_participants(pred(A).participants, p.participants, LENIENT) == [(0, 0), (1, 1)]


def test_participants_without_names_match_by_span_then_words():
    # One mention standing for two sides: equal affiliation decides which entry is which.
    gold, flipped = pred(B).participants, list(reversed(pred(B).participants))
    assert match_participants(gold, flipped, LENIENT) == [(0, 1), (1, 0)]
    # No span overlap: words "foreign minister anna berg" vs the gold mention, Jaccard 4/5.
    other = [Participant(mention="Foreign Minister Anna Berg", span=(0, 0), affiliation="Norway")]
    assert match_participants(pred(A).participants[:1], other, LENIENT) == [(0, 0)]
    other[0].affiliation = "Sweden"
    assert match_participants(pred(A).participants[:1], other, LENIENT) == []


def test_similarity_weights():
    assert similarity(pred(A), pred(A), LENIENT) == 1.0
    # Time overlaps but differs (0.5): 0.4 + 0.3 + 0.15 + 0.15 * 0.5 = 0.925.
    week = pred(A, time=when("On Monday", "2025-03-03", "2025-03-09"))
    assert similarity(pred(A), week, LENIENT) == pytest.approx(0.925)
    # Same evidence, nothing else: participants 0/2, location and time absent on the prediction
    # (agreement 0): 0.4 / 1.0.
    bare = pred(A, participants=[], location=None, time=None)
    assert similarity(pred(A), bare, LENIENT) == pytest.approx(0.4)
    # No participants, location or time on either side: evidence alone decides, renormalised.
    assert similarity(bare, bare, LENIENT) == 1.0


def test_unrelated_prediction_does_not_match():
    s = score([A], [pred(C)])
    assert s.matches == []
    assert (s.meetings.tp, s.meetings.fp, s.meetings.fn) == (0, 1, 1)
    # Same place and time but other evidence and no shared participant: similar enough
    # (0.15 + 0.15 = 0.3), yet nothing concrete in common, so not a match.
    lookalike = pred(A, evidence=C["evidence"], participants=[])
    assert similarity(pred(A), lookalike, LENIENT) >= MATCH_THRESHOLD
    assert score([A], [lookalike]).matches == []


def test_aggregate_pools_counts():
    total = aggregate([score([A, B], [pred(A), pred(B)]), score([A, B], [pred(A)])])
    # meetings: TP 3, FN 1 -> R = 3/4, F1 = 6/7; slots: TP 33, FN 11 -> F1 = 66/77 = 6/7.
    assert (total.meetings.tp, total.meetings.fp, total.meetings.fn) == (3, 0, 1)
    assert (total.meetings.recall, total.meetings.f1) == (3 / 4, 6 / 7)
    assert total.slot_f1_strict == total.slot_f1_relaxed == 66 / 77
    d = total.to_dict()
    assert d["articles"] == 2
    assert list(d["slots_strict"]) == list(SLOTS) == list(d["slots_relaxed"])
    assert d["slots_strict"]["time"] == {"tp": 3, "fp": 0, "fn": 1, "precision": 1.0,
                                         "recall": 0.75, "f1": 0.8571}  # fmt: skip
    json.dumps(d)


def test_meeting_assignment_is_optimal():
    # Greedy would take (0, 0) = 0.9 and leave row 1 unmatched; the optimum pairs both (1.5).
    assert assign_optimal({(0, 0): 0.9, (0, 1): 0.8, (1, 0): 0.7}) == [(0, 1), (1, 0)]
    assert assign_optimal({(0, 1): 0.5}) == [(0, 1)]
    assert assign_optimal({}) == []
    s = score([A, B, OPT], [pred(OPT), pred(B), pred(A)])
    assert [(m.gold, m.pred) for m in s.matches] == [(0, 2), (1, 1), (2, 0)]


def test_seed_gold_against_itself_is_perfect():
    art = GoldArticle.model_validate_json(SEED.read_text(encoding="utf-8"))
    preds = [as_prediction(m.model_dump()) for m in art.meetings]
    s = score_article(art.id, art.meetings, preds, LENIENT)
    n = len(art.meetings)
    assert [(m.gold, m.pred, m.similarity) for m in s.matches] == [(i, i, 1.0) for i in range(n)]
    required = sum(m.required for m in art.meetings)
    assert (s.meetings.tp, s.meetings.fp, s.meetings.fn) == (required, 0, 0)
    assert s.errors == []
    for counts in (*s.slots_strict.values(), *s.slots_relaxed.values()):
        assert counts.fp == counts.fn == 0
        assert counts.precision == counts.recall == counts.f1 == 1.0
    assert s.slot_f1_strict == s.slot_f1_relaxed == 1.0
    assert aggregate([s]).to_dict()["meetings"]["f1"] == 1.0
    grounded, checked = grounding_rate(art.text, preds)
    assert grounded == checked > 0


def test_grounding_rate_counts_each_quoted_value():
    p = pred(A)
    # evidence + 2 participant mentions + location + time = 5 values, all verbatim.
    assert grounding_rate(TEXT, [p]) == (5, 5)
    p.participants[0].span = (0, 4)
    p.location.span = (len(TEXT) - 2, len(TEXT) + 2)
    assert grounding_rate(TEXT, [p, pred(A)]) == (8, 10)
