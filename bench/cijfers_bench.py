"""Gent in Cijfers: the Swing selection table and recomputing every indicator.

- ``selectiontableasjson``: 200 imported indicators × 25 wijken (+ the city) × 10 years
  (SQLite), one request per indicator in turn through the whole app in process (FastAPI's
  test client: routing, middleware, the database read, protection texts, JSON), all wijken of
  the most recent year (``period=mrp``) and, second, every year (``period=all``), next to
  ``GET /health`` through the same client (the in-process HTTP floor) and the selection
  without HTTP;
- the wijk profile page (``/cijfers/wijken/N``, issue 18 item 8): every indicator of the
  profile (the 200 above and the demo's) with its trend line, rank and series table, through
  the whole app in process, one wijk after another;
- recompute: 200 query indicators over the demo's counts (``--size`` small or full):
  sums per day per wijk joined to the counting points' locations and counts by a geopoint,
  each with its own filter, all recomputed as after a new version of their source.

    .venv/bin/python bench/cijfers_bench.py [--size small] [--requests 400] [--pages 100]

Medians in milliseconds; the recompute once, in seconds.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    from fastapi.testclient import TestClient

    from belfort.app import create_app
    from belfort.cijfers.compute import recompute_all
    from belfort.cijfers.geography import CITY_LEVEL, WIJK_LEVEL, geography_of
    from belfort.cijfers.store import Value, save_indicator, write_many
    from belfort.cijfers.swing import selection_table
    from belfort.demo.loader import DEMO_LOADER, load_demo
    from belfort.platform import Platform
    from belfort.settings import Settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="small")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="cijfers-bench-"))
    platform = Platform(Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'c.db'}"))
    for _line in load_demo(platform, size=args.size):
        pass
    geography = geography_of(platform)
    tables = {}
    for i in range(200):
        code = f"bench_{i:03d}"
        save_indicator(
            platform, DEMO_LOADER, {"code": code, "name_nl": f"Bench {i}", "name_en": f"Bench {i}"}
        )
        values = [
            Value(
                WIJK_LEVEL,
                w.code,
                str(y),
                float((i * 7 + int(w.code) * 13 + y) % 97),
                None,
                (i * 7 + int(w.code) * 13 + y) % 97,
            )
            for w in geography.wijken
            for y in range(2015, 2025)
        ]
        values += [
            Value(
                CITY_LEVEL,
                geography.city.code,
                str(y),
                sum(v.value or 0 for v in values if v.period == str(y)),
                None,
                sum(v.contributors or 0 for v in values if v.period == str(y)),
            )
            for y in range(2015, 2025)
        ]
        tables[code] = values
    started = time.perf_counter()
    write_many(platform, tables)
    print(f"wrote 200 × 26 × 10 values with protection: {time.perf_counter() - started:.2f} s")
    with TestClient(create_app(platform)) as client:
        timings = []
        for _n in range(args.requests):
            t0 = time.perf_counter()
            client.get("/health")
            timings.append((time.perf_counter() - t0) * 1000)
        print(
            f"baseline GET /health through the same client: p50 {statistics.median(timings):.2f} ms"
        )
        for period in ("mrp", "all"):
            timings = []
            for n in range(args.requests):
                params = {"var": f"bench_{n % 200:03d}", "geolevel": "wijk", "period": period}
                t0 = time.perf_counter()
                answer = client.get("/jive/selectiontableasjson.ashx", params=params)
                timings.append((time.perf_counter() - t0) * 1000)
                assert answer.status_code == 200 and answer.json()["rows"]
            print(
                f"selectiontableasjson period={period}: p50 {statistics.median(timings):.2f} ms, "
                f"p90 {statistics.quantiles(timings, n=10)[-1]:.2f} ms ({args.requests} requests)"
            )
        page_timings = []
        for n in range(args.pages + 1):
            t0 = time.perf_counter()
            answer = client.get(f"/cijfers/wijken/{n % 25 + 1}")
            page_timings.append((time.perf_counter() - t0) * 1000)
            assert answer.status_code == 200 and answer.text.count('class="bf-trend"') >= 200
        # the first request builds what every profile shares; each wijk's first visit builds
        # its profile (kept until the catalogue changes); later visits render it
        first, page_timings = page_timings[0], page_timings[1:]
        first_visits = page_timings[:24]
        trends = answer.text.count('class="bf-trend"')
        print(
            f"wijk profile page (/cijfers/wijken/N, {trends} "
            f"indicators, {len(answer.content) // 1024} KiB): first {first:.1f} ms, "
            f"a wijk's first visit p50 {statistics.median(first_visits):.1f} ms, "
            f"p50 {statistics.median(page_timings):.2f} ms, "
            f"p90 {statistics.quantiles(page_timings, n=10)[-1]:.2f} ms ({args.pages} requests)"
        )
    timings = []
    for n in range(args.requests):
        t0 = time.perf_counter()
        with platform.db.session() as session:
            selection_table(geography, session, {"var": f"bench_{n % 200:03d}", "geolevel": "wijk"})
        timings.append((time.perf_counter() - t0) * 1000)
    print(f"selection_table itself (no HTTP): p50 {statistics.median(timings):.2f} ms")
    for i in range(200):
        definition: dict[str, object]
        if i % 2:
            definition = {
                "dataset": "passantentellingen-gent-demo",
                "measure": "sum",
                "field": "aantal",
                "time": "tijdstip",
                "per_day": True,
                "where": f"aantal >= {i}",
                "location_from": {
                    "dataset": "telpunten-drukte-gent",
                    "key": "id",
                    "location": "locatie",
                    "join": "telpunt_id",
                },
            }
        else:
            definition = {
                "dataset": "telpunten-drukte-gent",
                "measure": "count",
                "time": "in_dienst_sinds",
                "location": "locatie",
                "where": f"netto_oppervlakte_m2 >= {i}",
            }
        save_indicator(
            platform,
            DEMO_LOADER,
            {
                "code": f"live_{i:03d}",
                "name_nl": f"Live {i}",
                "name_en": f"Live {i}",
                "period_type": "month" if i % 2 else "year",
                "definition": definition,
            },
        )
    started = time.perf_counter()
    outcome = recompute_all(platform, geography)
    elapsed = time.perf_counter() - started
    failed = [c for c, e in outcome.items() if e]
    print(f"recompute {len(outcome)} query indicators: {elapsed:.2f} s ({len(failed)} failed)")


if __name__ == "__main__":
    main()
