"""Three nodes behind HAProxy (``deploy/haproxy.cfg``, as it is in the repository) under a
steady load of v1, v2.1, native and portal reads and observation batches: one node is
SIGKILLed and later restarted. No request fails apart from those in flight at the kill (the
balancer sends them again where that is safe, so usually none fails), the restarted node
serves again, and every observation batch acknowledged before, during and after the kill is
in the database."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import select

from belfort.catalog.models import Observation
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import from_us, now_us
from belfort.streams.sensors import SensorSpec, register_sensor
from tests.helpers import COUNTS_CSV, free_port, wait_until_serving

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
CONFIG = Path(__file__).resolve().parents[1] / "deploy" / "haproxy.cfg"
READS = [
    "/api/records/1.0/search/?dataset=tellingen&rows=2",
    "/api/explore/v2.1/catalog/datasets/tellingen/records?limit=2",
    "/api/belfort/v1/datasets/tellingen/records?limit=2",
    "/api/belfort/v1/datasets",
    "/datasets/tellingen",
]
BATCH = 50


@dataclass
class Load:
    """What the clients saw, shared by their threads."""

    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    answers: Counter[str] = field(default_factory=Counter)  # "node1 200", …
    failures: list[str] = field(default_factory=list)
    acknowledged: set[int] = field(default_factory=set)

    def started(self) -> None:
        with self.lock:
            self.in_flight += 1

    def ended(self, outcome: str | None, failure: str | None = None) -> None:
        with self.lock:
            self.in_flight -= 1
            if outcome:
                self.answers[outcome] += 1
            if failure:
                self.failures.append(failure)


class Node:
    def __init__(self, name: str, settings: Settings, log: Path) -> None:
        self.name, self.settings, self.log = name, settings, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "belfort.cli", "serve", "--port", str(self.port),
                 "--data-dir", str(self.settings.data_dir),
                 "--database-url", str(self.settings.database_url)],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until_serving(f"http://127.0.0.1:{self.port}", self.proc, timeout=120)

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)  # the server, its worker, its upkeep process
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _read(base: str, load: Load, offset: int) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        n = offset
        while not load.stop.is_set():
            path = READS[n % len(READS)]
            n += 1
            load.started()
            try:
                answer = client.get(path)
            except httpx.TransportError as exc:
                load.ended(None, f"GET {path}: {exc!r}")
                continue
            node = answer.headers.get("x-belfort-node", "?")
            load.ended(f"{node} {answer.status_code}",
                       None if answer.status_code == 200 else f"GET {path}: {answer.status_code}")


def _write(base: str, load: Load, credential: str, start_us: int) -> None:
    headers = {"Authorization": f"Bearer {credential}", "Content-Type": "application/json"}
    with httpx.Client(base_url=base, timeout=30) as client:
        number = 0
        while not load.stop.is_set():
            first = start_us + number * BATCH * 1_000_000
            body = orjson.dumps([{"sensor_id": "teller-1", "value": i, "phenomenon_time":
                                  from_us(first + i * 1_000_000).isoformat().replace("+00:00", "Z")}
                                 for i in range(BATCH)])
            load.started()
            try:
                answer = client.post("/api/belfort/v1/observations", content=body, headers=headers)
            except httpx.TransportError as exc:
                load.ended(None, f"POST observations: {exc!r}")
                continue  # the same batch again: resending stores nothing twice
            node = answer.headers.get("x-belfort-node", "?")
            if answer.status_code == 200:
                load.acknowledged.add(number)
                number += 1
                load.ended(f"{node} {answer.status_code}")
            else:
                load.ended(f"{node} {answer.status_code}",
                           f"POST observations: {answer.status_code}")
            time.sleep(0.05)


def _balancer(front: int, nodes: list[Node], log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BELFORT_FRONT": f"127.0.0.1:{front}",
           **{f"BELFORT_NODE{i + 1}": f"127.0.0.1:{n.port}" for i, n in enumerate(nodes)}}
    with log.open("ab") as out:
        proc = subprocess.Popen([HAPROXY, "-db", "-f", str(CONFIG)], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while True:  # every node is up (two health checks) before the load starts
        try:
            seen = {httpx.get(f"http://127.0.0.1:{front}/health", timeout=2)
                    .headers.get("x-belfort-node") for _ in range(9)}
            if seen == {"node1", "node2", "node3"}:
                return proc
        except httpx.TransportError:
            pass
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"the balancer did not see all: {log.read_text()}"
        time.sleep(0.3)


@pytest.fixture
def nodes(tmp_path: Path, postgres_url: str) -> Iterator[tuple[list[Node], str]]:
    if not Path(HAPROXY).exists():
        pytest.fail("haproxy is not installed (scripts/test installs Debian's haproxy)")
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_url)
    csv = tmp_path / "tellingen.csv"
    csv.write_text(COUNTS_CSV)
    subprocess.run([sys.executable, "-m", "belfort.cli", "ingest", str(csv),
                    "--dataset", "tellingen", "--title", "Tellingen",
                    "--data-dir", str(settings.data_dir), "--database-url", postgres_url],
                   check=True, capture_output=True)
    platform = Platform(settings)
    try:
        with platform.db.session() as session:
            credential = register_sensor(session, SensorSpec(
                "teller-1", "Teller", "passantenteller", "count")).credential
    finally:
        platform.close()
    started = [Node(f"node{i}", settings, tmp_path / f"node{i}.log") for i in (1, 2, 3)]
    try:
        for node in started:
            node.start()
        yield started, credential
    finally:
        for node in started:
            node.stop()


def test_a_node_killed_under_load_loses_no_request_and_no_acknowledged_write(
        nodes: tuple[list[Node], str], tmp_path: Path) -> None:
    started, credential = nodes
    front = free_port()
    balancer = _balancer(front, started, tmp_path / "haproxy.log")
    base = f"http://127.0.0.1:{front}"
    load = Load()
    start_us = now_us() - 86_400_000_000
    threads = [threading.Thread(target=_read, args=(base, load, i)) for i in range(4)]
    threads.append(threading.Thread(target=_write, args=(base, load, credential, start_us)))
    try:
        for thread in threads:
            thread.start()
        time.sleep(4)
        with load.lock:
            in_flight_at_kill = load.in_flight
            before_kill = sum(load.answers.values())
        started[1].kill()
        with load.lock:
            node2_at_kill = load.answers["node2 200"]
        time.sleep(6)  # the balancer notices (two failed checks) and sends everything elsewhere
        started[1].start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(0.5)
            with load.lock:
                if load.answers["node2 200"] > node2_at_kill:
                    break
        time.sleep(3)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)
        balancer.terminate()
        balancer.wait(timeout=10)
    assert before_kill > 20 and sum(load.answers.values()) > 100, load.answers
    assert node2_at_kill > 0, f"node2 served nothing before the kill: {load.answers}"
    assert len(load.failures) <= in_flight_at_kill, (in_flight_at_kill, load.failures)
    assert load.answers["node2 200"] > node2_at_kill, f"node2 never served again: {load.answers}"
    assert load.acknowledged, "no observation batch was acknowledged"
    platform = Platform(started[0].settings)
    try:
        with platform.db.session() as session:
            stored = set(session.scalars(select(Observation.phenomenon_us).where(
                Observation.sensor_id == "teller-1")))
    finally:
        platform.close()
    for number in load.acknowledged:
        first = start_us + number * BATCH * 1_000_000
        missing = [i for i in range(BATCH) if first + i * 1_000_000 not in stored]
        assert not missing, f"batch {number}: {len(missing)} acknowledged observations lost"
    print(f"answers {dict(load.answers)}; failures {len(load.failures)} "
          f"(in flight at the kill: {in_flight_at_kill})")
