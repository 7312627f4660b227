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
from collections.abc import Hashable
from pathlib import Path
from typing import Any

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
