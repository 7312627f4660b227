"""DCAT catalogue benchmark: server time of ``/catalog`` pages on a 10,000-dataset catalogue,
in-process (the app called over ASGI, no network), in every format and page size. The
app is built as ``belfort serve`` builds it (``create_app()`` with its own platform, so
with the server's garbage-collector settings).

    .venv/bin/python bench/dcat_bench.py            # 10,000 datasets, 5 runs per case
    .venv/bin/python bench/dcat_bench.py --quick    # 1,000 datasets, 2 runs

Writes bench/out/results-dcat.json. The catalogue is the portal benchmark's
(``portal_bench._catalogue``: generated rows written straight into a fresh SQLite
catalogue, each published with one small version). Each case is timed on its first
request and then ``runs`` more times; nothing is cached between requests, so every
request reads its page from the catalogue and builds and serialises it anew. Wall time
depends on what else the machine runs; CPU time (of the whole process) much less. The whole
catalogue is also walked page by page (100 and 1,000 a page, Turtle) to time a harvester.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_info, percentile  # noqa: E402
from portal_bench import _catalogue  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
TARGET_S = 2.0
FORMATS = ("ttl", "jsonld", "rdf")


def _timed(client: Any, url: str, headers: dict[str, str] | None = None) -> tuple[float, int, float]:
    """(wall ms, bytes, CPU ms of the whole process: server and client, every thread)."""
    t0, c0 = time.perf_counter(), time.process_time()
    response = client.get(url, headers=headers or {})
    elapsed, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.text[:300]}")
    return elapsed, len(response.content), cpu


def _summary(samples: list[float]) -> dict[str, Any]:
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(max(samples), 1), "n": len(samples)}


def run(n: int, runs: int, log: Any = print) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from belfort.api import dcat
    from belfort.api.app import create_app
    from belfort.linked.dcat import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
    from belfort.platform import Platform
    from belfort.settings import Settings

    results: dict[str, Any] = {"machine": machine_info(), "datasets": n, "runs": runs, "target_s": TARGET_S,
                               "started": datetime.now(UTC).isoformat(timespec="seconds")}
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        data = Path(tmp) / "catalogue"
        t0 = time.perf_counter()
        _catalogue(data, n)
        results["catalogue_write_s"] = round(time.perf_counter() - t0, 2)
        # the app as `belfort serve` builds it (its own platform, the server's GC settings)
        os.environ["BELFORT_DATA_DIR"] = str(data)
        platform = Platform(Settings(data_dir=data))
        try:
            app = dcat.ensure_included(create_app())
            cases: dict[str, Any] = {}
            with TestClient(app) as client:
                last_default = -(-n // DEFAULT_PAGE_SIZE)
                last_max = -(-n // MAX_PAGE_SIZE)
                urls = {}
                for fmt in FORMATS:
                    urls[f"first page ({DEFAULT_PAGE_SIZE}) .{fmt}"] = f"/catalog.{fmt}"
                    urls[f"last page ({DEFAULT_PAGE_SIZE}) .{fmt}"] = f"/catalog.{fmt}?page={last_default}"
                    urls[f"first page ({MAX_PAGE_SIZE}) .{fmt}"] = f"/catalog.{fmt}?page_size={MAX_PAGE_SIZE}"
                    urls[f"last page ({MAX_PAGE_SIZE}) .{fmt}"] = (
                        f"/catalog.{fmt}?page={last_max}&page_size={MAX_PAGE_SIZE}")
                urls["one dataset .ttl"] = "/catalog/datasets/" + _first_id(platform) + ".ttl"
                for name, url in urls.items():
                    first, size, _ = _timed(client, url)
                    timings = [_timed(client, url) for _ in range(runs)]
                    cpu = statistics.median(t[2] for t in timings)
                    cases[name] = {"url": url, "first_ms": round(first, 1), **_summary([t[0] for t in timings]),
                                   "cpu_p50_ms": round(cpu, 1), "bytes": size}
                    log(f"  {name}: first {first:.0f} ms, p50 {cases[name]['p50_ms']} ms, "
                        f"max {cases[name]['max_ms']} ms, CPU p50 {cpu:.0f} ms, {size:,} bytes")
                negotiated = _timed(client, "/catalog", {"Accept": "application/ld+json"})[0]
                cases["first page, Accept: application/ld+json"] = {"url": "/catalog", "first_ms": round(negotiated, 1)}
                results["walk_all_pages"] = {}
                for size, last in ((DEFAULT_PAGE_SIZE, last_default), (MAX_PAGE_SIZE, last_max)):
                    t0 = time.perf_counter()
                    total_bytes = 0
                    for page in range(1, last + 1):
                        total_bytes += _timed(client, f"/catalog.ttl?page={page}&page_size={size}")[1]
                    walk = time.perf_counter() - t0
                    results["walk_all_pages"][size] = {"pages": last, "seconds": round(walk, 2), "bytes": total_bytes}
                    log(f"  all {last} pages of {size} (Turtle): {walk:.2f} s, {total_bytes:,} bytes")
            results["cases"] = cases
            worst = max(max(c.get("max_ms", 0), c["first_ms"]) for c in cases.values())
            results["worst_page_ms"] = worst
            results["within_target"] = worst <= TARGET_S * 1000
            log(f"  worst single request: {worst:.0f} ms (target {TARGET_S * 1000:.0f} ms)")
        finally:
            platform.close()
    return results


def _first_id(platform: Any) -> str:
    from sqlalchemy import select

    from belfort.catalog.models import Dataset

    with platform.db.session() as session:
        return str(session.scalar(select(Dataset.id).order_by(Dataset.id).limit(1)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    n, runs = (1_000, 2) if args.quick else (10_000, 5)
    results = run(n, runs)
    out = OUT / ("results-dcat-quick.json" if args.quick else "results-dcat.json")
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"wrote {out}")
    return 0 if results["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
