"""``belfort cijfers sectors load FILE``: the statistical sectors of Gent in Cijfers.

The sectors (a GeoJSON FeatureCollection: code, name and wijk per sector) are checked, every
problem named (exit 2, nothing kept); then they replace the ones loaded before, and every
indicator published at the level ``sector`` is computed again (an imported table is protected
again against its new sectors).
"""

from __future__ import annotations

from pathlib import Path

import click

from belfort.commands.common import _fail, _platform, _settings, common_options, console
from belfort.errors import BelfortError


@click.group(name="cijfers")
def command() -> None:
    """Gent in Cijfers: indicators per wijk and statistical sector."""


@command.group(name="sectors")
def sectors() -> None:
    """The statistical sectors (the level ``sector``)."""


@sectors.command(name="load")
@common_options
@click.argument("geojson", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load(data_dir: Path | None, database_url: str | None, geojson: Path) -> None:
    """Load the sector boundaries in GEOJSON (replacing the ones loaded before)."""
    from belfort.cijfers.compute import recompute
    from belfort.cijfers.geography import SECTOR_LEVEL, geography_of
    from belfort.cijfers.sectors import load_sectors
    from belfort.cijfers.store import list_indicators, write_values

    platform = _platform(_settings(data_dir, database_url))
    try:
        count = load_sectors(platform, geojson, geography_of(platform))
        geography = geography_of(platform)  # with the sectors just loaded
        with platform.db.session() as session:
            found = [(i.code, i.kind) for i in list_indicators(session)
                     if SECTOR_LEVEL in i.geolevels]
        failed = recompute(platform, geography, [code for code, kind in found if kind == "query"])
        for code, kind in found:
            if kind == "table":
                write_values(platform, code, [], replace=False)  # protected again
    except BelfortError as exc:
        _fail(exc)
        return
    finally:
        platform.close()
    console.print(f"{count} sectors loaded; {len(found)} indicators at the level sector updated")
    for code, error in sorted(failed.items()):
        if error:
            console.print(f"[yellow]indicator {code}:[/] {error}")
