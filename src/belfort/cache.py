"""Small in-process caches that stay correct across processes.

Versions are immutable, so anything computed from one version (an API answer, say) can
be cached under that version's identity forever. What *can* change is which version is
published and who may see it; every catalogue write bumps the *catalogue generation*
(a file in the data directory, so all processes sharing it notice at once), and
lookups cached under an older generation are not used.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Generic, TypeVar

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


class BoundedCache:
    """A thread-safe LRU mapping with a maximum number of entries."""

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)


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
        found = self.get(key)
        if found is not None:
            return found
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            found = self.get(key)  # built by another thread while this one waited
            if found is None:
                found = build()
                self.put(key, found)
        with self._lock:
            self._building.pop(key, None)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
