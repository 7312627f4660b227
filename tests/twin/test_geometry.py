"""Zone polygons: closed, WGS84, simple, bounded; areas in an equal-area projection."""

from __future__ import annotations

import math
from typing import Any

import pytest

from belfort.errors import ZoneInvalid
from belfort.twin.geometry import AUTHALIC_RADIUS_M, check_polygon


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _check(geometry: Any, max_vertices: int = 1000, max_km2: float = 25.0) -> float:
    return check_polygon(geometry, max_vertices=max_vertices, max_km2=max_km2)


def _problems(geometry: Any, **limits: Any) -> str:
    with pytest.raises(ZoneInvalid) as caught:
        _check(geometry, **limits)
    assert caught.value.http_status == 422
    return " ".join(caught.value.details["problems"])


def test_the_area_of_a_box_is_the_sphere_s_exact_area() -> None:
    west, south, east, north = 3.72, 51.05, 3.725, 51.055
    exact = (AUTHALIC_RADIUS_M ** 2 * math.radians(east - west)
             * (math.sin(math.radians(north)) - math.sin(math.radians(south))))
    assert _check(_box(west, south, east, north)) == pytest.approx(exact, rel=1e-4)


def test_a_hole_is_taken_off_and_orientation_does_not_matter() -> None:
    outer = _box(3.72, 51.05, 3.73, 51.06)["coordinates"][0]
    hole = _box(3.724, 51.054, 3.726, 51.056)["coordinates"][0]
    whole = _check({"type": "Polygon", "coordinates": [outer]})
    holed = _check({"type": "Polygon", "coordinates": [outer, hole]})
    assert holed == pytest.approx(whole - _check({"type": "Polygon", "coordinates": [hole]}))
    assert _check({"type": "Polygon", "coordinates": [outer[::-1]]}) == pytest.approx(whole)


@pytest.mark.parametrize(("geometry", "expected"), [
    ({"type": "Point", "coordinates": [3.7, 51.0]}, "type Polygon"),
    ("POLYGON((0 0, 1 0, 1 1, 0 0))", "type Polygon"),
    ({"type": "Polygon", "coordinates": []}, "non-empty"),
    ({"type": "Polygon", "coordinates": [[[3.72, 51.05], [3.73, 51.05], [3.73, 51.06],
                                          [3.72, 51.06]]]}, "not closed"),
    ({"type": "Polygon", "coordinates": [[[3.72, 51.05], [3.73, 51.05], [3.72, 51.05]]]},
     "at least 4 positions"),
    ({"type": "Polygon", "coordinates": [[[51.05, 3.72], [51.05, 3.73], [51.06, 3.73],
                                          [51.06, 3.72], [51.05, 3.72]]]}, None),
    ({"type": "Polygon", "coordinates": [[[3.72, 95.0], [3.73, 95.0], [3.73, 96.0],
                                          [3.72, 95.0]]]}, "outside WGS84"),
    ({"type": "Polygon", "coordinates": [[[3.72, "51"], [3.73, 51.05], [3.73, 51.06],
                                          [3.72, "51"]]]}, "not a number"),
    ({"type": "Polygon", "coordinates": [[[3.72, True], [3.73, 51.05], [3.73, 51.06],
                                          [3.72, True]]]}, "not a number"),
    ({"type": "Polygon", "coordinates": [[[3.72, math.nan], [3.73, 51.05], [3.73, 51.06],
                                          [3.72, math.nan]]]}, "finite"),
    # a bow tie: its two edges cross
    ({"type": "Polygon", "coordinates": [[[3.72, 51.05], [3.73, 51.06], [3.73, 51.05],
                                          [3.72, 51.06], [3.72, 51.05]]]}, "crosses"),
    # a ring that touches itself at a corner
    ({"type": "Polygon", "coordinates": [[[0.0, 0.0], [0.002, 0.0], [0.001, 0.001],
                                          [0.002, 0.002], [0.0, 0.002], [0.001, 0.001],
                                          [0.0, 0.0]]]}, "crosses"),
    ({"type": "Polygon", "coordinates": [[[3.72, 51.05], [3.73, 51.05], [3.74, 51.05],
                                          [3.72, 51.05]]]}, "no area"),
    ({"type": "Polygon", "coordinates": [[[3.72, 51.05], [3.72, 51.05], [3.72, 51.05],
                                          [3.72, 51.05]]]}, "distinct"),
])
def test_bad_polygons_are_refused_with_the_reason(geometry: Any, expected: str | None) -> None:
    if expected is None:  # latitude and longitude swapped: valid, but in the Indian Ocean
        assert _check(geometry) > 0
        return
    assert expected in _problems(geometry)


def test_a_hole_outside_or_crossing_the_outer_ring_is_refused() -> None:
    outer = _box(3.72, 51.05, 3.73, 51.06)["coordinates"][0]
    outside = _box(3.74, 51.05, 3.75, 51.06)["coordinates"][0]
    crossing = _box(3.725, 51.055, 3.735, 51.058)["coordinates"][0]
    assert "outside" in _problems({"type": "Polygon", "coordinates": [outer, outside]})
    assert "crosses" in _problems({"type": "Polygon", "coordinates": [outer, crossing]})


def test_huge_and_many_vertexed_polygons_are_refused_before_work() -> None:
    assert "km²" in _problems(_box(3.0, 50.5, 4.5, 51.5))  # ~10,000 km²
    assert "km²" in _problems(_box(-60.0, -60.0, 60.0, 60.0))
    assert "180°" in _problems(_box(-179.0, -80.0, 179.0, 80.0))
    circle = [[3.72 + 0.001 * math.cos(a / 500 * 2 * math.pi),
               51.05 + 0.001 * math.sin(a / 500 * 2 * math.pi)] for a in range(500)]
    circle.append(circle[0])
    polygon = {"type": "Polygon", "coordinates": [circle]}
    assert _check(polygon) > 0
    assert "at most 100" in _problems(polygon, max_vertices=100)
