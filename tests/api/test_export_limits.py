"""Exports have a time budget of their own and stop when their client leaves (issue 11,
item 3): over real HTTP (uvicorn in a thread), against a version of a million rows.

The "heavy filter" is 60–200 ``like`` patterns OR-ed together that match nothing: DuckDB
scans every row against every pattern before the first row of the answer exists — the
case where one read of the query keeps a core busy for a long time.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import live_server

ROWS = 1_000_000
EXPORT = "/api/explore/v2.1/catalog/datasets/groot/exports/"
SLACK = 2.0  # seconds: a shared, noisy machine


def heavy_filter(patterns: int) -> str:
    return " or ".join(f'straat like "%{i}x%"' for i in range(patterns))


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exports")
    numbers = np.arange(ROWS)
    table = pa.table({
        "nr": numbers,
        "straat": pa.array(np.char.add("straat ", (numbers % 9973).astype(str))),
        "waarde": np.random.default_rng(1).random(ROWS),
    })
    pq.write_table(table, root / "groot.parquet")
    platform = _platform(root)
    try:
        ingest_file(platform, CLI_ADMIN, "groot", root / "groot.parquet",
                    metadata={"title_nl": "Groot", "organisation": "Stad Gent", "themes": ["GOVE"],
                              "keywords": ["test"]})
    finally:
        platform.close()
    return root


def _platform(root: Path, **settings: object) -> Platform:
    url = f"sqlite:///{root / 'catalog.sqlite'}"
    return Platform(Settings(data_dir=root / "data", database_url=url, **settings))


@pytest.fixture
def budget_half_second(data_dir: Path) -> Iterator[Platform]:
    platform = _platform(data_dir, export_timeout_seconds=0.5)
    try:
        yield platform
    finally:
        platform.close()


@pytest.fixture
def unbudgeted(data_dir: Path) -> Iterator[Platform]:
    platform = _platform(data_dir)
    try:
        yield platform
    finally:
        platform.close()


@pytest.mark.serial  # times a budget of 0.5 s: alone, not beside another worker's tests
@pytest.mark.parametrize("fmt", ["csv", "json", "geojson", "xlsx", "parquet"])
def test_heavy_filter_stops_within_budget(budget_half_second: Platform, fmt: str) -> None:
    """Over budget before the first byte: 503 with a message naming the budget, in time."""
    with TestClient(create_app(budget_half_second)) as client:
        started = time.monotonic()
        r = client.get(EXPORT + fmt, params={"where": heavy_filter(60)})
        elapsed = time.monotonic() - started
    assert r.status_code == 503, (r.status_code, r.content[:200])
    assert "BELFORT_EXPORT_TIMEOUT_SECONDS" in r.json()["message"]
    assert elapsed < 0.5 + SLACK, elapsed


def test_slow_writer_stops_within_budget(budget_half_second: Platform) -> None:
    """XLSX of a million rows takes minutes to write: the budget stops the writer too."""
    with TestClient(create_app(budget_half_second)) as client:
        started = time.monotonic()
        r = client.get("/api/records/1.0/download/", params={"dataset": "groot", "format": "xlsx"})
        elapsed = time.monotonic() - started
    assert r.status_code == 503, (r.status_code, r.content[:200])
    assert elapsed < 0.5 + SLACK, elapsed
    assert not list((budget_half_second.lake.staging_dir).glob("*.xlsx"))  # no leftover file


@pytest.mark.parametrize("path", [
    "/api/records/1.0/download/?dataset=groot&format=json",
    "/api/belfort/v1/datasets/groot/exports/json",
    EXPORT + "jsonl",
])
def test_over_budget_after_first_byte_cuts_the_transfer(
    budget_half_second: Platform, path: str
) -> None:
    """Streaming started (200 sent): the body ends without its last chunk, so the client
    sees an incomplete transfer, never a file that looks whole."""
    with live_server(budget_half_second) as base:
        host, port = urllib.parse.urlsplit(base).netloc.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        started = time.monotonic()
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200
        with pytest.raises(http.client.IncompleteRead):
            response.read()
        elapsed = time.monotonic() - started
        connection.close()
    assert elapsed < 0.5 + SLACK, elapsed


def _cpu_seconds(window: float) -> float:
    """CPU time this process (the server's threads, DuckDB's) used during ``window`` s."""
    before = time.process_time()
    time.sleep(window)
    return time.process_time() - before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_client_leaving_stops_the_work(unbudgeted: Platform, fmt: str) -> None:
    """A client asks for a heavy export and goes away: the server interrupts the query and
    stops the writer within seconds, and its CPU use drops to idle. The control is the same
    export while its client is still there: it does burn CPU, so the drop is the fix."""
    path = EXPORT + fmt + "?" + urllib.parse.urlencode({"where": heavy_filter(100)})
    engine = unbudgeted.engine
    with live_server(unbudgeted) as base:
        host, port = urllib.parse.urlsplit(base).netloc.split(":")
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            time.sleep(1.0)  # the server is computing the export
            while_there = _cpu_seconds(2.0)
        left = time.monotonic()  # the socket is closed: the client went away
        while getattr(engine, "streams_open", 1) and time.monotonic() - left < 4.0:
            time.sleep(0.05)
        stopped_after = time.monotonic() - left
        after = _cpu_seconds(2.0)
        # ratios, not absolute figures: the machine running the tests may be busy with more
        assert while_there > 0.05, f"control: {while_there:.2f} s of CPU while the client waited"
        assert after < while_there / 4, (
            f"{after:.2f} s of CPU in 2 s after the work stopped (vs {while_there:.2f} s before)"
        )
        assert engine.streams_open == 0
        assert stopped_after < 3.0, f"the query ran {stopped_after:.1f} s after the client left"
        assert not list(unbudgeted.lake.staging_dir.glob("*"))  # no half-written file left


@pytest.mark.parametrize("path", [
    EXPORT + "parquet",
    "/api/records/1.0/download/?dataset=groot&format=parquet",
    "/api/belfort/v1/datasets/groot/exports/parquet?nr__gte=0",  # a selection: written anew
])
def test_parquet_export_keeps_large_row_groups(unbudgeted: Platform, path: str) -> None:
    """The stream hands on small slices (to stop quickly); the Parquet file still gets row
    groups of tens of thousands of rows, not thousands of tiny ones."""
    with TestClient(create_app(unbudgeted)) as client:
        r = client.get(path)
    assert r.status_code == 200, r.text[:200]
    metadata = pq.ParquetFile(io.BytesIO(r.content)).metadata
    assert metadata.num_rows == ROWS
    assert metadata.num_row_groups <= ROWS // 50_000 + 1
