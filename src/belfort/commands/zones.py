"""``belfort zones add|list|remove|demo|links``: the zones whose crowding Belfort estimates,
and the street links between them (what-if scenarios).

``add`` reads a GeoJSON file: a Feature (its properties give id, name, area_m2, density,
dwell_seconds, centre), a FeatureCollection of them, or a bare Polygon with ``--id`` and
``--name``. Options override what the file says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from belfort.commands.common import _fail, _platform, _settings, common_options, console
from belfort.errors import BelfortError, InvalidRequest, PayloadTooLarge

MAX_FILE_BYTES = 16_000_000
MAX_FEATURES = 1000


def _features(path: Path) -> list[Any]:
    """The zone objects in a GeoJSON file; ``InvalidRequest`` when it is not one."""
    if path.stat().st_size > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"{path.name}: larger than {MAX_FILE_BYTES:,} bytes")
    try:
        data = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidRequest(f"{path.name}: not a JSON (GeoJSON) file") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise InvalidRequest(f"{path.name}: a FeatureCollection without features")
        if len(features) > MAX_FEATURES:
            raise InvalidRequest(f"{path.name}: more than {MAX_FEATURES} features")
        return features
    if isinstance(data, dict) and data.get("type") == "Polygon":
        return [{"type": "Feature", "properties": {}, "geometry": data}]
    return [data]


@click.group(name="zones")
def command() -> None:
    """Zones (squares, streets) whose crowding is estimated: add, list, remove, demo."""


@command.command(name="add")
@common_options
@click.argument("geojson", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--id", "zone_id", default=None, help="Zone id (a slug), e.g. korenmarkt.")
@click.option("--name", default=None, help="What the zone is called, e.g. 'Korenmarkt'.")
@click.option("--area", "area_m2", type=float, default=None,
              help="Net walkable area in m² (default: the polygon's area).")
@click.option("--density", type=float, default=None,
              help="Persons per m² at capacity (default: BELFORT_TWIN_DENSITY).")
@click.option("--dwell", "dwell_seconds", type=float, default=None,
              help="Average stay in seconds (default: BELFORT_TWIN_DWELL_SECONDS).")
@click.option("--centre/--not-centre", default=None, help="Part of the city centre.")
def add(data_dir: Path | None, database_url: str | None, geojson: Path, zone_id: str | None,
        name: str | None, area_m2: float | None, density: float | None,
        dwell_seconds: float | None, centre: bool | None) -> None:
    """Define the zone(s) in GEOJSON."""
    from belfort.twin.datasets import ensure_crowding_datasets
    from belfort.twin.zones import add_zone, spec_from_mapping

    overrides = {k: v for k, v in dict(id=zone_id, name=name, area_m2=area_m2, density=density,
                                       dwell_seconds=dwell_seconds, centre=centre).items()
                 if v is not None}
    platform = _platform(_settings(data_dir, database_url))
    try:
        features = _features(geojson)
        if len(features) > 1 and ("id" in overrides or "name" in overrides):
            raise InvalidRequest("--id and --name are for a file with one zone")
        with platform.db.session() as session:
            added = []
            for feature in features:
                spec = spec_from_mapping(feature)
                if overrides:
                    spec = spec_from_mapping({**_fields(spec), **overrides})
                added.append(add_zone(session, platform.settings, spec).id)
        ensure_crowding_datasets(platform)
    except BelfortError as exc:
        _fail(exc)
        return
    for zone in added:
        console.print(f"zone {zone} added")


def _fields(spec: Any) -> dict[str, Any]:
    return {k: getattr(spec, k) for k in ("id", "name", "geometry", "area_m2", "density",
                                           "dwell_seconds", "centre")}


@command.command(name="list")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON (with the polygons).")
def list_(data_dir: Path | None, database_url: str | None, as_json: bool) -> None:
    """List the zones."""
    from belfort.twin.zones import list_zones, zone_dict

    platform = _platform(_settings(data_dir, database_url))
    with platform.db.session() as session:
        found = [zone_dict(z, platform.settings) for z in list_zones(session)]
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for zone in found:
        where = "centre" if zone["centre"] else "-"
        click.echo(f"{zone['id']}\t{zone['area_m2']:.0f} m²\tcapacity {zone['capacity']}\t"
                   f"{where}\t{zone['name']}")


@command.command(name="remove")
@common_options
@click.argument("zone_id")
def remove(data_dir: Path | None, database_url: str | None, zone_id: str) -> None:
    """Remove ZONE_ID (its sensors keep their zone id but count for no zone)."""
    from belfort.twin.zones import remove_zone

    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            remove_zone(session, zone_id)
    except BelfortError as exc:
        _fail(exc)
        return
    console.print(f"zone {zone_id} removed")


@command.command(name="demo")
@common_options
def demo(data_dir: Path | None, database_url: str | None) -> None:
    """Add the demo's zones (the squares of its counting points TP01…) if missing."""
    from belfort.twin.demo_zones import load_demo_zones
    from belfort.twin.scenarios.demo_links import load_demo_links

    platform = _platform(_settings(data_dir, database_url))
    added = load_demo_zones(platform)
    console.print(f"{len(added)} demo zone(s) added" + (f": {', '.join(added)}" if added else ""))
    console.print(f"{load_demo_links(platform)} demo street link(s) added")


@command.command(name="links")
@common_options
@click.argument("path", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
def links(data_dir: Path | None, database_url: str | None, path: Path | None) -> None:
    """Replace the street links of the what-if scenarios' zone graph with those of a YAML or
    JSON file (all or nothing); without a file, list them."""
    from belfort.twin.scenarios.links import (
        MAX_FILE_BYTES as MAX_LINKS_BYTES,
    )
    from belfort.twin.scenarios.links import (
        link_dict,
        list_links,
        replace_links,
        specs_from_text,
    )

    platform = _platform(_settings(data_dir, database_url))
    if path is None:
        with platform.db.session() as session:
            for link in list_links(session):
                found = link_dict(link, platform.settings)
                click.echo(f"{found['id']}\t{found['from']}\t{found['to']}\t"
                           f"{found['width_m']:g} m × {found['length_m']:g} m\t"
                           f"capacity {found['capacity_per_hour']}/h")
        return
    try:
        if path.stat().st_size > MAX_LINKS_BYTES:
            raise PayloadTooLarge(f"{path.name}: larger than {MAX_LINKS_BYTES:,} bytes")
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidRequest(f"{path.name}: not UTF-8 text") from None
        specs = specs_from_text(text, platform.settings)
        with platform.db.session() as session:
            count = replace_links(session, platform.settings, specs)
    except BelfortError as exc:
        _fail(exc)
        return
    console.print(f"{count} street link(s) now in the zone graph")
