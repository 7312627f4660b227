"""Is a GeoJSON geometry valid enough to be served as one? (RFC 7946, what a map needs.)

``geometry_problem`` names the first thing wrong with a geometry, or None: positions must be
two or three finite numbers (not strings, not booleans) with longitude within ±180 and
latitude within ±90; a LineString needs two positions; a polygon needs at least one ring,
every ring four positions or more, its first and last the same. Multi-geometries and
collections are checked part by part. Belfort does not test self-intersection.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import orjson

GEOMETRY_TYPES = (
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
)
MAX_DEPTH = 8  # collections nested deeper are refused (no geometry needs it)


def _position(value: Any) -> str | None:
    if not isinstance(value, list):
        return f"a position is {type(value).__name__}, not an array of numbers"
    if not 2 <= len(value) <= 3:
        return f"a position has {len(value)} numbers (2 or 3 expected)"
    for number in value:
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            return f"a coordinate is {type(number).__name__} ({str(number)[:30]!r}), not a number"
        if not math.isfinite(number):
            return "a coordinate is not a finite number"
    lon, lat = value[0], value[1]
    if not -180 <= lon <= 180:
        return f"longitude {lon} is outside -180…180"
    if not -90 <= lat <= 90:
        return f"latitude {lat} is outside -90…90"
    return None


def _positions(value: Any, minimum: int, what: str) -> str | None:
    if not isinstance(value, list):
        return f"the {what} is not an array of positions"
    if len(value) < minimum:
        return f"the {what} has {len(value)} position(s), at least {minimum} needed"
    for position in value:
        problem = _position(position)
        if problem:
            return problem
    return None


def _polygon(rings: Any) -> str | None:
    if not isinstance(rings, list):
        return "the polygon is not an array of rings"
    if not rings:
        return "the polygon is empty (no rings)"
    for ring in rings:
        problem = _positions(ring, 4, "polygon ring")
        if problem:
            return problem
        if ring[0][:2] != ring[-1][:2]:
            return "a polygon ring is not closed (first and last positions differ)"
    return None


def _parts(value: Any, check: Callable[[Any], str | None], what: str) -> str | None:
    if not isinstance(value, list):
        return f"the {what} is not an array"
    if not value:
        return f"the {what} is empty"
    for part in value:
        problem = check(part)
        if problem:
            return problem
    return None


def check_geometry(value: Any, depth: int = 0) -> str | None:
    """The first problem of a parsed GeoJSON geometry object, or None when it is valid."""
    if not isinstance(value, dict) or value.get("type") not in GEOMETRY_TYPES:
        return "not a GeoJSON geometry"
    kind = value["type"]
    if kind == "GeometryCollection":
        geometries = value.get("geometries")
        if not isinstance(geometries, list):
            return "a GeometryCollection without a geometries array"
        if depth >= MAX_DEPTH:
            return "geometry collections nested too deeply"
        for part in geometries:
            problem = check_geometry(part, depth + 1)
            if problem:
                return problem
        return None
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, list):
        return f"a {kind} without a coordinates array"
    if kind == "Point":
        return _position(coordinates)
    if kind == "MultiPoint":
        return _positions(coordinates, 1, "MultiPoint")
    if kind == "LineString":
        return _positions(coordinates, 2, "LineString")
    if kind == "MultiLineString":
        return _parts(coordinates, lambda c: _positions(c, 2, "LineString"), "MultiLineString")
    if kind == "Polygon":
        return _polygon(coordinates)
    return _parts(coordinates, _polygon, "MultiPolygon")


def geometry_problem(text: Any) -> str | None:
    """The first problem of a geometry given as GeoJSON text, or None when it is valid."""
    if not isinstance(text, str):
        return "not GeoJSON text"
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return "not JSON"
    return check_geometry(value)
