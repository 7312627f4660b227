"""Compaction (hot store → partitioned Parquet in the lake), retention and rollups: the same
answers before and after, nothing lost or duplicated by a crash at any point, rollup values
as computed by hand — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from belfort.app import create_app
from belfort.catalog.models import Observation, StreamPart
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams import compaction
from belfort.streams.compaction import collect_unrecorded, compact, day_span, take_lease
from belfort.streams.model import ObservationIn, now_us, to_us
from belfort.streams.sensors import devices
from tests.conftest import TEST_BASE
from tests.streams.test_live_datasets import V1, register, send

MINUTE = 60_000_000
HOUR = 60 * MINUTE
DAY = 24 * HOUR


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    live_refresh_seconds=0, stream_hot_hours=1, stream_retention_days=2,
                    stream_rollup_retention_days=5, live_window_days=30)


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform)) as c:
        yield c


def hot_count(platform: Platform) -> int:
    with platform.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Observation)) or 0)


def parts(platform: Platform, kind: str = "raw") -> int:
    with platform.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(StreamPart)
                                  .where(StreamPart.kind == kind)) or 0)


def all_values(client: TestClient, dataset: str = "sensorwaarnemingen") -> list[Any]:
    answer = client.get("/api/belfort/v1/datasets/" + dataset + "/exports/json")
    assert answer.status_code == 200, answer.text
    return sorted((r["tijdstip"], r["waarde"]) for r in answer.json())


def kept_rows(platform: Platform) -> int:
    """Rows the hot store keeps whatever their age: SQLite's newest (its id would be reused)."""
    return 1 if platform.db.engine.dialect.name == "sqlite" else 0


def test_compaction_keeps_the_same_answers_and_empties_the_hot_store(
        platform: Platform, client: TestClient) -> None:
    credential = register(platform)
    now = now_us()
    old = [(now - 30 * HOUR + i * 7 * MINUTE, float(i)) for i in range(40)]  # over two days
    send(platform, credential, "korenmarkt-1", old)
    before = all_values(client)
    v1_before = client.get(V1).json()
    report = compact(platform)
    assert report.compacted_rows == 40 - kept_rows(platform) and report.parts_written >= 1
    assert hot_count(platform) == kept_rows(platform)
    assert all_values(client) == before
    assert client.get(V1).json()["records"] == v1_before["records"]
    # recent ones stay hot; both answer as one
    send(platform, credential, "korenmarkt-1", [(now - 5 * MINUTE, 500.0)])
    assert compact(platform).compacted_rows == kept_rows(platform)
    assert hot_count(platform) == 1
    assert len(all_values(client)) == 41
    assert client.get(V1).json()["records"][0]["fields"]["waarde"] == 500.0


def test_a_crash_between_the_file_and_its_record_loses_and_duplicates_nothing(
        platform: Platform, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    credential = register(platform)
    start = now_us() - 5 * HOUR
    zone = platform.settings.stream_day_timezone
    while compaction.day_of(start, zone) != compaction.day_of(start + 10 * MINUTE, zone):
        start -= 15 * MINUTE  # all ten in one city day: across its midnight they make two files
    send(platform, credential, "korenmarkt-1", [(start + i * MINUTE, float(i)) for i in range(10)])
    before = all_values(client)

    def crash(_path: Path) -> None:
        raise RuntimeError("killed after the file was written")

    monkeypatch.setattr(compaction, "after_file_written", crash)
    with pytest.raises(RuntimeError):
        compact(platform)
    assert hot_count(platform) == 10 and parts(platform) == 0
    assert all_values(client) == before  # the unrecorded file is never read

    def crash_in_transaction(_session: object) -> None:
        raise RuntimeError("killed inside the recording transaction")

    monkeypatch.setattr(compaction, "after_file_written", lambda _path: None)
    monkeypatch.setattr(compaction, "_bump", crash_in_transaction)
    with pytest.raises(RuntimeError):
        compact(platform)
    assert hot_count(platform) == 10 and parts(platform) == 0
    assert all_values(client) == before

    monkeypatch.undo()
    compact(platform)
    assert hot_count(platform) == kept_rows(platform) and parts(platform) == 1
    assert all_values(client) == before
    # the two crashed runs' files are garbage: recorded nowhere, removed
    assert len(collect_unrecorded(platform, "sensorwaarnemingen", min_age_seconds=0)) == 2
    assert all_values(client) == before


def test_a_resend_after_compaction_is_not_a_duplicate(platform: Platform,
                                                      client: TestClient) -> None:
    credential = register(platform)
    now = now_us()
    values = [(now - 3 * HOUR + i * MINUTE, float(i)) for i in range(5)]
    send(platform, credential, "korenmarkt-1", values)
    compact(platform)
    before = all_values(client)
    device = devices(platform).authenticate(credential, "korenmarkt-1", "http")
    from belfort.streams.write import write_observations
    write_observations(platform, device, [ObservationIn("korenmarkt-1", "count", at, v)
                                          for at, v in values])
    assert all_values(client) == before
    report = compact(platform)
    assert report.dropped_duplicates == (3 if kept_rows(platform) else 5)
    assert all_values(client) == before


def _at(day: dt.date, hour: int, minute: int) -> int:
    return to_us(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.timezone.utc))


def test_rollups_are_right_and_survive_retention(platform: Platform, client: TestClient) -> None:
    credential = register(platform)
    day = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)).date()
    device = devices(platform).authenticate(credential, "korenmarkt-1", "http")
    from belfort.streams.write import write_observations
    items = [ObservationIn("korenmarkt-1", "count", _at(day, 10, 0), 10.0),
             ObservationIn("korenmarkt-1", "count", _at(day, 10, 5), 20.0, weight=0.5),
             ObservationIn("korenmarkt-1", "count", _at(day, 10, 20), 30.0, weight=1.0),
             ObservationIn("korenmarkt-1", "count", _at(day, 11, 10), 40.0)]
    assert write_observations(platform, device, items).stored == 4
    send(platform, credential, "korenmarkt-1", [(now_us() - MINUTE, 1.0)])  # today, stays

    def rollups(kind: str) -> list[tuple[Any, ...]]:
        rows = client.get(f"/api/belfort/v1/datasets/sensorwaarnemingen-{kind}/exports/json")
        assert rows.status_code == 200, rows.text
        return [(r["periode_start"][11:16], r["aantal"], r["som"], r["gemiddelde"], r["minimum"],
                 r["maximum"], None if r["gewogen_gemiddelde"] is None
                 else round(r["gewogen_gemiddelde"], 6), r["gemiddelde_uptime"])
                for r in rows.json() if r["periode_start"].startswith(day.isoformat())
                or r["periode_start"] == city_midnight]

    # the per-day row starts at the city's midnight (Europe/Brussels), 22:00 or 23:00 UTC
    city_midnight = dt.datetime.fromtimestamp(day_span(day.isoformat())[0] / 1e6,
                                              dt.timezone.utc).isoformat()

    expected = {
        "per-kwartier": [("10:00", 2, 30.0, 15.0, 10.0, 20.0, 20.0, 0.5),
                         ("10:15", 1, 30.0, 30.0, 30.0, 30.0, 30.0, 1.0),
                         ("11:00", 1, 40.0, 40.0, 40.0, 40.0, None, None)],
        "per-uur": [("10:00", 3, 60.0, 20.0, 10.0, 30.0, round(40 / 1.5, 6), 0.75),
                    ("11:00", 1, 40.0, 40.0, 40.0, 40.0, None, None)],
        "per-dag": [(city_midnight[11:16], 4, 100.0, 25.0, 10.0, 40.0, round(40 / 1.5, 6),
                     0.75)],
    }
    for kind, rows in expected.items():
        assert rollups(kind) == rows, kind  # from the hot store
    report = compact(platform)  # older than the retention of raw observations (2 days)
    assert report.rolled_up_days == 1
    assert parts(platform, "raw") == 0 and parts(platform, "per-uur") == 1
    for kind, rows in expected.items():
        assert rollups(kind) == rows, kind  # from the kept rollup files
    assert [v for _t, v in all_values(client)] == [1.0]  # the raw ones are gone
    record = client.get("/api/records/1.0/search/?dataset=sensorwaarnemingen-per-uur&rows=1")
    assert record.json()["records"][0]["fields"]["locatie"] == [51.0545, 3.7215]

    compact(platform, now_us=now_us() + 4 * DAY)  # rollups older than 5 days go too
    with platform.db.session() as session:
        assert session.scalar(select(func.count()).select_from(StreamPart).where(
            StreamPart.day == day.isoformat())) == 0
    for kind in expected:
        assert rollups(kind) == []


def test_one_compactor_at_a_time(platform: Platform) -> None:
    register(platform)
    assert take_lease(platform, "another-process", seconds=1.0)
    assert compact(platform).skipped
    # a lease left by a crashed process expires (by the database's clock)
    time.sleep(1.1)
    assert not compact(platform).skipped
