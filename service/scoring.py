"""Score predicted meetings against the hand-labelled gold of the eval set.

Pure functions over `Meeting` values: no I/O, no model. `service.evaluate` runs the extractor and
writes the reports; this module only decides what counts as right.

Matching (per article). Predictions and gold meetings are paired one to one, maximising
`similarity`, a weighted mean of four agreements, each in [0, 1]:

- evidence (weight 0.4): character overlap of the evidence spans, intersection / union, or 1.0 when
  one span lies within the other (a model often quotes one sentence of a two-sentence evidence);
- participants (0.3): share of the gold participants matched (`match_participants`);
- location (0.15): mean agreement of `place` (one contains the other) and `country` (equal), over
  those of the two that either side fills;
- time (0.15): 1.0 for the same interval, 0.5 for overlapping ones, 0.0 for disjoint ones or when
  only one side has an interval.

A component that neither side fills (no participants, no location, no time on both) says nothing
either way, so it is left out and the weights of the others are renormalised; evidence is always
present. A pair can match only if its similarity is at least `MATCH_THRESHOLD` (0.3) and the two
share something concrete: overlapping evidence or at least one matched participant. Required gold
is matched first; the predictions left over may then match optional (`required: false`) gold,
and such a pair counts neither for nor against (it is left out of every count). The assignment is
optimal (`scipy.optimize.linear_sum_assignment`) when scipy is importable, else greedy: the most
similar eligible pair first, ties broken by gold then prediction index, so it is deterministic.

Counting. Meetings: TP = predictions matched to required gold, FP = unmatched predictions, FN =
unmatched required gold. Slots (`SLOTS`) are counted over matched pairs and, so that the micro slot
F1 reflects both finding and filling meetings, over unmatched ones too: a missed meeting is scored
as if paired with an empty prediction (FN for each filled slot) and an extra prediction as if
paired with an empty gold (FP for each filled slot). The same rule holds one level down: an
unmatched participant costs its capacity and affiliation as well. A wrong value is both FP and FN;
"unknown" enums and empty strings are no value. Every ratio with a zero denominator is 1.0
(nothing claimed, nothing wrong; nothing to find, nothing missed), so empty gold and empty
prediction score 1.0 and an empty prediction against gold scores P 1.0, R 0.0, F1 0.0.

Two variants: strict, and relaxed, where `time` only needs the intervals to overlap (a null bound
is open) and `country` only needs one name to contain the other ("Geneva, Switzerland"), and is
also right when the predicted place names the gold country or lies in it by the optional
`country_of` lookup (e.g. `service.places.country_for_place`; not the default, since it loads a
gazetteer from disk). Error strings read `gold != predicted`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from service.schema import Meeting, Participant

WEIGHTS: dict[str, float] = {"evidence": 0.4, "participants": 0.3, "location": 0.15, "time": 0.15}
MATCH_THRESHOLD = 0.3
SLOTS: tuple[str, ...] = (
    "participants",
    "capacity",
    "affiliation",
    "place",
    "country",
    "time",
    "track",
    "status",
)
_EXCERPT = 60
_MIN_JACCARD = 0.5

CountryOf = Callable[[str], str | None]
Interval = tuple[dt.date | None, dt.date | None]
_NON_WORD = re.compile(r"[\W_]+")


def _load_linear_sum_assignment() -> Callable[..., Any] | None:
    try:
        from scipy.optimize import linear_sum_assignment
    except ImportError:  # scipy is optional; the greedy assignment is the default path
        return None
    return linear_sum_assignment


_linear_sum_assignment = _load_linear_sum_assignment()


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


def _empty_slots() -> dict[str, Counts]:
    return {slot: Counts() for slot in SLOTS}


def _slots_dict(slots: Mapping[str, Counts]) -> dict[str, dict[str, Any]]:
    return {name: counts.to_dict() for name, counts in slots.items()}


# --- results ----------------------------------------------------------------------------------


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
    strict, relaxed = _empty_slots(), _empty_slots()
    meetings = Counts()
    for art in articles:
        meetings += art.meetings
        for slot in SLOTS:
            strict[slot] += art.slots_strict[slot]
            relaxed[slot] += art.slots_relaxed[slot]
    return SetScore(len(articles), meetings, strict, relaxed)


# --- normalisation ----------------------------------------------------------------------------


def _norm(value: str | None) -> str | None:
    """Casefolded, accent-free words separated by single spaces; None when nothing is left."""
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", bare).strip() or None


def _text(value: str | None) -> str | None:
    """The value, or None when it is empty or only punctuation."""
    return value if _norm(value) else None


def _same_text(gold: str, pred: str) -> bool:
    return _norm(gold) == _norm(pred)


def _contains(gold: str, pred: str) -> bool:
    """Either names the other, word-aligned ("Geneva" ~ "Geneva, Switzerland"; not "Niger")."""
    a, b = _norm(gold), _norm(pred)
    if a is None or b is None:
        return False
    return f" {a} " in f" {b} " or f" {b} " in f" {a} "


def _tokens(value: str) -> set[str]:
    norm = _norm(value)
    return set(norm.split()) if norm else set()


def _enum(value: StrEnum) -> str | None:
    return None if value.value == "unknown" else value.value


def _as_meeting(value: Meeting | Mapping[str, Any]) -> Meeting:
    if isinstance(value, Meeting):
        return value
    data = dict(value)
    data.pop("required", None)
    data.pop("note", None)
    return Meeting.model_validate(data)


def _as_gold(value: Meeting | Mapping[str, Any]) -> tuple[Meeting, bool]:
    required = True if isinstance(value, Meeting) else bool(value.get("required", True))
    return _as_meeting(value), required


# --- field accessors (None meeting = the empty side of an unmatched meeting) ------------------


def _place(m: Meeting | None) -> str | None:
    return _text(m.location.place) if m and m.location else None


def _country(m: Meeting | None) -> str | None:
    return _text(m.location.country) if m and m.location else None


def _interval(m: Meeting | None) -> Interval | None:
    """The time interval, or None when there is none (no time, or both bounds null)."""
    if m is None or m.time is None or (m.time.start is None and m.time.end is None):
        return None
    return (m.time.start, m.time.end)


def _overlaps(a: Interval, b: Interval) -> bool:
    """Closed intervals overlap; a null start is open to the past, a null end to the future."""
    start = max(a[0] or dt.date.min, b[0] or dt.date.min)
    end = min(a[1] or dt.date.max, b[1] or dt.date.max)
    return start <= end


def _show_interval(value: Interval | None) -> str:
    if value is None:
        return "null"
    return f"{value[0] or 'null'}..{value[1] or 'null'}"


def _excerpt(m: Meeting) -> str:
    return repr(m.evidence.text[:_EXCERPT])


def _who(p: Participant) -> str:
    return repr(p.name or p.mention)


# --- spans ------------------------------------------------------------------------------------


def _intersection(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def span_similarity(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two [start, end) spans; 1.0 if one lies within the other."""
    if _intersection(a, b) == 0:
        return 0.0
    if (a[0] <= b[0] and b[1] <= a[1]) or (b[0] <= a[0] and a[1] <= b[1]):
        return 1.0
    return _intersection(a, b) / (max(a[1], b[1]) - min(a[0], b[0]))


def _evidence_span(m: Meeting) -> tuple[int, int]:
    return (m.evidence.start, m.evidence.end)


# --- participants -----------------------------------------------------------------------------


def participant_affinity(gold: Participant, pred: Participant) -> float:
    """How surely two entries are the same participant; 0.0 means not the same.

    Tiers, so that the one-to-one assignment prefers the surest evidence: both named -> the name
    decides (1.0 equal, 0.95 same last name, else 0); otherwise overlapping mention spans
    (0.6-0.9, more with equal affiliation: one mention "US and Russian participants" often stands
    for two entries); otherwise mention words with Jaccard >= 0.5 and equal affiliation (0.35-0.4).
    """
    gold_name, pred_name = _norm(gold.name), _norm(pred.name)
    if gold_name and pred_name:
        if gold_name == pred_name:
            return 1.0
        return 0.95 if gold_name.split()[-1] == pred_name.split()[-1] else 0.0
    same_affiliation = _norm(gold.affiliation) == _norm(pred.affiliation)
    if _intersection(gold.span, pred.span) > 0:
        return 0.6 + 0.2 * same_affiliation + 0.1 * span_similarity(gold.span, pred.span)
    gold_words, pred_words = _tokens(gold.mention), _tokens(pred.mention)
    if not same_affiliation or not gold_words or not pred_words:
        return 0.0
    jaccard = len(gold_words & pred_words) / len(gold_words | pred_words)
    return 0.3 + 0.1 * jaccard if jaccard >= _MIN_JACCARD else 0.0


def match_participants(
    gold: Sequence[Participant], pred: Sequence[Participant]
) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs of the same participant, surest first."""
    scores = {
        (i, j): score
        for i, g in enumerate(gold)
        for j, p in enumerate(pred)
        if (score := participant_affinity(g, p)) > 0
    }
    return _assign_greedy(scores)


# --- meeting similarity and matching ----------------------------------------------------------


def _participant_share(gold: Meeting, pred: Meeting, pairs: list[tuple[int, int]]) -> float | None:
    if not gold.participants:
        return None if not pred.participants else 0.0
    return len(pairs) / len(gold.participants)


def _location_agreement(gold: Meeting, pred: Meeting) -> float | None:
    checks = [
        1.0 if g is not None and p is not None and same(g, p) else 0.0
        for g, p, same in (
            (_place(gold), _place(pred), _contains),
            (_country(gold), _country(pred), _same_text),
        )
        if g is not None or p is not None
    ]
    return sum(checks) / len(checks) if checks else None


def _time_agreement(gold: Meeting, pred: Meeting) -> float | None:
    g, p = _interval(gold), _interval(pred)
    if g is None and p is None:
        return None
    if g is None or p is None:
        return 0.0
    if g == p:
        return 1.0
    return 0.5 if _overlaps(g, p) else 0.0


def _similarity(gold: Meeting, pred: Meeting) -> tuple[float, bool]:
    """(similarity, whether the pair shares evidence text or a participant)."""
    pairs = match_participants(gold.participants, pred.participants)
    parts = {
        "evidence": span_similarity(_evidence_span(gold), _evidence_span(pred)),
        "participants": _participant_share(gold, pred, pairs),
        "location": _location_agreement(gold, pred),
        "time": _time_agreement(gold, pred),
    }
    present = {name: value for name, value in parts.items() if value is not None}
    weight = sum(WEIGHTS[name] for name in present)
    score = sum(WEIGHTS[name] * value for name, value in present.items()) / weight
    shared = _intersection(_evidence_span(gold), _evidence_span(pred)) > 0 or bool(pairs)
    return score, shared


def similarity(gold: Meeting, pred: Meeting) -> float:
    """The matching similarity in [0, 1] (see the module docstring for the weights)."""
    return _similarity(gold, pred)[0]


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


def _assign_optimal(
    scores: Mapping[tuple[int, int], float], solver: Callable[..., Any]
) -> list[tuple[int, int]]:
    """Maximum total score; pairs absent from `scores` (0 in the matrix) are dropped after."""
    rows = sorted({i for i, _ in scores})
    cols = sorted({j for _, j in scores})
    matrix = [[scores.get((i, j), 0.0) for j in cols] for i in rows]
    row_ind, col_ind = solver(matrix, maximize=True)
    chosen = ((rows[r], cols[c]) for r, c in zip(row_ind, col_ind, strict=True))
    return sorted(pair for pair in chosen if pair in scores)


def _assign(scores: Mapping[tuple[int, int], float]) -> list[tuple[int, int]]:
    """One-to-one pairs: optimal when scipy is importable, else greedy."""
    if not scores:
        return []
    if _linear_sum_assignment is None:
        return _assign_greedy(scores)
    return _assign_optimal(scores, _linear_sum_assignment)


def match_meetings(
    gold: Sequence[Meeting], required: Sequence[bool], pred: Sequence[Meeting]
) -> list[MatchedPair]:
    """One-to-one gold/prediction pairs: required gold first, then optional gold, by gold index."""
    eligible: dict[tuple[int, int], float] = {}
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            score, shared = _similarity(g, p)
            if shared and score >= MATCH_THRESHOLD:
                eligible[(i, j)] = score
    first = _assign({k: s for k, s in eligible.items() if required[k[0]]})
    taken = {j for _, j in first}
    second = _assign(
        {k: s for k, s in eligible.items() if not required[k[0]] and k[1] not in taken}
    )
    pairs = [MatchedPair(i, j, eligible[(i, j)], required[i]) for i, j in first + second]
    return sorted(pairs, key=lambda m: m.gold)


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

    strict: dict[str, Counts] = field(default_factory=_empty_slots)
    relaxed: dict[str, Counts] = field(default_factory=_empty_slots)
    errors: list[str] = field(default_factory=list)

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
    """Capacity and affiliation of one participant entry (matched, missed or extra)."""
    gold_capacity, pred_capacity = (_enum(p.capacity) if p else None for p in (gold, pred))
    tally.value("capacity", subject, gold_capacity, pred_capacity)
    gold_affiliation, pred_affiliation = (_text(p.affiliation) if p else None for p in (gold, pred))
    tally.value("affiliation", subject, gold_affiliation, pred_affiliation, _same_text)


def _tally_participants(
    tally: _Tally, gold: Meeting | None, pred: Meeting | None, where: str | None
) -> None:
    """Participants of one pair; with `where` (a matched pair), mistakes become error lines."""
    gold_parts = gold.participants if gold else []
    pred_parts = pred.participants if pred else []
    pairs = match_participants(gold_parts, pred_parts)
    for i, j in pairs:
        tally.add("participants", Counts(tp=1))
        subject = _who(gold_parts[i]) if where else None
        _tally_participant(tally, gold_parts[i], pred_parts[j], subject)
    for i in sorted(set(range(len(gold_parts))) - {i for i, _ in pairs}):
        tally.add("participants", Counts(fn=1))
        _tally_participant(tally, gold_parts[i], None, None)
        if where:
            tally.errors.append(f"missed participant {_who(gold_parts[i])} in {where}")
    for j in sorted(set(range(len(pred_parts))) - {j for _, j in pairs}):
        tally.add("participants", Counts(fp=1))
        _tally_participant(tally, None, pred_parts[j], None)
        if where:
            tally.errors.append(f"extra participant {_who(pred_parts[j])} in {where}")


def _relaxed_country(
    gold: Meeting | None, pred: Meeting | None, country_of: CountryOf | None
) -> Counts:
    """Country by containment, also right when the predicted place names or lies in the gold one.

    So a prediction that puts the country in `place`, or gives the city and leaves the country
    to be inferred, is not punished for the country (it still is for the place).
    """
    gold_country, pred_place = _country(gold), _place(pred)
    if gold_country is not None and pred_place is not None:
        inferred = country_of(pred_place) if country_of else None
        if _contains(gold_country, pred_place) or (inferred and _same_text(gold_country, inferred)):
            return Counts(tp=1)
    return _compare(gold_country, _country(pred), _contains)


def _tally_pair(
    tally: _Tally, gold: Meeting | None, pred: Meeting | None, country_of: CountryOf | None
) -> None:
    """Count every slot of one pair; a None side is the empty half of an unmatched meeting."""
    subject = _excerpt(gold) if gold is not None and pred is not None else None
    _tally_participants(tally, gold, pred, subject)
    tally.value("place", subject, _place(gold), _place(pred), _contains)
    tally.value(
        "country",
        subject,
        _country(gold),
        _country(pred),
        _same_text,
        relaxed=_relaxed_country(gold, pred, country_of),
    )
    gold_time, pred_time = _interval(gold), _interval(pred)
    tally.value(
        "time",
        subject,
        gold_time,
        pred_time,
        relaxed=_compare(gold_time, pred_time, _overlaps),
        show=_show_interval,
    )
    for slot in ("track", "status"):
        gold_value, pred_value = (_enum(getattr(m, slot)) if m else None for m in (gold, pred))
        tally.value(slot, subject, gold_value, pred_value)


# --- public entry points ----------------------------------------------------------------------


def score_article(
    article_id: str,
    text: str,
    gold: Sequence[Meeting | Mapping[str, Any]],
    predicted: Sequence[Meeting | Mapping[str, Any]],
    country_of: CountryOf | None = None,
) -> ArticleScore:
    """Match and count one article's predictions against its gold.

    `gold` items are eval-file meetings (with `required` and `note`), `predicted` are `Meeting`s
    or dicts of that shape. `text` is not needed (every value carries its offsets); it is taken
    so that callers pass the whole article, as to the extractor. `country_of` maps a place to its
    country for the relaxed country slot.
    """
    del text
    golds = [_as_gold(g) for g in gold]
    preds = [_as_meeting(p) for p in predicted]
    required = [req for _, req in golds]
    matches = match_meetings([g for g, _ in golds], required, preds)
    by_gold = {m.gold: m for m in matches}
    missed = [i for i, req in enumerate(required) if req and i not in by_gold]
    extra = sorted(set(range(len(preds))) - {m.pred for m in matches})
    tally = _Tally()
    for i, (meeting, req) in enumerate(golds):
        if i in missed:
            tally.errors.append(f"missed: {meeting.evidence.text[:80]}")
            _tally_pair(tally, meeting, None, country_of)
        elif req and i in by_gold:
            _tally_pair(tally, meeting, preds[by_gold[i].pred], country_of)
    for j in extra:
        tally.errors.append(f"extra: {preds[j].evidence.text[:80]}")
        _tally_pair(tally, None, preds[j], country_of)
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
    )


def grounding_rate(text: str, meetings: Iterable[Meeting | Mapping[str, Any]]) -> tuple[int, int]:
    """(values equal to the text at their offsets, values checked) over mentions and evidence."""
    grounded = checked = 0
    for meeting in map(_as_meeting, meetings):
        quoted = [(meeting.evidence.text, meeting.evidence.start, meeting.evidence.end)]
        quoted += [(p.mention, *p.span) for p in meeting.participants]
        quoted += [(x.mention, *x.span) for x in (meeting.location, meeting.time) if x is not None]
        for value, start, end in quoted:
            checked += 1
            grounded += 0 <= start <= end <= len(text) and text[start:end] == value
    return grounded, checked
