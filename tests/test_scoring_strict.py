"""The strict scoring rules (the default), one test per rule, each against the lenient rule it
replaces where there is one."""

from __future__ import annotations

from functools import partial
from typing import Any

from backchannel.contract.schema import Meeting
from backchannel.evaluation.gold import GoldMeeting
from backchannel.evaluation.rules import LENIENT, STRICT
from backchannel.evaluation.scoring import score_article

from tests import factories
from tests.factories import as_prediction as pred

EV_1 = (
    "Sudanese army envoy Omar Bashir met RSF negotiator Ali Musa at the Government Palace in Juba."
)
EV_2 = "Aides to both sides also met on the sidelines."
EV_3 = "Separately, delegates from the two blocs held talks in Addis Ababa, officials said."
LATER = "Musa later said the Palace talks between the two blocs were useful."
TEXT = " ".join([EV_1, EV_2, EV_3, LATER])

person = partial(factories.person, TEXT)
where = partial(factories.place, TEXT)

BASHIR = person("Sudanese army envoy Omar Bashir", "Sudan", "official", "Omar Bashir",
                role="envoy")  # fmt: skip
MUSA = person("RSF negotiator Ali Musa", "RSF", "unofficial", "Ali Musa", role="negotiator")
JUBA = factories.meeting(TEXT, EV_1, [BASHIR, MUSA], location=where(
    "Government Palace in Juba", "Government Palace", "South Sudan"), status="held")  # fmt: skip


def score(gold: list[dict[str, Any]], preds: list[Meeting], rules=STRICT):
    return score_article("t", [GoldMeeting.model_validate(g) for g in gold], preds, rules)


def counts(s, slot: str, variant: str = "strict") -> tuple[int, int, int]:
    c = getattr(s, f"slots_{variant}")[slot]
    return (c.tp, c.fp, c.fn)


def test_the_right_sentence_alone_is_not_a_found_meeting():
    # The evidence overlaps but no participant matches: lenient matched it, strict does not.
    other = pred(JUBA, participants=[person("Aides to both sides")])
    assert score([JUBA], [other], LENIENT).meetings.tp == 1
    s = score([JUBA], [other])
    assert (s.meetings.tp, s.meetings.fp, s.meetings.fn) == (0, 1, 1)


def test_a_shared_participant_alone_is_not_a_found_meeting():
    # The same people in another sentence: lenient matched on the participant, strict does not.
    start = TEXT.index(EV_3)
    elsewhere = pred(JUBA, evidence={"text": EV_3, "start": start, "end": start + len(EV_3)})
    assert score([JUBA], [elsewhere], LENIENT).meetings.tp == 1
    assert score([JUBA], [elsewhere]).meetings.tp == 0


def test_participants_match_on_spans_or_the_same_proper_name():
    later = TEXT.index("Musa later")
    by_name = person("Musa", "RSF", "unofficial", "Ali Musa", after=later, role="negotiator")
    s = score([JUBA], [pred(JUBA, participants=[BASHIR, by_name])])
    assert counts(s, "participants") == (2, 0, 0)
    # Unnamed, no affiliation, no overlapping span: half their words in common is not enough.
    gold = factories.meeting(TEXT, EV_3, [person("delegates from the two blocs")], status="held")
    guess = pred(gold, participants=[person("the two blocs", after=TEXT.index(LATER))])
    assert counts(score([gold], [guess], LENIENT), "participants") == (1, 0, 0)
    assert counts(score([gold], [guess]), "participants") == (0, 1, 1)


def test_place_is_equality_after_normalisation():
    palace = pred(JUBA, location=where("Palace", "Palace", "South Sudan"))
    assert counts(score([JUBA], [palace], LENIENT), "place") == (1, 0, 0)
    assert counts(score([JUBA], [palace]), "place") == (0, 1, 1)
    assert counts(score([JUBA], [palace]), "place", "relaxed") == (0, 1, 1)
    folded = pred(JUBA, location=where("Government Palace in Juba", "government  palace", None))
    assert counts(score([JUBA], [folded]), "place") == (1, 0, 0)


def test_relaxed_country_is_exact_after_normalisation():
    sudan = pred(JUBA, location=where("Government Palace in Juba", "Government Palace", "Sudan"))
    assert counts(score([JUBA], [sudan], LENIENT), "country", "relaxed") == (1, 0, 0)
    assert counts(score([JUBA], [sudan]), "country", "relaxed") == (0, 1, 1)
    loud = pred(
        JUBA, location=where("Government Palace in Juba", "Government Palace", "SOUTH SUDAN")
    )
    assert counts(score([JUBA], [loud]), "country", "relaxed") == (1, 0, 0)


def test_an_optional_gold_meeting_absorbs_at_most_one_prediction():
    optional = JUBA | {"required": False}
    s = score([optional], [pred(JUBA), pred(JUBA)])
    assert [(m.gold, m.required) for m in s.matches] == [(0, False)]
    assert (s.meetings.tp, s.meetings.fp, s.meetings.fn) == (0, 1, 0)


def test_name_and_role_are_scored_slots():
    assert "name" in STRICT.slots and "role" in STRICT.slots and "name" not in LENIENT.slots
    right = score([JUBA], [pred(JUBA)])
    assert counts(right, "name") == (2, 0, 0) and counts(right, "role") == (2, 0, 0)
    wrong = pred(JUBA)
    wrong.participants[0].role = "army envoy"
    wrong.participants[1].name = None
    s = score([JUBA], [wrong])
    assert counts(s, "role") == (1, 1, 1)  # strict: another role
    assert counts(s, "role", "relaxed") == (2, 0, 0)  # relaxed: one contains the other
    assert counts(s, "name") == (1, 0, 1)  # a missing name is a miss
    assert "wrong name for 'Ali Musa': Ali Musa != null" in s.errors
