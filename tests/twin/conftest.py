"""Helpers for the crowding tests: zones, sensors linked to them, observations written
through the real write path."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from belfort.platform import Platform
from belfort.streams.model import ObservationIn
from belfort.streams.sensors import SensorSpec, devices, register_sensor
from belfort.streams.write import write_observations
from belfort.twin.zones import ZoneSpec, add_zone

MINUTE = 60_000_000
HOUR = 60 * MINUTE


def box(lon: float = 3.7213, lat: float = 51.0545, side_m: float = 100.0) -> dict[str, Any]:
    """A square of about ``side_m`` metres around a point."""
    dlat = side_m / 2 / 111_195
    dlon = dlat / math.cos(math.radians(lat))
    ring = [[lon - dlon, lat - dlat], [lon + dlon, lat - dlat], [lon + dlon, lat + dlat],
            [lon - dlon, lat + dlat], [lon - dlon, lat - dlat]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_zone(platform: Platform, zone_id: str = "korenmarkt", area_m2: float = 1000.0,
              centre: bool = True, **extra: Any) -> None:
    spec = ZoneSpec(zone_id, zone_id.title(), box(), area_m2=area_m2, centre=centre, **extra)
    with platform.db.session() as session:
        add_zone(session, platform.settings, spec)


def make_sensor(platform: Platform, sensor_id: str, zone_id: str, counting: str) -> str:
    spec = SensorSpec(sensor_id, sensor_id, "passantenteller", "count", zone_id=zone_id,
                      counting=counting, min_value=0, max_value=1_000_000)
    with platform.db.session() as session:
        return register_sensor(session, spec).credential


def feed(platform: Platform, credential: str, sensor_id: str,
         items: Sequence[tuple[int, float] | tuple[int, float, int]]) -> None:
    """Write (start µs, value[, end µs]) observations for a sensor; all must be stored."""
    device = devices(platform).authenticate(credential, sensor_id, "http")
    batch = [ObservationIn(sensor_id, "count", item[0], item[1],
                           phenomenon_end_us=item[2] if len(item) > 2 else None)  # type: ignore[misc]
             for item in items]
    result = write_observations(platform, device, batch)
    assert result.problems == [] and result.stored == len(batch), result.to_dict()
