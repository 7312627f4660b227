"""What every ``belfort`` command shares: the data-directory options, settings and platform
from them, the console, and how an error ends a command (its message, its exit code)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from belfort.errors import BelfortError
from belfort.settings import Settings, load_settings

if TYPE_CHECKING:
    from belfort.platform import Platform  # imported when used: `belfort --help` stays fast

console = Console(stderr=True)


def _settings(data_dir: Path | None, database_url: str | None, **extra: Any) -> Settings:
    return load_settings(data_dir=data_dir, database_url=database_url, **extra)


def _platform(settings: Settings) -> Platform:
    from belfort.cijfers import hooks
    from belfort.platform import Platform

    platform = Platform(settings)
    hooks.install(platform)  # indicators follow their sources' new versions
    return platform


class DataDirPath(click.Path):
    """A directory path; one holding a NUL character is a usage error (exit 2), not a
    traceback from ``os.stat``."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if "\x00" in str(value):
            self.fail("a path cannot hold a NUL character", param, ctx)
        return super().convert(value, param, ctx)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "--database-url", default=None,
        help="Catalogue database URL (default: SQLite in the data dir)."
    )(func)
    func = click.option(
        "--data-dir", type=DataDirPath(path_type=Path), default=None,
        help="Data directory (default: $BELFORT_DATA_DIR or ./var/belfort).",
    )(func)
    return func


def _fail(exc: BelfortError) -> None:
    console.print(f"[bold red]error:[/] {exc.message}")
    report = exc.details.get("report")
    if report:
        _print_report(report)
    sys.exit(exc.exit_code)


def _print_report(report: dict[str, Any]) -> None:
    table = Table(
        title=f"validation: {report['error_count']} problem(s) in {report['rows_read']} rows"
    )
    for column in ("row", "column", "value", "problem"):
        table.add_column(column)
    for problem in report["problems"]:
        examples = problem["examples"] or [
            {"row": None, "column": problem["column"], "value": None}
        ]
        for example in examples:
            table.add_row(
                str(example.get("row") or ""), str(problem["column"] or ""),
                repr(example.get("value")), f"{problem['problem']} (×{problem['count']})",
            )
    console.print(table)
