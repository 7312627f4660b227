"""Rollups follow the city's days (Europe/Brussels: 23- and 25-hour days when the clocks
change) and a late observation updates its period's row instead of adding a second one —
from the hot store, from kept rollup files and after compaction, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.app import create_app
from belfort.catalog.models import StreamPart
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.compaction import compact, day_of, day_span
from belfort.streams.model import ObservationIn, now_us, to_us
from belfort.streams.sensors import devices
from belfort.streams.write import write_observations
from tests.conftest import TEST_BASE
from tests.streams.test_live_datasets import register

UTC = dt.timezone.utc
HOUR = 3_600_000_000


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    live_refresh_seconds=0, stream_hot_hours=1, stream_retention_days=2,
                    stream_rollup_retention_days=3650, live_window_days=30)


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform)) as c:
        yield c


def _utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> int:
    return to_us(dt.datetime(year, month, day, hour, minute, tzinfo=UTC))


def _write(platform: Platform, credential: str, items: list[tuple[int, float, float | None]]
           ) -> None:
    device = devices(platform).authenticate(credential, "korenmarkt-1", "http")
    result = write_observations(platform, device, [
        ObservationIn("korenmarkt-1", "count", at, value, weight=weight)
        for at, value, weight in items])
    assert result.stored == len(items), result


def _rollups(client: TestClient, kind: str) -> list[dict[str, Any]]:
    """The rollup rows of periods before yesterday (not those of ``_recent``'s row)."""
    answer = client.get(f"/api/belfort/v1/datasets/sensorwaarnemingen-{kind}/exports/json")
    assert answer.status_code == 200, answer.text
    cutoff = _iso(now_us() - 48 * HOUR)
    return sorted((r for r in answer.json() if r["periode_start"] < cutoff),
                  key=lambda r: r["periode_start"])


def _recent(platform: Platform, credential: str) -> None:
    """A row of now: SQLite's hot store keeps its newest row whatever its age (its id would
    be handed out again), so the old rows before it can all be compacted."""
    _write(platform, credential, [(now_us() - 60_000_000, 1.0, None)])


def _iso(us: int) -> str:
    return dt.datetime.fromtimestamp(us / 1e6, UTC).isoformat()


def _span(row: dict[str, Any]) -> tuple[str, str, int]:
    return (row["periode_start"], row["periode_einde"], row["aantal"])


def test_city_days_and_their_partitions() -> None:
    assert day_of(_utc(2026, 3, 28, 23, 30)) == "2026-03-29"  # 00:30 in Brussels (CET)
    assert day_of(_utc(2026, 3, 28, 23, 30), "UTC") == "2026-03-28"
    first, last = day_span("2026-03-29")
    assert (last + 1 - first) // HOUR == 23  # spring forward
    first, last = day_span("2026-10-25")
    assert (last + 1 - first) // HOUR == 25  # fall back
    first, last = day_span("2026-12-03")
    assert (_iso(first), (last + 1 - first) // HOUR) == ("2026-12-02T23:00:00+00:00", 24)


def test_per_day_rollups_follow_brussels_days_when_the_clocks_change(
        platform: Platform, client: TestClient) -> None:
    credential = register(platform)
    _write(platform, credential, [
        (_utc(2026, 3, 28, 22, 30), 1.0, None),  # 23:30 CET on the 28th
        (_utc(2026, 3, 28, 23, 30), 2.0, None),  # 00:30 CET on the 29th
        (_utc(2026, 3, 29, 21, 30), 3.0, None),  # 23:30 CEST on the 29th
        (_utc(2026, 3, 29, 22, 30), 4.0, None),  # 00:30 CEST on the 30th
        (_utc(2026, 10, 24, 22, 30), 5.0, None),  # 00:30 CEST on the 25th
        (_utc(2026, 10, 25, 22, 30), 6.0, None),  # 23:30 CET on the 25th
    ])
    _recent(platform, credential)
    expected = [
        ("2026-03-27T23:00:00+00:00", "2026-03-28T23:00:00+00:00", 1),
        ("2026-03-28T23:00:00+00:00", "2026-03-29T22:00:00+00:00", 2),  # 23 hours
        ("2026-03-29T22:00:00+00:00", "2026-03-30T22:00:00+00:00", 1),
        ("2026-10-24T22:00:00+00:00", "2026-10-25T23:00:00+00:00", 2),  # 25 hours
    ]
    assert [_span(r) for r in _rollups(client, "per-dag")] == expected  # from the hot store
    hours = _rollups(client, "per-uur")
    assert len(hours) == 6 and all(r["aantal"] == 1 for r in hours)

    report = compact(platform)  # older than the raw retention: compacted, then rolled up
    assert report.rolled_up_days == 4
    with platform.db.session() as session:
        days = sorted(session.scalars(select(StreamPart.day).where(
            StreamPart.kind == "per-dag")))
        spans = dict(session.execute(select(StreamPart.day, StreamPart.last_us - StreamPart.first_us
                                            + 1).where(StreamPart.kind == "per-dag")).all())
    assert days == ["2026-03-28", "2026-03-29", "2026-03-30", "2026-10-25"]
    assert spans["2026-03-29"] == 23 * HOUR and spans["2026-10-25"] == 25 * HOUR
    assert [_span(r) for r in _rollups(client, "per-dag")] == expected  # from the kept files
    assert [r["som"] for r in _rollups(client, "per-dag")] == [1.0, 5.0, 4.0, 11.0]


def test_a_late_observation_updates_its_periods_rollup_row(
        platform: Platform, client: TestClient) -> None:
    credential = register(platform)
    day = (dt.datetime.now(UTC) - dt.timedelta(days=4)).date()

    def at(hour: int, minute: int) -> int:
        return _utc(day.year, day.month, day.day, hour, minute)

    _write(platform, credential, [(at(10, 0), 10.0, 1.0), (at(10, 20), 30.0, 0.5)])
    _recent(platform, credential)
    assert compact(platform).rolled_up_days == 1
    before = {kind: _rollups(client, kind) for kind in ("per-kwartier", "per-uur", "per-dag")}
    assert [r["aantal"] for r in before["per-uur"]] == [2]

    _write(platform, credential, [(at(10, 5), 20.0, 1.0)])  # late: its day is rolled up
    _recent(platform, credential)
    for moment in ("hot", "compacted"):
        quarters = _rollups(client, "per-kwartier")
        assert [(r["periode_start"][11:16], r["aantal"], r["som"]) for r in quarters] == [
            ("10:00", 2, 30.0), ("10:15", 1, 30.0)], moment
        for kind in ("per-uur", "per-dag"):
            rows = _rollups(client, kind)
            assert len(rows) == 1, (kind, moment)  # updated, not a second row
            row = rows[0]
            assert row["periode_start"] == before[kind][0]["periode_start"]
            assert (row["aantal"], row["som"], row["gemiddelde"], row["minimum"],
                    row["maximum"]) == (3, 60.0, 20.0, 10.0, 30.0), (kind, moment)
            assert row["gewogen_gemiddelde"] == pytest.approx((10 + 20 + 15) / 2.5)
            assert row["gemiddelde_uptime"] == pytest.approx(2.5 / 3)
        if moment == "hot":
            report = compact(platform)  # the late row → a raw file → merged into the rollups
            assert report.rolled_up_days == 1 and report.compacted_rows >= 1
    with platform.db.session() as session:
        kinds = sorted(session.scalars(select(StreamPart.kind).where(
            StreamPart.day == day_of(at(10, 0)))))
    assert kinds == ["per-dag", "per-kwartier", "per-uur"]  # one file each, no raw left
