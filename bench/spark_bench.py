"""The same group-by on DuckDB and on Spark ``local[2]``, side by side (issue 16, item 7).

One ``Query`` (count, sum, average and maximum per sensor, 100 sensors, a filter that keeps
~90 % of the rows) over generated Parquet files of 1e5, 1e6 and 1e7 rows, run through
Belfort's two engines (``QueryEngine`` and ``SparkEngine``): the same compiled question as
the API asks it, never a cached answer (the DuckDB engine here keeps none). Runs alternate
between the engines so that a noisy neighbour hits both; medians, the ratio Spark/DuckDB and
the gap in seconds per size. Spark's start (the JVM) is timed apart, once.

    .venv/bin/python bench/spark_bench.py   # 1e5, 1e6, 1e7 rows (~5-10 min on 2 shared cores)
    .venv/bin/python bench/spark_bench.py --sizes 100000 --runs 3   # a smoke run
    .venv/bin/python bench/spark_bench.py --connect sc://127.0.0.1:15002   # + Spark Connect

With ``--connect`` the same question also goes through a Spark Connect server (started
beforehand as docs/spark.md shows, on this machine so that it reads the generated files),
a third engine in the same alternation.

Data are generated from a fixed seed in a temporary directory under bench/out/ and deleted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from belfort.query.engine import QueryEngine
from belfort.query.odsql import parse_query
from belfort.query.spark import SparkEngine, start_session
from belfort.schema import Field, TableSchema

OUT = Path(__file__).resolve().parent / "out"
SCHEMA = TableSchema(
    (Field("sensor", "string"), Field("aantal", "integer"), Field("waarde", "number"))
)
QUERY = parse_query(
    select="sensor, count(*) AS n, sum(aantal) AS s, avg(waarde) AS a, max(waarde) AS m",
    where="aantal >= 10",
    group_by="sensor",
    order_by="sensor",
    limit=1000,
)


def write_rows(path: Path, rows: int, seed: int = 16) -> None:
    rng = np.random.default_rng(seed)
    names = np.array([f"sensor-{i:03d}" for i in range(100)], dtype=object)
    chunk = 1_000_000
    writer = None
    try:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            table = pa.table(
                {
                    "sensor": pa.array(names[rng.integers(0, 100, n)], pa.string()),
                    "aantal": pa.array(rng.integers(0, 100, n), pa.int64()),
                    "waarde": pa.array(rng.normal(50.0, 15.0, n), pa.float64()),
                }
            )
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--connect", default="", help="sc://host:port of a Spark Connect server")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="spark-bench-", dir=OUT))
    duck = QueryEngine(work, threads=2, memory_limit="2GB", timeout_seconds=600, max_rows=1000)
    results: list[dict[str, object]] = []
    try:
        started = time.perf_counter()
        spark = SparkEngine("local[2]", max_rows=1000, session=start_session("local[2]"))
        spark_start = time.perf_counter() - started
        print(f"Spark local[2] session start: {spark_start:.1f} s (once per process)")
        engines: list[tuple[str, QueryEngine | SparkEngine]] = [("duckdb", duck), ("spark", spark)]
        if args.connect:
            connect = SparkEngine(args.connect, max_rows=1000)
            connect.session.conf.set("spark.sql.shuffle.partitions", "4")  # as local[2]'s
            engines.append(("connect", connect))
        for rows in sizes:
            path = work / f"rows-{rows}.parquet"
            write_rows(path, rows)
            # a warm-up each (file metadata, Spark's code generation), then alternate
            expected = duck.execute(QUERY, SCHEMA, path).rows
            for _name, engine in engines[1:]:
                got = engine.execute(QUERY, SCHEMA, path).rows
                assert [(r[0], r[1], r[2]) for r in got] == [(r[0], r[1], r[2]) for r in expected]
            times: dict[str, list[float]] = {name: [] for name, _engine in engines}
            for _ in range(args.runs):
                for name, engine in engines:
                    t0 = time.perf_counter()
                    engine.execute(QUERY, SCHEMA, path)
                    times[name].append(time.perf_counter() - t0)
            d, s = statistics.median(times["duckdb"]), statistics.median(times["spark"])
            c = statistics.median(times["connect"]) if args.connect else None
            results.append(
                {
                    "rows": rows,
                    "connect_s": c,
                    "duckdb_s": d,
                    "spark_s": s,
                    "ratio": s / d,
                    "gap_s": s - d,
                    "samples": times,
                }
            )
            print(
                f"{rows:>12,} rows  duckdb {d * 1000:9.1f} ms  spark {s * 1000:9.1f} ms  "
                f"ratio {s / d:6.1f}x  gap {s - d:+.2f} s"
                + (f"  connect {c * 1000:9.1f} ms ({c / s:.2f}x local[2])" if c else ""),
                flush=True,
            )
            path.unlink()
        extra = " Spark Connect median | Connect / local[2] |" if args.connect else ""
        print("\n| rows | DuckDB median | Spark local[2] median | Spark / DuckDB | gap |" + extra)
        print("|---:|---:|---:|---:|---:|" + ("---:|---:|" if args.connect else ""))
        for r in results:
            connected = ""
            if r["connect_s"] is not None:
                c = float(r["connect_s"])  # type: ignore[arg-type]
                connected = f" {c * 1000:.0f} ms | {c / float(r['spark_s']):.2f}x |"
            print(
                f"| {r['rows']:,} | {float(r['duckdb_s']) * 1000:.0f} ms "
                f"| {float(r['spark_s']) * 1000:.0f} ms "
                f"| {float(r['ratio']):.1f}x | {float(r['gap_s']):+.2f} s |" + connected
            )
        (OUT / "results-spark.json").write_text(
            json.dumps(
                {
                    "spark_start_s": spark_start,
                    "runs": args.runs,
                    "cpus": os.cpu_count(),
                    "query": repr(QUERY),
                    "results": results,
                },
                indent=1,
            )
        )
    finally:
        duck.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
