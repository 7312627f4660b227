"""Nothing acknowledged is lost: a real ``belfort serve`` takes batches from client threads
and is SIGKILLed right after some 2xx answers; after a restart every acknowledged observation
is there, exactly once, and resending every batch (acknowledged or not) duplicates nothing —
on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import orjson
from sqlalchemy import func, select

from belfort.catalog.models import Observation
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import from_us, now_us
from belfort.streams.sensors import SensorSpec, register_sensor
from tests.helpers import free_port, wait_until_serving

BATCH = 250
CLIENTS = 3


@contextmanager
def _server(settings: Settings) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "belfort.cli", "serve", "--port", str(port),
         "--data-dir", str(settings.data_dir), "--database-url", settings.database_url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc)
        yield base, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def _batch(sensor: str, start_us: int, number: int) -> bytes:
    first = start_us + number * BATCH * 1_000_000
    return orjson.dumps([
        {"sensor_id": sensor, "phenomenon_time":
         from_us(first + i * 1_000_000).isoformat().replace("+00:00", "Z"), "value": i}
        for i in range(BATCH)])


def test_sigkill_after_acknowledgements_loses_nothing_and_resends_duplicate_nothing(
        settings: Settings) -> None:
    platform = Platform(settings)
    credentials: dict[str, str] = {}
    with platform.db.session() as session:
        for n in range(CLIENTS):
            sensor = f"teller-{n}"
            credentials[sensor] = register_sensor(
                session, SensorSpec(sensor, "Teller", "passantenteller", "count")).credential
    platform.close()
    start = now_us() - 2 * 86_400_000_000
    acknowledged: dict[str, set[int]] = {s: set() for s in credentials}
    sent: dict[str, set[int]] = {s: set() for s in credentials}
    enough = threading.Semaphore(0)
    stop = threading.Event()

    def post(base: str, sensor: str) -> None:
        headers = {"Authorization": f"Bearer {credentials[sensor]}",
                   "Content-Type": "application/json"}
        with httpx.Client(base_url=base, timeout=30) as client:  # keep-alive
            number = 0
            while not stop.is_set():
                sent[sensor].add(number)
                try:
                    answer = client.post("/api/belfort/v1/observations",
                                         content=_batch(sensor, start, number), headers=headers)
                except httpx.TransportError:
                    return  # the server is gone
                assert answer.status_code == 200, answer.text
                body = answer.json()
                assert body["stored"] + body["duplicates"] == BATCH
                acknowledged[sensor].add(number)
                enough.release()
                number += 1

    with _server(settings) as (base, proc):
        threads = [threading.Thread(target=post, args=(base, s)) for s in credentials]
        for thread in threads:
            thread.start()
        for _ in range(8):  # some acknowledgements, then kill at once
            assert enough.acquire(timeout=120), "no acknowledgements"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    total_acknowledged = sum(len(a) for a in acknowledged.values())
    assert total_acknowledged >= 8

    platform = Platform(settings)
    try:
        with platform.db.session() as session:
            rows = session.execute(select(Observation.sensor_id, Observation.phenomenon_us)).all()
            assert session.scalar(select(func.count()).select_from(Observation)) == len(rows)
    finally:
        platform.close()
    stored = {(s, t) for s, t in rows}
    assert len(stored) == len(rows), "an observation is stored twice"
    for sensor, numbers in acknowledged.items():
        for number in numbers:
            first = start + number * BATCH * 1_000_000
            missing = [i for i in range(BATCH) if (sensor, first + i * 1_000_000) not in stored]
            assert not missing, f"{sensor} batch {number}: {len(missing)} acknowledged lost"

    with _server(settings) as (base, _):  # resend everything: nothing new for what was acked
        with httpx.Client(base_url=base, timeout=60) as client:
            for sensor, numbers in sent.items():
                headers = {"Authorization": f"Bearer {credentials[sensor]}",
                           "Content-Type": "application/json"}
                for number in sorted(numbers):
                    answer = client.post("/api/belfort/v1/observations",
                                         content=_batch(sensor, start, number), headers=headers)
                    assert answer.status_code == 200, answer.text
                    if number in acknowledged[sensor]:
                        assert answer.json()["duplicates"] == BATCH
                back = client.get(f"/api/belfort/v1/sensors/{sensor}/observations",
                                  params={"limit": 10_000}).json()
                assert back["count"] == min(10_000, len(numbers) * BATCH)
    platform = Platform(settings)
    try:
        with platform.db.session() as session:
            count = session.scalar(select(func.count()).select_from(Observation))
    finally:
        platform.close()
    assert count == sum(len(n) for n in sent.values()) * BATCH
