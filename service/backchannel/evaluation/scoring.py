"""Count what a matched article got right: meetings, and every slot strict and relaxed.

Matching (which prediction is which gold meeting) is `matching`'s job; this module counts.

Meetings: TP = predictions matched to required gold, FP = unmatched predictions, FN = unmatched
required gold; a prediction matched to optional (`required: false`) gold counts neither for nor
against. Slots (`SLOTS`) are counted over matched pairs and, so that the micro slot F1 reflects
both finding and filling meetings, over unmatched ones too: a missed meeting is scored as if
paired with an empty prediction (FN for each filled slot) and an extra prediction as if paired
with an empty gold (FP for each filled slot). The same rule holds one level down: an unmatched
participant costs its capacity and affiliation (and, under the strict rules, its name and role)
as well. A wrong value is both FP and FN;
"unknown" enums and empty strings are no value. Every ratio with a zero denominator is 1.0
(nothing claimed, nothing wrong; nothing to find, nothing missed), so empty gold and empty
prediction score 1.0 and an empty prediction against gold scores P 1.0, R 0.0, F1 0.0.

Two variants of each slot: strict, and relaxed, where `time` only needs the intervals to overlap
(a null bound is open), `role` only needs one to contain the other ("Foreign Minister" ~
"Russian Foreign Minister"), and `country` is also right when the predicted place names the gold
country. Which rules (`rules.py`): strict by default; the lenient ones reproduce older reports.
Error strings read `gold != predicted`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backchannel.contract.schema import Meeting, Participant
from backchannel.evaluation.fields import (
    contains,
    country_in,
    enum_value,
    excerpt,
    interval_of,
    overlaps,
    place_of,
    same_text,
    show_interval,
    text_value,
    who,
)
from backchannel.evaluation.gold import GoldMeeting
from backchannel.evaluation.matching import MatchedPair, match_meetings, match_participants
from backchannel.evaluation.rules import STRICT, Rules

SLOTS = STRICT.slots  # the default rules' slots; `Rules.slots` for others


# --- counts -----------------------------------------------------------------------------------


def _ratio(num: int, den: int) -> float:
    """num / den, with 0/0 = 1.0: nothing claimed, nothing wrong; nothing due, nothing missed."""
    return num / den if den else 1.0


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        """2TP / (2TP + FP + FN): the harmonic mean of P and R, in one exact division."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def micro(slots: Mapping[str, Counts]) -> Counts:
    """All slots' counts pooled: the headline, where every slot item weighs the same."""
    return sum(slots.values(), Counts())


def _empty_slots(slots: Sequence[str] = SLOTS) -> dict[str, Counts]:
    return {slot: Counts() for slot in slots}


def _slots_dict(slots: Mapping[str, Counts]) -> dict[str, dict[str, Any]]:
    return {name: counts.to_dict() for name, counts in slots.items()}


# --- results ----------------------------------------------------------------------------------


class _SlotF1:
    """Micro-averaged slot F1 over the per-slot counts, shared by article and set scores."""

    slots_strict: dict[str, Counts]
    slots_relaxed: dict[str, Counts]

    @property
    def slot_f1_strict(self) -> float:
        return micro(self.slots_strict).f1

    @property
    def slot_f1_relaxed(self) -> float:
        return micro(self.slots_relaxed).f1


@dataclass
class ArticleScore(_SlotF1):
    id: str
    matches: list[MatchedPair]
    missed: list[int]
    extra: list[int]
    meetings: Counts
    slots_strict: dict[str, Counts]
    slots_relaxed: dict[str, Counts]
    errors: list[str] = field(default_factory=list)
    # The error lines of each matched pair, by gold index (what the HTML report shows per row).
    pair_errors: dict[int, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "meetings": self.meetings.to_dict(),
            "slot_f1_strict": round(self.slot_f1_strict, 4),
            "slot_f1_relaxed": round(self.slot_f1_relaxed, 4),
            "matches": [m.to_dict() for m in self.matches],
            "missed": self.missed,
            "extra": self.extra,
            "slots_strict": _slots_dict(self.slots_strict),
            "slots_relaxed": _slots_dict(self.slots_relaxed),
            "errors": self.errors,
        }


@dataclass
class SetScore(_SlotF1):
    articles: int
    meetings: Counts
    slots_strict: dict[str, Counts]
    slots_relaxed: dict[str, Counts]

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "meetings": self.meetings.to_dict(),
            "slot_f1_strict": round(self.slot_f1_strict, 4),
            "slot_f1_relaxed": round(self.slot_f1_relaxed, 4),
            "slot_micro_strict": micro(self.slots_strict).to_dict(),
            "slot_micro_relaxed": micro(self.slots_relaxed).to_dict(),
            "slots_strict": _slots_dict(self.slots_strict),
            "slots_relaxed": _slots_dict(self.slots_relaxed),
        }


def aggregate(articles: Sequence[ArticleScore]) -> SetScore:
    """Pool the counts of every article (micro-averaging), so big articles weigh more."""
    slots = list(articles[0].slots_strict) if articles else list(SLOTS)
    strict, relaxed = _empty_slots(slots), _empty_slots(slots)
    meetings = Counts()
    for art in articles:
        meetings += art.meetings
        for slot in slots:
            strict[slot] += art.slots_strict[slot]
            relaxed[slot] += art.slots_relaxed[slot]
    return SetScore(len(articles), meetings, strict, relaxed)


# --- slot counting ----------------------------------------------------------------------------


def _compare(gold: Any, pred: Any, same: Callable[[Any, Any], bool]) -> Counts:
    """One slot value: TP if the same, FP + FN if different, FP / FN if only one side has one."""
    if gold is None and pred is None:
        return Counts()
    if gold is None:
        return Counts(fp=1)
    if pred is None:
        return Counts(fn=1)
    return Counts(tp=1) if same(gold, pred) else Counts(fp=1, fn=1)


@dataclass
class _Tally:
    """Slot counts of one article in both variants, plus the error lines of matched pairs."""

    rules: Rules
    strict: dict[str, Counts] = field(init=False)
    relaxed: dict[str, Counts] = field(init=False)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.strict = _empty_slots(self.rules.slots)
        self.relaxed = _empty_slots(self.rules.slots)

    def add(self, slot: str, strict: Counts, relaxed: Counts | None = None) -> None:
        self.strict[slot] += strict
        self.relaxed[slot] += strict if relaxed is None else relaxed

    def value(
        self,
        slot: str,
        subject: str | None,
        gold: Any,
        pred: Any,
        same: Callable[[Any, Any], bool] = lambda a, b: a == b,
        relaxed: Counts | None = None,
        show: Callable[[Any], str] = lambda v: "null" if v is None else str(v),
    ) -> None:
        """Count one value; with a subject, a strict mismatch is also reported as an error."""
        counts = _compare(gold, pred, same)
        self.add(slot, counts, relaxed)
        if subject is not None and (counts.fp or counts.fn):
            self.errors.append(f"wrong {slot} for {subject}: {show(gold)} != {show(pred)}")


def _tally_participant(
    tally: _Tally, gold: Participant | None, pred: Participant | None, subject: str | None
) -> None:
    """Capacity and affiliation (with the strict rules, name and role too) of one participant
    entry, matched, missed or extra."""
    if tally.rules.person_slots:
        for slot in ("name", "role"):
            gold_value, pred_value = (
                text_value(getattr(p, slot)) if p else None for p in (gold, pred)
            )
            relaxed = _compare(gold_value, pred_value, contains) if slot == "role" else None
            tally.value(slot, subject, gold_value, pred_value, same_text, relaxed=relaxed)
    gold_capacity, pred_capacity = (enum_value(p.capacity) if p else None for p in (gold, pred))
    tally.value("capacity", subject, gold_capacity, pred_capacity)
    gold_affiliation, pred_affiliation = (
        text_value(p.affiliation) if p else None for p in (gold, pred)
    )
    tally.value("affiliation", subject, gold_affiliation, pred_affiliation, same_text)


def _tally_participants(
    tally: _Tally, gold: Meeting | None, pred: Meeting | None, where: str | None
) -> None:
    """Participants of one pair; with `where` (a matched pair), mistakes become error lines."""
    gold_parts = gold.participants if gold else []
    pred_parts = pred.participants if pred else []
    pairs = match_participants(gold_parts, pred_parts, tally.rules)
    for i, j in pairs:
        tally.add("participants", Counts(tp=1))
        subject = who(gold_parts[i]) if where else None
        _tally_participant(tally, gold_parts[i], pred_parts[j], subject)
    for i in sorted(set(range(len(gold_parts))) - {i for i, _ in pairs}):
        tally.add("participants", Counts(fn=1))
        _tally_participant(tally, gold_parts[i], None, None)
        if where:
            tally.errors.append(f"missed participant {who(gold_parts[i])} in {where}")
    for j in sorted(set(range(len(pred_parts))) - {j for _, j in pairs}):
        tally.add("participants", Counts(fp=1))
        _tally_participant(tally, None, pred_parts[j], None)
        if where:
            tally.errors.append(f"extra participant {who(pred_parts[j])} in {where}")


def _relaxed_country(gold: Meeting | None, pred: Meeting | None, rules: Rules) -> Counts:
    """Country also right when the predicted place names the gold one, so a prediction that
    puts the country in `place` is not punished for the country (it still is for the place).
    Lenient rules: either name may contain the other ("Sudan" ~ "South Sudan")."""
    same = contains if rules.country_containment else same_text
    gold_country, pred_place = country_in(gold), place_of(pred)
    if gold_country is not None and pred_place is not None and same(gold_country, pred_place):
        return Counts(tp=1)
    return _compare(gold_country, country_in(pred), same)


def _tally_pair(tally: _Tally, gold: Meeting | None, pred: Meeting | None) -> None:
    """Count every slot of one pair; a None side is the empty half of an unmatched meeting."""
    subject = excerpt(gold) if gold is not None and pred is not None else None
    _tally_participants(tally, gold, pred, subject)
    same_place = contains if tally.rules.place_containment else same_text
    tally.value("place", subject, place_of(gold), place_of(pred), same_place)
    tally.value(
        "country",
        subject,
        country_in(gold),
        country_in(pred),
        same_text,
        relaxed=_relaxed_country(gold, pred, tally.rules),
    )
    gold_time, pred_time = interval_of(gold), interval_of(pred)
    tally.value(
        "time",
        subject,
        gold_time,
        pred_time,
        relaxed=_compare(gold_time, pred_time, overlaps),
        show=show_interval,
    )
    for slot in ("track", "status"):
        gold_value, pred_value = (enum_value(getattr(m, slot)) if m else None for m in (gold, pred))
        tally.value(slot, subject, gold_value, pred_value)


# --- public entry points ----------------------------------------------------------------------


def score_article(
    article_id: str,
    gold: Sequence[GoldMeeting],
    predicted: Sequence[Meeting],
    rules: Rules = STRICT,
) -> ArticleScore:
    """Match and count one article's predictions against its gold."""
    required = [g.required for g in gold]
    matches = match_meetings(gold, required, predicted, rules)
    by_gold = {m.gold: m for m in matches}
    missed = [i for i, req in enumerate(required) if req and i not in by_gold]
    extra = sorted(set(range(len(predicted))) - {m.pred for m in matches})
    tally = _Tally(rules)
    pair_errors: dict[int, list[str]] = {}
    for i, meeting in enumerate(gold):
        if i in missed:
            tally.errors.append(f"missed: {meeting.evidence.text[:80]}")
            _tally_pair(tally, meeting, None)
        elif meeting.required and i in by_gold:
            before = len(tally.errors)
            _tally_pair(tally, meeting, predicted[by_gold[i].pred])
            pair_errors[i] = tally.errors[before:]
    for j in extra:
        tally.errors.append(f"extra: {predicted[j].evidence.text[:80]}")
        _tally_pair(tally, None, predicted[j])
    tp = sum(m.required for m in matches)
    return ArticleScore(
        id=article_id,
        matches=matches,
        missed=missed,
        extra=extra,
        meetings=Counts(tp=tp, fp=len(extra), fn=len(missed)),
        slots_strict=tally.strict,
        slots_relaxed=tally.relaxed,
        errors=tally.errors,
        pair_errors=pair_errors,
    )


def grounding_rate(text: str, meetings: Iterable[Meeting]) -> tuple[int, int]:
    """(values equal to the text at their offsets, values checked) over mentions and evidence."""
    grounded = checked = 0
    for meeting in meetings:
        for value, start, end in meeting.quoted():
            checked += 1
            grounded += 0 <= start <= end <= len(text) and text[start:end] == value
    return grounded, checked
