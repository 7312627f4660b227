"""Belfort benchmarks: ingest, group-by and the API under load, side by side with SQLite/Datasette.

    .venv/bin/python bench/run.py            # full sizes (~20 min on 2 cores)
    .venv/bin/python bench/run.py --quick    # ~10x smaller, a smoke run (~1-2 min)
    .venv/bin/python bench/run.py --only api # the Opendatasoft API under load (wrk)

Prints a table and writes bench/out/results.json. See bench/README.md for the method.
Nothing is downloaded; servers bind to 127.0.0.1 only and are always stopped.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_bench  # noqa: E402
import ingest_bench  # noqa: E402
import query_bench  # noqa: E402
from common import machine_info  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"

FULL = {"csv_rows": 1_000_000, "ingest_runs": 3, "sensors": 200, "hours": 50_000,
        "runs": 20, "warmup": 2, "budget_s": 60.0, "sqlite_warmup": 1, "sqlite_budget_s": 45.0}
# quick: 10x fewer rows everywhere (20 sensors keep the 2024 slice in range)
QUICK = {"csv_rows": 100_000, "ingest_runs": 3, "sensors": 20, "hours": 50_000,
         "runs": 10, "warmup": 2, "budget_s": 15.0, "sqlite_warmup": 1, "sqlite_budget_s": 10.0}
# (c) the API under load: wrk settings and dataset sizes
API_FULL = {"search_rows": 100_000, "export_rows": 1_000_000, "export_runs": 3, "obs_sensors": 200,
            "obs_hours": 50_000, "wrk_threads": 2, "wrk_connections": 32, "wrk_seconds": 15,
            "single_runs": 7}
API_QUICK = {"search_rows": 100_000, "export_rows": 100_000, "export_runs": 3, "obs_sensors": 20,
             "obs_hours": 50_000, "wrk_threads": 2, "wrk_connections": 32, "wrk_seconds": 5,
             "single_runs": 5}


def log(msg: str) -> None:
    print(msg, flush=True)


def _fmt_rate(x: float) -> str:
    return f"{x:,.0f}"


def table(results: dict[str, Any]) -> str:
    lines: list[str] = []
    ing = results.get("ingest")
    if ing:
        lines.append(f"(a) Ingest of one {ing['rows']:,}-row Belgian CSV ({ing['csv_mb']} MB), "
                     f"median of {ing['belfort']['runs']} runs")
        lines.append("| contender | median s | rows/s | time ÷ Belfort |")
        lines.append("|---|---:|---:|---:|")
        b = ing["belfort"]["median_s"]
        for key, label in (
            ("belfort", "Belfort `ingest_file` (typed: datetime, date, decimal comma, boolean)"),
            ("belfort_cli", "Belfort CLI `belfort ingest` (1 run, incl. interpreter start)"),
            ("sqlite_utils", "sqlite-utils insert --csv --delimiter ';' (4.x default: detects types)"),
            ("sqlite_utils_no_detect_types", "sqlite-utils ... --no-detect-types (all TEXT)"),
        ):
            r = ing[key]
            lines.append(f"| {label} | {r['median_s']:.2f} | {_fmt_rate(r['rows_per_s'])} | "
                         f"{r['median_s'] / b:.2f}x |")
        met = "MET" if ing["target_met"] else "NOT MET"
        lines.append(f"Target Belfort >= 500,000 rows/s: {met} ({_fmt_rate(ing['belfort']['rows_per_s'])} rows/s)")
        lines.append("")
    q = results.get("query")
    if q:
        lines.append(f"(b) Group-by over {q['rows']:,} observation rows ({q['sensors']} sensors x "
                     f"{q['hours']:,} hours); ms, p50 / p95 (n runs)")
        lines.append("| contender | Q1 group-by p50 | Q1 p95 | Q2 2024 + group-by p50 | Q2 p95 | "
                     "Q1 ratio | Q2 ratio | n |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        labels = (
            ("belfort_engine", "Belfort engine (in-process), result cache off: every run computed"),
            ("belfort_engine_total", "Belfort engine + total count (what the API runs), cache off"),
            ("belfort_http", "Belfort HTTP API (`/records`, includes total_count), cache off"),
            ("belfort_engine_cached", "Belfort engine, repeated question (answer cache)"),
            ("belfort_http_cached", "Belfort HTTP API, repeated question (answer cache)"),
            ("sqlite_noindex", "SQLite sqlite3, no index"),
            ("datasette_noindex", "Datasette JSON API, no index"),
            ("sqlite_index", "SQLite sqlite3, indexed (telpunt), (tijdstip)"),
            ("datasette_index", "Datasette JSON API, indexed (telpunt), (tijdstip)"),
            ("sqlite_covering", "SQLite sqlite3, + covering indexes per query"),
        )
        base = q["belfort_engine"]
        for key, label in labels:
            if key not in q:
                continue
            r1, r2 = q[key]["groupby"], q[key]["range_groupby"]
            lines.append(
                f"| {label} | {r1['p50_ms']:.1f} | {r1['p95_ms']:.1f} | {r2['p50_ms']:.1f} | "
                f"{r2['p95_ms']:.1f} | {r1['p50_ms'] / base['groupby']['p50_ms']:.1f}x | "
                f"{r2['p50_ms'] / base['range_groupby']['p50_ms']:.1f}x | {r1['n']}/{r2['n']} |"
            )
        lines.append("(ratio = contender p50 / Belfort engine p50, cache off; >1 means Belfort is faster; "
                     "cache-off rows were checked run by run not to come from a kept answer)")
        met = "MET" if q["target_met"] else "NOT MET"
        lines.append(f"Target Belfort p50 <= 150 ms for Q1: {met} ({base['groupby']['p50_ms']:.1f} ms)")
        lines.append(f"Same answers everywhere: {q['answers_agree']}")
        pi = q["belfort_parquet_ingest"]
        lines.append(f"Belfort Parquet ingest of the {q['rows']:,} rows: {pi['s']} s "
                     f"({_fmt_rate(pi['rows_per_s'])} rows/s); SQLite load: {q['sqlite_load']['load_s']} s"
                     + (f", indexes + ANALYZE: {q['sqlite_indexes']['index_s']} s" if "sqlite_indexes" in q else "")
                     + (f", covering indexes: {q['sqlite_covering_indexes']['index_s']} s"
                        if "sqlite_covering_indexes" in q else ""))
        lines.append("")
    a = results.get("api")
    if a:
        lines.extend(api_table(a))
    return "\n".join(lines)


def _wrk_row(label: str, r: dict[str, Any]) -> str:
    flag = "" if r["ok"] else f" **{r['non_2xx']} non-2xx, socket errors {r['socket_errors']}**"
    share = r.get("kept_share")
    kept = "" if share is None or not r.get("answers_computed", 0) + r.get("answers_kept", 0) else f"{share:.0%}"
    return (f"| {label}{flag} | {_fmt_rate(r['req_per_s'])} | {r.get('p50_ms', float('nan')):.2f} | "
            f"{r.get('p90_ms', float('nan')):.2f} | {r.get('p99_ms', float('nan')):.2f} | {r.get('requests', 0):,} | "
            f"{r['single_request_ms']['p50_ms']:.2f} | {kept} |")


def api_table(a: dict[str, Any]) -> list[str]:
    cfg, b, d, sizes = a["config"], a["belfort"], a["datasette"], a["sizes"]
    lines = [f"(c) API under load: wrk -t{cfg['wrk_threads']} -c{cfg['wrk_connections']} -d{cfg['wrk_seconds']}s "
             f"over loopback; Belfort `serve --workers 2`, Datasette one process",
             "| endpoint | req/s | p50 ms | p90 ms | p99 ms | requests | 1 at a time p50 ms | kept answers |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    n = f"{sizes['tellingen']:,}"
    for key, label in (
        ("v1_search_random_filter", f"Belfort v1 search rows=10 ({n} rows), a new q filter every request (cold, checked)"),
        ("v1_search_same_url", "Belfort v1 search rows=10, same URL (answer cache)"),
        ("v1_search_random_start", "Belfort v1 search rows=10, random start 0..9990 (kept answers, pages of a kept result)"),
        ("v1_search_uncached", "Belfort v1 search rows=10, random start + undeclared param (ignored: kept answers, pages)"),
        ("v1_search_facet_same_url", "Belfort v1 search rows=10 + facet=telpunt, same URL (answer cache)"),
        ("v1_search_facet_uncached", "Belfort v1 search + facet, random start + undeclared param (kept answers, facets)"),
        ("v21_records_same_url", "Belfort v2.1 records limit=10, same URL (engine result cache)"),
    ):
        if key in b:
            lines.append(_wrk_row(label, b[key]))
    lines.append(_wrk_row(f"Datasette table JSON _size=10 _nocount _nofacet ({n} rows)", d["plain"]))
    if "filter" in d:
        lines.append(_wrk_row("Datasette ... _size=10 _nocount _nofacet, a new bezettingsgraad__gte filter every request",
                              d["filter"]))
        lines.append(_wrk_row("Datasette ... the same with its count (like Belfort's nhits)", d["filter_count"]))
    lines.append(_wrk_row("Datasette table JSON _size=10 _facet=telpunt _nocount", d["facet"]))
    lines.append(_wrk_row("Datasette ... _facet=telpunt _nocount _nosuggest=1 (no facet suggestions)",
                          d["facet_nosuggest"]))
    o = f"{sizes['observaties']:,}"
    for key, label in (
        ("v21_groupby_random_filter", f"Belfort v2.1 where + group_by ({o} rows), a new where every request (cold, checked)"),
        ("v21_groupby", "Belfort v2.1 where + group_by, same URL (engine result cache)"),
        ("v1_analyze_groupby", f"Belfort v1 analyze, same question ({o} rows) (engine result cache)"),
        ("native_groupby", f"Belfort native /records, same question ({o} rows) (engine result cache)"),
    ):
        if key in b:
            lines.append(_wrk_row(label, b[key]))
    if not b.get("v21_present"):
        lines.append("Explore v2.1 routes: NOT SERVED by this build (not in /openapi.json) — not measured")
    lines.append("Ratios Belfort req/s / Datasette req/s: "
                 + ", ".join(f"{k} {v}x" for k, v in a["ratios_req_per_s"].items()))
    for key, label in (("export_v1_csv", "v1 download format=csv"), ("export_v21_csv", "v2.1 exports/csv")):
        if key in b:
            e = b[key]
            lines.append(f"CSV export, {label}, {e['rows']:,} rows ({e['mb']} MB): median {e['median_s']} s "
                         f"(runs {e['samples_s']})")
    lines.append("Targets: " + ", ".join(f"{k} {'MET' if v else 'NOT MET'}" for k, v in a["targets"].items()))
    if a["failures"]:
        lines.append("FAILURES: " + "; ".join(a["failures"]))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="~10x smaller sizes, fewer runs (smoke run)")
    parser.add_argument("--only", choices=["ingest", "query", "api"], help="run one part only")
    parser.add_argument("--no-indexes", action="store_true", help="skip the indexed SQLite variant")
    args = parser.parse_args(argv)
    cfg = dict(QUICK if args.quick else FULL)

    OUT.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=OUT))
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    results: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "command": " ".join([".venv/bin/python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "config": cfg,
        "machine": machine_info(),
    }
    m = results["machine"]
    log(f"Belfort bench ({results['mode']}) {results['started']} — nproc {m['nproc']}, RAM {m['ram']}, "
        f"python {m['python']}, duckdb {m['duckdb']}, sqlite {m['sqlite']}")
    try:
        if args.only in (None, "ingest"):
            log("(a) ingest")
            results["ingest"] = ingest_bench.run(workdir, cfg["csv_rows"], cfg["ingest_runs"], log)
        if args.only in (None, "query"):
            log("(b) group-by")
            opts = {k: cfg[k] for k in ("runs", "warmup", "budget_s", "sqlite_warmup", "sqlite_budget_s")}
            opts["indexes"] = not args.no_indexes
            results["query"] = query_bench.run(workdir, cfg["sensors"], cfg["hours"], opts, log)
        if args.only in (None, "api"):
            log("(c) API under load")
            results["api"] = api_bench.run(workdir, dict(API_QUICK if args.quick else API_FULL), log)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        results["elapsed_s"] = round(time.perf_counter() - t0, 1)
        name = "results.json" if not args.quick else "results-quick.json"
        if args.only == "api":  # do not overwrite the ingest/query figures of a full run
            name = "results-api.json" if not args.quick else "results-api-quick.json"
        (OUT / name).write_text(json.dumps(results, indent=2, default=str))
    print()
    print(table(results))
    print(f"\nwritten: {OUT / name} (total {results['elapsed_s']} s)")
    failures = results.get("api", {}).get("failures")
    if failures:
        print("\nFAILED: Belfort answered non-2xx, dropped connections, or a row meant to be cold got kept "
              "answers:\n  " + "\n  ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
