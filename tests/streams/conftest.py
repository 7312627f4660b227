"""A real mosquitto broker per test (``scripts/mosquitto``), and a paho-mqtt publisher."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

REPO_ROOT = Path(__file__).resolve().parents[2]
MOSQUITTO = Path("/usr/sbin/mosquitto")


@dataclass(frozen=True)
class BrokerInfo:
    port: int
    directory: Path

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mosquitto_broker() -> Iterator[BrokerInfo]:
    """A broker of its own for the test, started by the project's script and stopped after."""
    if not MOSQUITTO.exists():
        pytest.fail("mosquitto is not installed (scripts/test installs it)")
    started = subprocess.run([str(REPO_ROOT / "scripts" / "mosquitto"), "start",
                              str(_free_port())], capture_output=True, text=True, check=True)
    directory = Path(started.stdout.strip())
    port = int(next(line.split()[1] for line in (directory / "mosquitto.conf").read_text()
                    .splitlines() if line.startswith("listener ")))
    try:
        yield BrokerInfo(port, directory)
    finally:
        subprocess.run([str(REPO_ROOT / "scripts" / "mosquitto"), "stop", str(directory)],
                       check=False)
        shutil.rmtree(directory, ignore_errors=True)


class Publisher:
    """A device's paho-mqtt client publishing QoS 1 (each publish waits for the PUBACK)."""

    def __init__(self, broker: BrokerInfo, client_id: str = "test-device",
                 inflight: int = 20) -> None:
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self.client.max_inflight_messages_set(inflight)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def publish(self, topic: str, payload: bytes | str, qos: int = 1) -> None:
        info = self.client.publish(topic, payload, qos=qos)
        info.wait_for_publish(10)
        assert info.is_published()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def publisher(mosquitto_broker: BrokerInfo) -> Iterator[Publisher]:
    device = Publisher(mosquitto_broker)
    try:
        yield device
    finally:
        device.close()
