"""Result cache: an in-memory tier in front of a shared store, diskcache on this machine or Redis
for a team (`BACKCHANNEL_CACHE_URL=redis://...`), where API replicas and batch workers share it.

The key hashes everything that can change a result, so a new prompt, model or strategy never
serves a stale answer. A cache fault never fails an extraction: a disk that cannot be opened or
written degrades to no caching with a warning; a Redis that goes away costs misses (and a warning
while it is away), and is used again when it is back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Protocol

import diskcache

from backchannel import metrics

log = logging.getLogger(__name__)
_HIT, _MISS = metrics.CACHE.labels("hit"), metrics.CACHE.labels("miss")


def cache_key(**parts: Any) -> str:
    """A stable hash of the named parts (order-independent, types kept by JSON)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class Unavailable(Exception):
    """The backend cannot serve this call (a fault the cache turns into a miss)."""


class Backend(Protocol):
    """Where entries live beyond this process: JSON text by key."""

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str) -> None: ...
    def close(self) -> None: ...


class DiskBackend:
    """diskcache: process-safe SQLite files, shared by the processes of one machine."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._cache = diskcache.Cache(str(directory), size_limit=2**30)

    def get(self, key: str) -> str | None:
        value = self._cache.get(key)
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str) -> None:
        self._cache.set(key, value)

    def close(self) -> None:
        self._cache.close()


class RedisBackend:
    """Redis, shared by every replica and worker that points at it.

    Calls have short timeouts, and after a failed one Redis is left alone for `pause` seconds, so
    an outage costs a miss per request, not a timeout per request; redis-py reconnects by itself.
    """

    PREFIX = "backchannel:result:"

    def __init__(self, url: str, timeout: float = 0.5, pause: float = 2.0) -> None:
        import redis

        self._errors = (redis.RedisError, OSError)
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True,
            health_check_interval=30,
        )  # fmt: skip
        self.url, self.pause = url, pause
        self._down_until = 0.0

    def _call(self, op: str, *args: str) -> Any:
        if time.monotonic() < self._down_until:
            raise Unavailable(f"Redis at {self.url} is unavailable (retrying shortly)")
        try:
            return getattr(self._client, op)(*args)
        except self._errors as exc:
            self._down_until = time.monotonic() + self.pause
            raise Unavailable(f"Redis at {self.url} is unavailable: {exc}") from exc

    def get(self, key: str) -> str | None:
        value = self._call("get", self.PREFIX + key)
        return value if isinstance(value, str) else None

    def set(self, key: str, value: str) -> None:
        self._call("set", self.PREFIX + key, value)

    def close(self) -> None:
        self._client.close()


class ResultCache:
    """Stores results as JSON text keyed by `cache_key`; never raises on a backend's fault.

    Recently used entries are also kept in memory, up to `memory_chars` of text (some thousands
    of results): a repeated request is then answered without a SQLite read (bench/README.md has
    what that saves). The key covers every input, so an entry
    only changes when the code after the model changes and a result is rebuilt (`eval
    --reassemble`); another process's rewrite reaches this one's memory copy when the copy is
    evicted or the process restarts.
    """

    def __init__(
        self,
        directory: Path,
        enabled: bool = True,
        memory_chars: int = 16 * 2**20,
        url: str = "",
    ) -> None:
        self.directory = directory
        self.where = url or str(directory)
        self.warning: str | None = None
        self._shared_down = False  # Redis away: misses meanwhile, with `warning` saying so
        self._cache: Backend | None = None
        self._hot: OrderedDict[str, str] = OrderedDict()
        self._hot_chars = 0
        self._hot_limit = memory_chars
        if not enabled:
            return
        if url:
            self._cache = RedisBackend(url)  # connects on first use: it may come up later
            return
        try:
            self._cache = DiskBackend(directory)
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
            self._back()
        except Unavailable as exc:
            self._away(str(exc))
            value = None
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
            self._back()
        except Unavailable as exc:  # kept in this process's memory only
            self._away(str(exc))
        except Exception as exc:  # noqa: BLE001 - a full or read-only disk must not fail requests
            self._disable(f"cache disabled: cannot write to {self.directory}: {exc}")
            return
        self._remember(key, value)

    def _away(self, message: str) -> None:
        """A shared backend is down for now: say so (once) and go on uncached."""
        if not self._shared_down:
            log.warning("%s; going on without the shared cache", message)
        self._shared_down = True
        self.warning = f"result cache unavailable: {message}"

    def _back(self) -> None:
        if self._shared_down:
            log.info("the shared cache at %s is back", self.where)
            self._shared_down, self.warning = False, None

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
