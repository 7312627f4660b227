"""The City Dashboard's pages: ``/dashboards`` (the list), ``/dashboards/{id}`` (a
dashboard) and ``/dashboards/{id}/tiles/{tile}`` (one tile alone), each embeddable in an
iframe (``BELFORT_DASHBOARD_FRAME_ANCESTORS``; ``?embed=1`` leaves out the site's header and
footer).

Every tile is drawn on the server and readable without JavaScript: its value, level and time
as text; a line or bars as an SVG chart (``belfort.portal.charts``, the dataset pages'
renderer) with its data as a table; a map as the dataset pages' SVG map
(``belfort.portal.maps`` over the base layer of ``belfort.portal.map_base``); a gauge as a
small SVG. ``static/js/dashboard.js`` then follows the live stream
(``/dashboards/{id}/events``, the API's stream with the portal's sign-in) and redraws what
changed. Colour is never the only sign: a level always has its label in words.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import math
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response, StreamingResponse

from belfort.api.dashboards import event_stream
from belfort.api.deps import get_platform
from belfort.dashboards import live
from belfort.dashboards.spec import COLOURS, TileSpec
from belfort.dashboards.store import StoredDashboard, get_dashboard, list_dashboards
from belfort.dashboards.tiles import tile_data
from belfort.errors import NotFound
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal import map_base, maps, values
from belfort.portal.chart_svg import render_svg
from belfort.portal.charts import ChartRequest, chart_spec, chart_table
from belfort.portal.dashboard_forecasts import ForecastView, forecast_view
from belfort.portal.i18n import Translator, language_of
from belfort.portal.pages import portal_principal
from belfort.portal.render import render

router = APIRouter(include_in_schema=False)

ZONE = ZoneInfo("Europe/Brussels")
# strong colours for shapes (gauge, map markers); a level's label always says it in words
FILLS = {"green": "#2e7d32", "orange": "#c25e00", "red": "#b3261e", "blue": "#1d5a8e",
         "grey": "#5f6368"}
assert set(FILLS) == set(COLOURS)


@dataclass
class TileView:
    """One tile as the templates show it."""

    spec: TileSpec
    data: dict[str, Any]
    title: str
    description: str
    value_text: str = ""
    time: values.Cell | None = None
    trend_text: str = ""
    level_label: str = ""
    level_colour: str = ""
    svg: str = ""
    headers: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    legend: list[tuple[str, str, int]] = field(default_factory=list)  # label, colour name, count
    hidden_text: str = ""  # what an aggregation threshold withheld, in words
    forecast: ForecastView | None = None  # the forecast beside the live value

    @property
    def empty(self) -> bool:
        return self.data.get("state") != "ok"

    @property
    def withheld(self) -> bool:
        """Nothing shown because of an aggregation threshold (not: no data)."""
        return self.data.get("state") == "suppressed"


def hidden_text(data: dict[str, Any], lang: str) -> str:
    """What an aggregation threshold withheld from a tile, in words ("" when nothing)."""
    k, n = data.get("threshold"), data.get("suppressed") or 0
    if k is None:
        return ""
    t = Translator(lang)
    if data.get("state") == "suppressed":
        return t("dash_hidden_all", k=values.format_number(k, lang))
    if n:
        return t("dash_hidden_some", n=values.format_number(n, lang),
                 k=values.format_number(k, lang))
    return ""


def _number(value: Any, lang: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, float) and not value.is_integer():
        value = round(value, 1 if abs(value) >= 10 else 2)  # a dashboard's figure, not a record
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return values.format_number(value, lang)


def _instant(iso: str | None) -> dt.datetime | None:
    if not iso or not isinstance(iso, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _time_cell(iso: str | None, lang: str) -> values.Cell | None:
    moment = _instant(iso)
    return values.format_datetime(moment, lang) if moment else None


def _wall_clock(iso: Any) -> Any:
    """A UTC instant as the charts draw time: Ghent's wall-clock time written with ``Z``."""
    moment = _instant(iso) if isinstance(iso, str) else None
    if moment is None:
        return iso
    return moment.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M:%SZ")


def _value_with_unit(value: Any, unit: str | None, lang: str) -> str:
    text = _number(value, lang)
    if not text:
        return ""
    return f"{text}{'' if unit in ('%', None) else ' '}{unit or ''}".strip()


def tile_view(platform: Platform, tile: TileSpec, data: dict[str, Any], lang: str, *,
              single: bool = False) -> TileView:
    t = Translator(lang)
    view = TileView(tile, data, tile.title.get(lang),
                    tile.description.get(lang) if tile.description else "")
    unit = data.get("unit")
    view.value_text = _value_with_unit(data.get("value"), unit, lang)
    view.time = _time_cell(data.get("time"), lang)
    view.hidden_text = hidden_text(data, lang)
    live_by_name = {str(r.get("x")): r.get("y") for r in data.get("rows") or []
                    if tile.type == "bars"}
    live_by_name.update({str(sh.get("name")): sh.get("value") for sh in data.get("shapes") or []})
    view.forecast = forecast_view(data.get("forecast"), view.title, live_by_name, lang)
    level = data.get("level")
    if level:
        view.level_label = level["label"].get(lang) or level["label"]["nl"]
        view.level_colour = level["colour"]
    if data.get("trend") is not None:
        trend, previous = data["trend"], _value_with_unit(data.get("previous"), unit, lang)
        pct = _number(abs(trend), lang) + " %"
        key = ("dash_trend_up" if trend > 0 else "dash_trend_down" if trend < 0
               else "dash_trend_same")
        view.trend_text = t(key, pct=pct, value=previous)
    if view.empty:
        return view
    if tile.type == "gauge":
        view.svg = gauge_svg(data.get("value"), view.level_label, view.level_colour, view.title,
                             lang)
    elif tile.type in ("line", "bars"):
        _chart(platform, view, lang, single)
    elif tile.type == "map":
        _map(platform, view, lang)
    elif tile.type == "table":
        _table(view, lang)
    return view


def _chart(platform: Platform, view: TileView, lang: str, single: bool) -> None:
    t = Translator(lang)
    tile = view.spec
    rows = [{"x": _wall_clock(r["x"]) if tile.type == "line" else r["x"], "y": r["y"]}
            for r in view.data["rows"] if r.get("y") is not None]
    is_time = tile.type == "line" and all(
        isinstance(r["x"], str) and len(r["x"]) == 20 and r["x"].endswith("Z") for r in rows)
    request = ChartRequest("line" if tile.type == "line" else "bar", "x", "y", aggregate="none",
                           x_type="datetime" if is_time else "string")
    names = {"x": tile.x or t("dash_col_x"), "y": tile.y or t("dash_col_y")}
    # a tile among others is drawn at the phones' size (no text under 11 px when it is
    # shown 20rem wide); a tile alone at the dataset pages' size
    spec = chart_spec(request, rows, title=view.title, lang=lang, names=names, narrow=not single)
    key = ("dashboard-chart", hashlib.sha256(orjson.dumps(spec, option=orjson.OPT_SORT_KEYS))
           .hexdigest())
    view.svg = platform.cache.get_or_build(key, lambda: render_svg(spec))
    view.headers, view.cells = chart_table(rows, request, lang, names=names)
    if tile.thresholds and tile.type == "bars":
        view.headers.append(t("dash_level", label="").rstrip(": "))
        for cells, row in zip(view.cells, [r for r in view.data["rows"] if r.get("y") is not None],
                              strict=False):
            label = (row.get("level") or {}).get("label") or {}
            cells.append(label.get(lang) or label.get("nl") or "")


def _map(platform: Platform, view: TileView, lang: str) -> None:
    if view.spec.shapes:
        _shapes_map(platform, view, lang)
        return
    t = Translator(lang)
    no_value = t("dash_map_no_value")
    features: list[dict[str, Any]] = []
    levels: list[str] = []  # each feature's level, as its legend class names it
    for p in view.data["points"]:
        label = (p.get("level") or {}).get("label") or {}
        level = label.get(lang) or label.get("nl") or no_value
        text = f"{p['name']}: {_value_with_unit(p.get('value'), p.get('unit'), lang) or no_value}"
        features.append({"type": "Feature", "geometry": {"type": "Point",
                                                         "coordinates": [p["lon"], p["lat"]]},
                         "properties": {maps.LABEL_KEY: text[:120], "niveau": level}})
        levels.append(level)
    legend = _band_legend(view, levels, lang)
    base = map_base.base_layer(platform)
    view.svg = maps.render_svg_map(features, legend, title=view.title, lang=lang,
                                   base=base.collection if base else None)
    _table(view, lang)


def _band_legend(view: TileView, levels: list[str], lang: str) -> maps.Legend:
    """The tile's bands (and "no value") as the map's legend, counted over ``levels``; the
    legend under the map (``view.legend``) names every band, and "no value" when there is."""
    no_value = Translator(lang)("dash_map_no_value")
    bands = view.spec.thresholds
    classes = [maps.LegendClass(th.label.get(lang), FILLS[th.colour],
                                levels.count(th.label.get(lang)), value=th.label.get(lang))
               for th in bands]
    classes.append(maps.LegendClass(no_value, maps.MISSING_COLOR, levels.count(no_value),
                                    value=no_value))
    tokens = [th.colour for th in bands] + ["none"]
    view.legend = [(c.label, token, c.count) for c, token in zip(classes, tokens, strict=True)
                   if c.count or c.value != no_value]
    return maps.Legend("niveau", "categorical", tuple(classes))


def _shapes_map(platform: Platform, view: TileView, lang: str) -> None:
    """A map of a dataset's shapes (zones), each filled with its band's colour (opaque: the
    colours keep their contrast) and titled with its name, value and band in words; the
    same as a table under the map."""
    t = Translator(lang)
    tile = view.spec
    no_value = t("dash_map_no_value")
    features: list[dict[str, Any]] = []
    levels: list[str] = []
    for shape in view.data.get("shapes") or []:
        label = (shape.get("level") or {}).get("label") or {}
        level = label.get(lang) or label.get("nl") or no_value
        name = str(shape.get("name") or "—")
        value = _value_with_unit(shape.get("value"), view.data.get("unit"), lang)
        text = f"{name}: {value} — {level}" if value else f"{name}: {no_value}"
        levels.append(level)
        view.cells.append([name, value, level])
        if maps.valid_geometry(shape.get("geometry")):
            features.append({"type": "Feature", "geometry": shape["geometry"],
                             "properties": {maps.LABEL_KEY: text[:240], "niveau": level}})
    _mark_small_shapes(features)
    legend = _band_legend(view, levels, lang)
    base = map_base.base_layer(platform)
    view.svg = maps.render_svg_map(features, legend, title=view.title, lang=lang,
                                   base=base.collection if base else None, polygon_opacity=1)
    view.headers = [values.humanised(tile.label) if tile.label else t("dash_col_x"),
                    values.humanised(tile.value), t("dash_level", label="").rstrip(": ")]


def _bounds(geometry: Any) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) of a GeoJSON geometry's positions."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], int | float):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for c in coords or []:
                walk(c)

    for part in geometry.get("geometries") or [geometry]:
        walk(part.get("coordinates"))
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def _mark_small_shapes(features: list[dict[str, Any]], share: float = 1 / 20) -> None:
    """A shape whose longer side is under ``share`` of the map's longer side (a square
    among the city's zones: a few pixels on a phone) also gets a marker at its centre, in
    its colour and with its title, so it stays visible and easy to point at."""
    bounds = [_bounds(f["geometry"]) for f in features]
    known = [b for b in bounds if b is not None]
    if len(known) < 2:
        return
    # degrees of longitude shrink with the latitude: as the (Mercator) map draws them
    shrink = math.cos(math.radians(sum(b[1] + b[3] for b in known) / (2 * len(known))))
    side = max((max(b[2] for b in known) - min(b[0] for b in known)) * shrink,
               max(b[3] for b in known) - min(b[1] for b in known))
    for feature, box in zip(features, bounds, strict=True):
        if box is None or max((box[2] - box[0]) * shrink, box[3] - box[1]) >= side * share:
            continue
        centre = {"type": "Point", "coordinates": [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2]}
        parts = feature["geometry"].get("geometries") or [feature["geometry"]]
        feature["geometry"] = {"type": "GeometryCollection", "geometries": [*parts, centre]}


def _table(view: TileView, lang: str) -> None:
    t = Translator(lang)
    data = view.data
    columns = data.get("columns") or []
    view.headers = [t("dash_col_" + c) if c in ("name", "value", "time") and view.spec.sensors
                    else values.humanised(c) for c in columns]
    for row in data["rows"]:
        cells = []
        for column in columns:
            value = row.get(column)
            moment = _instant(value) if isinstance(value, str) and len(value) >= 19 and \
                value[10:11] == "T" else None
            if moment is not None:
                cells.append(values.format_datetime(moment, lang).text)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(_number(value, lang))
            else:
                cells.append(values.format_value(value, "string", lang).text)
        view.cells.append(cells)


def gauge_svg(value: Any, label: str, colour: str, title: str, lang: str) -> str:
    """A half-circle crowd gauge from 0 to 100, ``role="img"`` with its value and level in
    words (``<title>``/``<desc>``)."""
    t = Translator(lang)
    number = min(100.0, max(0.0, float(value))) if isinstance(value, int | float) else None
    angle = math.pi * (1 - (number or 0) / 100)
    x, y = 100 + 80 * math.cos(angle), 100 - 80 * math.sin(angle)
    fill = FILLS.get(colour, FILLS["blue"])
    desc = (t("dash_gauge_desc", value=_number(number, lang), label=label) if number is not None
            else t("dash_gauge_desc_empty"))
    ident = "bf-gauge-" + hashlib.sha1(f"{title}|{desc}".encode()).hexdigest()[:10]
    arc = ""
    if number:
        large = 0  # never more than half a circle
        arc = (f'<path d="M20,100 A80,80 0 {large},1 {x:.1f},{y:.1f}" fill="none" '
               f'stroke="{fill}" stroke-width="18"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bf-gauge" viewBox="0 0 200 120" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{html.escape(title)}</title>'
        f'<desc id="{ident}-desc">{html.escape(desc)}</desc>'
        f'<path d="M20,100 A80,80 0 0,1 180,100" fill="none" stroke="#dfe3e8" stroke-width="18"/>'
        f'{arc}<text x="100" y="96" text-anchor="middle" font-size="30" font-family="sans-serif" '
        f'fill="#1a1a1a">{html.escape(_number(number, lang))}</text>'
        f'<text x="20" y="116" text-anchor="middle" font-size="10" font-family="sans-serif" '
        f'fill="#333333">0</text><text x="180" y="116" text-anchor="middle" font-size="10" '
        f'font-family="sans-serif" fill="#333333">100</text></svg>'
    )


# --- routes ----------------------------------------------------------------------------


def _embed(request: Request) -> bool:
    return request.query_params.get("embed") == "1"


@router.get("/dashboards")
def dashboards_page(request: Request, platform: Platform = Depends(get_platform),
                    principal: Principal = Depends(portal_principal)) -> Response:
    with platform.db.session() as session:
        found = list_dashboards(session)
    return render(request, "dashboards.html", principal, dashboards=found, active="dashboards")


def _stored(platform: Platform, dashboard_id: str) -> StoredDashboard:
    with platform.db.session() as session:
        return get_dashboard(session, dashboard_id)


@router.get("/dashboards/{dashboard_id}")
def dashboard_page(dashboard_id: str, request: Request, platform: Platform = Depends(get_platform),
                   principal: Principal = Depends(portal_principal)) -> Response:
    stored = _stored(platform, dashboard_id)
    lang = language_of(request)
    tiles = live.compute(platform, principal, stored, count_use=True)
    views = [tile_view(platform, tile, tiles[tile.id], lang) for tile in stored.spec.tiles]
    return _page(request, "dashboard.html", principal, stored, views)


@router.get("/dashboards/{dashboard_id}/tiles/{tile_id}")
def tile_page(dashboard_id: str, tile_id: str, request: Request,
              platform: Platform = Depends(get_platform),
              principal: Principal = Depends(portal_principal)) -> Response:
    stored = _stored(platform, dashboard_id)
    tile = stored.spec.tile(tile_id)
    if tile is None:
        raise NotFound(f"no tile {tile_id[:40]!r} on dashboard {dashboard_id!r}")
    data = tile_data(platform, principal, tile, count_use=True).to_dict()
    view = tile_view(platform, tile, data, language_of(request), single=not _embed(request))
    return _page(request, "dashboard_tile.html", principal, stored, [view], single=True)


def _page(request: Request, template: str, principal: Principal, stored: StoredDashboard,
          views: list[TileView], *, single: bool = False) -> Response:
    lang = language_of(request)
    response = render(
        request, template, principal, dashboard=stored, tiles=views, embed=_embed(request),
        dashboard_title=stored.spec.title.get(lang),
        dashboard_description=stored.spec.description.get(lang) if stored.spec.description
        else "",
        events_url=f"/dashboards/{stored.id}/events", single=single, active="dashboards",
        now=values.format_datetime(dt.datetime.now(dt.timezone.utc), lang),
    )
    response.headers.setdefault("Cache-Control", "no-cache")
    return response


@router.get("/dashboards/{dashboard_id}/events")
async def portal_events(dashboard_id: str, request: Request,
                        platform: Platform = Depends(get_platform),
                        principal: Principal = Depends(portal_principal)) -> StreamingResponse:
    """The live stream for the portal's pages: the API's, read as the signed-in staff member
    (the portal's session cookie) or the public."""
    return await event_stream(request, platform, principal, dashboard_id)
