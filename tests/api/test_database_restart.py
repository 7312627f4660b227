"""PostgreSQL restarted under load: while it is down every request answers 503 at once with a
clear reason (never a hang, never a 500), ``/ready`` fails, and once it is back the node
answers again without being restarted (the pool's pre-ping replaces dead connections)."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.nodes import admin_key, node
from tests.conftest import REPO_ROOT, postgres_only
from tests.helpers import COUNTS_CSV, free_port

SCRIPT = str(REPO_ROOT / "scripts" / "postgres-throwaway")
LOAD = ["/api/belfort/v1/datasets/tellingen/records?limit=2",
        "/api/records/1.0/search/?dataset=tellingen&rows=2",
        "/api/explore/v2.1/catalog/datasets/tellingen/records?limit=2",
        "/api/belfort/v1/datasets"]
FAST = 3.0  # seconds: no request may take longer, down or up


@dataclass
class Answer:
    started: float
    seconds: float
    path: str
    status: int
    body: str


def _load(base: str, stop: threading.Event, answers: list[Answer]) -> None:
    with httpx.Client(timeout=30) as client:
        while not stop.is_set():
            for path in LOAD:
                started = time.monotonic()
                try:
                    r = client.get(base + path)
                    status, body = r.status_code, r.text[:300]
                except httpx.TransportError as exc:  # would be a failure: counted below
                    status, body = 0, repr(exc)
                answers.append(Answer(started, time.monotonic() - started, path, status, body))


@pytest.fixture
def throwaway_cluster() -> str:
    postgres_only()  # the machine has PostgreSQL (scripts/test)
    port = free_port()
    directory = subprocess.run([SCRIPT, "start", str(port)], capture_output=True, text=True,
                               check=True).stdout.strip()
    try:
        yield directory  # type: ignore[misc]
    finally:
        subprocess.run([SCRIPT, "stop", directory], check=False)


def test_postgresql_restarted_under_load(throwaway_cluster: str, tmp_path: Path) -> None:
    port = (Path(throwaway_cluster) / "port").read_text().strip()
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    lake = tmp_path / "lake"
    key = admin_key(lake, url)
    admin = {"Authorization": f"Bearer {key}"}
    with node(lake, url, tmp_path / "node", BELFORT_GENERATION_MAX_AGE_SECONDS="1") as (base, proc):
        r = httpx.post(base + "/api/belfort/v1/datasets/tellingen/ingest", content=COUNTS_CSV,
                       headers={**admin, "Content-Type": "text/csv"}, params={"title": "T"},
                       timeout=60)
        assert r.status_code == 201, r.text
        answers: list[Answer] = []
        stop = threading.Event()
        loaders = [threading.Thread(target=_load, args=(base, stop, answers)) for _ in range(2)]
        for loader in loaders:
            loader.start()
        try:
            time.sleep(2)
            subprocess.run([SCRIPT, "halt", throwaway_cluster], check=True)
            halted = time.monotonic()
            time.sleep(4)
            ready = httpx.get(base + "/ready", timeout=10)
            assert ready.status_code == 503 and "database" in ready.json()["reason"]
            write = httpx.patch(base + "/api/belfort/v1/datasets/tellingen", headers=admin,
                                json={"title": "Nieuw"}, timeout=10)
            assert write.status_code == 503, write.text
            assert write.json()["error"] == "database_unavailable"
            resumed_at = time.monotonic()
            subprocess.run([SCRIPT, "resume", throwaway_cluster], check=True)
            resumed = time.monotonic()
            back = None
            while back is None and time.monotonic() - resumed < 20:
                recent = [a for a in list(answers) if a.started > resumed]
                if len(recent) >= 8 and all(a.status == 200 for a in recent[-8:]):
                    back = recent[-8].started - resumed
                time.sleep(0.2)
            assert back is not None, "the node did not recover"
            time.sleep(1)
        finally:
            stop.set()
            for loader in loaders:
                loader.join()
        assert proc.poll() is None  # the same node process throughout
        assert httpx.get(base + "/ready", timeout=10).status_code == 200

    statuses = {a.status for a in answers}
    assert statuses <= {200, 503}, [a for a in answers if a.status not in {200, 503}][:3]
    slowest = max(a.seconds for a in answers)
    assert slowest < FAST, f"a request took {slowest:.2f} s"
    # once the node's generation (1 s) is too old to use, everything needs the database: 503
    down = [a for a in answers if halted + 1.5 < a.started and a.started + a.seconds < resumed_at]
    assert len(down) >= 10 and all(a.status == 503 for a in down), \
        [(a.path, a.status) for a in down if a.status != 503][:5]
    for answer in down:
        if answer.path.startswith("/api/explore/v2.1/"):
            assert '"error_code":"ServiceUnavailable"' in answer.body.replace(" ", "")
        else:
            assert '"error":"database_unavailable"' in answer.body.replace(" ", "")
        assert "127.0.0.1" not in answer.body and port not in answer.body  # no address
    print(f"{len(answers)} requests, {len(down)} while PostgreSQL was down (all 503), "
          f"slowest {slowest:.2f} s; answering again {back:.2f} s after PostgreSQL restarted")
