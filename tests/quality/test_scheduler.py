"""The live datasets measured on a schedule: one process at a time (the twin's lease), the
live file profiled, timeliness from the newest observation received."""

from __future__ import annotations

from belfort.platform import Platform
from belfort.quality import store
from belfort.quality.scheduler import live_dataset_ids, measure_live
from belfort.streams import live_catalog
from belfort.streams.model import ObservationIn, now_us
from belfort.streams.sensors import SensorSpec, devices, register_sensor
from belfort.streams.write import write_observations

SENSOR = "teller-1"
LIVE = "tellingen-live"


def test_live_datasets_are_measured_by_one_holder(platform: Platform) -> None:
    with platform.db.session() as session:
        credential = register_sensor(
            session, SensorSpec(SENSOR, "Teller", "passanten", "count", dataset_id=LIVE)
        ).credential
    live_catalog.sync(platform, force=True)
    device = devices(platform).authenticate(credential, SENSOR, "test")
    stored = write_observations(platform, device, [ObservationIn(SENSOR, "count", now_us(), 7.0)])
    assert stored.stored == 1
    assert LIVE in live_dataset_ids(platform)
    measured = measure_live(platform, "proces-a")
    assert LIVE in measured
    assert measure_live(platform, "proces-b") == []  # the lease is held by proces-a
    with platform.db.session() as session:
        report = store.latest_report(session, LIVE)
        assert report is not None and report.trigger == "schedule"
        assert report.status == "ok", report.error
        assert report.timeliness["live"] is True and report.timeliness["on_time"] is True
        assert report.row_count is not None and report.row_count >= 1
