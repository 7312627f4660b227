"""``belfort migrate`` (from → to, idempotent) and ``belfort lake check`` (missing, corrupt
and orphaned files; exit 9; ``--json``), with bad arguments refused clearly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from belfort.catalog.database import head_revisions
from belfort.catalog.models import Version
from belfort.cli import main
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import counts_csv


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_migrate_says_from_and_to_and_is_idempotent(tmp_path: Path) -> None:
    where = ["--data-dir", str(tmp_path / "data")]
    head = ", ".join(head_revisions())
    first = run("migrate", *where)
    assert first.exit_code == 0, first.output
    assert f"catalogue schema: empty → {head}" in first.output
    again = run("migrate", *where)
    assert again.exit_code == 0 and f"catalogue schema at {head}: nothing to do" in again.output
    platform = Platform(Settings(data_dir=tmp_path / "data"))  # the schema is usable
    platform.close()


def test_migrate_on_postgresql(database_url: str, tmp_path: Path) -> None:
    if not database_url.startswith("postgresql"):
        return  # the SQLite run is the test above
    first = run("migrate", "--data-dir", str(tmp_path), "--database-url", database_url)
    assert first.exit_code == 0 and "→" in first.output, first.output
    again = run("migrate", "--data-dir", str(tmp_path), "--database-url", database_url)
    assert again.exit_code == 0 and "nothing to do" in again.output


@pytest.mark.parametrize(("url", "code"), [
    ("not a url", 2), ("mysql+nosuchdriver://x/y", 2), ("", 0),
    ("postgresql+psycopg://belfort:hunter2-secret@127.0.0.1:1/belfort", 7),
    ("sqlite:///bad\x00path.sqlite", 2), ("x" * 5000, 2),
])
def test_migrate_refuses_bad_database_urls_clearly(url: str, code: int, tmp_path: Path) -> None:
    answer = run("migrate", "--data-dir", str(tmp_path / "data"), "--database-url", url)
    assert answer.exit_code == code, answer.output
    assert "Traceback" not in answer.output and "hunter2" not in answer.output
    if code:
        assert "error:" in answer.output


@pytest.fixture
def lake(platform: Platform, tmp_path: Path) -> tuple[Platform, list[str]]:
    for name in ("een", "twee", "drie"):
        ingest_file(platform, CLI_ADMIN, name, counts_csv(tmp_path), metadata={"title_nl": name})
    where = ["--data-dir", str(platform.settings.data_dir),
             "--database-url", platform.settings.effective_database_url]
    return platform, where


def _file(platform: Platform, dataset_id: str) -> Path:
    """The file the catalogue's row names for the dataset's version 1."""
    with platform.db.session() as session:
        path = session.scalars(select(Version.path).where(
            Version.dataset_id == dataset_id, Version.number == 1)).one()
    return platform.lake.absolute(path)


def test_lake_check_finds_a_deleted_a_corrupted_and_an_orphaned_file(
        lake: tuple[Platform, list[str]]) -> None:
    platform, where = lake
    clean = run("lake", "check", *where)
    assert clean.exit_code == 0, clean.output
    assert "3 file(s) checked: 0 missing, 0 corrupt, 0 orphaned" in clean.output
    deleted, corrupted = _file(platform, "een"), _file(platform, "twee")
    deleted.unlink()
    data = bytearray(corrupted.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, another checksum
    corrupted.write_bytes(bytes(data))
    orphan = platform.lake.versions_dir / "drie" / "20240101T000000Z-left-over.parquet"
    shutil.copy(_file(platform, "drie"), orphan)
    live = platform.lake.versions_dir / "_live" / "x" / "snapshot.parquet"  # not the lake's
    live.parent.mkdir(parents=True)
    live.write_bytes(b"PAR1")

    text = run("lake", "check", *where)
    assert text.exit_code == 9, text.output
    assert f"missing: een v1 {deleted.relative_to(platform.lake.root)}" in text.output
    shown = corrupted.relative_to(platform.lake.root)
    assert f"corrupt: twee v1 {shown} — checksum" in text.output
    assert f"orphaned: {orphan.relative_to(platform.lake.root)}" in text.output
    assert "1 missing, 1 corrupt, 1 orphaned" in text.output and "snapshot" not in text.output

    as_json = run("lake", "check", "--json", *where)
    assert as_json.exit_code == 9
    report = json.loads(as_json.stdout)
    assert report["ok"] is False and report["checked"] == 3
    assert [(p["dataset_id"], p["version"]) for p in report["missing"]] == [("een", 1)]
    assert [p["dataset_id"] for p in report["corrupt"]] == ["twee"]
    assert report["orphaned"] == [str(orphan.relative_to(platform.lake.root))]

    truncated = _file(platform, "drie")
    truncated.write_bytes(truncated.read_bytes()[:-10])
    worse = json.loads(run("lake", "check", "--json", *where).stdout)
    assert "bytes, the catalogue says" in next(
        p["detail"] for p in worse["corrupt"] if p["dataset_id"] == "drie")


@pytest.mark.parametrize(("args", "code"), [
    (["--data-dir", "/nonexistent/belfort-data"], 2),
    (["--data-dir", "bad\x00dir"], 2),
    (["--json=yes"], 2),
    (["--no-such-option"], 2),
    (["extra-argument"], 2),
])
def test_lake_check_refuses_bad_arguments(args: list[str], code: int) -> None:
    answer = run("lake", "check", *args)
    assert answer.exit_code == code, answer.output
    assert "Traceback" not in answer.output


def test_lake_check_with_an_unreachable_database(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    answer = run("lake", "check", "--data-dir", str(tmp_path / "data"), "--database-url",
                 "postgresql+psycopg://belfort:hunter2-secret@127.0.0.1:1/belfort")
    assert answer.exit_code == 7 and "hunter2" not in answer.output
    assert "cannot be read" in answer.output
