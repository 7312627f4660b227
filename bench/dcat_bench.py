"""DCAT catalogue benchmark: server time of ``/catalog`` pages on a 10,000-dataset catalogue,
in-process (the app called over ASGI, no network), in every format and page size. The
app is built as ``belfort serve`` builds it (``create_app()`` with its own platform, so
with the server's garbage-collector settings).

    .venv/bin/python bench/dcat_bench.py            # 10,000 datasets, 5 runs per case
    .venv/bin/python bench/dcat_bench.py --quick    # 1,000 datasets, 2 runs
    .venv/bin/python bench/dcat_bench.py --whole-only   # only the whole catalogue in one request

Writes bench/out/results-dcat.json. The catalogue is the portal benchmark's
(``portal_bench._catalogue``: generated rows written straight into a fresh SQLite
catalogue, each published with one small version). Each case is timed on its first
request and then ``runs`` more times. Every request reads its page from the catalogue and
builds the catalogue node and data services anew; each dataset's description comes from
the fragment cache (``belfort.linked.fragments``), so a page's first request (``first_ms``)
builds the descriptions it is the first to need and later ones (``p50_ms``) reuse them.
Wall time depends on what else the machine runs; CPU time (of the whole process) much
less. The whole catalogue is served in one request (``page_size=10000``) in each format:
with empty caches (a restarted server), after a catalogue write (the page built again from
cached fragments) and unchanged (the page cache); and walked page by page (100 and 1,000
a page, Turtle) to time a harvester.
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

from common import CacheHit, machine_info, percentile  # noqa: E402
from portal_bench import _catalogue  # noqa: E402

from belfort.cache_status import any_hit  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
TARGET_S = 2.0
WHOLE = 10_000  # page_size for the whole catalogue (MAX_PAGE_SIZE)
BIG_PAGE = 1_000
FORMATS = ("ttl", "jsonld", "rdf")


def _timed(client: Any, url: str, headers: dict[str, str] | None = None,
           expect: str | None = None) -> tuple[float, int, float]:
    """(wall ms, bytes, CPU ms of the whole process: server and client, every thread).

    ``expect``: "built" refuses a page the server says came from its page cache
    (Cache-Status), "kept" refuses one it built: each figure times what its row names."""
    t0, c0 = time.perf_counter(), time.process_time()
    response = client.get(url, headers=headers or {})
    elapsed, cpu = (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code} {response.text[:300]}")
    status = response.headers.get("cache-status", "")
    if expect == "built" and any_hit(status):
        raise CacheHit(f"GET {url}: meant to be built, but served from the page cache ({status})")
    if expect == "kept" and not any_hit(status):
        raise RuntimeError(f"GET {url}: labelled as the page cache, but built ({status!r})")
    return elapsed, len(response.content), cpu


def _summary(samples: list[float]) -> dict[str, Any]:
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(max(samples), 1), "n": len(samples)}


def run(n: int, runs: int, log: Any = print, *, whole_only: bool = False) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from belfort.api import dcat
    from belfort.app import create_app
    from belfort.linked.dcat import DEFAULT_PAGE_SIZE
    from belfort.linked.store import linked_data
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
                last_max = -(-n // BIG_PAGE)
                urls = {}
                for fmt in FORMATS:
                    urls[f"first page ({DEFAULT_PAGE_SIZE}) .{fmt}"] = f"/catalog.{fmt}"
                    urls[f"last page ({DEFAULT_PAGE_SIZE}) .{fmt}"] = f"/catalog.{fmt}?page={last_default}"
                    urls[f"first page ({BIG_PAGE}) .{fmt}"] = f"/catalog.{fmt}?page_size={BIG_PAGE}"
                    if last_max > 1:  # else the first page again (the page cache would answer it)
                        urls[f"last page ({BIG_PAGE}) .{fmt}"] = f"/catalog.{fmt}?page={last_max}&page_size={BIG_PAGE}"
                urls["one dataset .ttl"] = "/catalog/datasets/" + _first_id(platform) + ".ttl"
                for name, url in urls.items() if not whole_only else ():
                    page = url.startswith("/catalog.") or url == "/catalog"
                    first, size, _ = _timed(client, url, expect="built" if page else None)
                    # repeats of a catalogue page come from the page cache (checked): "p50 (page cache)"
                    timings = [_timed(client, url, expect="kept" if page else None) for _ in range(runs)]
                    cpu = statistics.median(t[2] for t in timings)
                    cases[name] = {"url": url, "first_ms": round(first, 1), **_summary([t[0] for t in timings]),
                                   "cpu_p50_ms": round(cpu, 1), "bytes": size}
                    log(f"  {name}: first (built) {first:.0f} ms, p50 {'(page cache) ' if page else ''}"
                        f"{cases[name]['p50_ms']} ms, "
                        f"max {cases[name]['max_ms']} ms, CPU p50 {cpu:.0f} ms, {size:,} bytes")
                results["whole_catalogue"] = whole = {}
                linked = linked_data(platform_of(app))
                for fmt in reversed(FORMATS):  # Turtle last: its fragments stay cached for the walks below
                    url = f"/catalog.{fmt}?page_size={WHOLE}"
                    linked.fragments.clear()  # empty caches: what a restarted server costs
                    linked.pages.clear()
                    cold, size, cold_cpu = _timed(client, url, expect="built")
                    changed = []  # after a catalogue write: the page is built again from the fragments
                    for _ in range(5 if whole_only else 3):
                        platform_of(app).generation.bump()
                        changed.append(_timed(client, url, expect="built"))
                    unchanged = [_timed(client, url, expect="kept") for _ in range(3)]  # page cache, until the next write
                    whole[fmt] = {"url": url, "bytes": size, "cold_ms": round(cold, 1),
                                  "cold_cpu_ms": round(cold_cpu, 1),
                                  "after_a_change": {**_summary([t[0] for t in changed]),
                                                     "cpu_p50_ms": round(statistics.median(t[2] for t in changed), 1)},
                                  "unchanged": _summary([t[0] for t in unchanged])}
                    log(f"  whole catalogue in one request .{fmt}: cold {cold:.0f} ms; after a catalogue change p50 "
                        f"{whole[fmt]['after_a_change']['p50_ms']} ms (CPU {whole[fmt]['after_a_change']['cpu_p50_ms']}"
                        f" ms); unchanged p50 {whole[fmt]['unchanged']['p50_ms']} ms; {size:,} bytes")
                negotiated = _timed(client, "/catalog", {"Accept": "application/ld+json"})[0]
                results["cases"] = cases
                cases["first page, Accept: application/ld+json"] = {"url": "/catalog", "first_ms": round(negotiated, 1)}
                results["walk_all_pages"] = {}
                walks = ((DEFAULT_PAGE_SIZE, last_default), (BIG_PAGE, last_max)) if not whole_only else ()
                for size, last in walks:
                    platform_of(app).generation.bump()  # pages built anew (from cached fragments)
                    t0 = time.perf_counter()
                    total_bytes = 0
                    for page in range(1, last + 1):
                        total_bytes += _timed(client, f"/catalog.ttl?page={page}&page_size={size}", expect="built")[1]
                    walk = time.perf_counter() - t0
                    results["walk_all_pages"][size] = {"pages": last, "seconds": round(walk, 2), "bytes": total_bytes}
                    log(f"  all {last} pages of {size} (Turtle): {walk:.2f} s, {total_bytes:,} bytes")
            results["cases"] = cases
            worst = max(max(c.get("max_ms", 0), c["first_ms"]) for c in cases.values())
            results["worst_page_ms"] = worst
            whole_worst = max(w["after_a_change"]["p50_ms"] for w in results["whole_catalogue"].values())
            results["whole_catalogue_worst_p50_ms"] = whole_worst
            results["within_target"] = whole_worst <= TARGET_S * 1000
            log(f"  worst single page request: {worst:.0f} ms; whole catalogue after a change, worst p50 "
                f"{whole_worst:.0f} ms (target {TARGET_S * 1000:.0f} ms)")
        finally:
            platform.close()
    return results


def platform_of(app: Any) -> Any:
    return app.state.platform


def _first_id(platform: Any) -> str:
    from sqlalchemy import select

    from belfort.catalog.models import Dataset

    with platform.db.session() as session:
        return str(session.scalar(select(Dataset.id).order_by(Dataset.id).limit(1)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--whole-only", action="store_true", help="only the whole catalogue in one request")
    args = parser.parse_args(argv)
    n, runs = (1_000, 2) if args.quick else (10_000, 5)
    results = run(n, runs, whole_only=args.whole_only)
    out = OUT / ("results-dcat-quick.json" if args.quick else
                 "results-dcat-whole.json" if args.whole_only else "results-dcat.json")
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"wrote {out}")
    return 0 if results["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
