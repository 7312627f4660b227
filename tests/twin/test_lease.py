"""Leases (``belfort.twin.lease``, the compaction lease) run by the database's clock: a node
whose clock runs ahead cannot take a lease that another node still holds."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from belfort.catalog.database import database_clock_us
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams import compaction
from belfort.twin import lease

SKEW_NS = 3600 * 10**9  # this node's clock an hour ahead of the others'


@pytest.fixture
def shared(tmp_path: Path, postgres_url: str) -> Iterator[Platform]:
    platform = Platform(Settings(data_dir=tmp_path / "data", database_url=postgres_url))
    try:
        yield platform
    finally:
        platform.close()


def _run_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    real_ns, real = time.time_ns, time.time
    monkeypatch.setattr(time, "time_ns", lambda: real_ns() + SKEW_NS)
    monkeypatch.setattr(time, "time", lambda: real() + SKEW_NS / 1e9)


def test_the_database_clock_is_postgresqls_not_this_nodes(
        shared: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    with shared.db.session() as session:
        before = database_clock_us(session)
    _run_ahead(monkeypatch)
    with shared.db.session() as session:
        after = database_clock_us(session)
    assert 0 <= after - before < 60 * 10**6  # not the hour this node's clock jumped


def test_a_node_whose_clock_runs_ahead_cannot_take_a_held_lease(
        shared: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    assert lease.take(shared, "forecast-refresh", "node-a:1:aa", 60)
    assert compaction.take_lease(shared, "node-a:1:bb")
    _run_ahead(monkeypatch)
    assert not lease.take(shared, "forecast-refresh", "node-b:2:cc", 60)
    assert not compaction.take_lease(shared, "node-b:2:dd")
    lease.release(shared, "forecast-refresh", "node-a:1:aa")
    compaction.release_lease(shared, "node-a:1:bb")
    assert lease.take(shared, "forecast-refresh", "node-b:2:cc", 60)
    assert compaction.take_lease(shared, "node-b:2:dd")


def test_a_lease_whose_holder_died_runs_out_by_the_database_clock(shared: Platform) -> None:
    assert lease.take(shared, "alerts", "node-a:1:aa", 0.2)
    assert not lease.take(shared, "alerts", "node-b:2:cc", 60)
    time.sleep(0.3)
    assert lease.take(shared, "alerts", "node-b:2:cc", 60)
