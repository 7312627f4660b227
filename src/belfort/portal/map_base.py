"""The maps' base layer: the city's wijk (neighbourhood) boundaries, drawn from a dataset in
Belfort itself (``BELFORT_MAP_BASE_DATASET``) under every dataset map, so a map means
something in a closed network without tiles.

The dataset is read as the public reads it: only while it is open and published does it
become the base layer (so naming a restricted dataset shows no boundaries and leaks none).
Its polygons and lines are kept, rounded to about a metre and thinned until at most
``MAX_VERTICES`` positions remain; a dataset holding only centre points (the
demo's ``stadswijken-gent-demo``) gets modelled boundaries: the Voronoi cells of its points
within a margin around them, labelled as approximate. The result is kept until the next
catalogue write and served at ``/maps/base.geojson``.
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.catalog.metadata import SLUG_PATTERN
from belfort.errors import BelfortError, NotFound
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS
from belfort.policy.reading import readable
from belfort.portal import catalogue, maps
from belfort.schema import TableSchema

router = APIRouter(include_in_schema=False)

BASE_URL = "/maps/base.geojson"
MAX_FEATURES = 500  # boundary shapes read from the dataset
MAX_VERTICES = 20_000  # positions served after simplification
DECIMALS = 5  # about a metre in Ghent
NAME_FIELDS = ("wijk", "wijknaam", "stadswijk", "buurt", "buurtnaam", "naam", "name")
Position = tuple[float, float]


@dataclass(frozen=True)
class BaseLayer:
    """The base layer: ``collection`` is a GeoJSON FeatureCollection whose features carry
    only ``name``; ``body`` is it serialised, ``etag`` names it."""

    dataset_id: str
    titles: dict[str, str]
    collection: dict[str, Any]
    modelled: bool
    vertices: int
    simplified: bool
    body: bytes
    etag: str

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("nl") or self.dataset_id

    @property
    def count(self) -> int:
        return len(self.collection["features"])


def base_layer(platform: Platform) -> BaseLayer | None:
    """The base layer the settings name, or None (no setting, not public, no geometry)."""
    name = (platform.settings.map_base_dataset or "").strip()
    if not SLUG_PATTERN.fullmatch(name):  # empty, or no dataset id at all (NUL, markup, …)
        return None
    kept: tuple[BaseLayer | None] = platform.cache.current(
        ("map-base", name), lambda: (_build(platform, name),))
    return kept[0]


@router.get(BASE_URL)
def base_geojson(request: Request, platform: Platform = Depends(get_platform)) -> Response:
    """The base layer's boundaries as GeoJSON (404 when there is none)."""
    base = base_layer(platform)
    if base is None:
        raise NotFound("no base layer for maps: BELFORT_MAP_BASE_DATASET names no public "
                       "dataset with a geometry")
    headers = {"Cache-Control": "public, max-age=300", "ETag": base.etag}
    if request.headers.get("if-none-match") == base.etag:
        return Response(status_code=304, headers=headers)
    return Response(base.body, media_type="application/geo+json", headers=headers)


def _build(platform: Platform, name: str) -> BaseLayer | None:
    try:
        rv = readable(platform, ANONYMOUS, name, count_use=False)
    except BelfortError:  # missing, or not open and published: no base layer
        return None
    if maps.geometry_field(rv.schema) is None:
        return None
    found = maps.map_features(platform, rv, limit=MAX_FEATURES)
    label = name_field(rv.schema)
    named = [(_name(f, label), f["geometry"]) for f in found["features"]]
    features, modelled = _shapes(named)
    if not features:
        return None
    features, vertices, simplified = simplify(features)
    card = catalogue.snapshot(platform, ANONYMOUS).by_id.get(rv.dataset_id)
    titles = {lang: card.title(lang) for lang in ("nl", "en")} if card else {}
    collection = {"type": "FeatureCollection", "dataset": rv.dataset_id, "modelled": modelled,
                  "features": features}
    body = orjson.dumps(collection)
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return BaseLayer(rv.dataset_id, titles, collection, modelled, vertices, simplified, body, etag)


def name_field(schema: TableSchema) -> str | None:
    """The field naming each wijk: ``wijk``, ``naam`` and the like, else the map's label."""
    texts = {f.name for f in schema.fields if f.type == "string"}
    return next((n for n in NAME_FIELDS if n in texts), None) or maps._label_field(schema)


def _name(feature: dict[str, Any], field: str | None) -> str:
    value = (feature.get("properties") or {}).get(field) if field else None
    return str(value)[:120] if value not in (None, "") else ""


def _shapes(named: list[tuple[str, dict[str, Any]]]) -> tuple[list[dict[str, Any]], bool]:
    """Features of polygons and lines (points dropped); only points: modelled cells."""
    features: list[dict[str, Any]] = []
    points: list[tuple[str, Position]] = []
    for name, geometry in named:
        parts = maps._parts(geometry)
        polygons = [c for kind, c in parts if kind == "Polygon"]
        lines = [c for kind, c in parts if kind == "LineString"]
        points += [(name, (float(c[0]), float(c[1]))) for kind, c in parts[:1] if kind == "Point"]
        shape: dict[str, Any] | None = None
        if polygons and lines:
            shape = {"type": "GeometryCollection", "geometries": [
                {"type": "MultiPolygon", "coordinates": polygons},
                {"type": "MultiLineString", "coordinates": lines}]}
        elif polygons:
            shape = {"type": "MultiPolygon", "coordinates": polygons}
        elif lines:
            shape = {"type": "MultiLineString", "coordinates": lines}
        if shape is not None:
            features.append({"type": "Feature", "properties": {"name": name}, "geometry": shape})
    if features:
        return features, False
    if len({p for _, p in points}) < 3:
        return [], False
    cells = voronoi_cells([p for _, p in points])
    return [{"type": "Feature", "properties": {"name": name},
             "geometry": {"type": "Polygon", "coordinates": [cell]}}
            for (name, _), cell in zip(points, cells, strict=True) if len(cell) >= 4], True


# --- simplification -------------------------------------------------------------------------


def simplify(features: list[dict[str, Any]], max_vertices: int = MAX_VERTICES
             ) -> tuple[list[dict[str, Any]], int, bool]:
    """The features rounded to ``DECIMALS`` (repeated positions dropped) and, when more than
    ``max_vertices`` positions remain, thinned in one pass: along each ring or line a
    position is kept only when it lies at least ``step`` from the last one kept, ``step``
    chosen from the total length so that about ``max_vertices`` remain (then, if still too
    many, the last features are left out). Returns (features, positions, whether anything
    was thinned or left out)."""
    pieces = [p for f in features for p in _pieces(f["geometry"])]
    total = sum(len(p) for p in pieces)
    step = 0.0
    if total > max_vertices:
        length = sum(math.hypot(b[0] - a[0], b[1] - a[1])
                     for p in pieces for a, b in zip(p, p[1:], strict=False))
        room = max_vertices - 3 * len(pieces)
        step = length / (room if room > max_vertices // 4 else max_vertices // 4)
    shaped = [f for f in (_simplified_feature(g, step) for g in features) if f is not None]
    kept: list[dict[str, Any]] = []
    count = 0
    for feature in shaped:
        n = _count(feature["geometry"])
        if count + n > max_vertices:
            break
        kept.append(feature)
        count += n
    return kept, count, step > 0 or len(kept) < len(shaped)


def _pieces(geometry: dict[str, Any]) -> list[Sequence[Sequence[float]]]:
    """Every ring and line of a geometry."""
    if geometry["type"] == "GeometryCollection":
        return [p for g in geometry["geometries"] for p in _pieces(g)]
    depth = {"LineString": 0, "MultiLineString": 1, "Polygon": 1, "MultiPolygon": 2}
    found: list[Any] = [geometry["coordinates"]]
    for _ in range(depth.get(geometry["type"], -1)):
        found = [c for f in found for c in f]
    return found if geometry["type"] in depth else []


def _count(geometry: dict[str, Any]) -> int:
    return sum(len(p) for p in _pieces(geometry))


def _simplified_feature(feature: dict[str, Any], step: float) -> dict[str, Any] | None:
    geometry = _simplified(feature["geometry"], step)
    return None if geometry is None else {**feature, "geometry": geometry}


def _simplified(geometry: dict[str, Any], step: float) -> dict[str, Any] | None:
    kind = geometry["type"]
    if kind == "GeometryCollection":
        parts = [g for g in (_simplified(p, step) for p in geometry["geometries"]) if g]
        return {"type": kind, "geometries": parts} if parts else None
    coords = geometry["coordinates"]
    if kind == "Polygon":
        coords = [coords]
    if kind in ("Polygon", "MultiPolygon"):
        polygons = []
        for polygon in coords:
            outer = _line(polygon[0], step, closed=True) if polygon else None
            if outer is None:  # an outer ring that collapsed drops its holes
                continue
            holes = [r for r in (_line(h, step, closed=True) for h in polygon[1:]) if r]
            polygons.append([outer, *holes])
        return {"type": "MultiPolygon", "coordinates": polygons} if polygons else None
    lines = [x for x in (_line(line, step, closed=False) for line in
                         ([coords] if kind == "LineString" else coords)) if x]
    return {"type": "MultiLineString", "coordinates": lines} if lines else None


def _line(positions: Sequence[Sequence[float]], step: float, *, closed: bool
          ) -> list[list[float]] | None:
    """The positions rounded, without repeats and, with ``step``, without those nearer than
    ``step`` to the last one kept (the last position is always kept)."""
    kept: list[list[float]] = []
    last_x = last_y = math.inf
    final = len(positions) - 1
    for i, p in enumerate(positions):
        x, y = float(p[0]), float(p[1])
        if i == final or math.hypot(x - last_x, y - last_y) >= step:
            q = [round(x, DECIMALS), round(y, DECIMALS)]
            if not kept or q != kept[-1]:
                kept.append(q)
                last_x, last_y = x, y
    if closed:
        if kept and kept[0] != kept[-1]:
            kept.append(kept[0])
        return kept if len(kept) >= 4 else None
    return kept if len(kept) >= 2 else None


# --- modelled boundaries from centre points --------------------------------------------------


def voronoi_cells(points: Sequence[Position]) -> list[list[list[float]]]:
    """A closed ring (lon, lat) per point: the area nearer to it than to any other point,
    within the convex hull of the points widened by their median nearest-neighbour distance
    (computed in a plane scaled for the points' mean latitude)."""
    scale = math.cos(math.radians(statistics.fmean(p[1] for p in points)))
    plane = [(lon * scale, lat) for lon, lat in points]
    nearest = [min(math.dist(p, q) for j, q in enumerate(plane) if j != i and q != p)
               for i, p in enumerate(plane)]
    margin = statistics.median(nearest)
    circle = [(math.cos(a * math.pi / 8), math.sin(a * math.pi / 8)) for a in range(16)]
    region = _hull([(x + margin * c, y + margin * s) for x, y in _hull(plane) for c, s in circle])
    cells = []
    for i, p in enumerate(plane):
        cell = region
        for j, q in enumerate(plane):
            if j != i and q != p and cell:
                cell = _clip(cell, p, q)
        ring = [[round(x / scale, DECIMALS), round(y, DECIMALS)] for x, y in cell]
        cells.append(ring + ring[:1] if ring else [])
    return cells


def _hull(points: Sequence[Position]) -> list[Position]:
    """The convex hull, counter-clockwise (Andrew's monotone chain)."""
    ordered = sorted(set(points))
    if len(ordered) <= 2:
        return ordered

    def cross(o: Position, a: Position, b: Position) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Position] = []
    upper: list[Position] = []
    for p in ordered:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(ordered):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _clip(polygon: list[Position], p: Position, q: Position) -> list[Position]:
    """The part of a convex polygon nearer to ``p`` than to ``q`` (one half-plane)."""
    nx, ny = q[0] - p[0], q[1] - p[1]
    c = (q[0] ** 2 + q[1] ** 2 - p[0] ** 2 - p[1] ** 2) / 2

    def side(v: Position) -> float:
        return v[0] * nx + v[1] * ny - c  # <= 0: on p's side

    out: list[Position] = []
    for i, a in enumerate(polygon):
        b = polygon[(i + 1) % len(polygon)]
        sa, sb = side(a), side(b)
        if sa <= 0:
            out.append(a)
        if (sa < 0 < sb) or (sb < 0 < sa):
            t = sa / (sa - sb)
            out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
    return out
