"""Geo values → GeoSPARQL WKT (belfort.linked.wkt): every GeoJSON geometry type, the shapes
geo points come in, and what is refused (no literal rather than a broken one)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from belfort.linked.wkt import MAX_COORDINATES, geometry_wkt, point_wkt

SQUARE = [[[3.7, 51.0], [3.8, 51.0], [3.8, 51.1], [3.7, 51.0]]]


@pytest.mark.parametrize(("geometry", "wkt"), [
    ({"type": "Point", "coordinates": [3.72, 51.05]}, "POINT(3.72 51.05)"),
    ({"type": "Point", "coordinates": [3, 51, 12.5]}, "POINT(3 51)"),  # elevation dropped
    ({"type": "MultiPoint", "coordinates": [[3, 51], [4, 52]]}, "MULTIPOINT((3 51), (4 52))"),
    ({"type": "LineString", "coordinates": [[3, 51], [4, 52]]}, "LINESTRING(3 51, 4 52)"),
    ({"type": "MultiLineString", "coordinates": [[[3, 51], [4, 52]], [[5, 50], [6, 50]]]},
     "MULTILINESTRING((3 51, 4 52), (5 50, 6 50))"),
    ({"type": "Polygon", "coordinates": SQUARE}, "POLYGON((3.7 51, 3.8 51, 3.8 51.1, 3.7 51))"),
    ({"type": "MultiPolygon", "coordinates": [SQUARE, SQUARE]},
     "MULTIPOLYGON(((3.7 51, 3.8 51, 3.8 51.1, 3.7 51)), ((3.7 51, 3.8 51, 3.8 51.1, 3.7 51)))"),
    ({"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]},
                                                   {"type": "LineString", "coordinates": [[1, 2], [3, 4]]}]},
     "GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(1 2, 3 4))"),
    ({"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {}}, "POINT(1 2)"),
])
def test_every_geojson_type(geometry: dict[str, Any], wkt: str) -> None:
    assert geometry_wkt(geometry) == wkt
    assert geometry_wkt(json.dumps(geometry)) == wkt


@pytest.mark.parametrize("bad", [
    None, 12, "not json", "{}", {"type": "Circle", "coordinates": [1, 2]},
    {"type": "Point", "coordinates": ["a", "b"]}, {"type": "Point", "coordinates": [float("nan"), 1]},
    {"type": "Point", "coordinates": [True, 1]}, {"type": "Polygon", "coordinates": []},
    {"type": "GeometryCollection", "geometries": []}, {"type": "MultiPoint", "coordinates": []},
    {"type": "MultiPoint", "coordinates": [[0, 0]] * (MAX_COORDINATES + 1)},
    {"type": "LineString", "coordinates": [[0, 0]] * (MAX_COORDINATES + 1)},
])
def test_what_is_no_geometry_gives_none(bad: Any) -> None:
    assert geometry_wkt(bad) is None


@pytest.mark.parametrize(("value", "wkt"), [
    ({"lat": 51.05, "lon": 3.72}, "POINT(3.72 51.05)"),
    ({"lon": 3.72, "lat": 51.05}, "POINT(3.72 51.05)"),
    ([51.05, 3.72], "POINT(3.72 51.05)"),
    ("51.05, 3.72", "POINT(3.72 51.05)"),
    ({"lat": 91, "lon": 3}, None), ({"lat": None, "lon": 3}, None), ("Kouter", None), ({"lat": "x", "lon": 1}, None),
])
def test_geo_points(value: Any, wkt: str | None) -> None:
    assert point_wkt(value) == wkt
