"""What the live push is built on: a mark read from the database, so a write by any process
is seen by every other; tiles computed once per change and shared by every stream; only the
tiles that changed are sent."""

from __future__ import annotations

from belfort.dashboards import live
from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS
from belfort.settings import Settings
from belfort.streams.model import now_us
from belfort.streams.sensors import Device
from tests.dashboards.conftest import Sensors, observe

SPEC = """
title: T
tiles:
  - {id: fiets, type: kpi, title: Fiets, stream: fiets-1}
  - {id: garages, type: table, title: G, dataset: bezetting-parkeergarages-demo, query: {limit: 2}}
"""


def test_a_write_in_another_process_changes_the_mark_and_the_tile(
        demo: Platform, settings: Settings, sensor: Sensors) -> None:
    sensor("fiets-1")
    with demo.db.session() as session:
        save_dashboard(session, "t", SPEC)
    before = live.mark(demo, "t")
    shots = live.snapshots(demo)
    old = shots.tiles(ANONYMOUS, "t", before)
    assert old["fiets"]["state"] == "empty"
    writer = Platform(settings)  # another process: its own engine, caches and components
    try:
        device = Device("fiets-1", "telpunten-drukte-gent", "count", None, None)
        observe(writer, device, now_us() - 1_000_000, 12)
    finally:
        writer.close()
    after = live.mark(demo, "t")
    assert after.high_water > before.high_water and after.revision == before.revision
    assert shots.tiles(ANONYMOUS, "t", before) is old  # the old mark keeps its tiles
    new = shots.tiles(ANONYMOUS, "t", after)
    assert new["fiets"]["value"] == 12
    assert list(live.changed(old, new)) == ["fiets"]  # the table did not change
    assert shots.tiles(ANONYMOUS, "t", after) is new  # kept: one computation per change


def test_an_edit_changes_the_mark(demo: Platform) -> None:
    with demo.db.session() as session:
        save_dashboard(session, "t", SPEC)
    before = live.mark(demo, "t")
    with demo.db.session() as session:
        save_dashboard(session, "t", SPEC.replace("title: T", "title: U"))
    assert live.mark(demo, "t").revision == before.revision + 1


def test_a_forecast_made_in_another_process_changes_the_mark(
        demo: Platform, settings: Settings) -> None:
    """A forecast refresh (the upkeep process writes the forecasts) is pushed to open
    dashboards like new observations: the mark moves, the revision does not."""
    from belfort.catalog.models import TwinForecast

    with demo.db.session() as session:
        save_dashboard(session, "t", SPEC)
    before = live.mark(demo, "t")
    writer = Platform(settings)
    try:
        with writer.db.session() as session:
            session.add(TwinForecast(kind="zone", subject="korenmarkt", origin_us=now_us(),
                                     model_version="m1", made_us=now_us(),
                                     points={"point": [1.0], "lower": [0.0], "upper": [2.0]}))
    finally:
        writer.close()
    after = live.mark(demo, "t")
    assert after.forecasts > before.forecasts and not after.same_data(before)
    assert (after.high_water, after.revision) == (before.high_water, before.revision)


def test_changed_sends_everything_first() -> None:
    now = {"a": {"v": 1}, "b": {"v": 2}}
    assert live.changed(None, now) == now
    assert live.changed(now, {"a": {"v": 1}, "b": {"v": 3}}) == {"b": {"v": 3}}
    assert live.changed(now, dict(now)) == {}


def test_stream_slots_are_bounded(platform: Platform) -> None:
    slots = live.StreamSlots(platform)
    slots.limit = 2
    assert slots.take() and slots.take() and not slots.take()
    slots.give_back()
    assert slots.take()
