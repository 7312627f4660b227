"""``belfort migrate`` and ``belfort lake check``: operating the catalogue database and the lake.

``migrate`` brings the catalogue database's schema to the newest migration and says from
which to which (nothing to do: it says so, exit 0). ``lake check`` compares every version row
with its file (present, same size, same SHA-256) and lists orphaned files; it exits 9 when
anything is wrong, 0 when all is well (docs/deployment.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from belfort.commands.common import _fail, _settings, common_options, console
from belfort.errors import BelfortError, DatabaseUnavailable, InvalidRequest
from belfort.settings import Settings

if TYPE_CHECKING:
    from belfort.catalog.database import Database  # imported when used: --help stays fast

LAKE_PROBLEMS_EXIT = 9
MAX_SHOWN = 200  # problems printed as text (--json lists all)


def _checked_settings(data_dir: Path | None, database_url: str | None) -> Settings:
    """Settings, with the command line's data directory and URL checked: clear refusals
    (exit 2) instead of a traceback."""
    if data_dir is not None and "\x00" in str(data_dir):
        raise InvalidRequest("--data-dir: a path cannot hold a NUL character")
    if database_url is not None and ("\x00" in database_url or len(database_url) > 2000):
        raise InvalidRequest("--database-url: not a database URL")
    try:
        return _settings(data_dir, database_url)
    except ValueError as exc:  # pydantic's ValidationError
        raise InvalidRequest(f"settings: {str(exc).splitlines()[0][:300]}") from None


def _database(url: str) -> Database:
    from belfort.catalog.database import Database

    try:
        return Database(url, migrate=False)
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise InvalidRequest("--database-url: not a database URL Belfort can use "
                             "(sqlite:///… or postgresql+psycopg://…)") from None


@click.command(name="migrate")
@common_options
def migrate(data_dir: Path | None, database_url: str | None) -> None:
    """Upgrade the catalogue database's schema to the newest migration (idempotent)."""
    from belfort.catalog.database import current_revisions, head_revisions, upgrade

    try:
        settings = _checked_settings(data_dir, database_url)
        database = _database(settings.effective_database_url)
        try:
            before = current_revisions(database.engine)
            heads = head_revisions()
            if before == heads:
                click.echo(f"catalogue schema at {', '.join(heads)}: nothing to do")
                return
            upgrade(database.engine)
            after = current_revisions(database.engine)
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"the catalogue database cannot be reached or changed ({type(exc).__name__})"
            ) from None
        finally:
            database.dispose()
    except BelfortError as exc:
        _fail(exc)
        return
    click.echo(f"catalogue schema: {', '.join(before) or 'empty'} → {', '.join(after)}")


@click.group(name="lake")
def lake() -> None:
    """The data directory's version files."""


@lake.command(name="check")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def lake_check(data_dir: Path | None, database_url: str | None, as_json: bool) -> None:
    """Every catalogue version has its file with the right checksum; lists missing, corrupt
    and orphaned files. Exit 9 when something is wrong."""
    from sqlalchemy import select

    from belfort.catalog.models import StreamPart, Version
    from belfort.lake.check import ExpectedFile, check_lake
    from belfort.platform import open_lake

    try:
        settings = _checked_settings(data_dir, database_url)
        if not settings.data_dir.is_dir():
            raise InvalidRequest(f"--data-dir: no such directory: {str(settings.data_dir)[:300]}")
        database = _database(settings.effective_database_url)
        try:
            with database.session() as session:
                rows = session.execute(select(
                    Version.dataset_id, Version.number, Version.path, Version.byte_size,
                    Version.checksum, Version.record_times_path)).all()
                parts = session.execute(select(StreamPart.dataset_id, StreamPart.path,
                                               StreamPart.row_count)).all()
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"the catalogue database cannot be read ({type(exc).__name__})") from None
        finally:
            database.dispose()
    except BelfortError as exc:
        _fail(exc)
        return
    expected: list[ExpectedFile] = []
    for dataset_id, number, path, size, checksum, times_path in rows:
        expected.append(ExpectedFile(dataset_id, number, path, size, checksum))
        if times_path:  # the record-times file: no checksum of its own in the row
            expected.append(ExpectedFile(dataset_id, number, times_path, None, None))
    for dataset_id, path, row_count in parts:  # live datasets' compacted parts: "version" 0
        expected.append(ExpectedFile(dataset_id, 0, path, None, None, row_count))
    try:
        report = check_lake(open_lake(settings, check=False), expected)
    except BelfortError as exc:
        _fail(exc)
        return
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print(report.to_dict())
    if not report.ok:
        sys.exit(LAKE_PROBLEMS_EXIT)


def _print(report: dict[str, object]) -> None:
    for kind in ("missing", "corrupt"):
        items = report[kind]
        assert isinstance(items, list)
        for item in items[:MAX_SHOWN]:
            click.echo(f"{kind}: {item['dataset_id']} v{item['version']} {item['path']}"
                       f" — {item['detail']}")
    orphaned = report["orphaned"]
    assert isinstance(orphaned, list)
    for path in orphaned[:MAX_SHOWN]:
        click.echo(f"orphaned: {path}")
    counts = {k: len(v) for k, v in report.items() if isinstance(v, list)}
    summary = (f"{report['checked']} file(s) checked: {counts['missing']} missing, "
               f"{counts['corrupt']} corrupt, {counts['orphaned']} orphaned")
    if report["ok"]:
        click.echo(summary + ": the lake matches the catalogue")
    else:
        console.print(f"[bold red]lake check:[/] {summary}", markup=True)
