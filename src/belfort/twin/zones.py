"""Zones: the areas whose crowding Belfort estimates.

A zone has an id (a slug, e.g. ``korenmarkt``), a name, a GeoJSON polygon, its net walkable
area in m² (given, or computed from the polygon: ``belfort.twin.geometry``), the density it
holds at capacity (a level of service in persons/m²; ``BELFORT_TWIN_DENSITY`` unless the zone
sets its own) and whether it is part of the city centre. Sensors name their zone in
``sensors.zone_id``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from belfort.catalog.models import Zone
from belfort.errors import ZoneExists, ZoneInvalid, ZoneNotFound
from belfort.settings import Settings
from belfort.twin.geometry import check_polygon

ZONE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
MAX_NAME = 200
FIELDS = ("id", "name", "geometry", "area_m2", "density", "dwell_seconds", "centre")


@dataclass(frozen=True)
class ZoneSpec:
    """What defining a zone asks for."""

    id: str
    name: str
    geometry: dict[str, Any]
    area_m2: float | None = None  # None: computed from the polygon
    density: float | None = None  # persons/m² at capacity; None: BELFORT_TWIN_DENSITY
    dwell_seconds: float | None = None  # None: BELFORT_TWIN_DWELL_SECONDS
    centre: bool = False


def _number(value: Any, what: str, low: float, high: float, problems: list[str]) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append(f"{what}: a finite number")
    elif not low < value <= high:
        problems.append(f"{what}: above {low:g} and at most {high:g}")


def check_spec(spec: ZoneSpec, settings: Settings) -> float:
    """The zone's net walkable area (given or computed); ``ZoneInvalid`` listing every
    problem otherwise."""
    problems: list[str] = []
    if not isinstance(spec.id, str) or not ZONE_ID.match(spec.id):
        problems.append("id: 1-100 lower-case letters, digits and '-', starting with a letter "
                        "or digit")
    if (not isinstance(spec.name, str) or not spec.name.strip() or len(spec.name) > MAX_NAME
            or "\x00" in spec.name):
        problems.append(f"name: required, at most {MAX_NAME} characters, no NUL")
    max_m2 = settings.twin_max_zone_km2 * 1e6
    _number(spec.area_m2, "area_m2", 0, max_m2, problems)
    _number(spec.density, "density", 0, 10, problems)
    _number(spec.dwell_seconds, "dwell_seconds", 0, 86_400, problems)
    if not isinstance(spec.centre, bool):
        problems.append("centre: true or false")
    area: float | None = None
    try:
        area = check_polygon(spec.geometry, max_vertices=settings.twin_max_zone_vertices,
                             max_km2=settings.twin_max_zone_km2)
    except ZoneInvalid as exc:
        problems.extend(exc.details.get("problems", [str(exc)]))
    if problems:
        raise ZoneInvalid("invalid zone: " + "; ".join(problems), details={"problems": problems})
    assert area is not None
    return float(spec.area_m2) if spec.area_m2 is not None else area


def spec_from_mapping(data: Any) -> ZoneSpec:
    """A ``ZoneSpec`` from a JSON object (API body) or a GeoJSON Feature whose properties
    hold the other fields; unknown keys are refused."""
    if not isinstance(data, dict):
        raise ZoneInvalid("a zone is a JSON object", details={"problems": ["not an object"]})
    if data.get("type") == "Feature":
        props = data.get("properties") or {}
        if not isinstance(props, dict):
            raise ZoneInvalid("a Feature's properties must be an object",
                              details={"problems": ["properties: not an object"]})
        data = {**props, "geometry": data.get("geometry")}
    unknown = sorted(str(k)[:40] for k in data if k not in FIELDS)
    if unknown:
        problem = f"unknown field(s): {', '.join(unknown[:10])}; known: {', '.join(FIELDS)}"
        raise ZoneInvalid("invalid zone: " + problem, details={"problems": [problem]})
    return ZoneSpec(id=data.get("id"), name=data.get("name"), geometry=data.get("geometry"),
                    area_m2=data.get("area_m2"), density=data.get("density"),
                    dwell_seconds=data.get("dwell_seconds"), centre=data.get("centre", False))


def add_zone(session: Session, settings: Settings, spec: ZoneSpec) -> Zone:
    """Define a zone; ``ZoneInvalid`` when wrong, ``ZoneExists`` when the id is taken."""
    area = check_spec(spec, settings)
    if session.get(Zone, spec.id) is not None:
        raise ZoneExists(f"a zone {spec.id!r} exists already")
    polygon = {"type": "Polygon", "coordinates": spec.geometry["coordinates"]}  # nothing else
    zone = Zone(id=spec.id, name=spec.name.strip(), geometry=json.dumps(polygon),
                area_m2=area, area_computed=spec.area_m2 is None, density=spec.density,
                dwell_seconds=spec.dwell_seconds, centre=spec.centre)
    session.add(zone)
    session.flush()
    return zone


def get_zone(session: Session, zone_id: str) -> Zone:
    zone = session.get(Zone, zone_id) if ZONE_ID.match(zone_id) else None
    if zone is None:
        raise ZoneNotFound(f"no zone {zone_id[:100]!r}")
    return zone


def remove_zone(session: Session, zone_id: str) -> None:
    session.delete(get_zone(session, zone_id))


def list_zones(session: Session) -> list[Zone]:
    return list(session.scalars(select(Zone).order_by(Zone.id)))


def capacity(zone: Zone, settings: Settings) -> float:
    """Persons the zone holds at its density level of service."""
    return zone.area_m2 * (zone.density or settings.twin_density)


def zone_dict(zone: Zone, settings: Settings) -> dict[str, Any]:
    """A zone as API clients see it."""
    return {
        "id": zone.id, "name": zone.name, "geometry": json.loads(zone.geometry),
        "area_m2": round(zone.area_m2, 1), "area_computed": zone.area_computed,
        "density": zone.density or settings.twin_density,
        "capacity": round(capacity(zone, settings)),
        "dwell_seconds": zone.dwell_seconds or settings.twin_dwell_seconds,
        "centre": zone.centre, "created_at": zone.created_at.isoformat(),
    }
