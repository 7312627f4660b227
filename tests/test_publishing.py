"""The write path under failure: a real ingest process killed with SIGKILL at several
moments never leaves a half-written version visible, and the live version survives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from belfort.catalog.models import Version
from belfort.lake.store import sha256_of
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import ANONYMOUS
from belfort.query.model import Query
from belfort.schema import TableSchema
from belfort.settings import Settings
from tests.helpers import counts_csv

BELFORT = [sys.executable, "-m", "belfort.cli"]


def big_csv(path: Path, rows: int) -> Path:
    block_rows = 10_000
    lines = [f"Korenmarkt-{i % 37};2024-03-{1 + i % 28:02d} {i % 24:02d}:00:00;{i % 500};{i % 97},5;ja\n"
             for i in range(block_rows)]
    block = "".join(lines).encode()
    with path.open("wb") as handle:
        handle.write(b"telpunt;tijdstip;aantal;bezettingsgraad;open\n")
        for _ in range(rows // block_rows):
            handle.write(block)
    return path


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BELFORT, *args, "--data-dir", str(settings.data_dir), "--database-url", settings.database_url],
        capture_output=True, text=True, timeout=300,
    )


def published_rows(settings: Settings) -> tuple[int, int, list[int]]:
    platform = Platform(settings)
    try:
        with platform.db.session() as session:
            _, version = gate.readable_version(session, ANONYMOUS, "tellingen")
            numbers = sorted(session.scalars(select(Version.number).where(Version.dataset_id == "tellingen")))
            path, schema = platform.lake.absolute(version.path), TableSchema.from_dict(version.table_schema)
            number = version.number
        total = platform.engine.execute(Query(limit=1), schema, path, with_total=True).total
        return number, total, numbers
    finally:
        platform.close()


@pytest.mark.slow
def test_sigkill_during_ingest_leaves_the_live_version_untouched(settings: Settings, tmp_path: Path) -> None:
    first = run_cli(settings, "ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen", "--title", "Tellingen")
    assert first.returncode == 0, first.stderr
    platform = Platform(settings)
    with platform.db.session() as session:
        v1_path = platform.lake.absolute(session.scalars(select(Version.path)).one())
    platform.close()
    v1_checksum = sha256_of(v1_path)
    big = big_csv(tmp_path / "groot.csv", 3_000_000)
    staging = settings.data_dir / "staging"

    def parquet_being_written() -> bool:
        return any(staging.glob("*/data.parquet"))

    moments = {
        "while reading": lambda started: time.monotonic() - started > 0.4,
        "while writing parquet": lambda started: parquet_being_written(),
    }
    for moment, ready in moments.items():
        proc = subprocess.Popen(
            [*BELFORT, "ingest", str(big), "--dataset", "tellingen",
             "--data-dir", str(settings.data_dir), "--database-url", settings.database_url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        started = time.monotonic()
        while not ready(started):
            assert proc.poll() is None, f"ingest ended before it could be killed {moment}"
            assert time.monotonic() - started < 120
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        number, total, numbers = published_rows(settings)
        assert (number, total, numbers) == (1, 5, [1]), moment
        assert sha256_of(v1_path) == v1_checksum

    # The leftovers are garbage, collected without touching the live version …
    assert any(staging.iterdir())
    gc = run_cli(settings, "gc", "--min-age", "0")
    assert gc.returncode == 0, gc.stderr
    assert not any(staging.iterdir())
    assert v1_path.exists() and sha256_of(v1_path) == v1_checksum
    # … and the next ingest simply works.
    again = run_cli(settings, "ingest", str(counts_csv(tmp_path, "nieuw.csv")), "--dataset", "tellingen")
    assert again.returncode == 0, again.stderr
    assert published_rows(settings)[0] == 2


def test_failed_ingest_keeps_everything(settings: Settings, tmp_path: Path) -> None:
    assert run_cli(settings, "ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen").returncode == 0
    bad = tmp_path / "kapot.csv"
    bad.write_text("telpunt;aantal\nKorenmarkt;twaalf\n")
    r = run_cli(settings, "ingest", str(bad), "--dataset", "tellingen", "--type", "aantal=integer")
    assert r.returncode == 3
    assert "aantal" in r.stderr and "twaalf" in r.stderr
    assert published_rows(settings) == (1, 5, [1])
    assert not any((settings.data_dir / "staging").iterdir())


def test_concurrent_ingests_into_one_dataset_get_distinct_versions(platform: Platform, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file

    sources = [counts_csv(tmp_path, f"deel-{i}.csv") for i in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(
            lambda source: ingest_file(platform, CLI_ADMIN, "gelijktijdig", source), sources
        ))
    assert sorted(o.version for o in outcomes) == [1, 2, 3, 4, 5, 6]
    with platform.db.session() as session:
        paths = session.scalars(select(Version.path)).all()
    assert len(set(paths)) == 6 and all(platform.lake.absolute(p).exists() for p in paths)
    assert platform.collect_garbage(min_age_seconds=0) == []  # nothing orphaned
