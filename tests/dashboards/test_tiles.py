"""Tiles read through the gate, the query engine and the hot store: a tile over restricted
data is empty for the public and filled for staff; a KPI compares with the same moment a week
before; a tile over data that does not exist yet says so, never fails."""

from __future__ import annotations

from belfort.dashboards.spec import parse_spec
from belfort.dashboards.tiles import TileData, tile_data
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, Principal, Role
from belfort.streams.model import now_us
from tests.dashboards.conftest import INTERNAL_DATASET, OPEN_DATASET, Sensors, observe

STAFF = Principal(Role.ADMIN, "k1", "staff")
HOUR = 3_600_000_000


def one_tile(text: str) -> object:
    return parse_spec("title: T\ntiles:\n  - " + text).tiles[0]


def test_a_dataset_tile_runs_its_query_through_the_gate_and_the_engine(demo: Platform) -> None:
    tile = one_tile("{id: g, type: bars, title: G, dataset: bezetting-parkeergarages-demo, "
                    "query: {select: 'garage, max(capaciteit) as cap', group_by: garage, "
                    "order_by: garage}, x: garage, y: cap, thresholds: [{upto: 500, colour: "
                    "green, label: klein}, {colour: red, label: groot}]}")
    data = tile_data(demo, ANONYMOUS, tile)  # type: ignore[arg-type]
    assert data.state == "ok"
    assert len(data.rows) == 12 and all(isinstance(r["y"], float) for r in data.rows)
    assert [r["x"] for r in data.rows] == sorted(r["x"] for r in data.rows)
    assert {r["level"]["label"]["nl"] for r in data.rows} <= {"klein", "groot"}
    small = [r for r in data.rows if r["y"] <= 500]
    assert all(r["level"]["colour"] == "green" for r in small)


def test_a_tile_over_an_internal_dataset_is_empty_for_the_public(demo: Platform) -> None:
    tile = one_tile(f"{{id: m, type: table, title: M, dataset: {INTERNAL_DATASET}, "
                    "query: {limit: 5}}")
    public = tile_data(demo, ANONYMOUS, tile)  # type: ignore[arg-type]
    staff = tile_data(demo, STAFF, tile)  # type: ignore[arg-type]
    assert staff.state == "ok" and len(staff.rows) == 5 and staff.columns
    assert public.state == "empty" and public.rows == [] and public.columns == []
    # the same empty tile as a dataset that does not exist: nothing tells them apart
    missing = tile_data(demo, ANONYMOUS, one_tile(  # type: ignore[arg-type]
        "{id: m, type: table, title: M, dataset: no-such-dataset}"))
    assert public.to_dict() == missing.to_dict()


def test_a_crowd_gauge_over_a_dataset_that_is_not_there_yet_is_empty(demo: Platform) -> None:
    tile = one_tile("{id: d, type: gauge, title: D, dataset: druktebarometer-info, "
                    "value: status_druktemeter}")
    data = tile_data(demo, STAFF, tile)  # type: ignore[arg-type]
    assert data.state == "empty" and data.value is None


def test_a_query_the_engine_refuses_is_an_empty_tile_with_the_reason_for_staff(demo: Platform
                                                                            ) -> None:
    tile = one_tile("{id: g, type: table, title: G, dataset: bezetting-parkeergarages-demo, "
                    "query: {select: no_such_field}}")
    staff = tile_data(demo, STAFF, tile)  # type: ignore[arg-type]
    public = tile_data(demo, ANONYMOUS, tile)  # type: ignore[arg-type]
    assert staff.state == "empty" and staff.problem and "no_such_field" in staff.problem
    assert public.state == "empty" and public.problem is None


def test_a_kpi_over_a_stream_compares_with_the_same_moment_last_week(
        platform: Platform, sensor: Sensors, demo: Platform) -> None:
    device = sensor("fiets-1")
    now = now_us()
    observe(platform, device, now - 7 * 24 * HOUR - HOUR, 80)  # a week and an hour ago
    observe(platform, device, now - 7 * 24 * HOUR + HOUR, 999)  # after "a week ago": not it
    observe(platform, device, now - 60_000_000, 100)
    tile = one_tile("{id: k, type: kpi, title: K, stream: fiets-1, thresholds: [{upto: 90, "
                    "colour: green, label: rustig}, {colour: red, label: druk}]}")
    data = tile_data(platform, ANONYMOUS, tile)  # type: ignore[arg-type]
    assert (data.state, data.value, data.previous, data.trend) == ("ok", 100, 80, 25.0)
    assert data.level == {"colour": "red", "label": {"nl": "druk", "en": None}}
    assert data.unit == "fietsers" and data.time is not None and data.time.endswith("Z")


def test_a_line_over_a_stream_holds_the_window_in_time_order(
        platform: Platform, sensor: Sensors, demo: Platform) -> None:
    device = sensor("fiets-1")
    now = now_us()
    for minutes, value in ((300, 1), (90, 2), (30, 3), (5, 4)):
        observe(platform, device, now - minutes * 60_000_000, value)
    tile = one_tile("{id: l, type: line, title: L, stream: fiets-1, hours: 2}")
    data = tile_data(platform, ANONYMOUS, tile)  # type: ignore[arg-type]
    assert [r["y"] for r in data.rows] == [2, 3, 4] and data.value == 4


def test_sensors_of_a_restricted_dataset_are_hidden_from_the_public(platform: Platform,
                                                                    sensor: Sensors,
                                                                    demo: Platform) -> None:
    observe(platform, sensor("open-1", dataset_id=OPEN_DATASET), now_us() - 1_000_000, 5)
    observe(platform, sensor("intern-1", dataset_id=INTERNAL_DATASET), now_us() - 1_000_000, 7)
    tile = one_tile("{id: k, type: map, title: K, sensors: '*'}")
    public = tile_data(platform, ANONYMOUS, tile)  # type: ignore[arg-type]
    staff = tile_data(platform, STAFF, tile)  # type: ignore[arg-type]
    assert [p["id"] for p in public.points] == ["open-1"]
    assert [p["id"] for p in staff.points] == ["intern-1", "open-1"]
    assert public.points[0]["value"] == 5 and public.points[0]["lon"] == 3.72
    stream = one_tile("{id: s, type: kpi, title: S, stream: intern-1}")
    assert tile_data(platform, ANONYMOUS, stream).state == "empty"  # type: ignore[arg-type]
    assert tile_data(platform, STAFF, stream).value == 7  # type: ignore[arg-type]


def test_a_stream_of_an_unknown_sensor_is_empty(platform: Platform) -> None:
    data = tile_data(platform, STAFF, one_tile(  # type: ignore[arg-type]
        "{id: s, type: kpi, title: S, stream: nobody}"))
    assert data == TileData("s", "kpi")


def test_a_stream_tile_still_has_its_history_after_compaction(platform: Platform,
                                                              sensor: Sensors) -> None:
    """Observations older than the hot store keeps are read from the sensor's live dataset
    (hot store and compacted files as one), through the gate and the engine — a week back
    when the live window holds a week and a bit (BELFORT_LIVE_WINDOW_DAYS)."""
    from belfort.streams.compaction import compact
    from belfort.streams.live_catalog import sync

    platform.settings.live_window_days = 8

    device = sensor("fiets-1", dataset_id="sensorwaarnemingen")
    now = now_us()
    observe(platform, device, now - 7 * 24 * HOUR - HOUR, 80)
    for hours in (20, 10, 5):
        observe(platform, device, now - hours * HOUR, hours)
    observe(platform, device, now - 60_000_000, 100)
    sync(platform, force=True)  # the live dataset's catalogue row (the server does it every 2 s)
    compact(platform)  # everything older than BELFORT_STREAM_HOT_HOURS leaves the hot store
    from tests.streams.test_compaction import hot_count

    assert hot_count(platform) <= 2
    kpi = tile_data(platform, ANONYMOUS, one_tile(  # type: ignore[arg-type]
        "{id: k, type: kpi, title: K, stream: fiets-1}"))
    assert (kpi.value, kpi.previous, kpi.trend) == (100, 80, 25.0)
    line = tile_data(platform, ANONYMOUS, one_tile(  # type: ignore[arg-type]
        "{id: l, type: line, title: L, stream: fiets-1, hours: 24}"))
    assert [r["y"] for r in line.rows] == [20, 10, 5, 100]
