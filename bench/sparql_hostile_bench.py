"""SPARQL under issue 11's hostile patterns, on a real ``belfort serve`` (loopback only).

    .venv/bin/python bench/sparql_hostile_bench.py            # 1,000 datasets
    .venv/bin/python bench/sparql_hostile_bench.py --n 10000

Writes bench/out/results-sparql-hostile.json. Measured, each against the same server:

- made-up ``Host`` headers: six at once, SPARQL queries each; how many stores the server
  built (its log line) and ``GET /api/belfort/v1/datasets`` p50/p95 meanwhile;
- the issue's cartesian query (and the same sorted): status, error and seconds to answer,
  the workers' peak resident memory, and whether a simple query answers afterwards;
- a burst of runaway queries: how many were refused at once (503 ``busy``, ``Retry-After``),
  and how long the refusal took.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_info, percentile  # noqa: E402
from portal_bench import _catalogue  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
CARTESIAN = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT (COUNT(*) AS ?n) WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> }"
URIS = "SELECT ?d WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset> } ORDER BY ?d LIMIT 3"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(n: int, memory_mb: int | None) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine_info(), "datasets": n, "worker_memory_mb": memory_mb,
                               "started": datetime.now(UTC).isoformat(timespec="seconds")}
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        data = Path(tmp) / "catalogue"
        _catalogue(data, n)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "BELFORT_DATA_DIR": str(data)}
        env.pop("BELFORT_PUBLIC_URL", None)
        if memory_mb is not None:
            env["BELFORT_SPARQL_WORKER_MEMORY_MB"] = str(memory_mb)
        log = Path(tmp) / "serve.log"
        with log.open("wb") as err:
            proc = subprocess.Popen([sys.executable, "-m", "belfort.cli", "serve", "--port", str(port)],
                                    stdout=subprocess.DEVNULL, stderr=err, env=env)
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(base + "/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text()[-2000:])
                time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=120) as client:
                t0 = time.monotonic()
                assert client.get("/sparql", params={"query": SIMPLE}).status_code == 200
                results["first_query_s"] = round(time.monotonic() - t0, 2)
                for _ in range(3):  # warm: the listing's first answer is computed
                    client.get("/api/belfort/v1/datasets")
                results.update(_hosts(client))
                results["cartesian"] = _cartesian(client, proc.pid)
                results["burst"] = _burst(client)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return results


def _hosts(client: httpx.Client) -> dict[str, Any]:
    hosts = [f"h{i}.invalid" for i in range(6)]
    stop = threading.Event()
    listing: list[float] = []

    def datasets() -> None:
        with httpx.Client(base_url=str(client.base_url), timeout=120) as own:
            while not stop.is_set():
                t0 = time.perf_counter()
                own.get("/api/belfort/v1/datasets")
                listing.append((time.perf_counter() - t0) * 1000)

    watcher = threading.Thread(target=datasets)
    watcher.start()
    time.sleep(1.0)
    t0 = time.monotonic()
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda h: client.get("/sparql", params={"query": f"# {h}\n{URIS}"},
                                                     headers={"Host": h}), hosts))
    seconds = time.monotonic() - t0
    time.sleep(1.0)
    stop.set()
    watcher.join()
    return {"hosts": {"statuses": sorted({r.status_code for r in answers}), "seconds": round(seconds, 2),
                      "same_answer": len({r.content for r in answers}) == 1,
                      "datasets_p50_ms": round(statistics.median(listing), 1),
                      "datasets_p95_ms": round(percentile(listing, 95), 1), "datasets_n": len(listing)}}


def _cartesian(client: httpx.Client, server: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, query in (("plain", CARTESIAN), ("sorted", CARTESIAN + " ORDER BY ?i ?a")):
        peak = [0.0]
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                for pid in _children(server):
                    peak[0] = max(peak[0], _rss_mb(pid))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        t0 = time.monotonic()
        r = client.get("/sparql", params={"query": query})
        seconds = time.monotonic() - t0
        stop.set()
        watcher.join()
        after = client.get("/sparql", params={"query": SIMPLE}).status_code
        out[name] = {"status": r.status_code, "error": r.json().get("error") if r.status_code != 200 else None,
                     "seconds": round(seconds, 2), "worker_peak_rss_mb": round(peak[0]),
                     "simple_query_after": after}
    return out


def _burst(client: httpx.Client, size: int = 10) -> dict[str, Any]:
    def one(i: int) -> tuple[int, float, str | None]:
        t0 = time.monotonic()
        r = client.get("/sparql", params={"query": f"# {i}\n{RUNAWAY}"})
        return r.status_code, time.monotonic() - t0, r.headers.get("retry-after")

    with ThreadPoolExecutor(size) as pool:
        answers = list(pool.map(one, range(size)))
    refused = [a for a in answers if a[2] is not None and a[1] < 2]
    return {"queries": size, "refused_at_once": len(refused),
            "refusal_max_s": round(max((a[1] for a in refused), default=0), 2),
            "statuses": sorted(a[0] for a in answers), "retry_after": sorted({a[2] for a in answers if a[2]})}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000)
    parser.add_argument("--memory-mb", type=int, default=None, help="BELFORT_SPARQL_WORKER_MEMORY_MB")
    args = parser.parse_args(argv)
    results = run(args.n, args.memory_mb)
    out = OUT / "results-sparql-hostile.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps({k: v for k, v in results.items() if k != "machine"}, indent=2, default=str))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
