"""The dataset page's map: a version's records as GeoJSON, a data-driven legend, and an
SVG rendering of both for pages without JavaScript (``static/js/map.js`` turns the SVG
into a Leaflet map when it can).

GeoJSON coordinates are WGS 84 (lon, lat); the SVG uses Web Mercator fitted to the
features' bounding box. Nothing here, nor in what it returns, refers to the network.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from belfort.api.ods.common import iso_datetime
from belfort.errors import InvalidRequest
from belfort.platform import Platform
from belfort.policy.reading import ReadableVersion
from belfort.query.model import FieldRef, IsNull, Query
from belfort.schema import Field, TableSchema

GEO_TYPES = ("geopoint", "geometry")
LABEL_KEY = "_label"  # normalised field names never start with "_"
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
RAMP = ("#c6dbef", "#6baed6", "#3182bd", "#08519c", "#08306b")  # sequential blues
OTHER_COLOR, MISSING_COLOR, SINGLE_COLOR = "#999999", "#dddddd", "#0072B2"
MAX_CATEGORIES, NUMERIC_CLASSES = 8, 5
_LABEL_NAMES = ("naam", "name", "displayname", "titel", "title", "label", "omschrijving",
                "description", "adres", "address", "straat", "locatie")
_NUMBERS = (int, float)  # not bool: type() is exact
_DEPTHS = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2,
           "MultiPolygon": 3}
_WORDS = {
    "nl": {"other": "andere", "missing": "(geen waarde)", "all": "alle objecten", "true": "ja",
           "false": "nee", "empty": "Geen locaties om te tonen.", "map": "Kaart met {n} objecten",
           "by": "ingekleurd volgens {field}", "shown": "{shown} van {total} getoond"},
    "en": {"other": "other", "missing": "(no value)", "all": "all features", "true": "yes",
           "false": "no", "empty": "No locations to show.", "map": "Map of {n} features",
           "by": "coloured by {field}", "shown": "{shown} of {total} shown"},
}


def geometry_field(schema: TableSchema) -> str | None:
    """The field the map draws: the first geometry field (shapes), else the first geopoint
    (a boundary file with a ``geo_point_2d`` centre draws its polygons, not the centres)."""
    return next((f.name for f in schema.fields if f.type == "geometry"),
                next((f.name for f in schema.fields if f.type in GEO_TYPES), None))


def map_features(platform: Platform, rv: ReadableVersion, *, color_by: str | None = None,
                 limit: int = 5000, timezone: str = "Europe/Brussels",
                 lang: str = "nl") -> dict[str, Any]:
    """The version's records with a geometry as a GeoJSON FeatureCollection (the first
    ``limit`` in file order). Properties are the other fields (JSON-safe; datetimes as ISO
    text in ``timezone``) plus ``_label``. Foreign members: ``total`` (records with a
    geometry), ``shown``, ``omitted`` (left out by the cap), ``truncated``, ``unreadable``
    (geometries that are not valid WGS 84 GeoJSON), and with ``color_by`` its ``legend``."""
    geo = geometry_field(rv.schema)
    if geo is None:
        raise InvalidRequest("this dataset has no geographic field to map")
    if color_by is not None:
        found = rv.schema.get(color_by)
        if found is None or found.type in GEO_TYPES:
            raise InvalidRequest(f"cannot colour the map by {str(color_by)[:60]!r}: not a data field")
    if limit < 1:
        raise InvalidRequest("the map needs a positive limit")
    cap = min(limit, platform.engine.max_rows)
    query = Query(where=IsNull(FieldRef(geo), negated=True), limit=cap)
    result = platform.engine.execute(query, rv.schema, rv.path, with_total=True)
    zone = ZoneInfo(timezone)
    fields = rv.schema.fields
    geo_index = rv.schema.names.index(geo)
    label_field = _label_field(rv.schema)
    features: list[dict[str, Any]] = []
    unreadable = 0
    for row in result.rows:
        geometry = _geometry(row[geo_index])
        if geometry is None:
            unreadable += 1
            continue
        props = {f.name: _json_safe(v, f.type, zone) for f, v in zip(fields, row, strict=True)
                 if f.type != "geometry" and f.name != geo}
        label = props.get(label_field) if label_field else None
        props[LABEL_KEY] = str(label)[:120] if label not in (None, "") else f"#{len(features) + 1}"
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    total = int(result.total or 0)
    collection: dict[str, Any] = {
        "type": "FeatureCollection", "features": features, "total": total,
        "shown": len(features), "omitted": max(0, total - len(result.rows)),
        "truncated": total > len(result.rows), "unreadable": unreadable, "label_key": LABEL_KEY,
    }
    if color_by is not None:
        collection["legend"] = legend(collection, color_by, lang=lang).to_dict()
    return collection


def _label_field(schema: TableSchema) -> str | None:
    texts = [f.name for f in schema.fields if f.type == "string"]
    for wanted in _LABEL_NAMES:
        for name in texts:
            if name == wanted or name.startswith(wanted + "_") or name.endswith("_" + wanted):
                return name
    return texts[0] if texts else None


def _json_safe(value: Any, type_: str, zone: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return iso_datetime(value, zone) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v, "", zone) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v, "", zone) for v in value]
    if isinstance(value, bytes | bytearray):
        return None
    return value


def _geometry(value: Any) -> dict[str, Any] | None:
    """A GeoJSON geometry with finite WGS 84 positions, from a geopoint struct or GeoJSON text."""
    if isinstance(value, dict):  # geopoint
        point = {"type": "Point", "coordinates": [value.get("lon"), value.get("lat")]}
        return point if _valid(point) else None
    if not isinstance(value, str):
        return None
    try:
        parsed = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    if isinstance(parsed, dict) and parsed.get("type") == "Feature":
        parsed = parsed.get("geometry")
    return parsed if isinstance(parsed, dict) and _valid(parsed) else None


def valid_geometry(geometry: Any) -> bool:
    """Whether ``geometry`` is GeoJSON with finite WGS 84 positions (what the map draws)."""
    return isinstance(geometry, Mapping) and _valid(geometry)


def _valid(geometry: Mapping[str, Any], nested: int = 0) -> bool:
    kind = geometry.get("type")
    if kind == "GeometryCollection" and nested == 0:
        parts = geometry.get("geometries")
        return isinstance(parts, list) and bool(parts) and all(
            isinstance(p, dict) and _valid(p, 1) for p in parts)
    depth = _DEPTHS.get(str(kind))
    return depth is not None and _positions_ok(geometry.get("coordinates"), depth)


def _positions_ok(coords: Any, depth: int) -> bool:
    if not isinstance(coords, list):
        return False
    if depth == 1:  # a list of positions, checked in one loop (boundary files hold millions)
        for c in coords:
            if not (type(c) is list and len(c) >= 2 and type(c[0]) in _NUMBERS
                    and type(c[1]) in _NUMBERS and -180 <= c[0] <= 180 and -90 <= c[1] <= 90):
                return False  # NaN and infinities fail the range comparison
        return bool(coords)
    if depth == 0:
        if len(coords) < 2 or not all(isinstance(c, int | float) and not isinstance(c, bool)
                                      for c in coords[:2]):
            return False
        lon, lat = coords[0], coords[1]
        return math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
    return bool(coords) and all(_positions_ok(c, depth - 1) for c in coords)


# --- the legend ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendClass:
    """One colour of the legend. Categorical: ``value`` (as text) or ``other``/``missing``;
    numeric: values ``v`` with ``lower <= v <= upper`` not in an earlier class."""

    label: str
    color: str
    count: int
    value: str | None = None
    lower: float | None = None
    upper: float | None = None
    other: bool = False
    missing: bool = False


@dataclass(frozen=True)
class Legend:
    """How features are coloured by one field (``to_dict()`` is what ``map.js`` reads)."""

    field: str | None
    kind: str  # single, categorical or numeric
    classes: tuple[LegendClass, ...]

    def classify(self, value: Any) -> LegendClass | None:
        """The class of one property value (None: no class, draw it ``OTHER_COLOR``)."""
        if self.kind == "single":
            return self.classes[0]
        if value is None or value == "":
            return next((c for c in self.classes if c.missing), None)
        if self.kind == "numeric" and _is_number(value):
            return next((c for c in self.classes if c.upper is not None and value <= c.upper), None)
        key = _key(value)
        return next((c for c in self.classes if c.value == key), None) or next(
            (c for c in self.classes if c.other), None)

    def color_of(self, properties: Mapping[str, Any]) -> str:
        found = self.classify(properties.get(self.field) if self.field else None)
        return found.color if found else OTHER_COLOR

    def to_dict(self) -> dict[str, Any]:
        """JSON for ``data-legend`` (what ``map.js`` colours by)."""
        return {"field": self.field, "kind": self.kind, "classes": [asdict(c) for c in self.classes]}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _key(value: Any) -> str:
    """A value as the text the legend matches on (``map.js`` computes the same)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _features_of(features: Mapping[str, Any] | Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if isinstance(features, Mapping):
        return list(features.get("features") or [])
    return list(features)


def legend(features: Mapping[str, Any] | Iterable[Mapping[str, Any]], field: str | None,
           *, lang: str = "nl") -> Legend:
    """Classes from the data: text and booleans by their 8 most frequent values plus
    "other" (Okabe–Ito colours); numbers by 5 quantile classes (or one class per value when
    there are at most 5) on a sequential blue ramp; no field: one class."""
    words = _WORDS.get(lang, _WORDS["nl"])
    items = _features_of(features)
    if field is None:
        return Legend(None, "single", (LegendClass(words["all"], SINGLE_COLOR, len(items)),))
    values = [(f.get("properties") or {}).get(field) for f in items]
    present = [v for v in values if v is not None and v != ""]
    missing = len(values) - len(present)
    if present and all(_is_number(v) for v in present):
        classes = _numeric_classes(sorted(present))
        kind = "numeric"
    else:
        counts = Counter(_key(v) for v in present)
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        top = ranked if len(ranked) <= MAX_CATEGORIES else ranked[:MAX_CATEGORIES]
        classes = [LegendClass(words[k] if k in ("true", "false") else _short(k), OKABE_ITO[i], n, value=k)
                   for i, (k, n) in enumerate(top)]
        rest = sum(n for _, n in ranked[len(top):])
        if rest:
            classes.append(LegendClass(words["other"], OTHER_COLOR, rest, other=True))
        kind = "categorical"
    if missing:
        classes.append(LegendClass(words["missing"], MISSING_COLOR, missing, missing=True))
    return Legend(field, kind, tuple(classes))


def _numeric_classes(values: list[float]) -> list[LegendClass]:
    distinct = sorted(set(values))
    if len(distinct) <= NUMERIC_CLASSES:
        bounds = [(v, v) for v in distinct]
    else:
        n = len(values)
        uppers = sorted({values[math.ceil(n * (i + 1) / NUMERIC_CLASSES) - 1] for i in range(NUMERIC_CLASSES)})
        bounds = [(values[0] if i == 0 else uppers[i - 1], u) for i, u in enumerate(uppers)]
    k = len(bounds)
    colors = [RAMP[round(i * (len(RAMP) - 1) / (k - 1))] if k > 1 else RAMP[2] for i in range(k)]
    counts = [0] * k
    for v in values:
        counts[next(i for i, (_, u) in enumerate(bounds) if v <= u)] += 1
    return [LegendClass(_num(lo) if lo == hi else f"{_num(lo)} – {_num(hi)}", colors[i], counts[i],
                        lower=lo, upper=hi) for i, (lo, hi) in enumerate(bounds)]


def _short(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _num(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def default_color_field(schema: TableSchema, features: Mapping[str, Any] | None = None) -> str | None:
    """A field worth colouring by: with ``features``, the first short text or boolean field
    whose values repeat, with 2–8 distinct ones, else the first number with several values;
    without features, the first boolean field."""
    candidates = [f for f in schema.fields if f.type in ("string", "boolean")
                  and f.name != _label_field(schema)]
    if features is None:
        return next((f.name for f in candidates if f.type == "boolean"), None)
    items = _features_of(features)

    def values(f: Field) -> list[Any]:
        return [v for i in items if (v := (i.get("properties") or {}).get(f.name)) not in (None, "")]

    def groups_well(f: Field) -> bool:
        found = values(f)
        keys = {_key(v) for v in found}
        plain = all(len(k) <= 60 and not k.startswith(("http", "{", "[")) for k in keys)
        return plain and 2 <= len(keys) <= MAX_CATEGORIES and len(keys) < len(found)

    found = next((f.name for f in candidates if groups_well(f)), None)
    if found is None:
        numbers = [f for f in schema.fields if f.type in ("integer", "number")
                   and not _coordinate_like(f.name)]
        found = next((f.name for f in numbers if len({_key(v) for v in values(f)}) >= 2), None)
    return found


def _coordinate_like(name: str) -> bool:
    parts = set(name.split("_"))
    return bool(parts & {"lat", "lon", "long", "lng", "latitude", "longitude", "x", "y", "id",
                         "codedvalue"}) or name.endswith("codedvalue")


# --- the SVG map for pages without JavaScript ---------------------------------------------

_MAX_LAT = 85.0511


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    """Web Mercator in radians, y pointing down (north up in SVG)."""
    lat = max(-_MAX_LAT, min(_MAX_LAT, lat))
    return math.radians(lon), -math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _parts(geometry: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(simple type, coordinates) of a geometry: Point, LineString or Polygon pieces."""
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "GeometryCollection":
        return [p for g in geometry.get("geometries") or [] for p in _parts(g)]
    if kind in ("Point", "LineString", "Polygon"):
        return [(str(kind), coords)]
    if kind in ("MultiPoint", "MultiLineString", "MultiPolygon"):
        return [(str(kind)[5:], c) for c in coords or []]
    return []


def render_svg_map(features: Mapping[str, Any] | Iterable[Mapping[str, Any]], legend: Legend, *,
                   width: int = 640, height: int = 420, title: str, lang: str = "nl",
                   draw_legend: bool = False, base: Mapping[str, Any] | None = None,
                   base_text: str = "", polygon_opacity: float = 0.55) -> str:
    """The features as an SVG map (Web Mercator fitted to their bounding box; points as
    circles, lines and polygons (holes included) as paths, each with a ``<title>``),
    ``role="img"`` named by its ``<title>`` and ``<desc>``. ``draw_legend`` adds the
    legend in a column on the right (else show ``legend`` as HTML next to it). ``base``
    (a FeatureCollection whose features have a ``name``) is drawn under the data as light
    grey outlines, clipped to the map; the map fits it when the data has no extent;
    ``base_text`` ends the description; ``polygon_opacity`` is the polygons' fill opacity."""
    words = _WORDS.get(lang, _WORDS["nl"])
    items = _features_of(features)
    shapes = [(f, _parts(f.get("geometry") or {})) for f in items]
    projected = [_mercator(p[0], p[1]) for _, parts in shapes for _, c in parts for p in _flatten(c)]
    outlines = [(f, _parts(f.get("geometry") or {})) for f in _features_of(base or [])]
    if len(set(projected)) < 2:  # no extent of its own: show the data within the base layer
        projected += [_mercator(p[0], p[1]) for _, parts in outlines for _, c in parts
                      for p in _flatten(c)]
    side = 180 if draw_legend else 0
    pad, map_w = 16, width - side
    if projected:
        xs, ys = [p[0] for p in projected], [p[1] for p in projected]
        x0, y0, dx, dy = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
        scales = [s for s in ((map_w - 2 * pad) / dx if dx else 0, (height - 2 * pad) / dy if dy else 0) if s]
        scale = min(scales) if scales else 1.0
        ox = pad + (map_w - 2 * pad - dx * scale) / 2 - x0 * scale
        oy = pad + (height - 2 * pad - dy * scale) / 2 - y0 * scale
    else:
        scale, ox, oy = 1.0, 0.0, 0.0

    def xy(position: list[float]) -> str:
        x, y = _mercator(position[0], position[1])
        return f"{x * scale + ox:.1f},{y * scale + oy:.1f}"

    layers: dict[str, list[str]] = {"Polygon": [], "LineString": [], "Point": []}
    radius = 5 if len(items) <= 200 else 3.5
    for feature, parts in shapes:
        props = feature.get("properties") or {}
        color = legend.color_of(props)
        tip = f"<title>{html.escape(str(props.get(LABEL_KEY, '')))}</title>"
        by_kind: dict[str, list[Any]] = {}
        for kind, coords in parts:
            by_kind.setdefault(kind, []).append(coords)
        if "Polygon" in by_kind:
            d = " ".join("M" + " L".join(xy(p) for p in ring) + " Z"
                         for polygon in by_kind["Polygon"] for ring in polygon if ring)
            layers["Polygon"].append(f'<path d="{d}" fill="{color}" fill-opacity="{polygon_opacity:g}" '
                                     f'fill-rule="evenodd" stroke="#333333" stroke-width="0.8">{tip}</path>')
        if "LineString" in by_kind:
            d = " ".join("M" + " L".join(xy(p) for p in line) for line in by_kind["LineString"] if line)
            layers["LineString"].append(  # a dark casing keeps pale colours visible
                f'<g><path d="{d}" fill="none" stroke="#333333" stroke-width="4.5" stroke-linecap="round"/>'
                f'<path d="{d}" fill="none" stroke="{color}" stroke-width="2.5" stroke-linecap="round"/>'
                f"{tip}</g>")
        for point in by_kind.get("Point", []):
            x, y = xy(point).split(",")
            layers["Point"].append(f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{color}" '
                                   f'stroke="#1a1a1a" stroke-width="0.8">{tip}</circle>')
    body = "".join(layers["Polygon"] + layers["LineString"] + layers["Point"])
    under = []
    for feature, parts in outlines:
        rings = [(kind, [xy(p) for p in ring]) for kind, coords in parts if kind != "Point"
                 for ring in (coords if kind == "Polygon" else [coords]) if ring]
        points = [tuple(map(float, p.split(","))) for _, ring in rings for p in ring]
        if not points or (max(x for x, _ in points) < 0 or min(x for x, _ in points) > map_w
                          or max(y for _, y in points) < 0 or min(y for _, y in points) > height):
            continue  # wholly outside the map: not drawn
        d = " ".join("M" + " L".join(ring) + (" Z" if kind == "Polygon" else "") for kind, ring in rings)
        name = html.escape(str((feature.get("properties") or {}).get("name") or ""))
        if d:
            under.append(f'<path d="{d}" fill="none" stroke="#7d8590" stroke-width="1" '
                         f'stroke-linejoin="round"><title>{name}</title></path>')
    if not items:
        body = (f'<text x="{map_w / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" font-size="14" '
                f'fill="#444444">{html.escape(words["empty"])}</text>')
    description = _map_description(features, items, legend, words)
    description += f" {base_text}" if base_text else ""
    ident = "bf-map-" + hashlib.sha1(f"{title}|{description}|{len(body)}".encode()).hexdigest()[:10]
    if under:
        body = (f'<clipPath id="{ident}-clip"><rect width="{map_w}" height="{height}"/></clipPath>'
                f'<g class="bf-map-base" clip-path="url(#{ident}-clip)">{"".join(under)}</g>'
                + body)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bf-map-svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-family="sans-serif">'
        f'<title id="{ident}-title">{html.escape(title)}</title>'
        f'<desc id="{ident}-desc">{html.escape(description)}</desc>'
        f'<rect width="{map_w}" height="{height}" fill="#eef2f5" stroke="#c5ccd3"/>'
        f"<g>{body}</g>{_svg_legend(legend, map_w + 12) if draw_legend else ''}</svg>"
    )


def _flatten(coords: Any) -> Iterable[list[float]]:
    """Every position in nested coordinate lists."""
    if coords and isinstance(coords[0], int | float):
        yield coords
    else:
        for c in coords or []:
            yield from _flatten(c)


def _map_description(features: Any, items: list[Mapping[str, Any]], legend: Legend,
                     words: dict[str, str]) -> str:
    text = words["map"].format(n=len(items))
    if isinstance(features, Mapping) and features.get("truncated"):
        text += " (" + words["shown"].format(shown=len(items), total=features.get("total")) + ")"
    if legend.field:
        classes = ", ".join(f"{c.label} ({c.count})" for c in legend.classes)
        text += ", " + words["by"].format(field=legend.field) + ": " + classes
    return text + "."


def _svg_legend(legend: Legend, x: int) -> str:
    rows = [f'<text x="{x}" y="24" font-size="12" font-weight="bold" fill="#1a1a1a">'
            f"{html.escape(legend.field or '')}</text>"]
    for i, c in enumerate(legend.classes[:12]):
        y = 40 + i * 20
        rows.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{c.color}" stroke="#333333" '
                    f'stroke-width="0.5"/><text x="{x + 18}" y="{y + 10}" font-size="11" fill="#1a1a1a">'
                    f"{html.escape(c.label[:22])} ({c.count})</text>")
    return "<g>" + "".join(rows) + "</g>"
