"""``POST /iot/json``: FIWARE IoT Agent JSON measures over HTTP — stored and answered once
durable, per-attribute errors, refused devices (401, recorded), bad bodies (400, 413, 415)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import DeviceRefusal
from belfort.platform import Platform
from belfort.streams.model import from_us, now_us
from belfort.streams.read import sensor_observations
from belfort.streams.sensors import SensorSpec, register_sensor, revoke_sensor

HOUR = 3_600_000_000


@pytest.fixture
def key(platform: Platform) -> str:
    with platform.db.session() as session:
        return register_sensor(session, SensorSpec("weer-1", "Weerstation", "weer", "temperature",
                                                   min_value=-40, max_value=60)).credential


def _iso(us: int) -> str:
    return from_us(us).isoformat().replace("+00:00", "Z")


def _post(client: TestClient, key: str, body: object, device: str = "weer-1",
          **params: str) -> object:
    return client.post("/iot/json", params={"k": key, "i": device, **params},
                       content=body if isinstance(body, bytes) else json.dumps(body),
                       headers={"Content-Type": "application/json"})


def test_measures_are_stored_with_their_time_instant(client: TestClient, platform: Platform,
                                                     key: str) -> None:
    stamp = now_us() - HOUR
    answer = _post(client, key, {"temperature": 21.5, "humidity": "40", "wind": "hard",
                                 "TimeInstant": _iso(stamp)})
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    body = answer.json()  # type: ignore[attr-defined]
    assert (body["stored"], body["refused"]) == (2, 1)
    assert body["errors"] == [{"index": 2, "error": "bad_value", "attribute": "wind",
                               "message": "attribute 'wind' is not a number: 'hard'"}]
    stored = {(o.property, o.value, o.phenomenon_us) for o in
              sensor_observations(platform, "weer-1")}
    assert stored == {("temperature", 21.5, stamp), ("humidity", 40.0, stamp)}
    again = _post(client, key, {"temperature": 21.5, "TimeInstant": _iso(stamp)})
    assert again.json()["duplicates"] == 1  # type: ignore[attr-defined]


def test_the_t_parameter_or_the_receive_time_is_the_phenomenon_time(
        client: TestClient, platform: Platform, key: str) -> None:
    stamp = now_us() - 2 * HOUR
    assert _post(client, key, {"temperature": 1}, t=_iso(stamp)).status_code == 200  # type: ignore[attr-defined]
    before = now_us()
    assert _post(client, key, {"temperature": 2}).status_code == 200  # type: ignore[attr-defined]
    times = {o.value: o.phenomenon_us for o in sensor_observations(platform, "weer-1")}
    assert times[1.0] == stamp and before <= times[2.0] <= now_us()
    bad = _post(client, key, {"temperature": 3}, t="yesterday")
    assert bad.status_code == 400 and bad.json()["error"] == "measures_invalid"  # type: ignore[attr-defined]


def test_unknown_revoked_and_other_devices_are_refused_and_recorded(
        client: TestClient, platform: Platform, key: str) -> None:
    assert _post(client, "bfd_made-up", {"temperature": 1}).status_code == 401  # type: ignore[attr-defined]
    assert _post(client, key, {"temperature": 1}, device="weer-2").status_code == 401  # type: ignore[attr-defined]
    with platform.db.session() as session:
        revoke_sensor(session, "weer-1")
    from belfort.streams.sensors import devices

    devices(platform).forget()
    refused = _post(client, key, {"temperature": 1})
    assert refused.status_code == 401 and refused.json()["error"] == "device_refused"  # type: ignore[attr-defined]
    assert sensor_observations(platform, "weer-1") == []
    with platform.db.session() as session:
        reasons: Counter[tuple[str, str, str]] = Counter()
        for row in session.scalars(select(DeviceRefusal)):  # rows per minute: summed
            reasons[(row.device, row.channel, row.reason)] += row.count
    assert reasons == {("weer-1", "fiware-http", "unknown_or_revoked"): 2,
                       ("weer-2", "fiware-http", "credential_of_other_device"): 1}
    assert client.post("/iot/json", params={"i": "weer-1"}, json={"t": 1}).status_code == 400


@pytest.mark.parametrize(("body", "reason"), [
    (b"{not json", "not_json"),
    (b"", "not_json"),
    (b"[1, 2]", "not_an_object"),
    (b'"<script>alert(1)</script>"', "not_an_object"),
    (b"{}", "no_attributes"),
    (b'{"TimeInstant": "2026-01-01T00:00:00Z"}', "no_attributes"),
    (b"\x00\xff\xfe", "not_json"),
    (b"[" * 100_000 + b"]" * 100_000, "not_json"),
])
def test_bad_bodies_are_400_and_store_nothing(client: TestClient, platform: Platform, key: str,
                                              body: bytes, reason: str) -> None:
    answer = _post(client, key, body)
    assert answer.status_code == 400, answer.text  # type: ignore[attr-defined]
    assert answer.json()["error"] == "measures_invalid"  # type: ignore[attr-defined]
    assert answer.json()["reason"] == reason  # type: ignore[attr-defined]
    assert sensor_observations(platform, "weer-1") == []


def test_hostile_attribute_names_are_refused_one_by_one(client: TestClient, platform: Platform,
                                                        key: str) -> None:
    answer = _post(client, key, {"<img src=x onerror=alert(1)>": 1, "temp\u0000": 2,
                                 "temperature": 3})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")  # type: ignore[attr-defined]
    assert [(e["index"], e["error"]) for e in answer.json()["errors"]] == [  # type: ignore[attr-defined]
        (0, "bad_property"), (1, "bad_property")]
    assert [o.value for o in sensor_observations(platform, "weer-1")] == [3.0]


def test_other_media_types_are_415_and_oversized_bodies_413(
        client: TestClient, platform: Platform, key: str) -> None:
    text = client.post("/iot/json", params={"k": key, "i": "weer-1"},
                       content=b"t|15", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415 and text.json()["error"] == "unsupported_media_type"
    form = client.post("/iot/json", params={"k": key, "i": "weer-1"}, data={"temperature": "1"})
    assert form.status_code == 415
    huge = {f"a{i}": i for i in range(platform.settings.stream_max_batch + 1)}
    assert _post(client, key, huge).status_code == 413  # type: ignore[attr-defined]
    limit = int(platform.settings.stream_max_body_mb * 1024 * 1024)
    padded = b'{"temperature": 1, "pad": "' + b"x" * limit + b'"}'
    answer = _post(client, key, padded)
    assert answer.status_code == 413 and answer.json()["error"] == "batch_too_large"  # type: ignore[attr-defined]
    assert sensor_observations(platform, "weer-1") == []
