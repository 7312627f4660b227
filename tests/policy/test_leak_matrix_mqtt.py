"""Issue 14, item 4: the leak matrix's MQTT topics. Belfort publishes nothing on a broker; the
only observations there are those devices send to the bridge, so the broker's access control
is the boundary. docs/streams.md gives the mosquitto ACL for it; this runs a real mosquitto
with exactly that file (read from the page) and checks, for an anonymous client and for a
device (another sensor's login and credential): it cannot connect (anonymous), read a
restricted sensor's messages, or publish into that sensor's topics — while the bridge, logged
in as itself, stores what the restricted sensor sends. The control: the same eavesdropper on
a broker without the ACL (``scripts/mosquitto``'s local one) does read the messages.

Whatever reaches the bridge Belfort checks again (a credential stores its own sensor's
observations only): tests/streams/test_mqtt.py and the last test here."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import select

from belfort.catalog.models import DeviceRefusal
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import from_us, now_us
from belfort.streams.mqtt import MqttBridge
from belfort.streams.read import sensor_observations
from belfort.streams.sensors import SensorSpec, register_sensor
from tests.conftest import REPO_ROOT
from tests.streams.conftest import MOSQUITTO, BrokerInfo, _free_port, mosquitto_broker  # noqa: F401

SECRET_SENSOR, OTHER_SENSOR, BRIDGE = "qzv-teller", "open-teller", "belfort-bridge"
PASSWORDS = {BRIDGE: "brug-wachtwoord", SECRET_SENSOR: "qzv-wachtwoord",
             OTHER_SENSOR: "open-wachtwoord"}
SECRET_VALUES = (0.987654, 0.456789)


def documented_acl() -> str:
    text = (REPO_ROOT / "docs" / "streams.md").read_text(encoding="utf-8")
    found = re.search(r"```text\n(# belfort-mqtt-acl.*?)```", text, re.S)
    assert found, "docs/streams.md lost its mosquitto ACL"
    return found.group(1)


@pytest.fixture
def guarded_broker(tmp_path: Path) -> Iterator[BrokerInfo]:
    """mosquitto with logins (a password file) and the documented ACL, no anonymous clients."""
    if not MOSQUITTO.exists():
        pytest.fail("mosquitto is not installed (scripts/test installs it)")
    directory, port = tmp_path / "broker", _free_port()
    directory.mkdir()
    passwords = directory / "passwords"
    for user, password in PASSWORDS.items():
        flags = ["-b"] if passwords.exists() else ["-c", "-b"]
        subprocess.run(["mosquitto_passwd", *flags, str(passwords), user, password],
                       check=True, capture_output=True)
    (directory / "acl").write_text(documented_acl(), encoding="utf-8")
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout
    (directory / "mosquitto.conf").write_text(
        f"user {user.strip()}\nlistener {port} 127.0.0.1\nallow_anonymous false\n"
        f"password_file {passwords}\nacl_file {directory / 'acl'}\n"
        f"log_dest file {directory / 'mosquitto.log'}\n", encoding="utf-8")
    os.chmod(passwords, 0o600)
    broker = subprocess.Popen([str(MOSQUITTO), "-c", str(directory / "mosquitto.conf")])
    try:
        _until(lambda: _accepts(port), 10)
        yield BrokerInfo(port, directory)
    finally:
        broker.terminate()
        broker.wait(10)


def _accepts(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _until(check: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


@dataclass
class Client:
    """A paho MQTT 5 client: how its connection was answered, and every message it read."""

    port: int
    user: str | None = None

    def __post_init__(self) -> None:
        self.answered = threading.Event()
        self.reason: str = ""
        self.subscribed = threading.Event()
        self.received: list[tuple[str, bytes]] = []
        self.client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5,
                                  client_id=f"probe-{self.user or 'anonymous'}-{time.time_ns()}")
        if self.user is not None:
            self.client.username_pw_set(self.user, PASSWORDS[self.user])
        self.client.on_connect = self._connected
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.on_message = lambda c, u, m: self.received.append((m.topic, m.payload))
        self.client.connect("127.0.0.1", self.port)
        self.client.loop_start()
        assert self.answered.wait(10), "no CONNACK"

    def _connected(self, client: object, userdata: object, flags: object, reason: object,
                   properties: object) -> None:
        self.reason = str(reason)
        self.answered.set()

    @property
    def accepted(self) -> bool:
        return self.reason == "Success"

    def listen(self, *filters: str) -> None:
        self.client.subscribe([(f, 1) for f in filters])
        assert self.subscribed.wait(10)

    def publish(self, topic: str, payload: str) -> None:
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(10)  # answered (a refusal in MQTT 5 is answered too)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def credentials(platform: Platform) -> dict[str, str]:
    with platform.db.session() as session:
        return {sensor: register_sensor(session, SensorSpec(
            sensor, sensor, "test", "count", dataset_id=f"{sensor}-live")).credential
            for sensor in (SECRET_SENSOR, OTHER_SENSOR)}


def _bridge(settings: Settings, broker: BrokerInfo, login: str) -> tuple[Platform, MqttBridge]:
    platform = Platform(settings.model_copy(update={
        "mqtt_url": f"mqtt://{login}127.0.0.1:{broker.port}", "mqtt_client_id": "leak-bridge"}))
    bridge = MqttBridge(platform)
    bridge.start()
    assert bridge.subscribed.wait(10), "the bridge did not subscribe"
    return platform, bridge


def _genuine(credential: str) -> list[tuple[str, str]]:
    """What the restricted sensor sends: its value on the FIWARE topic and on Belfort's."""
    at = from_us(now_us() - 60_000_000).isoformat().replace("+00:00", "Z")
    return [(f"/json/{credential}/{SECRET_SENSOR}/attrs",
             json.dumps({"count": SECRET_VALUES[0]})),
            (f"belfort/v1/sensors/{SECRET_SENSOR}/observations",
             json.dumps({"credential": credential, "observations": [
                 {"phenomenon_time": at, "value": SECRET_VALUES[1]}]}))]


def _forgeries(own: str) -> list[tuple[str, str]]:
    """Another device (its own credential, or a made-up one) writing the restricted sensor."""
    at = from_us(now_us()).isoformat().replace("+00:00", "Z")
    return [(f"/json/{own}/{SECRET_SENSOR}/attrs", '{"count": 666}'),
            (f"/json/{own}/{SECRET_SENSOR}/attrs/count", "667"),
            (f"/json/bfd_qzvverzonnen/{SECRET_SENSOR}/attrs", '{"count": 668}'),
            (f"belfort/v1/sensors/{SECRET_SENSOR}/observations",
             json.dumps({"credential": own, "observations": [
                 {"phenomenon_time": at, "value": 669}]}))]


EVERYTHING = ("#", "/json/#", "belfort/v1/sensors/#", f"/json/+/{SECRET_SENSOR}/attrs",
              f"belfort/v1/sensors/{SECRET_SENSOR}/observations")


def test_no_device_nor_anonymous_client_reads_or_writes_another_sensors_topics(
        settings: Settings, platform: Platform, guarded_broker: BrokerInfo,
        credentials: dict[str, str]) -> None:
    port = guarded_broker.port
    anonymous = Client(port)
    assert not anonymous.accepted, "the broker let an anonymous client in"
    anonymous.close()
    mqtt_platform, bridge = _bridge(settings, guarded_broker, f"{BRIDGE}:{PASSWORDS[BRIDGE]}@")
    other, secret = Client(port, OTHER_SENSOR), Client(port, SECRET_SENSOR)
    try:
        assert other.accepted and secret.accepted
        other.listen(*EVERYTHING)  # a device listening for everything
        for topic, payload in _forgeries(credentials[OTHER_SENSOR]):
            other.publish(topic, payload)
        for topic, payload in _genuine(credentials[SECRET_SENSOR]):
            secret.publish(topic, payload)
        _until(lambda: bridge.stats.stored >= 2)
        time.sleep(0.5)  # anything else in flight arrives
        stored = sorted(o.value for o in sensor_observations(mqtt_platform, SECRET_SENSOR))
        assert stored == sorted(SECRET_VALUES), stored  # the bridge reads; no forgery got in
        assert other.received == [], f"a device read {other.received}"
        with mqtt_platform.db.session() as session:  # the forgeries never reached the bridge
            assert session.scalars(select(DeviceRefusal)).all() == []
    finally:
        other.close()
        secret.close()
        bridge.stop()
        mqtt_platform.close()


def test_the_eavesdropper_would_read_on_a_broker_without_the_acl(
        settings: Settings, platform: Platform, mosquitto_broker: BrokerInfo,  # noqa: F811
        credentials: dict[str, str]) -> None:
    """The control: the local broker of ``scripts/mosquitto`` (anonymous clients, no ACL)
    lets anyone read the restricted sensor's messages and credential — the check above can
    fail. Belfort still refuses the forgeries that reach it, and records them."""
    mqtt_platform, bridge = _bridge(settings, mosquitto_broker, "")
    eavesdropper, device = Client(mosquitto_broker.port), Client(mosquitto_broker.port)
    try:
        eavesdropper.listen(*EVERYTHING)
        for topic, payload in [*_genuine(credentials[SECRET_SENSOR]),
                               *_forgeries(credentials[OTHER_SENSOR])]:
            device.publish(topic, payload)
        _until(lambda: bridge.stats.messages >= 6)
        seen = b" ".join(p for _, p in eavesdropper.received).decode()
        topics = " ".join(t for t, _ in eavesdropper.received)
        assert "987654" in seen and credentials[SECRET_SENSOR] in topics + seen
        stored = sorted(o.value for o in sensor_observations(mqtt_platform, SECRET_SENSOR))
        assert stored == sorted(SECRET_VALUES), stored
        with mqtt_platform.db.session() as session:
            reasons = {(r.device, r.reason) for r in session.scalars(select(DeviceRefusal))}
        assert reasons == {(SECRET_SENSOR, "credential_of_other_device"),
                           (SECRET_SENSOR, "unknown_or_revoked")}, reasons
    finally:
        eavesdropper.close()
        device.close()
        bridge.stop()
        mqtt_platform.close()
