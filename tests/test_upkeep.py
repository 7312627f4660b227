"""``belfort serve`` runs the background jobs in one upkeep process beside its workers
(``BELFORT_UPKEEP=process``): the process does the jobs' work (here: the live catalogue's
upkeep publishes a dataset another process registered), is restarted when it ends, and ends
when its server is killed; with ``BELFORT_UPKEEP=serving`` there is none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from belfort.catalog.models import Dataset
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.sensors import SensorSpec, register_sensor
from tests.helpers import free_port, wait_until_serving


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *_descendants(child)]
    return found


def _upkeep_processes(pid: int) -> list[int]:
    found = []
    for child in _descendants(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"belfort.upkeep" in command:
            found.append(child)
    return found


def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return bool(condition())


@contextmanager
def _serving(data_dir: Path, log: Path, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    port = free_port()
    environment = {**os.environ, **env}
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "belfort.cli", "serve", "--port", str(port), "--workers", "2",
             "--data-dir", str(data_dir)], stdout=out, stderr=subprocess.STDOUT, env=environment)
        everything: set[int] = set()
        try:
            wait_until_serving(f"http://127.0.0.1:{port}", proc, timeout=120)
            everything.update(_descendants(proc.pid))  # its workers: orphaned if it is killed
            yield proc
        finally:
            everything.update(_descendants(proc.pid))
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            for pid in everything:  # never leave a worker or an upkeep process behind
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)


def test_the_upkeep_process_does_the_jobs_restarts_and_ends_with_its_server(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    Platform(settings).close()  # the catalogue exists before the server starts
    with _serving(settings.data_dir, tmp_path / "serve.log") as server:
        assert _wait_for(lambda: len(_upkeep_processes(server.pid)) == 1, 20)
        first = _upkeep_processes(server.pid)[0]
        assert os.getppid() != first and Path(f"/proc/{first}/status").exists()
        # below the server's CPU priority (BELFORT_UPKEEP_NICE, 10), the server at its own
        assert _wait_for(lambda: _nice(first) == _nice(server.pid) + 10, 20)
        # a sensor registered by another process after start-up: only the jobs' periodic
        # upkeep of the live catalogue publishes its dataset (the workers sync at start only)
        other = Platform(settings)
        try:
            with other.db.session() as session:
                register_sensor(session, SensorSpec(
                    "sluizeken-1", "Sluizeken", "passantenteller", "count", unit="personen",
                    longitude=3.7265, latitude=51.0585, dataset_id="drukte-sluizeken"))

            def published() -> bool:
                with other.db.session() as session:
                    found = session.get(Dataset, "drukte-sluizeken-per-uur")
                    return found is not None and found.state == "published"

            assert _wait_for(published, 30), "the upkeep process published the live dataset"
        finally:
            other.close()
        # ended by itself (or by an operator): a new one takes over
        os.kill(first, signal.SIGKILL)
        assert _wait_for(lambda: _upkeep_processes(server.pid) not in ([], [first]), 30)
        second = _upkeep_processes(server.pid)
        assert len(second) == 1 and second[0] != first
        # the server killed outright: its upkeep process does not outlive it (its uvicorn
        # workers would: the fixture ends them)
        server.kill()
        server.wait()
        assert _wait_for(lambda: not _alive(second[0]), 20), "the upkeep process ended too"
    assert "starting a new one" in (tmp_path / "serve.log").read_text()


def test_with_upkeep_serving_there_is_no_upkeep_process(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    Platform(settings).close()
    with _serving(settings.data_dir, tmp_path / "serve.log", BELFORT_UPKEEP="serving") as server:
        time.sleep(3)  # the upkeep process would have started with the server
        assert len(_descendants(server.pid)) >= 2  # the workers run
        assert _upkeep_processes(server.pid) == []
