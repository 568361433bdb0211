"""Result cache on disk (diskcache: process-safe, so API workers and batch runs can share it).

The key hashes everything that can change a result, so a new prompt, model or strategy never
serves a stale answer. A cache that cannot be opened or written degrades to no caching with a
warning: extraction must keep working when the disk does not.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import diskcache

from service import metrics

log = logging.getLogger(__name__)


def cache_key(**parts: Any) -> str:
    """A stable hash of the named parts (order-independent, types kept by JSON)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResultCache:
    """Stores results as JSON text keyed by `cache_key`; never raises on disk faults."""

    def __init__(self, directory: Path, enabled: bool = True) -> None:
        self.directory = directory
        self.warning: str | None = None
        self._cache: diskcache.Cache | None = None
        if not enabled:
            return
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._cache = diskcache.Cache(str(directory), size_limit=2**30)
        except Exception as exc:  # noqa: BLE001 - any disk fault means: run uncached
            self._disable(f"cache disabled: cannot open {directory}: {exc}")

    @property
    def enabled(self) -> bool:
        return self._cache is not None

    def _disable(self, message: str) -> None:
        self.warning = message
        log.warning(message)
        self._cache = None

    def get(self, key: str) -> str | None:
        if self._cache is None:
            return None
        try:
            value = self._cache.get(key)
        except Exception as exc:  # noqa: BLE001 - a corrupt entry is a miss
            log.warning("cache read failed, treating as a miss: %s", exc)
            value = None
        metrics.CACHE.labels("hit" if value is not None else "miss").inc()
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str) -> None:
        if self._cache is None:
            return
        try:
            self._cache.set(key, value)
        except Exception as exc:  # noqa: BLE001 - a full or read-only disk must not fail requests
            self._disable(f"cache disabled: cannot write to {self.directory}: {exc}")

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
