"""Gent in Cijfers as a dataset: building the ``gent-in-cijfers`` snapshot and reading it.

200 imported indicators × 25 wijken (+ the city) × 10 years (52,000 values, SQLite), written
with their protection; then the live snapshot of ``gent-in-cijfers`` built from them (what
happens once per change of the values, per process; readers meanwhile get the previous
snapshot), and Explore v2.1 ``records`` of one indicator and one year through the whole app
in process (FastAPI's test client).

    .venv/bin/python bench/cijfers_dataset_bench.py [--requests 50]

The snapshot: median of 3 builds, in seconds; the requests: median in milliseconds.
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
    from belfort.cijfers.dataset import DATASET, IndicatorSource
    from belfort.cijfers.geography import CITY_LEVEL, WIJK_LEVEL, geography_of
    from belfort.cijfers.store import Value, save_tables, write_many
    from belfort.platform import Platform
    from belfort.policy.principals import CLI_ADMIN
    from belfort.settings import Settings

    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="cijfers-dataset-bench-"))
    platform = Platform(Settings(data_dir=root / "data",
                                 database_url=f"sqlite:///{root / 'c.db'}"))
    geography = geography_of(platform)
    codes = [f"bench_{i:03d}" for i in range(200)]
    save_tables(platform, CLI_ADMIN, [{"code": c, "name_nl": c, "name_en": c} for c in codes])
    tables = {}
    for i, code in enumerate(codes):
        values = [Value(WIJK_LEVEL, w.code, str(y), float((i * 7 + int(w.code) * 13 + y) % 97),
                        None, (i * 7 + int(w.code) * 13 + y) % 97)
                  for w in geography.wijken for y in range(2015, 2025)]
        for y in range(2015, 2025):
            year = [v for v in values if v.period == str(y)]
            values.append(Value(CITY_LEVEL, geography.city.code, str(y),
                                sum(v.value or 0 for v in year), None,
                                sum(v.contributors or 0 for v in year)))
        tables[code] = values
    write_many(platform, tables)
    builds = []
    for _ in range(3):
        started = time.perf_counter()
        table = IndicatorSource().table(platform)
        builds.append(time.perf_counter() - started)
    print(f"snapshot of {table.num_rows} rows: {statistics.median(builds):.2f} s")
    with TestClient(create_app(platform)) as client:
        url = f"/api/explore/v2.1/catalog/datasets/{DATASET}/records"
        client.get(url, params={"limit": 1})  # the first snapshot of this process
        times = []
        for n in range(args.requests):
            started = time.perf_counter()
            answer = client.get(url, params={
                "where": f"indicator = '{codes[n % 200]}' and periode = '2024'", "limit": 30})
            times.append((time.perf_counter() - started) * 1000)
            assert answer.json()["total_count"] == 26, answer.text
    print(f"v2.1 records, one indicator and one year: p50 {statistics.median(times):.1f} ms")
    platform.close()


if __name__ == "__main__":
    main()
