"""The MQTT bridge against a real mosquitto broker, with a paho-mqtt publisher: the FIWARE
IoT Agent JSON topics, Belfort's own topic, refused devices and malformed payloads (recorded,
acknowledged, never redelivered), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from belfort.catalog.models import DeviceRefusal, Observation
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import from_us, now_us
from belfort.streams.mqtt import MqttBridge
from belfort.streams.read import sensor_observations
from belfort.streams.sensors import SensorSpec, register_sensor, revoke_sensor
from tests.streams.conftest import BrokerInfo, Publisher

HOUR = 3_600_000_000


@pytest.fixture
def mqtt_platform(settings: Settings, mosquitto_broker: BrokerInfo) -> Iterator[Platform]:
    configured = settings.model_copy(update={
        "mqtt_url": mosquitto_broker.url, "mqtt_client_id": "bridge-test",
        "stream_max_body_mb": 0.01})  # 10 KiB: an oversized payload is easy to send
    platform = Platform(configured)
    try:
        yield platform
    finally:
        platform.close()


@pytest.fixture
def bridge(mqtt_platform: Platform) -> Iterator[MqttBridge]:
    running = MqttBridge(mqtt_platform)
    running.start()
    assert running.subscribed.wait(10), "the bridge did not subscribe"
    try:
        yield running
    finally:
        running.stop()


def _register(platform: Platform, sensor_id: str, prop: str = "count") -> str:
    with platform.db.session() as session:
        return register_sensor(session, SensorSpec(sensor_id, sensor_id, "test", prop,
                                                   min_value=0, max_value=1000)).credential


def _until(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _count(platform: Platform) -> int:
    with platform.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Observation)) or 0)


def _iso(us: int) -> str:
    return from_us(us).isoformat().replace("+00:00", "Z")


def test_fiware_attrs_topic_with_and_without_time_instant(
        mqtt_platform: Platform, bridge: MqttBridge, publisher: Publisher) -> None:
    key = _register(mqtt_platform, "weerstation-1", "temperature")
    stamp = now_us() - HOUR
    before = now_us()
    publisher.publish(f"/json/{key}/weerstation-1/attrs",
                      json.dumps({"temperature": 21.5, "humidity": "40", "TimeInstant":
                                  _iso(stamp)}))
    publisher.publish(f"/json/{key}/weerstation-1/attrs",
                      json.dumps({"temperature": 22, "status": "on fire", "pm10": 7}))
    _until(lambda: _count(mqtt_platform) == 4)
    stored = {(o.property, o.value): o.phenomenon_us
              for o in sensor_observations(mqtt_platform, "weerstation-1")}
    assert stored[("temperature", 21.5)] == stamp and stored[("humidity", 40.0)] == stamp
    received = stored[("temperature", 22.0)]
    assert before <= received <= now_us() and stored[("pm10", 7.0)] == received
    assert bridge.stats.item_problems == 1  # "status": not a number, the others kept


def test_fiware_single_attribute_topic(mqtt_platform: Platform, bridge: MqttBridge,
                                       publisher: Publisher) -> None:
    key = _register(mqtt_platform, "teller-2")
    publisher.publish(f"/json/{key}/teller-2/attrs/count", "17")
    publisher.publish(f"/json/{key}/teller-2/attrs/temperature", b'"3,5"')
    publisher.publish(f"/json/{key}/teller-2/attrs/count", "<script>alert(1)</script>")
    _until(lambda: _count(mqtt_platform) == 2)
    time.sleep(0.3)
    assert sorted((o.property, o.value) for o in sensor_observations(mqtt_platform, "teller-2")
                  ) == [("count", 17.0), ("temperature", 3.5)]
    assert bridge.stats.item_problems == 1


def test_native_topic(mqtt_platform: Platform, bridge: MqttBridge,
                      publisher: Publisher) -> None:
    key = _register(mqtt_platform, "korenmarkt-1")
    start = now_us() - 3 * HOUR
    items = [{"phenomenon_time": _iso(start + i * 60_000_000), "value": i} for i in range(5)]
    items.append({"phenomenon_time": _iso(start), "phenomenon_end": _iso(start + HOUR),
                  "property": "passages", "value": 80, "weight": 0.5})
    items.append({"phenomenon_time": _iso(start), "value": "many"})  # refused alone
    items.append({"sosa:madeBySensor": "https://stad.gent/id/sensor/korenmarkt-1",
                  "sosa:observedProperty": "temperature",
                  "sosa:phenomenonTime": _iso(start), "sosa:hasSimpleResult": 9.5})  # SOSA
    payload = json.dumps({"credential": key, "observations": items})
    publisher.publish("belfort/v1/sensors/korenmarkt-1/observations", payload)
    publisher.publish("belfort/v1/sensors/korenmarkt-1/observations", payload)  # a resend
    _until(lambda: bridge.stats.messages == 2)
    back = sensor_observations(mqtt_platform, "korenmarkt-1")
    assert sorted((o.property, o.value) for o in back) == [
        ("count", 0.0), ("count", 1.0), ("count", 2.0), ("count", 3.0), ("count", 4.0),
        ("passages", 80.0), ("temperature", 9.5)]
    passages = next(o for o in back if o.property == "passages")
    assert (passages.phenomenon_end_us, passages.weight) == (start + HOUR, 0.5)
    assert (bridge.stats.stored, bridge.stats.duplicates, bridge.stats.item_problems) == (7, 7, 2)


def test_refused_devices_are_recorded_and_not_stored(
        mqtt_platform: Platform, bridge: MqttBridge, publisher: Publisher) -> None:
    key = _register(mqtt_platform, "teller-1")
    other = _register(mqtt_platform, "teller-9")
    with mqtt_platform.db.session() as session:
        revoke_sensor(session, "teller-9")
    publisher.publish("/json/bfd_made-up/teller-1/attrs", '{"count": 1}')  # unknown key
    publisher.publish(f"/json/{key}/teller-3/attrs", '{"count": 2}')  # another device's key
    publisher.publish(f"/json/{other}/teller-9/attrs", '{"count": 3}')  # revoked
    publisher.publish("belfort/v1/sensors/teller-1/observations",
                      '{"observations": [{"value": 4}]}')  # no credential
    publisher.publish(f"/json/{key}/teller-1/attrs", '{"count": 5}')  # the one good one
    _until(lambda: bridge.stats.messages == 5)
    assert [o.value for o in sensor_observations(mqtt_platform, "teller-1")] == [5.0]
    assert _count(mqtt_platform) == 1
    with mqtt_platform.db.session() as session:
        reasons: Counter[tuple[str, str, str]] = Counter()
        for row in session.scalars(select(DeviceRefusal)):  # rows per minute: summed
            reasons[(row.device, row.channel, row.reason)] += row.count
    assert reasons == {("teller-1", "fiware-mqtt", "unknown_or_revoked"): 1,
                       ("teller-1", "mqtt", "no_credential"): 1,
                       ("teller-3", "fiware-mqtt", "credential_of_other_device"): 1,
                       ("teller-9", "fiware-mqtt", "unknown_or_revoked"): 1}


def test_malformed_payloads_are_recorded_acknowledged_and_not_redelivered(
        mqtt_platform: Platform, bridge: MqttBridge, publisher: Publisher) -> None:
    key = _register(mqtt_platform, "teller-1")
    bad = [
        (f"/json/{key}/teller-1/attrs", b"{not json"),
        (f"/json/{key}/teller-1/attrs", b"[1, 2, 3]"),
        (f"/json/{key}/teller-1/attrs", b"{}"),
        (f"/json/{key}/teller-1/attrs", b"\x00\xff\xfe"),
        (f"/json/{key}/teller-1/attrs", json.dumps({"count": 1, "pad": "x" * 20_000})),
        (f"/json/{key}/teller-1/attrs/count", b"9" * 20_000),
        ("belfort/v1/sensors/teller-1/observations", b'"just a string"'),
        ("belfort/v1/sensors/teller-1/observations", json.dumps({"credential": key})),
        ("belfort/v1/sensors/teller-1/observations",
         json.dumps({"credential": key, "observations": [{"value": 1}] * 20_000})[:10_000]),
    ]
    for topic, payload in bad:
        publisher.publish(topic, payload)
    publisher.publish(f"/json/{key}/teller-1/attrs",
                      json.dumps({"<img src=x onerror=alert(1)>": 1, "count\u0000": 2,
                                  "count": 3}))
    _until(lambda: bridge.stats.messages == len(bad) + 1)
    assert [o.value for o in sensor_observations(mqtt_platform, "teller-1")] == [3.0]
    with mqtt_platform.db.session() as session:
        totals: Counter[str] = Counter()
        for row in session.scalars(select(DeviceRefusal)):
            totals[row.reason] += row.count
    assert totals == {"not_json": 3, "not_an_object": 2, "no_attributes": 1, "too_large": 2,
                       "no_observations": 1}
    assert bridge.stats.item_problems == 2  # the two hostile attribute names
    # everything was acknowledged: a bridge resuming the same session gets nothing again
    bridge.stop()
    again = MqttBridge(mqtt_platform, client_id="bridge-test")
    assert again.client_id == bridge.client_id
    again.start()
    try:
        assert again.subscribed.wait(10)
        time.sleep(1.0)
        assert again.stats.messages == 0
    finally:
        again.stop()


def test_the_server_runs_a_bridge_when_configured(
        settings: Settings, mosquitto_broker: BrokerInfo, publisher: Publisher) -> None:
    from fastapi.testclient import TestClient

    from belfort.app import create_app
    from belfort.streams.mqtt import MqttBridgeSlot

    configured = settings.model_copy(update={"mqtt_url": mosquitto_broker.url,
                                             "mqtt_client_id": "served"})
    setup = Platform(configured)
    key = _register(setup, "teller-7")
    app = create_app(settings=configured)  # the app owns its platform, as `belfort serve`
    with TestClient(app):
        slot = app.state.platform.component(MqttBridgeSlot, lambda p: MqttBridgeSlot(None))
        assert slot.bridge is not None and slot.bridge.subscribed.wait(10)
        assert slot.bridge.client_id == "served-0"
        publisher.publish(f"/json/{key}/teller-7/attrs", '{"count": 12}')
        _until(lambda: [o.value for o in sensor_observations(setup, "teller-7")] == [12.0])
    assert slot.bridge.subscribed.is_set() is False  # stopped with the server
    setup.close()
