"""``belfort gc`` after a crash (issue 11, item 13): the leftovers of a process that no
longer runs go at once, whatever their age; a running process's work in progress stays,
however old; and leftovers whose owner cannot be told wait for the age rule."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from belfort.lake import owners
from belfort.lake.store import Lake
from belfort.settings import Settings
from tests.helpers import counts_csv
from tests.test_publishing import BELFORT, big_csv, published_rows, run_cli


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_gc_removes_a_killed_ingests_leftovers_at_once(settings: Settings, tmp_path: Path) -> None:
    first = run_cli(settings, "ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen")
    assert first.returncode == 0, first.stderr
    staging = settings.data_dir / "staging"
    big = big_csv(tmp_path / "groot.csv", 1_000_000)
    proc = subprocess.Popen(
        [*BELFORT, "ingest", str(big), "--dataset", "tellingen",
         "--data-dir", str(settings.data_dir), "--database-url", settings.database_url],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    started = time.monotonic()
    while not any(staging.iterdir()):
        assert proc.poll() is None, "the ingest ended before it could be killed"
        assert time.monotonic() - started < 120
        time.sleep(0.02)
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    leftovers = list(staging.iterdir())
    assert leftovers
    # the killed process's tag is in its leftovers' names; it is dead
    tag = owners.owner_of(leftovers[0].name)
    assert tag is not None and tag.pid == proc.pid
    assert owners.owner_state(tag) is owners.OwnerState.DEAD
    # the moment between moving its file into versions/ and the catalogue commit
    name = f"20261206T000000Z-0123456789ab-{tag.tag}.parquet"
    orphan = settings.data_dir / "versions" / "tellingen" / name
    orphan.write_bytes(b"PAR1")

    gc = run_cli(settings, "gc")  # the default age (an hour): young leftovers of the dead
    assert gc.returncode == 0, gc.stderr
    assert not any(staging.iterdir()), list(staging.iterdir())
    assert not orphan.exists()
    assert published_rows(settings) == (1, 5, [1])


def test_gc_keeps_a_live_owners_work_and_waits_for_unknown_owners(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "data")
    mine = lake.new_staging_dir()  # this (running) process's
    _age(mine, 30 * 86400)
    me = owners.current()
    reused = lake.staging_dir / f"abc-{dataclasses.replace(me, start=me.start + 1).tag}"
    reused.mkdir()  # this process id, another start time: a dead process whose pid was reused
    rebooted = lake.staging_dir / f"def-{dataclasses.replace(me, boot='f' * 8).tag}"
    rebooted.mkdir()  # this machine before a reboot
    elsewhere = lake.staging_dir / f"ghi-{dataclasses.replace(me, host='0' * 8).tag}"
    elsewhere.mkdir()  # another machine sharing the data directory: cannot tell
    untagged = lake.staging_dir / "0123456789abcdef-4242"  # named before owner tags
    untagged.mkdir()
    export = lake.temporary_file(".xlsx")  # an answer being sent by this process
    _age(export, 7200)

    removed = set(lake.collect_garbage([], min_age_seconds=3600))
    assert removed == {"staging/" + reused.name, "staging/" + rebooted.name}
    assert mine.exists() and export.exists() and elsewhere.exists() and untagged.exists()
    _age(elsewhere, 7200)
    _age(untagged, 7200)
    removed = set(lake.collect_garbage([], min_age_seconds=3600))
    assert removed == {"staging/" + elsewhere.name, "staging/" + untagged.name}
    assert mine.exists() and export.exists()


def test_version_files_carry_their_writers_tag(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "data")
    staged = lake.new_staging_dir() / "data.parquet"
    staged.write_bytes(b"PAR1")
    stored = lake.commit_version_file(staged, "tellingen")
    assert owners.owner_of(stored.relative_path) == owners.current()
    # unreferenced, but its writer is still running: kept even at age 0
    assert lake.collect_garbage([], min_age_seconds=0) == []
    assert lake.collect_garbage([stored.relative_path], min_age_seconds=0) == []
