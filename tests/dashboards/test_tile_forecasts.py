"""A tile's forecast beside its live value (``forecast:`` in a tile's spec): the spec is
checked with the field's path, a zone's, a sensor's and every zone's forecast come with the
model that made it and the link to its page, a sensor the viewer may not read answers as one
that does not exist, and when there is no forecast the tile says why."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from belfort.catalog.models import Sensor
from belfort.dashboards.forecasts import (
    NO_SENSOR,
    NOT_SERVED,
    ForecastReader,
    set_forecast_reader,
)
from belfort.dashboards.spec import FORECAST_HOURS, ForecastRef, parse_spec
from belfort.dashboards.tiles import tile_data
from belfort.errors import DashboardInvalid
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, Principal, Role
from belfort.twin.forecasting import serving
from belfort.twin.forecasting.source import forecast_dict, zone_names
from tests.dashboards.conftest import INTERNAL_DATASET
from tests.twin.conftest import make_zone
from tests.twin.forecasting.helpers import trained_city

STAFF = Principal(Role.ADMIN, "k1", "staff")


def one_tile(text: str) -> object:
    return parse_spec("title: T\ntiles:\n  - " + text).tiles[0]


def _problems(text: str) -> list[dict[str, str]]:
    with pytest.raises(DashboardInvalid) as caught:
        one_tile(text)
    return caught.value.details["problems"]


def _install(platform: Platform) -> None:
    set_forecast_reader(platform, ForecastReader(forecast_dict, zone_names))


def test_the_forecast_field_is_checked_with_its_path() -> None:
    tile = one_tile("{id: k, type: kpi, title: K, stream: TP00, forecast: {sensor: TP00}}")
    assert tile.forecast == ForecastRef("sensor", "TP00", FORECAST_HOURS)  # type: ignore[attr-defined]
    tile = one_tile("{id: k, type: gauge, title: K, stream: s, forecast: {zone: korenmarkt, "
                    "hours: 48}}")
    assert tile.forecast == ForecastRef("zone", "korenmarkt", 48)  # type: ignore[attr-defined]
    tile = one_tile("{id: k, type: table, title: K, sensors: '*', forecast: {zones: '*'}}")
    assert tile.forecast == ForecastRef("zones", "*", FORECAST_HOURS)  # type: ignore[attr-defined]
    for bad, path, words in [
        ("forecast: korenmarkt", "tiles[0].forecast", "a mapping"),
        ("forecast: {}", "tiles[0].forecast", "exactly one of"),
        ("forecast: {zone: a, sensor: b}", "tiles[0].forecast", "exactly one of"),
        ("forecast: {zones: korenmarkt}", "tiles[0].forecast.zones", "'*'"),
        ("forecast: {zone: '../etc'}", "tiles[0].forecast.zone", "a zone id"),
        ("forecast: {zone: '" + "a" * 101 + "'}", "tiles[0].forecast.zone", "a zone id"),
        ("forecast: {sensor: '<script>'}", "tiles[0].forecast.sensor", "a sensor id"),
        ("forecast: {zone: k, hours: 0}", "tiles[0].forecast.hours", "1 to 48"),
        ("forecast: {zone: k, hours: 49}", "tiles[0].forecast.hours", "1 to 48"),
        ("forecast: {zone: k, hours: 2.5}", "tiles[0].forecast.hours", "1 to 48"),
        ("forecast: {zone: k, hours: true}", "tiles[0].forecast.hours", "1 to 48"),
        ("forecast: {zone: k, interval: 15min}", "tiles[0].forecast.interval", "unknown"),
    ]:
        found = _problems("{id: k, type: kpi, title: K, stream: s, " + bad + "}")
        assert any(p["path"] == path and words in p["message"] for p in found), (bad, found)


def test_zone_sensor_and_every_zone_forecasts_with_their_model(platform: Platform,
                                                               demo: Platform) -> None:
    made = trained_city(platform)
    version = str(made["version"])
    _install(platform)
    make_zone(platform, "graslei")  # a zone without counters: no forecast, with the reason
    serving.refresh(platform)
    zone = tile_data(platform, ANONYMOUS, one_tile(  # type: ignore[arg-type]
        "{id: z, type: gauge, title: Z, stream: TP00, forecast: {zone: korenmarkt, hours: 3}}"))
    fc = zone.forecast
    assert fc is not None and fc["withheld"] is None and fc["made"]
    assert fc["model"]["version"] == version
    assert fc["model"]["link"] == f"/voorspellingen/modellen/{version}"
    assert fc["model"]["accuracy"] and "degraded" in fc["model"]
    [series] = fc["series"]
    assert series["id"] == "korenmarkt" and series["name"] == "Korenmarkt"
    assert len(series["points"]) == 3
    assert all(0 <= p["lower"] <= p["forecast"] <= p["upper"] <= 100 for p in series["points"])
    assert zone.to_dict()["forecast"] == fc  # the API and the live stream carry it

    every = tile_data(platform, ANONYMOUS, one_tile(  # type: ignore[arg-type]
        "{id: a, type: table, title: A, sensors: '*', forecast: {zones: '*', hours: 2}}"))
    assert every.forecast is not None and every.forecast["withheld"] is None
    by_zone = {s["id"]: s for s in every.forecast["series"]}
    assert list(by_zone) == ["graslei", "korenmarkt"]
    assert len(by_zone["korenmarkt"]["points"]) == 2
    assert by_zone["graslei"]["points"] == [] and "no occupancy or passage counters" in \
        by_zone["graslei"]["withheld"]

    sensor = one_tile("{id: s, type: kpi, title: S, stream: TP00, forecast: {sensor: TP00}}")
    public = tile_data(platform, ANONYMOUS, sensor).forecast  # type: ignore[arg-type]
    assert public is not None and len(public["series"][0]["points"]) == FORECAST_HOURS
    assert public["series"][0]["unit"] == "count per hour"
    # a sensor feeding a dataset the public may not read: as a sensor that does not exist
    with platform.db.session() as session:
        session.execute(update(Sensor).where(Sensor.id == "TP00")
                        .values(dataset_id=INTERNAL_DATASET))
    hidden = tile_data(platform, ANONYMOUS, sensor).forecast  # type: ignore[arg-type]
    unknown = tile_data(platform, ANONYMOUS, one_tile(  # type: ignore[arg-type]
        "{id: s, type: kpi, title: S, stream: TP00, forecast: {sensor: nobody}}")).forecast
    assert hidden is not None and unknown is not None
    assert hidden["series"][0]["points"] == [] and hidden["withheld"] == NO_SENSOR
    assert hidden["model"] is None and unknown["withheld"] == NO_SENSOR
    staff = tile_data(platform, STAFF, sensor).forecast  # type: ignore[arg-type]
    assert staff is not None and len(staff["series"][0]["points"]) == FORECAST_HOURS


def test_without_a_model_or_a_reader_the_tile_says_why(platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    tile = one_tile("{id: z, type: gauge, title: Z, stream: s, forecast: {zone: korenmarkt}}")
    assert tile_data(platform, ANONYMOUS, tile).forecast == {  # type: ignore[arg-type]
        "kind": "zone", "hours": FORECAST_HOURS, "made": None, "model": None, "series": [],
        "withheld": NOT_SERVED}
    _install(platform)
    fc = tile_data(platform, ANONYMOUS, tile).forecast  # type: ignore[arg-type]
    assert fc is not None and fc["series"][0]["points"] == []
    assert "belfort twin train" in fc["withheld"] and fc["model"] is None
    plain = tile_data(platform, ANONYMOUS, one_tile(  # type: ignore[arg-type]
        "{id: z, type: gauge, title: Z, stream: s}"))
    assert plain.forecast is None and plain.to_dict()["forecast"] is None


def test_a_zone_s_forecast_is_kept_briefly_and_never_shared_mutably(platform: Platform) -> None:
    from sqlalchemy import func, select

    from belfort.catalog.models import TwinForecast
    from belfort.dashboards import forecasts

    trained_city(platform)
    _install(platform)
    tile = one_tile("{id: z, type: gauge, title: Z, stream: s, forecast: {zone: korenmarkt}}")
    first = tile_data(platform, ANONYMOUS, tile).forecast  # type: ignore[arg-type]
    assert first is not None and first["series"][0]["points"]
    first["series"].clear()  # a caller changing its answer does not change the kept one
    with platform.db.session() as session:  # changed in place: no newer forecast was made
        session.execute(update(TwinForecast).values(points=None, reason="gone"))
    kept = tile_data(platform, ANONYMOUS, tile).forecast  # type: ignore[arg-type]
    assert kept is not None and kept["series"][0]["points"]  # within KEEP_SECONDS
    slot = platform.component(forecasts._Slot, forecasts._Slot)
    slot.kept = {k: (0.0, v) for k, (_, v) in slot.kept.items()}  # expired
    fresh = tile_data(platform, ANONYMOUS, tile).forecast  # type: ignore[arg-type]
    assert fresh is not None and fresh["series"][0]["points"] == []

    # a refresh (a newer forecast made) is shown at once, kept or not
    serving.refresh(platform)
    with platform.db.session() as session:
        newest = session.scalar(select(func.max(TwinForecast.made_us)))
    assert newest == forecasts.newest_made(platform) > 0
    refreshed = tile_data(platform, ANONYMOUS, tile).forecast  # type: ignore[arg-type]
    assert refreshed is not None and refreshed["series"][0]["points"]
