"""``belfort sensors add|list|revoke``: register devices, see them, take their access away.

``add`` prints the new credential once; only its hash is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from belfort.commands.common import _fail, _platform, _settings, common_options, console
from belfort.errors import BelfortError


@click.group(name="sensors")
def command() -> None:
    """Sensors (devices that send observations): add, list, revoke."""


@command.command(name="add")
@common_options
@click.argument("sensor_id")
@click.option("--name", required=True, help="What the sensor is called, e.g. 'Korenmarkt noord'.")
@click.option("--kind", required=True, help="Kind of device, e.g. passantenteller, fietstelpaal.")
@click.option("--property", "observed_property", default="count", show_default=True,
              help="The property it observes by default.")
@click.option("--unit", default=None, help="Unit of its values, e.g. 'personen'.")
@click.option("--lon", type=float, default=None, help="Longitude (WGS84).")
@click.option("--lat", type=float, default=None, help="Latitude (WGS84).")
@click.option("--zone", "zone_id", default=None, help="Zone it counts for (crowding).")
@click.option("--counting", type=click.Choice(["entries", "exits", "passages", "occupancy"]),
              default=None, help="What its counts mean for its zone.")
@click.option("--organisation", default=None, help="Organisation that owns it.")
@click.option("--dataset", "dataset_id", default="sensorwaarnemingen", show_default=True,
              help="The live dataset its observations appear in.")
@click.option("--min", "min_value", type=float, default=None,
              help="Lowest plausible value (lower is flagged 'suspect').")
@click.option("--max", "max_value", type=float, default=None,
              help="Highest plausible value (higher is flagged 'suspect').")
def add(data_dir: Path | None, database_url: str | None, sensor_id: str, name: str, kind: str,
        observed_property: str, unit: str | None, lon: float | None, lat: float | None,
        zone_id: str | None, counting: str | None, organisation: str | None, dataset_id: str,
        min_value: float | None, max_value: float | None) -> None:
    """Register SENSOR_ID and print its credential (shown this once)."""
    from belfort.streams.sensors import SensorSpec, register_sensor

    platform = _platform(_settings(data_dir, database_url))
    spec = SensorSpec(sensor_id, name, kind, observed_property, unit, lon, lat, zone_id,
                      counting, organisation, dataset_id, min_value, max_value)
    try:
        with platform.db.session() as session:
            created = register_sensor(session, spec)
    except BelfortError as exc:
        _fail(exc)
        return
    from belfort.streams.live_catalog import sync

    sync(platform, force=True)  # its live datasets are in the catalogue from now on
    console.print(f"sensor {created.id} registered; its credential (shown once):")
    click.echo(created.credential)


@command.command(name="list")
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_(data_dir: Path | None, database_url: str | None, as_json: bool) -> None:
    """List the sensors (never their credentials)."""
    from belfort.streams.sensors import list_sensors, sensor_dict

    platform = _platform(_settings(data_dir, database_url))
    with platform.db.session() as session:
        found = [sensor_dict(s) for s in list_sensors(session)]
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for sensor in found:
        state = "active" if sensor["active"] else "revoked"
        click.echo(f"{sensor['id']}\t{state}\t{sensor['kind']}\t{sensor['observed_property']}\t"
                   f"{sensor['dataset_id']}\t{sensor['name']}")


@command.command(name="revoke")
@common_options
@click.argument("sensor_id")
def revoke(data_dir: Path | None, database_url: str | None, sensor_id: str) -> None:
    """Revoke SENSOR_ID's credential: its messages are refused from now on."""
    from belfort.streams.sensors import revoke_sensor

    platform = _platform(_settings(data_dir, database_url))
    try:
        with platform.db.session() as session:
            revoke_sensor(session, sensor_id)
    except BelfortError as exc:
        _fail(exc)
        return
    console.print(f"sensor {sensor_id} revoked")
