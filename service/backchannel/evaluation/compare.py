"""Two runs on the same articles, compared with the noise in view: a paired bootstrap.

Each run's own interval says how far its score could move on another draw of articles; whether B
beats A is a question about their difference on the same draw. So articles are resampled once
per round and both runs scored on that sample: the 95% interval of B - A. A difference whose
interval holds 0 is not a gain (nor a loss).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from pydantic import BaseModel

from backchannel.evaluation.scoring import ArticleScore, SetScore, aggregate
from backchannel.evaluation.stats import percentile_interval

METRICS: dict[str, Callable[[SetScore], float]] = {
    "meeting precision": lambda s: s.meetings.precision,
    "meeting recall": lambda s: s.meetings.recall,
    "meeting F1": lambda s: s.meetings.f1,
    "slot F1 strict": lambda s: s.slot_f1_strict,
    "slot F1 relaxed": lambda s: s.slot_f1_relaxed,
}


class Difference(BaseModel):
    metric: str
    a: float
    b: float
    delta: float
    low: float
    high: float

    @property
    def verdict(self) -> str:
        if self.low > 0:
            return "B better"
        if self.high < 0:
            return "A better"
        return "within noise"


def paired(
    a: Sequence[ArticleScore], b: Sequence[ArticleScore], rounds: int = 2000, seed: int = 0
) -> list[Difference]:
    """B - A for each metric, with its 95% paired bootstrap interval; `a` and `b` score the
    same articles in the same order."""
    if [x.id for x in a] != [x.id for x in b]:
        raise ValueError("the two runs do not score the same articles")
    rng = random.Random(seed)
    n = len(a)
    deltas: dict[str, list[float]] = {m: [] for m in METRICS}
    for _ in range(rounds):
        picks = [rng.randrange(n) for _ in range(n)]
        sa, sb = aggregate([a[i] for i in picks]), aggregate([b[i] for i in picks])
        for metric, of in METRICS.items():
            deltas[metric].append(of(sb) - of(sa))
    whole_a, whole_b = aggregate(a), aggregate(b)
    out = []
    for metric, of in METRICS.items():
        low, high = percentile_interval(deltas[metric])
        out.append(
            Difference(
                metric=metric,
                a=round(of(whole_a), 4),
                b=round(of(whole_b), 4),
                delta=round(of(whole_b) - of(whole_a), 4),
                low=low,
                high=high,
            )
        )
    return out


def render(differences: list[Difference], a_name: str, b_name: str, extra: str = "") -> str:
    lines = [f"A = {a_name}", f"B = {b_name}", ""]
    lines.append(f"{'metric':<20}{'A':>8}{'B':>8}{'B - A':>9}   95% paired interval   verdict")
    for d in differences:
        lines.append(
            f"{d.metric:<20}{d.a:8.3f}{d.b:8.3f}{d.delta:+9.3f}   "
            f"{d.low:+.3f} to {d.high:+.3f}      {d.verdict}"
        )
    return "\n".join(lines + ([extra] if extra else []))
