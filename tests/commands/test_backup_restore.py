"""The documented backup and restore (docs/deployment.md, "Backups and restore"), on the
embedded SQLite catalogue: dump the database first, then copy the lake; a version written in
between is an orphan after the restore, `belfort lake check` says so, `belfort gc` removes it,
and the restored catalogue serves its records."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from belfort.catalog.store import find_dataset
from belfort.cli import main
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import COUNTS_CSV, counts_csv, write


def test_dump_then_copy_restores_a_consistent_catalogue(tmp_path: Path) -> None:
    live, restored = tmp_path / "live", tmp_path / "restored"
    platform = Platform(Settings(data_dir=live))
    try:
        ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                    metadata={"title_nl": "Tellingen"})
        # 1. the database first (SQLite's online backup)
        restored.mkdir()
        with sqlite3.connect(live / "catalog.sqlite") as source, \
                sqlite3.connect(restored / "catalog.sqlite") as target:
            source.backup(target)
        # a version written between the dump and the copy, by another process
        more = write(tmp_path / "meer.csv", COUNTS_CSV + "Graslei;2024-03-01 15:00:00;7;0,2;ja\n")
        subprocess.run([sys.executable, "-m", "belfort.cli", "ingest", str(more),
                        "--dataset", "tellingen", "--data-dir", str(live)],
                       check=True, capture_output=True, timeout=120)
        # 2. then the lake
        shutil.copytree(live, restored, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("catalog.sqlite", "catalog.sqlite-*"))
    finally:
        platform.close()

    runner = CliRunner()
    where = ["--data-dir", str(restored)]
    assert runner.invoke(main, ["migrate", *where]).exit_code == 0
    checked = runner.invoke(main, ["lake", "check", "--json", *where])
    report = json.loads(checked.stdout)
    assert checked.exit_code == 9 and report["missing"] == [] and report["corrupt"] == []
    assert len(report["orphaned"]) == 2  # version 2 and its record-times file, not in the dump
    assert runner.invoke(main, ["gc", "--min-age", "0", *where]).exit_code == 0
    again = runner.invoke(main, ["lake", "check", *where])
    assert again.exit_code == 0, again.output

    back = Platform(Settings(data_dir=restored))
    try:
        with back.db.session() as session:
            dataset = find_dataset(session, "tellingen")
            assert dataset is not None and dataset.published_version == 1
            version = dataset.versions[-1]
            path = back.lake.absolute(version.path)
        assert back.engine.row_count(path) == 5
    finally:
        back.close()
