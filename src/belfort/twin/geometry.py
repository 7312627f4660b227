"""Is a zone's polygon fit to count people in, and how large is it?

A zone is a GeoJSON ``Polygon`` in WGS84 (RFC 7946: ``[longitude, latitude]``): every ring
closed (first position = last), at least three distinct corners, no ring crossing or touching
itself or another ring, holes inside the outer ring, at most ``max_vertices`` positions and at
most ``max_km2`` in area. Everything wrong is listed, not only the first thing.

Areas are computed in a Lambert azimuthal equal-area projection centred on the polygon (on a
sphere of the authalic radius): for zones of a city's size the error is far below what
anyone could measure a square's walkable area to. Pure Python and numpy: no GEOS needed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from belfort.errors import ZoneInvalid

AUTHALIC_RADIUS_M = 6_371_007.2  # the sphere with the WGS84 ellipsoid's surface area
MAX_RINGS = 50


def _invalid(problems: list[str]) -> ZoneInvalid:
    return ZoneInvalid("invalid zone: " + "; ".join(problems[:10]),
                       details={"problems": problems[:10]})


def _position_problem(value: Any) -> str | None:
    if not isinstance(value, list) or not 2 <= len(value) <= 3:
        return "a position is not an array of 2 or 3 numbers"
    for number in value:
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            return "a coordinate is not a number"
        if not math.isfinite(number):
            return "a coordinate is not a finite number"
    if not -180 <= value[0] <= 180 or not -90 <= value[1] <= 90:
        return ("a position is outside WGS84 longitude -180…180 / latitude -90…90 "
                "(GeoJSON is [longitude, latitude])")
    return None


def _rings(geometry: Any, max_vertices: int) -> list[list[tuple[float, float]]]:
    """The rings as (lon, lat) lists, closing position dropped; ``ZoneInvalid`` otherwise."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        raise _invalid(["geometry: a GeoJSON object of type Polygon is required"])
    rings = geometry.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise _invalid(["geometry: coordinates must be a non-empty array of rings"])
    if len(rings) > MAX_RINGS:
        raise _invalid([f"geometry: at most {MAX_RINGS} rings (an outer ring and holes)"])
    total = sum(len(r) if isinstance(r, list) else 0 for r in rings)
    if total > max_vertices:
        raise _invalid([f"geometry: {total} positions, at most {max_vertices} allowed"])
    problems: list[str] = []
    out: list[list[tuple[float, float]]] = []
    for n, ring in enumerate(rings):
        what = "outer ring" if n == 0 else f"hole {n}"
        if not isinstance(ring, list) or len(ring) < 4:
            problems.append(f"{what}: at least 4 positions (3 corners and the closing one)")
            continue
        problem = next((p for p in map(_position_problem, ring) if p), None)
        if problem:
            problems.append(f"{what}: {problem}")
            continue
        if ring[0][:2] != ring[-1][:2]:
            problems.append(f"{what}: not closed (its last position must equal its first)")
            continue
        points: list[tuple[float, float]] = []
        for lon, lat, *_ in ring[:-1]:
            if not points or points[-1] != (float(lon), float(lat)):
                points.append((float(lon), float(lat)))
        if len(set(points)) < 3:
            problems.append(f"{what}: fewer than 3 distinct corners")
            continue
        out.append(points)
    if problems:
        raise _invalid(problems)
    return out


def project(points: list[tuple[float, float]], lon0: float, lat0: float) -> np.ndarray:
    """(lon, lat) degrees → metres in the Lambert azimuthal equal-area projection at
    (lon0, lat0)."""
    coords = np.radians(np.asarray(points, dtype=float))
    lam, phi = coords[:, 0] - math.radians(lon0), coords[:, 1]
    phi0 = math.radians(lat0)
    denominator = 1 + math.sin(phi0) * np.sin(phi) + math.cos(phi0) * np.cos(phi) * np.cos(lam)
    k = np.sqrt(2 / np.maximum(denominator, 1e-12))
    x = AUTHALIC_RADIUS_M * k * np.cos(phi) * np.sin(lam)
    y = AUTHALIC_RADIUS_M * k * (math.cos(phi0) * np.sin(phi)
                                 - math.sin(phi0) * np.cos(phi) * np.cos(lam))
    return np.column_stack([x, y])


def _shoelace(xy: np.ndarray) -> float:
    x, y = xy[:, 0], xy[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def _orient(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    found: np.ndarray = ((b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1])
                         - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0]))
    return found


def _on_segment(a: np.ndarray, b: np.ndarray, p: np.ndarray) -> np.ndarray:
    found: np.ndarray = ((np.minimum(a[..., 0], b[..., 0]) <= p[..., 0])
                         & (p[..., 0] <= np.maximum(a[..., 0], b[..., 0]))
                         & (np.minimum(a[..., 1], b[..., 1]) <= p[..., 1])
                         & (p[..., 1] <= np.maximum(a[..., 1], b[..., 1])))
    return found


def _crossings(rings: list[np.ndarray]) -> int:
    """How many pairs of non-adjacent edges meet (cross or touch), over all rings."""
    starts = np.concatenate(rings)
    ends = np.concatenate([np.roll(r, -1, axis=0) for r in rings])
    ring_of = np.concatenate([np.full(len(r), i) for i, r in enumerate(rings)])
    index = np.concatenate([np.arange(len(r)) for r in rings])
    size = np.concatenate([np.full(len(r), len(r)) for r in rings])
    found = 0
    for i in range(len(starts) - 1):
        a, b = starts[i], ends[i]
        c, d = starts[i + 1:], ends[i + 1:]
        same = ring_of[i + 1:] == ring_of[i]
        gap = index[i + 1:] - index[i]
        adjacent = same & ((gap == 1) | (gap == size[i] - 1))
        d1, d2 = _orient(c, d, a), _orient(c, d, b)
        d3, d4 = _orient(a, b, c), _orient(a, b, d)
        proper = (d1 * d2 < 0) & (d3 * d4 < 0)
        touch = (((d1 == 0) & _on_segment(c, d, a)) | ((d2 == 0) & _on_segment(c, d, b))
                 | ((d3 == 0) & _on_segment(a, b, c)) | ((d4 == 0) & _on_segment(a, b, d)))
        found += int(np.count_nonzero((proper | touch) & ~adjacent))
    return found


def _inside(point: np.ndarray, ring: np.ndarray) -> bool:
    x, y = point
    xs, ys = ring[:, 0], ring[:, 1]
    xn, yn = np.roll(xs, -1), np.roll(ys, -1)
    crosses = (ys > y) != (yn > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = xs + (y - ys) * (xn - xs) / (yn - ys)
    return bool(np.count_nonzero(crosses & (x < at)) % 2)


def check_polygon(geometry: Any, *, max_vertices: int, max_km2: float) -> float:
    """The polygon's area in m² (outer ring less holes); ``ZoneInvalid`` listing what is
    wrong with it otherwise."""
    rings = _rings(geometry, max_vertices)
    lons = [lon for lon, _ in rings[0]]
    if max(lons) - min(lons) > 180:
        raise _invalid(["geometry: spans more than 180° of longitude"])
    lon0, lat0 = sum(lons) / len(lons), sum(lat for _, lat in rings[0]) / len(rings[0])
    projected = [project(r, lon0, lat0) for r in rings]
    outer = _shoelace(projected[0])
    area = outer - sum(_shoelace(h) for h in projected[1:])
    if area > max_km2 * 1e6:
        raise _invalid([f"geometry: covers {area / 1e6:,.1f} km², at most {max_km2:g} km² "
                        "allowed"])
    problems: list[str] = []
    ring = projected[0]
    perimeter = float(np.hypot(*(np.roll(ring, -1, axis=0) - ring).T).sum())
    if outer <= max(1.0, 1e-5 * perimeter ** 2):  # a line or a sliver along one: no area
        problems.append("geometry: encloses no area")
    if _crossings(projected):
        problems.append("geometry: a ring crosses or touches itself or another ring")
    elif any(not _inside(h[0], projected[0]) for h in projected[1:]):
        problems.append("geometry: a hole lies outside the outer ring")
    if problems:
        raise _invalid(problems)
    return area
