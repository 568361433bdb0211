"""Result cache on disk (diskcache: process-safe, so API workers and batch runs can share it).

The key hashes everything that can change a result, so a new prompt, model or strategy never
serves a stale answer. A cache that cannot be opened or written degrades to no caching with a
warning: extraction must keep working when the disk does not.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any

import diskcache

from backchannel import metrics

log = logging.getLogger(__name__)
_HIT, _MISS = metrics.CACHE.labels("hit"), metrics.CACHE.labels("miss")


def cache_key(**parts: Any) -> str:
    """A stable hash of the named parts (order-independent, types kept by JSON)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ResultCache:
    """Stores results as JSON text keyed by `cache_key`; never raises on disk faults.

    Recently used entries are also kept in memory, up to `memory_chars` of text (some thousands
    of results): a repeated request is then answered without a SQLite read (bench/README.md has
    what that saves). The key covers every input, so an entry
    only changes when the code after the model changes and a result is rebuilt (`eval
    --reassemble`); another process's rewrite reaches this one's memory copy when the copy is
    evicted or the process restarts.
    """

    def __init__(
        self, directory: Path, enabled: bool = True, memory_chars: int = 16 * 2**20
    ) -> None:
        self.directory = directory
        self.warning: str | None = None
        self._cache: diskcache.Cache | None = None
        self._hot: OrderedDict[str, str] = OrderedDict()
        self._hot_chars = 0
        self._hot_limit = memory_chars
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
        value = self._hot.get(key)
        if value is not None:
            self._hot.move_to_end(key)
            _HIT.inc()
            return value
        try:
            value = self._cache.get(key)
        except Exception as exc:  # noqa: BLE001 - a corrupt entry is a miss
            log.warning("cache read failed, treating as a miss: %s", exc)
            value = None
        if not isinstance(value, str):
            _MISS.inc()
            return None
        _HIT.inc()
        self._remember(key, value)
        return value

    def set(self, key: str, value: str) -> None:
        if self._cache is None:
            return
        try:
            self._cache.set(key, value)
        except Exception as exc:  # noqa: BLE001 - a full or read-only disk must not fail requests
            self._disable(f"cache disabled: cannot write to {self.directory}: {exc}")
            return
        self._remember(key, value)

    def _remember(self, key: str, value: str) -> None:
        """Keep `value` in memory, evicting the least recently used beyond the budget."""
        old = self._hot.pop(key, None)
        if old is not None:
            self._hot_chars -= len(old)
        if len(value) > self._hot_limit:
            return
        self._hot[key] = value
        self._hot_chars += len(value)
        while self._hot_chars > self._hot_limit:
            _, evicted = self._hot.popitem(last=False)
            self._hot_chars -= len(evicted)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
