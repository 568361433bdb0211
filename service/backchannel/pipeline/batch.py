"""Run many extractions with bounded concurrency; results come back in input order.

Shared by `extract --jsonl` and `eval`: each item ends as a result or as an error record naming its
cause, so a batch never loses an input line, and a rerun resumes from the cache.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pydantic import ValidationError

from backchannel.contract.errors import BackchannelError
from backchannel.contract.schema import ExtractRequest, ExtractResult
from backchannel.pipeline.extractor import Extractor

log = logging.getLogger(__name__)


@dataclass
class BatchItem:
    line: int
    request: ExtractRequest | None = None
    error: str | None = None  # set when the input line itself is unusable
    raw_id: str | None = None


@dataclass
class BatchOutcome:
    item: BatchItem
    result: ExtractResult | None = None
    code: str | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None

    def to_json(self) -> str:
        if self.result is not None:
            return self.result.model_dump_json()
        return json.dumps(
            {
                "id": self.item.request.id if self.item.request else self.item.raw_id,
                "line": self.item.line,
                "error": {"code": self.code, "message": self.message},
            },
            ensure_ascii=False,
        )


def parse_jsonl(lines: Iterable[str]) -> list[BatchItem]:
    """One item per non-blank line; a bad line becomes an item that reports why."""
    items: list[BatchItem] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            items.append(BatchItem(line=n, error=f"line {n} is not valid JSON: {exc.msg}"))
            continue
        raw_id = obj.get("id") if isinstance(obj, dict) else None
        try:
            items.append(BatchItem(line=n, request=ExtractRequest.model_validate(obj)))
        except ValidationError as exc:
            items.append(
                BatchItem(line=n, error=f"line {n}: {_first_error(exc)}", raw_id=_str(raw_id))
            )
    return items


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ())) or "line"
    return f"{loc}: {err.get('msg')}"


async def run_batch(
    extractor: Extractor,
    items: list[BatchItem],
    concurrency: int,
    emit: Callable[[BatchOutcome], None],
    use_cache: bool = True,
    reassemble: bool = False,
) -> list[BatchOutcome]:
    """Extract every item with at most `concurrency` in flight; `emit` sees them in input order."""
    sem = asyncio.Semaphore(max(1, concurrency))

    async def one(item: BatchItem) -> BatchOutcome:
        if item.request is None:
            return BatchOutcome(item, code="invalid_input", message=item.error)
        async with sem:
            try:
                return BatchOutcome(
                    item,
                    await extractor.extract(
                        item.request, use_cache=use_cache, reassemble=reassemble
                    ),
                )
            except BackchannelError as exc:
                return BatchOutcome(item, code=exc.code, message=exc.message)
            except Exception as exc:  # noqa: BLE001 - one article's bug must not end the batch
                log.exception("extraction failed unexpectedly (line %d)", item.line)
                return BatchOutcome(
                    item, code="internal_error", message=f"{type(exc).__name__}: {exc}"[:500]
                )

    tasks = [asyncio.create_task(one(item)) for item in items]
    outcomes: list[BatchOutcome] = []
    for task in tasks:  # awaiting in order keeps output ordered while others run
        outcome = await task
        emit(outcome)
        outcomes.append(outcome)
    return outcomes
