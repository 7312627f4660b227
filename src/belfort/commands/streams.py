"""``belfort streams compact``: move the hot store's old observations into the lake, roll up
and drop what is past its retention (what ``belfort serve`` does every
``BELFORT_STREAM_COMPACT_SECONDS``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from belfort.commands.common import _platform, _settings, common_options, console


@click.group(name="streams")
def command() -> None:
    """Live streams' storage: compaction, rollups, retention."""


@command.command(name="compact")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def compact_(data_dir: Path | None, database_url: str | None, as_json: bool) -> None:
    """Compact the hot store into the lake and apply retention (once)."""
    from belfort.streams.compaction import compact

    platform = _platform(_settings(data_dir, database_url))
    try:
        report = compact(platform)
    finally:
        platform.close()
    if as_json:
        click.echo(json.dumps(asdict(report)))
        return
    if report.skipped:
        console.print("another process is compacting right now; nothing done")
        return
    console.print(
        f"{report.compacted_rows} observations moved into {report.parts_written} files "
        f"({report.dropped_duplicates} resent ones dropped); {report.rolled_up_days} days "
        f"rolled up; {report.expired_rollup_parts} expired rollup files; "
        f"{report.removed_files} leftover files removed")
