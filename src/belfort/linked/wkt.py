"""Geo values of a row as GeoSPARQL WKT literals (``gsp:wktLiteral``, CRS84: longitude first).

A geopoint comes as the engine reads it (``{"lat": …, "lon": …}``), as Explore v2.1 renders it
(``{"lon": …, "lat": …}``), as API v1 does (``[lat, lon]``) or as text (``"lat, lon"``); a
geometry as GeoJSON (text or parsed, a Feature or a bare geometry). Anything else, or any
coordinate that is not a finite number, gives None: no literal rather than a broken one.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

MAX_COORDINATES = 200_000  # a larger shape is not written (one record, one literal)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def point_of(value: Any) -> tuple[float, float] | None:
    """(lon, lat) of a geopoint value, or None."""
    lat: Any
    lon: Any
    if isinstance(value, dict):
        lat, lon = value.get("lat"), value.get("lon")
    elif isinstance(value, list | tuple) and len(value) == 2:
        lat, lon = value
    elif isinstance(value, str) and "," in value:
        lat, _, lon = value.partition(",")
    else:
        return None
    x, y = _number(lon), _number(lat)
    if x is None or y is None or not (-180 <= x <= 180 and -90 <= y <= 90):
        return None
    return x, y


def _fmt(number: float) -> str:
    return repr(number) if number != int(number) or abs(number) >= 1e15 else str(int(number))


def _position(position: Any) -> str:
    if not isinstance(position, list | tuple) or len(position) < 2:
        raise ValueError("not a position")
    x, y = _number(position[0]), _number(position[1])
    if x is None or y is None:
        raise ValueError("not a position")
    return f"{_fmt(x)} {_fmt(y)}"


def _ring(positions: Any, counter: list[int]) -> str:
    if not isinstance(positions, list | tuple) or not positions:
        raise ValueError("not a list of positions")
    counter[0] += len(positions)
    if counter[0] > MAX_COORDINATES:
        raise ValueError("too many coordinates")
    return "(" + ", ".join(_position(p) for p in positions) + ")"


def _rings(rings: Any, counter: list[int]) -> str:
    if not isinstance(rings, list | tuple) or not rings:
        raise ValueError("not a list of rings")
    return "(" + ", ".join(_ring(r, counter) for r in rings) + ")"


def _geometry(geometry: Any, counter: list[int], depth: int = 0) -> str:
    if not isinstance(geometry, dict) or depth > 3:
        raise ValueError("not a geometry")
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Point":
        return f"POINT({_position(coordinates)})"
    if kind == "MultiPoint":
        if not isinstance(coordinates, list | tuple) or not coordinates:
            raise ValueError("empty multipoint")
        counter[0] += len(coordinates)
        if counter[0] > MAX_COORDINATES:
            raise ValueError("too many coordinates")
        return "MULTIPOINT(" + ", ".join(f"({_position(p)})" for p in coordinates) + ")"
    if kind == "LineString":
        return "LINESTRING" + _ring(coordinates, counter)
    if kind == "MultiLineString":
        return "MULTILINESTRING" + _rings(coordinates, counter)
    if kind == "Polygon":
        return "POLYGON" + _rings(coordinates, counter)
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list | tuple) or not coordinates:
            raise ValueError("empty multipolygon")
        return "MULTIPOLYGON(" + ", ".join(_rings(p, counter) for p in coordinates) + ")"
    if kind == "GeometryCollection":
        parts = geometry.get("geometries")
        if not isinstance(parts, list) or not parts:
            raise ValueError("empty collection")
        return "GEOMETRYCOLLECTION(" + ", ".join(_geometry(g, counter, depth + 1) for g in parts) + ")"
    raise ValueError(f"unknown geometry type {kind!r}")


def point_wkt(value: Any) -> str | None:
    point = point_of(value)
    return None if point is None else f"POINT({_fmt(point[0])} {_fmt(point[1])})"


def geometry_wkt(value: Any) -> str | None:
    """WKT of a GeoJSON geometry (or Feature), text or parsed; None when it is not one."""
    if isinstance(value, str | bytes):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    try:
        return _geometry(value, [0])
    except (ValueError, TypeError):
        return None
