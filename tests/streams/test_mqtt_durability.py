"""Nothing acknowledged is lost: QoS 1 messages that ``belfort mqtt-bridge`` received when it
was SIGKILLed mid-way (while its database stalled), and ones published while it was down, are
all stored, exactly once, after it restarts — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from belfort.catalog.models import Observation
from belfort.platform import Platform
from belfort.streams.model import from_us, now_us
from belfort.streams.sensors import SensorSpec, register_sensor
from tests.streams.conftest import BrokerInfo, Publisher

N = 20_000
EXTRA = 2_000
DEVICES = 5
BELFORT = Path(sys.executable).with_name("belfort")


def _bridge(platform: Platform, broker: BrokerInfo, log: Path) -> subprocess.Popen[bytes]:
    settings = platform.settings
    process = subprocess.Popen(
        [str(BELFORT), "mqtt-bridge", "--data-dir", str(settings.data_dir),
         "--database-url", settings.effective_database_url, "--url", broker.url,
         "--client-id", "durable", "--stats-seconds", "0"],
        stdout=subprocess.DEVNULL, stderr=open(log, "ab"),  # noqa: SIM115
        env={**os.environ, "BELFORT_MQTT_BATCH_MS": "20"},
    )
    deadline = time.monotonic() + 30
    while "subscribed" not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "the bridge did not subscribe"
        time.sleep(0.05)
    return process


def _stored(platform: Platform) -> tuple[int, int]:
    with platform.db.session() as session:
        rows = session.execute(select(func.count(), func.count(func.distinct(
            Observation.value)))).one()
    return int(rows[0]), int(rows[1])


@contextmanager
def _writes_held(platform: Platform) -> Iterator[None]:
    """Hold the observations table so no other process can commit to it (a stalled
    database): what the bridge receives meanwhile cannot become durable."""
    url = platform.settings.effective_database_url
    if url.startswith("sqlite"):
        lock = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        return
    with platform.db.engine.connect() as connection:
        connection.exec_driver_sql("LOCK TABLE observations IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            connection.rollback()


def _publish(publisher: Publisher, keys: dict[str, str], first: int, count: int,
             start_us: int) -> int:
    """Publish ``count`` QoS 1 messages, many in flight; how many the broker acknowledged."""
    pending = []
    for i in range(first, first + count):
        device = f"teller-{i % DEVICES}"
        stamp = from_us(start_us + i * 1_000_000).isoformat()
        pending.append(publisher.client.publish(
            f"/json/{keys[device]}/{device}/attrs",
            json.dumps({"count": i, "TimeInstant": stamp}), qos=1))
    for info in pending:
        info.wait_for_publish(60)
    return sum(info.is_published() for info in pending)


def test_sigkill_mid_way_loses_nothing_and_duplicates_nothing(
        platform: Platform, mosquitto_broker: BrokerInfo, tmp_path: Path) -> None:
    keys = {}
    with platform.db.session() as session:
        for d in range(DEVICES):
            keys[f"teller-{d}"] = register_sensor(
                session, SensorSpec(f"teller-{d}", "teller", "test", "count")).credential
    log = tmp_path / "bridge.log"
    start = now_us() - 2 * 86_400_000_000
    publisher = Publisher(mosquitto_broker, "durability-devices", inflight=1000)
    bridges: list[subprocess.Popen[bytes]] = []
    try:
        # the bridge's persistent session exists; it stops; a city's worth of messages waits
        bridges.append(_bridge(platform, mosquitto_broker, log))
        bridges[-1].send_signal(signal.SIGTERM)
        assert bridges[-1].wait(30) == 0
        assert _publish(publisher, keys, 0, N, start) == N
        # it comes back, takes the backlog as fast as it can, and is killed mid-way
        bridges.append(_bridge(platform, mosquitto_broker, log))
        deadline = time.monotonic() + 60
        while _stored(platform)[0] < N // 4:
            assert time.monotonic() < deadline and bridges[-1].poll() is None
            time.sleep(0.005)
        with _writes_held(platform):  # the database stalls; the bridge keeps receiving
            time.sleep(1.5)
            bridges[-1].send_signal(signal.SIGKILL)
            bridges[-1].wait()
        at_kill = _stored(platform)[0]
        assert N // 4 <= at_kill < N, "the kill did not land mid-way"
        # more arrive while it is down; nothing is stored then
        assert _publish(publisher, keys, N, EXTRA, start) == EXTRA
        time.sleep(0.3)
        assert _stored(platform)[0] == at_kill
        # restarted, it resumes its session: everything, exactly once
        bridges.append(_bridge(platform, mosquitto_broker, log))
        deadline = time.monotonic() + 90
        while _stored(platform)[0] < N + EXTRA and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # anything delivered twice would arrive by now
        assert _stored(platform) == (N + EXTRA, N + EXTRA)
        bridges[-1].send_signal(signal.SIGTERM)
        assert bridges[-1].wait(30) == 0
    finally:
        publisher.close()
        for bridge in bridges:
            if bridge.poll() is None:
                bridge.kill()
                bridge.wait()
