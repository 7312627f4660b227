"""Materialised query results, so that paging through one question is a slice.

Apps and the portal page through the same question (same filter, same order) with a
moving ``start``/``offset``. Run directly, every page costs a DuckDB query over the
Parquet file (plan, scan up to the offset, count for ``nhits``): milliseconds. Versions
are immutable, so the full ordered result of a question about one version never
changes: the engine keeps it here as an Arrow table, and every further page is a
zero-copy slice and ``nhits`` is its length.

What is kept, and when:

- only record listings (no aggregates, no grouping) over versions of at most
  ``max_rows`` rows, so a result is never larger than its (small) version;
- a question is materialised the *second* time it is asked: a one-off filter never
  pays for materialising rows nobody pages through;
- entries are evicted least-recently-used, within ``max_bytes`` of Arrow buffers;
- one thread materialises a given question; others asking it meanwhile wait for it.

The same store keeps small answers the engine has computed anyway (facet counts,
totals, group-bys, pages), under the version file plus the exact SQL and parameters:
answering the same question about an immutable version again is a look-up. Python rows
are weighed at an estimated ``CELL_BYTES`` per value.

The key is the version file plus the SQL and its parameters, so a cached entry is only
ever used for exactly the question that produced it.

Data kept per *version* rather than per question (every record id, the record times, a
small version's rows) live here too, under keys whose first element is in
``PER_VERSION``. Look-ups of answers are counted (``hits``, ``misses``) and reported to the
current request's ``Cache-Status`` header (``belfort.cache_status``), so a benchmark can
prove that a figure meant to be cold did not come from a kept answer.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pyarrow as pa

from belfort import cache_status
from belfort.cache import ByteLRU

T = TypeVar("T", pa.Table, list[tuple[Any, ...]])
SEEN_KEYS = 16_384
CELL_BYTES = 100
# first elements of keys whose entries hold data of a version, not an answer to a question
PER_VERSION = frozenset({"record-ids", "record-times", "version-rows"})


def weight(value: pa.Table | list[tuple[Any, ...]]) -> int:
    """Bytes an entry holds: exact for Arrow tables, estimated for Python rows."""
    if isinstance(value, pa.Table):
        return int(value.nbytes)
    return CELL_BYTES * (1 + sum(len(row) for row in value))


class ResultCache(ByteLRU[Any]):
    """A byte-bounded LRU of query results with admission on the second request."""

    def __init__(self, max_bytes: int, max_rows: int) -> None:
        super().__init__(max_bytes, weight)
        self.max_rows = max_rows
        self._seen: OrderedDict[Hashable, None] = OrderedDict()
        self.hits = 0  # look-ups of answers that found one
        self.misses = 0  # look-ups of answers that did not (the work was done)

    def _count(self, key: Hashable, hit: bool) -> None:
        if isinstance(key, tuple) and key and key[0] in PER_VERSION:
            return
        if hit:
            self.hits += 1
        else:
            self.misses += 1
        cache_status.note(cache_status.RESULTS, hit)

    def lookup(self, key: Hashable) -> Any | None:
        """``get``, counted as a look-up of an answer."""
        found = self.get(key)
        self._count(key, found is not None)
        return found

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0 and self.max_rows > 0

    def get_or_build(
        self, key: Hashable, build: Callable[[], T], *, admit_now: bool = False
    ) -> T | None:
        """The cached table for ``key``; built now if ``key`` was asked before (or
        ``admit_now``), else None."""
        table: T | None = self.get(key)  # the key names what was stored: the same kind of result
        self._count(key, table is not None)
        if table is not None:
            return table
        with self._lock:
            if key not in self._seen and not admit_now:
                self._seen[key] = None
                if len(self._seen) > SEEN_KEYS:
                    self._seen.popitem(last=False)
                return None
        if not self.enabled:
            return build()
        built: T = super().get_or_build(key, build)
        return built

    def put(self, key: Hashable, value: pa.Table | list[tuple[Any, ...]]) -> None:
        if self.enabled:
            super().put(key, value)
