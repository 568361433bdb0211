"""An eval run's folder, written as the run goes, so that a run outlives the machine it ran on.

A run over a split takes hours on two CPU cores, and the model cache is local to a machine. So
each article's result is appended to `predictions.jsonl` as soon as it is done (`--resume` runs
only what is not in it yet), and the model's raw answer for it, the draft, to `drafts.jsonl`:
committed with the run, the drafts let any machine rebuild the results after a change to the code
after the model (`eval --reassemble --drafts <run>/drafts.jsonl`) without calling the model. A
draft is stored under its cache key, which names the model, server, prompts and settings that
produced it, so a draft from another setup is never taken for this one's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backchannel.evaluation.report import jsonl_objects, load_predictions
from backchannel.pipeline.batch import BatchOutcome
from backchannel.pipeline.cache import ResultCache
from backchannel.pipeline.extractor import Extractor

PREDICTIONS = "predictions.jsonl"
DRAFTS = "drafts.jsonl"


class RunFolder:
    """`predictions.jsonl` and `drafts.jsonl` of one run, appended article by article."""

    def __init__(self, out: Path, resume: bool) -> None:
        self.out = out
        self.predictions = out / PREDICTIONS
        self.drafts = out / DRAFTS
        out.mkdir(parents=True, exist_ok=True)
        # Results kept from an interrupted run; a failed article is run again.
        self.done: dict[str, dict[str, Any]] = {}
        for path in (self.predictions, self.drafts):
            if resume:
                _drop_cut_off_line(path)
            else:
                path.unlink(missing_ok=True)
        if resume and self.predictions.exists():
            self.done = {
                k: v for k, v in load_predictions(self.predictions).items() if "error" not in v
            }

    def record(self, outcome: BatchOutcome, extractor: Extractor) -> None:
        """Append one finished article: its result (or error record) and, if cached, its draft."""
        with self.predictions.open("a", encoding="utf-8") as fh:
            fh.write(outcome.to_json() + "\n")
        request = outcome.item.request
        if not outcome.ok or request is None:
            return
        key = extractor.draft_key(request)
        draft = extractor.cache.get(key)
        if draft is not None:
            with self.drafts.open("a", encoding="utf-8") as fh:
                line = {"id": request.id, "key": key, "draft": json.loads(draft)}
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")


def _drop_cut_off_line(path: Path) -> None:
    """A run killed while writing leaves its last line without its newline: that line is cut
    off, so it goes (its article runs again) rather than making the whole file unreadable."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        path.write_bytes(data[: data.rfind(b"\n") + 1])


def import_drafts(path: Path, cache: ResultCache) -> int:
    """Put a run's drafts into the cache (those it does not hold yet); returns how many.

    Raises ValueError naming the line of a malformed file."""
    added = 0
    for n, obj in jsonl_objects(path):
        try:
            key, draft = obj["key"], obj["draft"]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n} is not a draft line ({{id, key, draft}})") from exc
        if not isinstance(key, str) or not key.startswith("draft:"):
            raise ValueError(f"{path}:{n}: key must be a draft key ('draft:...')")
        if cache.get(key) is None:
            cache.set(key, json.dumps(draft, ensure_ascii=False))
            added += 1
    return added
