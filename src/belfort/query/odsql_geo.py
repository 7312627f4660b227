"""Geometry literals of ODSQL: ``geom'POINT(3.72 51.05)'``, WKT or GeoJSON.

WKT and GeoJSON write longitude first; the query model uses (lat, lon) pairs, so the
swap happens here and nowhere else. Supported: POINT, POLYGON (outer ring only) and
MULTIPOLYGON; other shapes are refused with a clear message.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

MAX_GEOMETRY_POINTS = 1000

LatLon = tuple[float, float]


class GeometryError(ValueError):
    """Why a geometry literal was refused (the parser adds the position)."""


@dataclass(frozen=True)
class Geometry:
    kind: str  # point | polygon | multipolygon
    point: LatLon | None = None
    polygons: tuple[tuple[LatLon, ...], ...] = ()  # outer rings, (lat, lon)


_WKT_TOKEN = re.compile(r"\s*(?:([A-Za-z]+)|([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)|([(),]))")


def parse_geometry(text: str) -> Geometry:
    stripped = text.strip()
    if stripped.startswith("{"):
        return _from_geojson(stripped)
    return _from_wkt(stripped)


def _lat_lon(lon: float, lat: float) -> LatLon:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise GeometryError("coordinates must be finite numbers")
    if abs(lat) > 90 or abs(lon) > 180:
        raise GeometryError(
            f"coordinate ({lon:g} {lat:g}) is out of range; WKT and GeoJSON write longitude first"
        )
    return (lat, lon)


# -- WKT -------------------------------------------------------------------------------


def _wkt_tokens(text: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _WKT_TOKEN.match(text, i)
        if m is None or m.end() == i:
            if text[i:].strip() == "":
                break
            raise GeometryError(f"unexpected {text[i:i + 10]!r} in WKT")
        out.append(m.group(1) or m.group(2) or m.group(3))
        i = m.end()
        if len(out) > 4 * MAX_GEOMETRY_POINTS + 100:
            raise GeometryError(f"geometry has more than {MAX_GEOMETRY_POINTS} points")
    return out


class _WKTReader:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> str:
        return self.tokens[self.i] if self.i < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if expected is not None and tok != expected:
            raise GeometryError(f"expected {expected!r} in WKT, found {tok or 'the end'!r}")
        if not tok:
            raise GeometryError("WKT ends too early")
        self.i += 1
        return tok

    def number(self) -> float:
        tok = self.take()
        try:
            return float(tok)
        except ValueError:
            raise GeometryError(f"expected a number in WKT, found {tok!r}") from None

    def position(self) -> LatLon:
        lon, lat = self.number(), self.number()
        if self.peek() not in {",", ")"}:  # Z or M coordinate: ignore it
            self.number()
        return _lat_lon(lon, lat)

    def ring(self) -> tuple[LatLon, ...]:
        self.take("(")
        points = [self.position()]
        while self.peek() == ",":
            self.take(",")
            points.append(self.position())
            if len(points) > MAX_GEOMETRY_POINTS + 1:
                raise GeometryError(f"a polygon takes at most {MAX_GEOMETRY_POINTS} points")
        self.take(")")
        return tuple(points)

    def polygon(self) -> tuple[LatLon, ...]:
        self.take("(")
        outer = self.ring()
        if self.peek() == ",":
            raise GeometryError("polygons with holes are not supported yet")
        self.take(")")
        if len(set(outer)) < 3:
            raise GeometryError("a polygon needs at least 3 distinct points")
        return outer


def _from_wkt(text: str) -> Geometry:
    reader = _WKTReader(_wkt_tokens(text))
    kind = reader.take().upper()
    if reader.peek().upper() in {"Z", "M", "ZM"}:
        reader.take()
    if kind == "POINT":
        reader.take("(")
        point = reader.position()
        reader.take(")")
        geometry = Geometry("point", point=point)
    elif kind == "POLYGON":
        geometry = Geometry("polygon", polygons=(reader.polygon(),))
    elif kind == "MULTIPOLYGON":
        reader.take("(")
        polygons = [reader.polygon()]
        while reader.peek() == ",":
            reader.take(",")
            polygons.append(reader.polygon())
        reader.take(")")
        geometry = Geometry("multipolygon", polygons=tuple(polygons))
    elif kind in {"LINESTRING", "MULTIPOINT", "MULTILINESTRING", "GEOMETRYCOLLECTION"}:
        raise GeometryError(f"{kind} geometries are not supported yet; use a POINT or a POLYGON")
    else:
        raise GeometryError(f"unknown geometry type {kind[:30]!r}; expected WKT or GeoJSON")
    if reader.peek():
        raise GeometryError(f"unexpected {reader.peek()!r} after the geometry")
    return geometry


# -- GeoJSON -----------------------------------------------------------------------------


def _from_geojson(text: str) -> Geometry:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise GeometryError("invalid GeoJSON") from None
    if not isinstance(data, dict):
        raise GeometryError("GeoJSON geometry must be an object")
    if data.get("type") == "Feature":
        data = data.get("geometry")
        if not isinstance(data, dict):
            raise GeometryError("GeoJSON feature without a geometry")
    kind, coords = data.get("type"), data.get("coordinates")
    if kind == "Point":
        return Geometry("point", point=_json_position(coords))
    if kind == "Polygon":
        return Geometry("polygon", polygons=(_json_polygon(coords),))
    if kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise GeometryError("MultiPolygon needs a list of polygons")
        return Geometry("multipolygon", polygons=tuple(_json_polygon(p) for p in coords))
    raise GeometryError(f"GeoJSON type {str(kind)[:30]!r} is not supported yet; use Point or Polygon")


def _json_position(value: object) -> LatLon:
    if not isinstance(value, list) or len(value) not in (2, 3) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) for v in value
    ):
        raise GeometryError("a GeoJSON position is [longitude, latitude]")
    return _lat_lon(float(value[0]), float(value[1]))


def _json_polygon(value: object) -> tuple[LatLon, ...]:
    if not isinstance(value, list) or not value or not isinstance(value[0], list):
        raise GeometryError("a GeoJSON polygon is a list of rings")
    if len(value) > 1:
        raise GeometryError("polygons with holes are not supported yet")
    ring = value[0]
    if len(ring) > MAX_GEOMETRY_POINTS + 1:
        raise GeometryError(f"a polygon takes at most {MAX_GEOMETRY_POINTS} points")
    points = tuple(_json_position(p) for p in ring)
    if len(set(points)) < 3:
        raise GeometryError("a polygon needs at least 3 distinct points")
    return points
