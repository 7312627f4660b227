"""The serving process's threads: a few for a request's blocking work, and a separate lane
for work that waits on something else.

Python runs one thread at a time. A request's blocking work (catalogue reads, queries, page
rendering) needs that one most of the time, so threads beyond a few add no throughput, only
contention: with the ASGI default of 40, dozens of threads waited in line for it under load,
with the event loop, which needs it for every request (bench/README.md, "Request threads").
The default limiter therefore gets ``BELFORT_THREADS`` tokens (``size_threads``).

What mostly *waits* takes a token of the waiting lane instead (``run_waiting``,
``waiting_lane``): a SPARQL query running in its worker process, and an export's next batch
(DuckDB and Arrow, which run outside Python's lock, within the export's own time budget).
A slow one of those never holds a thread the catalogue needs; they have their own limits
(``BELFORT_SPARQL_WORKERS`` and its waiting line; ``BELFORT_EXPORT_TIMEOUT_SECONDS``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar

T = TypeVar("T")
WAITING_THREADS = 64  # threads that wait on SPARQL workers and exports' batches at once

_waiting: RunVar[anyio.CapacityLimiter] = RunVar("belfort_waiting_lane")


def size_threads(threads: int) -> None:
    """Give this event loop's default thread limiter ``threads`` (``BELFORT_THREADS``) tokens."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads


def waiting_lane() -> anyio.CapacityLimiter:
    """This event loop's limiter for threads that wait on another process."""
    try:
        return _waiting.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(WAITING_THREADS)
        _waiting.set(limiter)
        return limiter


async def run_waiting(function: Callable[..., T], *args: object) -> T:
    """``function(*args)`` in a thread of the waiting lane."""
    return await anyio.to_thread.run_sync(partial(function, *args), limiter=waiting_lane())
