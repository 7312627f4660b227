"""(a) Ingest: one Belgian-style CSV, Belfort's write path versus sqlite-utils (Datasette's loader)."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from common import bin_path, run_timed
from data import write_belgian_csv

CLI_TIMEOUT_S = 900


def _belfort_once(csv_path: Path, workdir: Path) -> tuple[float, dict[str, Any]]:
    from belfort.platform import Platform
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file
    from belfort.settings import Settings

    data_dir = Path(tempfile.mkdtemp(prefix="belfort-ingest-", dir=workdir))
    try:
        platform = Platform(Settings(data_dir=data_dir, database_url=None))
        try:
            t0 = time.perf_counter()
            outcome = ingest_file(
                platform, CLI_ADMIN, "bench-ingest", csv_path, metadata={"title_nl": "Bench"}
            )
            elapsed = time.perf_counter() - t0
        finally:
            platform.close()
        info = {
            "row_count": outcome.row_count,
            "version": outcome.version,
            "published": outcome.published,
            "schema": {f["name"]: f["type"] for f in outcome.schema["fields"]},
        }
        return elapsed, info
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _belfort_cli_once(csv_path: Path, workdir: Path) -> float:
    data_dir = Path(tempfile.mkdtemp(prefix="belfort-cli-", dir=workdir))
    try:
        return run_timed(
            [bin_path("belfort"), "ingest", str(csv_path), "--dataset", "bench-ingest",
             "--data-dir", str(data_dir)],
            timeout=CLI_TIMEOUT_S,
        )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _sqlite_utils_once(csv_path: Path, workdir: Path, detect_types: bool) -> tuple[float, dict[str, Any]]:
    """sqlite-utils 4.x detects column types by default; ``--no-detect-types`` keeps all TEXT."""
    import sqlite3

    db = workdir / f"sqlite-utils-{'typed' if detect_types else 'text'}.db"
    db.unlink(missing_ok=True)
    cmd = [bin_path("sqlite-utils"), "insert", str(db), "metingen", str(csv_path),
           "--csv", "--delimiter", ";"]
    if not detect_types:
        cmd.append("--no-detect-types")
    try:
        elapsed = run_timed(cmd, timeout=CLI_TIMEOUT_S)
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT count(*) FROM metingen").fetchone()[0]
            cols = {r[1]: r[2] for r in conn.execute("PRAGMA table_info(metingen)")}
        conn.close()
        return elapsed, {"row_count": rows, "schema": cols}
    finally:
        db.unlink(missing_ok=True)


def _stats(samples: list[float], rows: int) -> dict[str, Any]:
    med = statistics.median(samples)
    return {
        "runs": len(samples),
        "samples_s": [round(s, 3) for s in samples],
        "median_s": round(med, 3),
        "rows_per_s": round(rows / med),
    }


def run(workdir: Path, rows: int, runs: int, log=print) -> dict[str, Any]:
    csv_path = workdir / "belgian-export.csv"
    t0 = time.perf_counter()
    write_belgian_csv(csv_path, rows)
    gen_s = time.perf_counter() - t0
    size_mb = csv_path.stat().st_size / 1e6
    log(f"  generated {rows:,} CSV rows ({size_mb:.1f} MB) in {gen_s:.1f} s")
    results: dict[str, Any] = {"rows": rows, "csv_mb": round(size_mb, 1), "generate_s": round(gen_s, 2)}
    try:
        # Interleave the contenders run by run, so drift in machine load hits all alike.
        belfort, cli, text, typed = [], [], [], []
        belfort_info = text_info = typed_info = None
        for i in range(runs):
            s, belfort_info = _belfort_once(csv_path, workdir)
            belfort.append(s)
            s, typed_info = _sqlite_utils_once(csv_path, workdir, detect_types=True)
            typed.append(s)
            s, text_info = _sqlite_utils_once(csv_path, workdir, detect_types=False)
            text.append(s)
            log(f"  run {i + 1}/{runs}: belfort {belfort[-1]:.2f} s, sqlite-utils (default, detects "
                f"types) {typed[-1]:.2f} s, sqlite-utils --no-detect-types {text[-1]:.2f} s")
        cli.append(_belfort_cli_once(csv_path, workdir))
        log(f"  belfort CLI (incl. interpreter start): {cli[-1]:.2f} s")
        assert belfort_info and belfort_info["row_count"] == rows, belfort_info
        assert text_info and text_info["row_count"] == rows, text_info
        assert typed_info and typed_info["row_count"] == rows, typed_info
        results["belfort"] = {**_stats(belfort, rows), **belfort_info}
        results["belfort_cli"] = _stats(cli, rows)
        results["sqlite_utils"] = {**_stats(typed, rows), **typed_info}
        results["sqlite_utils_no_detect_types"] = {**_stats(text, rows), **text_info}
        b = results["belfort"]["median_s"]
        # Belfort rows/s divided by sqlite-utils rows/s (>1: Belfort is faster)
        results["ratio_speed_belfort_vs_sqlite_utils"] = round(results["sqlite_utils"]["median_s"] / b, 2)
        results["ratio_speed_belfort_vs_sqlite_utils_no_detect_types"] = round(
            results["sqlite_utils_no_detect_types"]["median_s"] / b, 2
        )
        results["target_rows_per_s"] = 500_000
        results["target_met"] = results["belfort"]["rows_per_s"] >= 500_000
        return results
    finally:
        csv_path.unlink(missing_ok=True)
