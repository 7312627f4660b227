"""``GET /ready``: 200 while the node reaches its database and its lake, 503 with the reason
while it does not, and 200 again once they are back — without restarting anything.
``/health`` stays liveness: it answers whatever the database does."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.api.operations import Readiness
from belfort.app import create_app
from belfort.platform import Platform
from belfort.settings import Settings
from tests.conftest import REPO_ROOT
from tests.helpers import free_port


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    """SQLite here; a real PostgreSQL, stopped and started, below."""
    platform = Platform(Settings(data_dir=tmp_path / "data"))
    try:
        yield platform
    finally:
        platform.close()


def test_ready_when_database_and_lake_answer(client: TestClient) -> None:
    answer = client.get("/ready")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"status": "ready", "checks": {"database": "ok", "lake": "ok"}}
    assert answer.headers["cache-control"] == "no-store"
    assert client.get("/health").json()["status"] == "ok"


def test_a_lost_lake_is_503_with_the_reason_and_comes_back(client: TestClient,
                                                           platform: Platform) -> None:
    versions = platform.lake.versions_dir
    moved = versions.with_name("versions-away")
    versions.rename(moved)  # the lake's mount is gone
    try:
        answer = client.get("/ready")
        assert answer.status_code == 503
        body = answer.json()
        assert body["status"] == "unready" and body["checks"]["database"] == "ok"
        assert body["checks"]["lake"] == "lake unreachable (FileNotFoundError)"
        assert body["reason"] == "lake unreachable (FileNotFoundError)"
        assert client.get("/health").status_code == 200  # liveness does not depend on it
    finally:
        moved.rename(versions)
    assert client.get("/ready").status_code == 200


def test_a_database_that_does_not_answer_is_503_within_the_deadline(tmp_path: Path) -> None:
    """A hanging database (a firewall dropping packets) must not hang the probe: 503 after
    BELFORT_READY_TIMEOUT_SECONDS, and repeated probes wait for the one stuck check instead of
    piling up threads."""
    platform = Platform(Settings(data_dir=tmp_path / "data", ready_timeout_seconds=0.3))
    release = threading.Event()
    calls = []

    def hanging() -> None:
        calls.append(1)
        release.wait(10)

    try:
        with TestClient(create_app(platform)) as client:
            readiness = platform.component(Readiness, Readiness)
            readiness._database = hanging  # type: ignore[method-assign]
            for _ in range(3):
                started = time.monotonic()
                answer = client.get("/ready")
                assert answer.status_code == 503
                assert time.monotonic() - started < 2
                assert answer.json()["checks"]["database"] == "database did not answer within 0.3 s"
            assert len(calls) == 1  # one stuck check, not three
            release.set()
            time.sleep(0.05)
            del readiness._database  # the class's own check again
            assert client.get("/ready").status_code == 200
    finally:
        release.set()
        platform.close()


# --- a real PostgreSQL, stopped mid-test and started again ---

PG_BIN = max(Path("/usr/lib/postgresql").glob("*/bin"), default=None,
             key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)


@dataclass
class Cluster:
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), *args]
        if os.getuid() == 0:
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(
                f"'{part}'" for part in command)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off")
        self._pg_ctl("-l", str(self.directory / "log"), "-w", "-o", options, "start")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    if PG_BIN is None:
        pytest.fail("PostgreSQL is not installed (scripts/test installs it)")
    script = REPO_ROOT / "scripts" / "postgres-throwaway"
    port = free_port()
    made = subprocess.run([str(script), "start", str(port)], capture_output=True, text=True,
                          check=True, timeout=120)
    directory = Path(made.stdout.strip())
    try:
        yield Cluster(directory, port)
    finally:
        subprocess.run([str(script), "stop", str(directory)], check=False, timeout=60)
        shutil.rmtree(directory, ignore_errors=True)


def test_postgresql_stopped_mid_test_is_503_and_ready_again_without_restart(
        cluster: Cluster, tmp_path: Path) -> None:
    platform = Platform(Settings(data_dir=tmp_path / "data", database_url=cluster.url))
    try:
        with TestClient(create_app(platform)) as client:
            assert client.get("/ready").status_code == 200
            assert client.get("/api/belfort/v1/datasets").status_code == 200  # a pooled connection
            cluster.stop()
            started = time.monotonic()
            answer = client.get("/ready")
            assert answer.status_code == 503, answer.text
            assert time.monotonic() - started < 5  # fails fast
            body = answer.json()
            assert body["checks"]["lake"] == "ok"
            assert body["checks"]["database"].startswith("database unreachable (")
            assert "postgres@" not in answer.text and str(cluster.port) not in answer.text
            assert client.get("/health").status_code == 200
            cluster.start()
            deadline = time.monotonic() + 20
            while (status := client.get("/ready").status_code) != 200 \
                    and time.monotonic() < deadline:
                time.sleep(0.2)
            assert status == 200  # the same process, the same pool: back by itself
            assert client.get("/api/belfort/v1/datasets").status_code == 200
    finally:
        platform.close()
