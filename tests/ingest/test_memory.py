"""A CSV larger than the memory budget streams through: 1 GB within 2 GB RSS."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROWS_PER_BLOCK = 10_000


def _write_big_csv(path: Path, target_bytes: int) -> int:
    lines = [
        f"S-{i % 97:04d};2024-03-{1 + i % 28:02d} {i % 24:02d}:00:00;{1 + i % 28:02d}/12/2024;"
        f"{i * 7 % 1000};{i % 500},{i % 10};{'ja' if i % 3 else 'nee'}\n"
        for i in range(ROWS_PER_BLOCK)
    ]
    block = "".join(lines).encode()
    repeats = max(1, target_bytes // len(block))
    with path.open("wb") as handle:
        handle.write(b"sensor_id;tijdstip;datum;aantal;waarde;actief\n")
        for _ in range(repeats):
            handle.write(block)
    return repeats * ROWS_PER_BLOCK


@pytest.mark.slow
@pytest.mark.serial  # a peak of memory: alone, not beside another worker's tests
@pytest.mark.timeout(600)
def test_one_gigabyte_csv_within_two_gigabytes_rss(tmp_path):
    source = tmp_path / "groot.csv"
    rows = _write_big_csv(source, 1 << 30)
    assert source.stat().st_size >= 0.99 * (1 << 30)
    destination = tmp_path / "groot.parquet"
    script = textwrap.dedent(
        f"""
        import json, resource, time
        from pathlib import Path
        from belfort.ingest import convert_to_parquet
        start = time.perf_counter()
        result = convert_to_parquet(Path({str(source)!r}), Path({str(destination)!r}))
        elapsed = time.perf_counter() - start
        print(json.dumps({{
            "rows": result.row_count,
            "seconds": elapsed,
            "types": [f.type for f in result.schema.fields],
            "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        }}))
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    # the converting process's own peak (Linux: kilobytes). Not RUSAGE_CHILDREN of this
    # process: that is the largest of all its children so far, a Spark JVM or a server of an
    # earlier test run by the same pytest worker
    peak_kb = outcome["maxrss_kb"]
    print(f"1 GB CSV: {outcome['rows']} rows in {outcome['seconds']:.1f}s, peak RSS {peak_kb / 1024:.0f} MiB")
    assert outcome["rows"] == rows
    assert outcome["types"] == ["string", "datetime", "date", "integer", "number", "boolean"]
    assert peak_kb < 2 * 1024 * 1024
    assert destination.stat().st_size > 0
