"""Aggregation thresholds: the same aggregate question with and without ``min_group_size``.

    .venv/bin/python bench/threshold_bench.py            # 1,000,000 rows (20 sensors x 50,000 h)
    .venv/bin/python bench/threshold_bench.py --quick    # 100,000 rows, a smoke run

Each question runs through ``QueryEngine.execute`` cold (the engine keeps no answers:
``result_cache_bytes=0``, and the kept-answer counter is checked not to move), once
unrestricted and once with ``disclosure=Disclosure(10)``, alternating run by run so that
machine noise hits both alike. Medians and the ratio restricted / unrestricted are
printed as a Markdown table (target: at most 2x) and written to
``bench/out/threshold.json``.

- ``per sensor``: count, sum, avg of ``aantal`` per ``telpunt`` (20 large groups);
- ``per sensor and day``: count per ``telpunt`` and day (~42,000 groups of 24 rows; two keys,
  so every margin is checked);
- ``per value``: count per value of ``aantal`` (~500 groups, the rare values small: primary
  and secondary suppression at work);
- ``filtered total``: the sum of ``aantal`` for one sensor (the population rule: the
  filter's complement is counted too, here from the file's row count);
- ``filtered total, row filter``: the same within a grant's row filter (direction ``in``):
  the population (the rows the row filter selects) is counted by one more statement the
  first time and then kept per version and filter, like the file's row count (the warm-up
  run pays it; its cost is about that of the unrestricted question);
- ``facet (v2.1): …``: one facet as Explore v2.1 ``/facets`` asks it
  (``belfort.query.facets.facet_query``: values with a count among the records that have a
  value, most frequent first, 100 shown) — over ``telpunt`` (20 values) and over ``aantal``
  (~500 values, the rare ones suppressed, primary and secondary);
- ``facet (v1, values + total): aantal``: the same as v1 ``facet_groups`` asks it
  (``compute_facet``: the values and the facet's total, two engine calls);
- ``facet (v2.1), refined: aantal``: the ``aantal`` facet under ``refine=telpunt:sensor-003``
  (a filter: the population rule counts what it leaves out too).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_info, refuse_hits  # noqa: E402
from data import write_observations_parquet  # noqa: E402

from belfort.query.disclosure import Disclosure  # noqa: E402
from belfort.query.engine import QueryEngine  # noqa: E402
from belfort.query.facets import compute_facet, facet_query  # noqa: E402
from belfort.query.model import (  # noqa: E402
    Aggregate,
    And,
    Compare,
    FieldRef,
    Function,
    Literal,
    OrderItem,
    Query,
    SelectItem,
)
from belfort.schema import Field, TableSchema  # noqa: E402

SCHEMA = TableSchema(
    (
        Field("telpunt", "string"),
        Field("tijdstip", "datetime"),
        Field("aantal", "integer"),
        Field("richting", "string"),
    )
)
OUT = Path(__file__).resolve().parent / "out"


def questions() -> dict[str, Query]:
    telpunt, aantal = FieldRef("telpunt"), FieldRef("aantal")
    day = Function("date_format", (FieldRef("tijdstip"), Literal("yyyy-MM-dd")))
    count = SelectItem(Aggregate("count"), "n")
    return {
        "per sensor": Query(
            select=(
                SelectItem(telpunt),
                count,
                SelectItem(Aggregate("sum", aantal), "som"),
                SelectItem(Aggregate("avg", aantal), "gem"),
            ),
            group_by=(SelectItem(telpunt),),
            order_by=(OrderItem(telpunt),),
        ),
        "per sensor and day": Query(
            select=(SelectItem(telpunt), SelectItem(day, "dag"), count),
            group_by=(SelectItem(telpunt), SelectItem(day)),
            order_by=(OrderItem(telpunt), OrderItem(day)),
            limit=100,
        ),
        "per value": Query(
            select=(SelectItem(aantal), count),
            group_by=(SelectItem(aantal),),
            order_by=(OrderItem(aantal),),
            limit=1000,
        ),
        "filtered total": Query(
            select=(SelectItem(Aggregate("sum", aantal), "som"),),
            where=Compare("=", telpunt, Literal("sensor-003")),
        ),
        "filtered total, row filter": Query(
            select=(SelectItem(Aggregate("sum", aantal), "som"),),
            where=And((INWARD, Compare("=", telpunt, Literal("sensor-003")))),
        ),
    }


INWARD = Compare("=", FieldRef("richting"), Literal("in"))
SENSOR_3 = Compare("=", FieldRef("telpunt"), Literal("sensor-003"))


def facet_questions() -> dict[str, Query]:
    """Facets as Explore v2.1 ``/facets`` asks them (100 values shown)."""
    return {
        "facet (v2.1): telpunt": facet_query(SCHEMA, "telpunt", None, 100),
        "facet (v2.1): aantal": facet_query(SCHEMA, "aantal", None, 100),
        "facet (v2.1), refined: aantal": facet_query(SCHEMA, "aantal", SENSOR_3, 100),
    }


def asked(engine: QueryEngine, path: Path) -> dict[str, Callable[[Disclosure | None], Any]]:
    """Every question as a call with or without a rule; it returns (rows, suppressed)."""
    def query(q: Query) -> Callable[[Disclosure | None], Any]:
        def ask(rule: Disclosure | None) -> Any:
            result = engine.execute(q, SCHEMA, path, disclosure=rule)
            return result.rows, result.suppressed
        return ask

    def v1_facet(rule: Disclosure | None) -> Any:
        facet = compute_facet(engine, SCHEMA, path, "aantal", None, disclosure=rule)
        return facet.values, facet.suppressed

    calls = {label: query(q) for label, q in {**questions(), **facet_questions()}.items()}
    calls["facet (v1, values + total): aantal"] = v1_facet
    return calls


def rule_for(label: str) -> Disclosure:
    if label.endswith("row filter"):
        return Disclosure(min_group_size=10, population=INWARD)
    return Disclosure(min_group_size=10)


def run(rows: int, runs: int, budget_s: float) -> dict[str, Any]:
    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="threshold-", dir=OUT))
    try:
        versions = work / "versions"
        versions.mkdir()
        path = write_observations_parquet(versions / "obs.parquet", 20, rows // 20)
        engine = QueryEngine(
            versions, threads=2, memory_limit="1GB", timeout_seconds=120, max_rows=10_000
        )
        results: dict[str, Any] = {}
        try:
            for label, ask in asked(engine, path).items():
                rule = rule_for(label)
                plain = refuse_hits(lambda a=ask: a(None), lambda: engine.results.hits, label)
                kept = refuse_hits(
                    lambda a=ask, r=rule: a(r), lambda: engine.results.hits, label + " (k=10)"
                )
                plain(), kept()  # warm-up: file metadata, DuckDB's object cache
                a: list[float] = []
                b: list[float] = []
                spent = time.perf_counter()
                for i in range(runs):  # alternate, and swap who goes first
                    for fn, out in (
                        ((plain, a), (kept, b)) if i % 2 == 0 else ((kept, b), (plain, a))
                    ):
                        t0 = time.perf_counter()
                        answer = fn()
                        out.append(time.perf_counter() - t0)
                    if i >= 2 and time.perf_counter() - spent > budget_s:
                        break
                released, suppressed = ask(rule)
                results[label] = {
                    "runs": len(a),
                    "unrestricted_ms": statistics.median(a) * 1000,
                    "k10_ms": statistics.median(b) * 1000,
                    "ratio": statistics.median(b) / statistics.median(a),
                    "rows_released": len(released),
                    "groups_suppressed": suppressed,
                    "last_rows": len(answer[0]),
                }
        finally:
            engine.close()
        return {"rows": rows, "machine": machine_info(), "questions": results}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows, fewer runs")
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    runs = 5 if args.quick else args.runs
    report = run(rows, runs, budget_s=60.0 if args.quick else 240.0)
    name = "threshold-quick.json" if args.quick else "threshold.json"
    (OUT / name).write_text(json.dumps(report, indent=2, default=str))
    print(f"{rows:,} rows; medians of {runs} alternating runs, engine cold\n")
    print("| question | unrestricted | k = 10 | ratio | groups released / suppressed |")
    print("|---|---:|---:|---:|---:|")
    for label, r in report["questions"].items():
        print(
            f"| {label} | {r['unrestricted_ms']:.1f} ms | {r['k10_ms']:.1f} ms | "
            f"{r['ratio']:.2f}x | {r['rows_released']} / {r['groups_suppressed']} |"
        )


if __name__ == "__main__":
    main()
