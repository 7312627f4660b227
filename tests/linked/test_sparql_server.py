"""``/sparql`` on a real ``belfort serve`` process: queries over HTTP, a runaway query stopped
at the timeout while the server keeps answering, and no worker process outliving the server."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import counts_csv, free_port, wait_until_serving

TIMEOUT = 2.0
PUBLIC = "https://data.stad.gent"

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc for child processes")


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def sparql_workers(pid: int) -> set[int]:
    """The server's children but its upkeep process (``belfort.upkeep``: not a query worker)."""
    def upkeep(child: int) -> bool:
        try:
            return b"belfort.upkeep" in Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            return False
    return {child for child in children(pid) if not upkeep(child)}


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@contextmanager
def serve(settings: Settings, public: str | None = PUBLIC) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {**os.environ, "BELFORT_SPARQL_TIMEOUT_SECONDS": str(TIMEOUT)}
    env.pop("BELFORT_PUBLIC_URL", None)
    if public:
        env["BELFORT_PUBLIC_URL"] = public
    proc = subprocess.Popen(
        [sys.executable, "-m", "belfort.cli", "serve", "--port", str(port),
         "--data-dir", str(settings.data_dir), "--database-url", settings.effective_database_url],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)


def test_a_live_server_answers_stops_runaways_and_leaves_no_worker(platform: Platform, settings: Settings,
                                                                   tmp_path: Path) -> None:
    csv_file = counts_csv(tmp_path)
    for name in ("een", "twee", "drie"):
        ingest_file(platform, CLI_ADMIN, name, csv_file, metadata={"title_nl": name.title()})
    with serve(settings) as (base, proc):
        query = "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?d WHERE { ?d a dcat:Dataset } ORDER BY ?d"
        r = httpx.get(base + "/sparql", params={"query": query}, headers={"Origin": "https://widgets.example"},
                      timeout=60)
        assert r.status_code == 200, r.text
        assert r.headers["access-control-allow-origin"] == "*"
        assert [b["d"]["value"] for b in r.json()["results"]["bindings"]] == [
            f"{PUBLIC}/catalog/datasets/{n}" for n in ("drie", "een", "twee")]
        workers = sparql_workers(proc.pid)
        assert workers, "the query ran in a worker process"

        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
        answer: dict[str, object] = {}

        def run() -> None:
            t0 = time.monotonic()
            answer["response"] = httpx.post(base + "/sparql", data={"query": runaway}, timeout=60)
            answer["seconds"] = time.monotonic() - t0

        thread = threading.Thread(target=run)
        thread.start()
        time.sleep(0.3)
        health = []
        for _ in range(3):
            t0 = time.monotonic()
            assert httpx.get(base + "/health", timeout=10).status_code == 200
            health.append(time.monotonic() - t0)
        assert min(health) < TIMEOUT / 2  # not held by the runaway
        thread.join(TIMEOUT + 30)
        response = answer["response"]
        assert response.status_code == 503  # type: ignore[attr-defined]
        assert response.json()["error"] == "query_timeout"  # type: ignore[attr-defined]
        assert answer["seconds"] < TIMEOUT + 3  # type: ignore[operator]
        assert not any(alive(pid) for pid in workers)  # the runaway's worker was killed

        assert httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=60).json()["boolean"] is True
        workers = children(proc.pid)  # the query workers and the upkeep process: none outlives it
        proc.terminate()
        proc.wait(timeout=20)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers), "a worker outlived the server"


def test_without_a_public_url_uris_name_the_served_address_whatever_the_host(
        platform: Platform, settings: Settings, tmp_path: Path) -> None:
    """Issue 11, item 1, on a real server: `belfort serve --port P` names its URIs
    http://127.0.0.1:P (its workers learn the address), and a made-up Host changes nothing."""
    ingest_file(platform, CLI_ADMIN, "een", counts_csv(tmp_path), metadata={"title_nl": "Een"})
    query = "PREFIX dcat: <http://www.w3.org/ns/dcat#> SELECT ?d WHERE { ?d a dcat:Dataset }"
    with serve(settings, public=None) as (base, _):
        answers = [httpx.get(base + "/sparql", params={"query": query}, headers=headers, timeout=60)
                   for headers in ({}, {"Host": "evil.example"}, {"Host": "other.invalid:81"})]
    assert [r.status_code for r in answers] == [200, 200, 200]
    found = {b["d"]["value"] for r in answers for b in r.json()["results"]["bindings"]}
    assert found == {f"{base}/catalog/datasets/een"}
