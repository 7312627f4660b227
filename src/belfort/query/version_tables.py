"""Small versions held as DuckDB in-memory tables, for the filter of a never-seen page.

A question nobody asked before must be answered by the engine (nothing about it is kept).
Over a small version, that statement costs less when it reads an in-memory table than the
Parquet file (no file, footer or row-group decoding per statement: ~2.0 → ~1.2 ms for
100,000 rows, bench/README.md). What is held is the version's data, not any answer: the
table is the version's rows in file order plus their ``file_row_number``, built once per
version by one statement, then every filter of every question about it reads it.

Bounds: tables are kept least-recently-used within ``max_bytes`` (the weight given when a
table is built: the version's Arrow bytes plus its row numbers; DuckDB's own storage of
an in-memory table is of the same order). A table that falls out of the budget is dropped
as soon as no statement is reading it (``use`` counts its readers), so a running query
never loses its table. Versions are immutable, so a table never goes stale; a version
that is no longer published is not asked for, and its table ages out.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

ROW_NUMBER = "file_row_number"


@dataclass
class _Table:
    name: str
    size: int
    readers: int = 0
    evicted: bool = False


class VersionTables:
    """Which versions have an in-memory table, and their names; ``drop(name)`` removes a
    table from DuckDB (given by the engine, which owns the connection)."""

    def __init__(self, max_bytes: int, drop: Callable[[str], None]) -> None:
        self.max_bytes = max_bytes
        self._drop = drop
        self._tables: OrderedDict[str, _Table] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[str, threading.Lock] = {}
        self._serial = itertools.count()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._tables)

    def _new_name(self, version: str) -> str:
        # a new name per build: a table evicted while still read and its successor never clash
        return f"version_{hashlib.sha1(version.encode()).hexdigest()[:16]}_{next(self._serial)}"

    @contextmanager
    def use(self, version: str, size: int, build: Callable[[str], bool]) -> Iterator[str | None]:
        """The name of ``version``'s table while the caller reads it, built now by
        ``build(name)`` if missing (one thread builds, others wait); None when it cannot be
        held (turned off, ``size`` above the whole budget, or ``build`` said it could not
        make it): read the file instead."""
        if not self.enabled or size > self.max_bytes:
            yield None
            return
        table = self._acquire(version)
        if table is None:
            with self._lock:
                building = self._building.setdefault(version, threading.Lock())
            try:
                with building:
                    table = self._acquire(version)  # built by another thread meanwhile
                    if table is None:
                        name = self._new_name(version)
                        if build(name):
                            table = self._add(version, name, size)
            finally:
                with self._lock:
                    self._building.pop(version, None)
        if table is None:
            yield None
            return
        try:
            yield table.name
        finally:
            self._release(table)

    def _acquire(self, version: str) -> _Table | None:
        with self._lock:
            table = self._tables.get(version)
            if table is None:
                return None
            self._tables.move_to_end(version)
            table.readers += 1
            return table

    def _add(self, version: str, name: str, size: int) -> _Table:
        table = _Table(name, size, readers=1)
        doomed: list[_Table] = []
        with self._lock:
            self._tables[version] = table
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._tables) > 1:
                _, old = self._tables.popitem(last=False)
                self._bytes -= old.size
                old.evicted = True
                if old.readers == 0:
                    doomed.append(old)
        for old in doomed:
            self._drop(old.name)
        return table

    def _release(self, table: _Table) -> None:
        with self._lock:
            table.readers -= 1
            last = table.evicted and table.readers == 0
        if last:
            self._drop(table.name)

    def clear(self) -> None:
        """Drop every table nobody is reading (the others when their readers finish)."""
        with self._lock:
            tables = list(self._tables.values())
            self._tables.clear()
            self._bytes = 0
            for table in tables:
                table.evicted = True
            idle = [t for t in tables if t.readers == 0]
        for table in idle:
            self._drop(table.name)
