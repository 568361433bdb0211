"""Leases on queued articles, so that several workers (API workers, ingest runs, Ray actors)
can share one store's queue and no article is extracted by two at once.

A worker holds an article while it extracts it and renews the lease as it goes; one that dies
keeps nothing for longer than `LEASE_SECONDS`, and at once on its own machine, where the next
worker sees that its process is gone (a Ray actor restarted after a crash retries its batch at
once).
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from backchannel.store.repository import Setup, Store

LEASE_SECONDS = 600.0


def worker_name() -> str:
    """Who holds a lease: host, process and a per-call suffix (two workers in one process)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead(holder: str) -> bool:
    """Whether `holder` is a worker of this machine whose process has gone."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


@asynccontextmanager
async def held(
    store: Store, article_id: str, setup: Setup, holder: str, seconds: float = LEASE_SECONDS
) -> AsyncIterator[bool]:
    """True inside the block if `holder` has the article (renewed every third of the lease
    until the block ends); False if another worker has it or it is already done."""
    got = await asyncio.to_thread(store.claim, article_id, setup, holder, seconds)
    if not got:
        other = await asyncio.to_thread(store.lease_holder, article_id, setup)
        if other is not None and _dead(other):
            got = await asyncio.to_thread(store.claim, article_id, setup, holder, seconds, other)
    if not got:
        yield False
        return

    async def renew() -> None:
        while True:
            await asyncio.sleep(seconds / 3)
            await asyncio.to_thread(store.claim, article_id, setup, holder, seconds)

    task = asyncio.create_task(renew())
    try:
        yield True
    finally:
        task.cancel()
