"""Live datasets: datasets whose rows come from the hot store (or are computed from it), not
from an ingested file.

A ``LiveSource`` names its dataset, a cheap ``mark`` that changes whenever its rows change
(for observations: the store's high-water id), and its rows now (``table``). Sources are
added to the process's ``LiveRegistry`` (a platform component) at start-up; the read path
under every dialect asks the registry for the current file of a live dataset, so a live
dataset answers through the same gate, engine and APIs as any other.
"""

from __future__ import annotations

import threading
from typing import Protocol

import pyarrow as pa

from belfort.platform import Platform


class LiveSource(Protocol):
    """Where a live dataset's rows come from."""

    dataset_id: str

    def mark(self, platform: Platform) -> str:
        """Changes whenever the rows change; the same in every process (read from the
        database, never from process memory)."""
        ...

    def table(self, platform: Platform) -> pa.Table:
        """The dataset's rows now."""
        ...


class LiveRegistry:
    """The live sources of a process, by dataset id (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._lock = threading.Lock()
        self._sources: dict[str, LiveSource] = {}

    def add(self, source: LiveSource) -> None:
        with self._lock:
            self._sources[source.dataset_id] = source

    def get(self, dataset_id: str) -> LiveSource | None:
        with self._lock:
            return self._sources.get(dataset_id)

    def ids(self) -> list[str]:
        with self._lock:
            return sorted(self._sources)


def live_registry(platform: Platform) -> LiveRegistry:
    return platform.component(LiveRegistry, LiveRegistry)
