"""Corpus extraction on Ray Data: the pending articles as a dataset, `map_batches` over a pool of
extractor actors, each result written to the store by the actor that made it.

The same code runs in local mode on one machine (Ray starts its processes here) and on a cluster
(`address`, e.g. `ray://head:10001` or `auto`); every actor opens the store and the cache from the
settings, so a cluster needs a store and a model server every node can reach (PostgreSQL, a model
service; Redis as the shared cache, `BACKCHANNEL_CACHE_URL`).

Nothing is lost and nothing is extracted twice when a worker dies mid-batch: each result is saved
in its own transaction as soon as it is made, Ray restarts the actor and retries the batch, and the
retried batch skips the articles the store already has done (and finds the model's answers for the
others in the cache when they were made before the crash).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
from typing import Any

from backchannel.corpus.ingest import Failure, IngestReport, extract_one, setup_of
from backchannel.corpus.leases import worker_name
from backchannel.corpus.linking import relink
from backchannel.pipeline.extractor import Extractor
from backchannel.settings import Settings
from backchannel.sources.documents import Article
from backchannel.store.repository import Store

log = logging.getLogger(__name__)


def settings_json(settings: Settings) -> str:
    """The settings for the actors, secrets included (pydantic masks them when dumping)."""
    data = settings.model_dump(mode="json")
    data["api_key"] = settings.api_key.get_secret_value()
    return json.dumps(data)


class ExtractBatch:
    """One Ray actor: an extractor and a store handle for its lifetime, a batch per call."""

    def __init__(self, settings_json: str) -> None:
        settings = Settings.model_validate_json(settings_json)
        self.extractor = Extractor(settings)
        self.store = Store.open(settings.database_url)
        self.setup = setup_of(self.extractor)
        self.name = worker_name()

    def _one(self, article_id: str) -> dict[str, Any]:
        stored = self.store.get(article_id, self.setup)
        if stored is None:
            return {"id": article_id, "state": "failed", "meetings": 0, "error": "not in store"}
        if stored.state == "done":  # a retried batch: done before the crash, not done again
            meetings = len(stored.result.meetings) if stored.result else 0
            return {"id": article_id, "state": "skipped", "meetings": meetings, "error": ""}
        outcome = asyncio.run(extract_one(self.store, self.extractor, stored.article, self.name))
        return {"id": article_id, **outcome.model_dump(exclude={"code"})}

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        rows = [self._one(str(article_id)) for article_id in batch["id"]]
        return {key: [r[key] for r in rows] for key in ("id", "state", "meetings", "error")}


def extract_on_ray(
    store: Store,
    settings: Settings,
    articles: list[Article],
    report: IngestReport,
    *,
    address: str | None = None,
    workers: int = 1,
    batch_size: int = 4,
) -> IngestReport:
    """Extract `articles` on Ray (local mode without `address`), `workers` actors at once."""
    import ray

    # Ray prints its processes' notices (a worker that died, say) on stdout, where `--format json`
    # writes the report: they go to stderr instead.
    with contextlib.redirect_stdout(sys.stderr):
        _run(ray, settings, articles, report, address, workers, batch_size)
    if articles or store.unlinked():
        report.events = relink(store)
    return report


def _run(
    ray: Any,
    settings: Settings,
    articles: list[Article],
    report: IngestReport,
    address: str | None,
    workers: int,
    batch_size: int,
) -> None:
    if articles:
        if not ray.is_initialized():
            ray.init(
                address=address, include_dashboard=False, log_to_driver=False,
                configure_logging=False,
                **({} if address else {"num_cpus": max(workers, 1)}),
            )  # fmt: skip
        sources = {a.id: a.source for a in articles}
        dataset = ray.data.from_items([{"id": a.id} for a in articles])
        done = dataset.map_batches(
            ExtractBatch,
            fn_constructor_args=(settings_json(settings),),
            batch_size=batch_size,
            concurrency=workers,
            num_cpus=1,
            # A dead actor is restarted and its batch tried again (see the module's docstring).
            max_restarts=-1,
            max_task_retries=-1,
        )
        for row in done.iter_rows():
            if row["state"] in ("done", "skipped"):
                report.extracted += 1
                report.meetings += int(row["meetings"])
            elif row["state"] == "elsewhere":
                report.elsewhere += 1
            else:
                report.failed.append(Failure(source=sources[row["id"]], reason=row["error"]))
