"""Two Belfort server processes on one data directory and database see each other's versions."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from belfort.settings import Settings
from tests.helpers import COUNTS_CSV, free_port, wait_until_serving


@contextmanager
def server(settings: Settings) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "belfort.cli", "serve", "--port", str(port),
         "--data-dir", str(settings.data_dir), "--database-url", settings.database_url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_versions_written_by_one_process_are_seen_by_the_other(settings: Settings, tmp_path: Path) -> None:
    key = subprocess.run(
        [sys.executable, "-m", "belfort.cli", "keys", "create", "team",
         "--data-dir", str(settings.data_dir), "--database-url", settings.database_url],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "text/csv"}
    with server(settings) as a, server(settings) as b:
        url = "/api/belfort/v1/datasets/tellingen"
        assert httpx.get(b + url, timeout=60).status_code == 404
        r = httpx.post(a + url + "/ingest", content=COUNTS_CSV, headers=headers, params={"title": "T"}, timeout=60)
        assert r.status_code == 201, r.text
        assert httpx.get(b + url + "/records", timeout=60).json()["total_count"] == 5
        v1 = "/api/records/1.0/search/?dataset=tellingen&rows=1"
        assert httpx.get(a + v1, timeout=60).json()["nhits"] == 5  # answer now cached in process a
        more = COUNTS_CSV + "Graslei;2024-03-01 15:00:00;10;0,2;ja\n"
        r = httpx.post(b + url + "/ingest", content=more, headers=headers, timeout=60)
        assert r.status_code == 201 and r.json()["version"] == 2
        assert httpx.get(a + url + "/records", timeout=60).json()["total_count"] == 6
        assert httpx.get(a + url, timeout=60).json()["published_version"] == 2
        assert httpx.get(a + v1, timeout=60).json()["nhits"] == 6  # the cache noticed b's new version
        r = httpx.post(b + url + "/state", json={"state": "archived"}, headers=headers, timeout=60)
        assert r.status_code == 200
        assert httpx.get(a + v1, timeout=60).status_code == 404  # … and b's archiving
