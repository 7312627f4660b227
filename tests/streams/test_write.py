"""The one write path: per-item checks, durable inserts without duplicates, the rate limit,
device authentication with recorded refusals — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from belfort.catalog.models import DeviceRefusal, Observation
from belfort.errors import DeviceRateLimited, DeviceRefused, SensorInvalid
from belfort.platform import Platform
from belfort.streams.model import ItemProblem, ObservationIn, now_us, parse_time
from belfort.streams.read import high_water, sensor_observations
from belfort.streams.sensors import SensorSpec, devices, register_sensor, revoke_sensor
from belfort.streams.write import write_observations

HOUR = 3_600_000_000


def _register(platform: Platform, sensor_id: str = "korenmarkt-1", **extra: object) -> str:
    spec = SensorSpec(sensor_id, "Korenmarkt", "passantenteller", "count",
                      min_value=0, max_value=10_000, **extra)  # type: ignore[arg-type]
    with platform.db.session() as session:
        return register_sensor(session, spec).credential


def test_a_batch_is_stored_once_and_a_resend_is_a_duplicate(platform: Platform) -> None:
    credential = _register(platform)
    device = devices(platform).authenticate(credential, "korenmarkt-1", "http")
    start = now_us() - 10 * HOUR
    items = [ObservationIn("korenmarkt-1", "count", start + i * HOUR, float(i * 10))
             for i in range(5)]
    first = write_observations(platform, device, items)
    assert (first.stored, first.duplicates, first.problems) == (5, 0, [])
    again = write_observations(platform, device, items + items[:1])
    assert (again.stored, again.duplicates) == (0, 6)
    with platform.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Observation)) == 5
    back = sensor_observations(platform, "korenmarkt-1")
    assert [o.value for o in back] == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert high_water(platform) >= 5


def test_bad_items_are_refused_one_by_one_and_good_ones_kept(platform: Platform) -> None:
    credential = _register(platform)
    device = devices(platform).authenticate(credential, None, "http")
    now = now_us()
    items: list[ObservationIn | ItemProblem] = [
        ObservationIn("korenmarkt-1", "count", now - HOUR, 12.0),
        ObservationIn("korenmarkt-1", "count", now + 24 * HOUR, 1.0),  # future
        ObservationIn("korenmarkt-1", "count", now - 3000 * 24 * HOUR, 1.0),  # too old
        ObservationIn("other-sensor", "count", now - HOUR, 1.0),  # not this device's
        ObservationIn("korenmarkt-1", "count", now - 2 * HOUR, 99_999.0),  # out of range
        ItemProblem(5, "bad_json", "not an object"),
        ObservationIn("korenmarkt-1", "<script>", now - 3 * HOUR, 1.0),
    ]
    result = write_observations(platform, device, items)
    assert result.stored == 2 and result.suspect == 1
    assert [(p.index, p.code) for p in result.problems] == [
        (1, "time_in_future"), (2, "time_too_old"), (3, "other_sensor"), (5, "bad_json"),
        (6, "bad_property")]
    stored = {o.value: o.quality for o in sensor_observations(platform, "korenmarkt-1")}
    assert stored == {12.0: "ok", 99_999.0: "suspect"}


def test_unknown_and_revoked_devices_are_refused_and_recorded(platform: Platform) -> None:
    credential = _register(platform)
    with pytest.raises(DeviceRefused):
        devices(platform).authenticate("bfd_made-up", "korenmarkt-1", "mqtt")
    with pytest.raises(DeviceRefused):
        devices(platform).authenticate(credential, "another-device", "http")
    with platform.db.session() as session:
        revoke_sensor(session, "korenmarkt-1")
    devices(platform).forget()
    with pytest.raises(DeviceRefused):
        devices(platform).authenticate(credential, "korenmarkt-1", "http")
    with platform.db.session() as session:
        reasons = {(r.channel, r.reason): r.count for r in session.scalars(select(DeviceRefusal))}
    assert reasons == {("mqtt", "unknown_or_revoked"): 1, ("http", "credential_of_other_device"): 1,
                       ("http", "unknown_or_revoked"): 1}


def test_a_flooding_device_is_refused_whole_and_others_go_on(tmp_path: object) -> None:
    from pathlib import Path

    from belfort.settings import Settings

    platform = Platform(Settings(data_dir=Path(str(tmp_path)), stream_device_rate=10))
    try:
        loud = devices(platform).authenticate(_register(platform, "loud"), "loud", "http")
        quiet = devices(platform).authenticate(_register(platform, "quiet"), "quiet", "http")
        start = now_us() - 200 * HOUR
        burst = [ObservationIn("loud", "count", start + i * HOUR, 1.0) for i in range(100)]
        assert write_observations(platform, loud, burst).stored == 100  # the burst allowance
        with pytest.raises(DeviceRateLimited):
            write_observations(platform, loud, [ObservationIn("loud", "count", start - HOUR, 1)])
        ok = write_observations(platform, quiet, [ObservationIn("quiet", "count", start, 1.0)])
        assert ok.stored == 1
    finally:
        platform.close()


@pytest.mark.parametrize("bad", ["", "x" * 101, "a b", "../etc", "<b>"])
def test_sensor_ids_are_checked(platform: Platform, bad: str) -> None:
    with pytest.raises(SensorInvalid):
        _register(platform, bad)


@pytest.mark.parametrize("text,expected", [
    ("2026-01-01T00:00:00Z", 1_767_225_600_000_000),
    ("2026-01-01T01:00:00+01:00", 1_767_225_600_000_000),
    (1_767_225_600, 1_767_225_600_000_000),
    (1_767_225_600_000, 1_767_225_600_000_000),
])
def test_times_are_read_in_their_common_forms(text: object, expected: int) -> None:
    assert parse_time(text) == expected
