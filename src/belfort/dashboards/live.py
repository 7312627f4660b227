"""Live dashboards: what changed, told by the database, whichever process wrote it.

A dashboard's ``mark`` is the hot store's high-water id (``belfort.streams.read.high_water``,
one indexed query) with the catalogue generation (one ``stat``), the dashboard's revision,
the compaction generation (``belfort.streams.live_data.generation``) and when the newest
forecast was made (``belfort.dashboards.forecasts.newest_made``): all are the same
in every process sharing the database and the lake, so a browser connected to any process
sees a change written by any other. Nothing here depends on which process wrote.

``Snapshots`` (a platform component) keeps the tiles computed for a (dashboard, revision,
audience, mark) for a little while, so a hundred browsers on one dashboard cost one
computation per change; ``changed`` says which tiles differ between two snapshots.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from belfort.catalog.models import Dashboard
from belfort.dashboards.forecasts import newest_made
from belfort.dashboards.store import StoredDashboard, could_be_id, get_dashboard
from belfort.dashboards.tiles import tile_data
from belfort.errors import DashboardNotFound
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.streams.live_data import generation as compaction_generation
from belfort.streams.read import high_water

KEEP = 64  # snapshots kept per process


@dataclass(frozen=True)
class Mark:
    high_water: int
    generation: tuple[int, int]
    revision: int
    compaction: int = 0  # moves when compaction or retention changes what live datasets hold
    forecasts: int = 0  # when the newest forecast was made (µs): a refresh is a change
    # a second look at the same data: a live dataset's current file is looked up at most every
    # BELFORT_LIVE_REFRESH_SECONDS per process, so tiles computed the moment a mark moved may
    # still show the rows of before; computed again once that much later, they cannot
    settled: bool = False

    def same_data(self, other: Mark | None) -> bool:
        """The same data as ``other`` (whether looked at a second time or not)."""
        return other is not None and replace(self, settled=False) == replace(other,
                                                                              settled=False)


def mark(platform: Platform, dashboard_id: str) -> Mark:
    """The dashboard's mark now (``DashboardNotFound`` when it was deleted)."""
    if not could_be_id(dashboard_id):
        raise DashboardNotFound(f"no dashboard {dashboard_id[:60]!r}")
    with platform.db.session() as session:
        revision = session.scalar(select(Dashboard.revision).where(Dashboard.id == dashboard_id))
    if revision is None:
        raise DashboardNotFound(f"no dashboard {dashboard_id[:60]!r}")
    return Mark(high_water(platform), platform.generation.current(), int(revision),
                compaction_generation(platform), newest_made(platform))


class Snapshots:
    """Tiles per (dashboard, revision, audience, mark), the last ``KEEP`` of them; one
    thread computes while others asking for the same wait."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple[Any, ...], dict[str, dict[str, Any]]] = OrderedDict()
        self._building: dict[tuple[Any, ...], threading.Lock] = {}

    def tiles(self, principal: Principal, dashboard_id: str, at: Mark
              ) -> dict[str, dict[str, Any]]:
        key = (dashboard_id, at, principal.audience)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                found = self._kept.get(key)
            if found is None:
                found = self._build(principal, dashboard_id)
                with self._lock:
                    self._kept[key] = found
                    while len(self._kept) > KEEP:
                        self._kept.popitem(last=False)
            with self._lock:
                self._building.pop(key, None)
        return found

    def _build(self, principal: Principal, dashboard_id: str) -> dict[str, dict[str, Any]]:
        with self._platform.db.session() as session:
            stored = get_dashboard(session, dashboard_id)
        return compute(self._platform, principal, stored)


def compute(platform: Platform, principal: Principal, stored: StoredDashboard, *,
            count_use: bool = False) -> dict[str, dict[str, Any]]:
    """Every tile of a dashboard now, as JSON-ready dictionaries by tile id."""
    return {tile.id: tile_data(platform, principal, tile, count_use=count_use).to_dict()
            for tile in stored.spec.tiles}


def snapshots(platform: Platform) -> Snapshots:
    return platform.component(Snapshots, Snapshots)


def changed(before: dict[str, dict[str, Any]] | None, now: dict[str, dict[str, Any]]
            ) -> dict[str, dict[str, Any]]:
    """The tiles of ``now`` that differ from ``before`` (all of them without ``before``)."""
    if before is None:
        return dict(now)
    return {tile_id: data for tile_id, data in now.items() if before.get(tile_id) != data}


class StreamSlots:
    """How many live streams this process serves (``BELFORT_DASHBOARD_MAX_STREAMS``): a
    bound on a process's own resources (open connections), not shared state."""

    def __init__(self, platform: Platform) -> None:
        self.limit = platform.settings.dashboard_max_streams
        self._lock = threading.Lock()
        self.open = 0

    def take(self) -> bool:
        with self._lock:
            if self.open >= self.limit:
                return False
            self.open += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self.open = max(0, self.open - 1)


def stream_slots(platform: Platform) -> StreamSlots:
    return platform.component(StreamSlots, StreamSlots)
