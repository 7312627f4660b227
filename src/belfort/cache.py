"""Small in-process caches that stay correct across processes.

Versions are immutable, so anything computed from one version (an API answer, say) can
be cached under that version's identity forever. What *can* change is which version is
published and who may see it; every catalogue write bumps the *catalogue generation*
and lookups cached under an older generation are not used. With the embedded SQLite
catalogue the generation is a file in the data directory (all processes sharing it notice
at once: ``Generation``); with PostgreSQL it is a counter row in the database, so that nodes
on other machines notice too (``DatabaseGeneration``).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Engine, text

GENERATION_FILE = "catalog.generation"


class Generation:
    """The catalogue generation: changes whenever any process commits a catalogue write."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / GENERATION_FILE

    def current(self) -> tuple[int, int]:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            return (0, 0)
        return (stat.st_ino, stat.st_mtime_ns)

    def bump(self) -> None:
        tmp = self.path.with_name(f"{GENERATION_FILE}.{uuid.uuid4().hex}")
        tmp.write_text(uuid.uuid4().hex)
        os.replace(tmp, self.path)  # a new inode: a change even within one clock tick


class DatabaseGeneration:
    """The catalogue generation as a counter row in a PostgreSQL catalogue (table
    ``catalogue_generation``, migration 0027), shared by every node using the database.

    ``bump()`` increments the counter (after the change's own commit: an answer computed
    between the two is cached under the old generation and dropped by the bump). ``current()``
    reads it at most once per ``max_age`` seconds (monotonic clock; a bump by this process is
    seen at once): a change made on another node is seen within ``max_age`` — the bound the
    multi-node test asserts. The value is a count, never a time, so no node's clock matters.
    When the database cannot be reached, ``current()`` raises SQLAlchemy's error (the API
    answers 503, ``belfort.api.errors``)."""

    def __init__(self, engine: Engine, max_age: float) -> None:
        self.engine = engine
        self.max_age = max_age
        self._value: tuple[int, int] | None = None
        self._read_at = -float("inf")
        self._lock = threading.Lock()

    def current(self) -> tuple[int, int]:
        found = self._value
        if found is not None and time.monotonic() - self._read_at < self.max_age:
            return found
        with self._lock:
            found = self._value
            if found is not None and time.monotonic() - self._read_at < self.max_age:
                return found  # read by another thread meanwhile
            started = time.monotonic()  # the bound counts from before the read
            with self.engine.connect() as connection:
                value = connection.execute(
                    text("SELECT value FROM catalogue_generation WHERE id = 1")).scalar_one()
            self._value, self._read_at = (1, int(value)), started
            return self._value

    def bump(self) -> None:
        with self.engine.begin() as connection:
            value = connection.execute(text(
                "UPDATE catalogue_generation SET value = value + 1 WHERE id = 1 RETURNING value"
            )).scalar_one()
        with self._lock:
            if self._value is None or self._value[1] < int(value):
                self._value, self._read_at = (1, int(value)), time.monotonic()


class SharedGeneration(Generation):
    """The generation of a PostgreSQL catalogue: the data directory's file *and* the
    database's counter. Processes sharing the data directory see a write at once (the file,
    as with SQLite: read-your-writes across a node's workers); nodes that share only the
    database see it within ``BELFORT_GENERATION_MAX_AGE_SECONDS`` (the counter)."""

    def __init__(self, data_dir: Path, engine: Engine, max_age: float) -> None:
        super().__init__(data_dir)
        self.database = DatabaseGeneration(engine, max_age)

    def current(self) -> tuple[int, int]:
        inode, mtime_ns = super().current()
        counter = self.database.current()[1]
        return (inode, counter << 64 | mtime_ns)  # both parts, exactly (mtime_ns < 2**64)

    def bump(self) -> None:
        self.database.bump()
        super().bump()


V = TypeVar("V")


class ByteLRU(Generic[V]):
    """A thread-safe LRU bounded by the bytes its values hold (``weigh``) and, optionally,
    by their number. A value larger than the whole budget is not kept. ``get_or_build``
    builds a missing value once while other threads asking for the same key wait."""

    def __init__(self, max_bytes: int, weigh: Callable[[V], int], max_entries: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._weigh = weigh
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: V) -> None:
        size = self._weigh(value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes or (self.max_entries and len(self._entries) > self.max_entries):
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted

    def get_or_build(self, key: Hashable, build: Callable[[], V]) -> V:
        """The value of ``key``, built by ``build()`` when missing: one thread builds while
        others asking for the same key wait, then take its value."""
        return self.get_fresh_or_build(key, build, None)

    def get_fresh_or_build(
        self, key: Hashable, build: Callable[[], V], fresh: Callable[[V], bool] | None
    ) -> V:
        """As ``get_or_build``; a kept value that is not ``fresh`` is built again."""

        def usable(value: V | None) -> bool:
            return value is not None and (fresh is None or fresh(value))

        found = self.get(key)
        if found is not None and usable(found):
            return found
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            found = self.get(key)  # built by another thread while this one waited
            if found is None or not usable(found):
                found = build()
                self.put(key, found)
        with self._lock:
            self._building.pop(key, None)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def approximate_size(value: object, max_objects: int = 200_000) -> int:
    """Bytes ``value`` holds, approximately: ``sys.getsizeof`` over the containers,
    dataclasses and ``__dict__``/``__slots__`` objects it reaches (each counted once),
    bytes-like values by their length, objects with ``nbytes`` (Arrow) by that. The walk
    stops after ``max_objects`` objects, so weighing never costs more than a few ms."""
    seen: set[int] = set()
    stack: list[object] = [value]
    total = 0
    while stack and len(seen) < max_objects:
        item = stack.pop()
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, int | float):
            total += 32
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, str | bytes | bytearray | memoryview):
            total += sys.getsizeof(item)
            continue
        nbytes = getattr(item, "nbytes", None)
        if isinstance(nbytes, int) and not isinstance(item, type):
            total += nbytes
            continue
        total += sys.getsizeof(item)
        if isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name, None) for f in fields(item))
        elif hasattr(item, "__dict__") and not isinstance(item, type):
            stack.append(vars(item))
        elif hasattr(item, "__slots__") and not isinstance(item, type):
            stack.extend(getattr(item, name, None) for name in item.__slots__)
    return total


def until_catalogue_changes(cache: ByteLRU[tuple[tuple[int, int], V]], generation: Generation,
                            key: Hashable, build: Callable[[], V]) -> V:
    """The one way to keep a value until the next catalogue write by any process. The cache
    holds (generation, value) under ``key``: an entry of an older generation is never used
    again but replaced in place by the new value (so old values do not pile up), and one
    thread builds it while others asking for it wait (``ByteLRU.get_or_build``)."""
    current = generation.current()
    entry = cache.get_fresh_or_build(key, lambda: (current, build()), lambda e: e[0] == current)
    return entry[1]


class AnswerCache(ByteLRU[Any]):
    """The platform's cache of answers (``Platform.cache``, ``BELFORT_ANSWER_CACHE_MB``),
    bounded in bytes (``approximate_size`` weighs each entry).

    ``current(key, build)`` keeps an answer until the next catalogue write
    (``until_catalogue_changes``); ``get_or_build`` keeps answers for ever (under keys that
    name immutable things, e.g. a version file)."""

    def __init__(self, generation: Generation, max_bytes: int) -> None:
        super().__init__(max_bytes, approximate_size)
        self.generation = generation

    def current(self, key: Hashable, build: Callable[[], V]) -> V:
        return cast(V, until_catalogue_changes(self, self.generation, key, build))
