"""The dataset page's chart builder: a chart request from the query string, its data from
the one query engine, a Vega-Lite spec, and that spec rendered to accessible SVG on the
server (``vl_convert``; nothing is loaded from the network, in the page or here).

The page calls, in this order::

    request = parse_chart_request(query_params, rv.schema) or chart_choice.default_chart(platform, rv)
    rows = chart_data(platform, rv, request, lang="nl")
    svg = render_svg(chart_spec(request, rows, title=..., lang="nl"))
    headers, cells = chart_table(rows, request, lang="nl")

Rows are ``{"x": …, "y": …}`` (plus ``"x2"``, the bin's upper bound, when numbers on the
x axis were binned, and ``"series"``, the label of the line or colour, when the chart is
split by a field: ``chart_series``); time buckets are wall-clock times in the asked zone written as
``2024-03-01T13:00:00Z`` and drawn with UTC time units, so the axis shows them unshifted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from belfort.errors import InvalidRequest
from belfort.platform import Platform
from belfort.policy.reading import ReadableVersion
from belfort.portal.chart_svg import accessible_svg as accessible_svg  # offered here too
from belfort.portal.chart_svg import render_svg
from belfort.query.model import (
    Aggregate,
    And,
    Expr,
    FieldRef,
    Function,
    IsNull,
    Literal,
    OrderItem,
    Query,
    SelectItem,
)
from belfort.schema import Field, TableSchema

MARKS = ("line", "bar", "scatter")
AGGREGATES = ("count", "sum", "avg", "min", "max", "none")
TIME_UNITS = ("year", "month", "week", "day", "hour")
X_TYPES = ("date", "datetime", "string", "integer", "number", "boolean")
Y_TYPES = ("integer", "number")
TIME_TYPES = ("date", "datetime")
SPLIT_TYPES = ("string", "boolean")
MAX_CATEGORIES = 50      # bars/lines over text: the 50 largest categories
MAX_SERIES_POINTS = 1000  # time or number buckets; more asks for a coarser unit
MAX_SCATTER_POINTS = 5000
EXACT_NUMBER_VALUES = 200  # above this many distinct numbers on x, bin them
MAX_PARAM_LENGTH = 200
SIZES = {False: (640, 320), True: (288, 260)}  # narrow: phones (fits 320 px screens)
COLOR = "#1d5a8e"
# one colour per series (the first is COLOR; "overig", the last, grey), told apart in print
PALETTE = ("#1d5a8e", "#c4501b", "#1b7f5b", "#a23b8c", "#8a6d00", "#3b8fc4", "#5b3fa0", "#6b6b6b")
# weeks are counted per day and added up per ISO week (Monday) in chart_series
_PATTERNS = {"year": "yyyy", "month": "yyyy-MM", "week": "yyyy-MM-dd", "day": "yyyy-MM-dd",
             "hour": "yyyy-MM-dd HH"}
_VL_UNITS = {"year": "utcyear", "month": "utcyearmonth", "week": "utcyearmonthdate",
             "day": "utcyearmonthdate", "hour": "utcyearmonthdatehours"}
_AXIS_FORMATS = {"year": "%Y", "month": "%b %Y", "week": "%-d %b %Y", "day": "%-d %b %Y",
                 "hour": "%-d %b %H:%M"}
_NOT_MEASURES = re.compile(
    r"(^|_)(lat|lon|long|lng|latitude|longitude|x|y|id|nr|nummer|code|codedvalue|jaar|year|"
    r"postcode|objectid|fid|gid|uuid|point_x|point_y)($|_)|(jaar|year|nummer|nr|number|_id|code)$"
    r"|^(id|nr)_|codedvalue"
)
_WORDS = {
    "nl": {"count": "aantal records", "countof": "aantal waarden van {y}", "sum": "{y} (som)",
           "avg": "{y} (gemiddelde)", "min": "{y} (minimum)", "max": "{y} (maximum)",
           "none": "{y}", "per": "{x} (per {unit})", "year": "jaar", "month": "maand",
           "day": "dag", "hour": "uur", "week": "week", "line": "Lijndiagram", "bar": "Staafdiagram",
           "scatter": "Spreidingsdiagram", "of": "{what} van {y} tegen {x}", "points": "punten", "point": "punt",
           "empty": "Geen gegevens om te tonen.", "range": "van {a} tot {b}",
           "peak": "Hoogste waarde: {v} bij {x}", "true": "ja", "false": "nee",
           "split": "{what}, per {s} ({n} reeksen)", "other": "overig", "blank": "(leeg)"},
    "en": {"count": "number of records", "countof": "number of values of {y}", "sum": "{y} (sum)",
           "avg": "{y} (average)", "min": "{y} (minimum)", "max": "{y} (maximum)",
           "none": "{y}", "per": "{x} (per {unit})", "year": "year", "month": "month",
           "day": "day", "hour": "hour", "week": "week", "line": "Line chart", "bar": "Bar chart",
           "scatter": "Scatter plot", "of": "{what} of {y} against {x}", "points": "points", "point": "point",
           "empty": "No data to show.", "range": "from {a} to {b}",
           "peak": "Highest value: {v} at {x}", "true": "yes", "false": "no",
           "split": "{what}, per {s} ({n} series)", "other": "other", "blank": "(empty)"},
}


@dataclass(frozen=True)
class ChartRequest:
    """What to draw. ``y`` None counts records; ``time_unit`` None (for a date/datetime
    x) is chosen from the data's span by ``resolve_chart``; ``x_type`` is the x field's
    type, filled in by ``parse_chart_request``/``default_chart``/``resolve_chart``;
    ``split`` names a text or yes/no field: one line (or colour) per value, at most
    ``chart_series.MAX_SERIES`` (the largest; the others together as "overig")."""

    mark: str
    x: str
    y: str | None = None
    aggregate: str = "count"
    time_unit: str | None = None
    x_type: str | None = None
    split: str | None = None


@dataclass(frozen=True)
class FieldChoice:
    """One option of a field select box: the field's name, its title and its type."""

    name: str
    label: str
    type: str


@dataclass(frozen=True)
class ChartOptions:
    """What the chart form offers in its select boxes."""

    x_fields: tuple[FieldChoice, ...]
    y_fields: tuple[FieldChoice, ...]
    split_fields: tuple[FieldChoice, ...] = ()
    marks: tuple[str, ...] = MARKS
    aggregates: tuple[str, ...] = AGGREGATES
    time_units: tuple[str, ...] = TIME_UNITS


def chart_options(schema: TableSchema) -> ChartOptions:
    """Fields that fit the x axis (dates, text, numbers, booleans) and the y axis (numbers)."""

    def choices(types: tuple[str, ...]) -> tuple[FieldChoice, ...]:
        return tuple(FieldChoice(f.name, f.title or f.name, f.type) for f in schema.fields if f.type in types)

    return ChartOptions(x_fields=choices(X_TYPES), y_fields=choices(Y_TYPES),
                        split_fields=choices(SPLIT_TYPES))


def _param(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    text = str(value).strip()
    if len(text) > MAX_PARAM_LENGTH:
        raise InvalidRequest(f"{name} is too long (at most {MAX_PARAM_LENGTH} characters)",
                             details={"chart": "too_long", "param": name, "limit": MAX_PARAM_LENGTH})
    return text or None


def _one_of(name: str, value: str, allowed: tuple[str, ...]) -> str:
    if value.lower() not in allowed:
        raise InvalidRequest(f"{name} must be one of {', '.join(allowed)}, not {value[:40]!r}",
                             details={"chart": "not_one_of", "param": name, "value": value[:60]})
    return value.lower()


def parse_chart_request(params: Mapping[str, str], schema: TableSchema) -> ChartRequest | None:
    """The chart asked for by ``chart_mark``, ``chart_x``, ``chart_y``, ``chart_agg``,
    ``chart_unit`` and ``chart_split``; None when none is given. Wrong input raises
    ``InvalidRequest`` with a message meant for people."""
    mark, x, y, agg, unit, split = (
        _param(params, f"chart_{k}") for k in ("mark", "x", "y", "agg", "unit", "split")
    )
    if not any((mark, x, y, agg, unit, split)):
        return None
    if x is None:
        raise InvalidRequest("choose a field for the horizontal axis (chart_x)", details={"chart": "no_x"})
    x_field = _field(schema, x, "chart_x")
    if x_field.type not in X_TYPES:
        raise InvalidRequest(f"field {x!r} is a {x_field.type} and cannot go on the horizontal axis",
                             details={"chart": "x_type", "field": x, "type": x_field.type})
    if y is not None:
        y_field = _field(schema, y, "chart_y")
        if y_field.type not in Y_TYPES:
            raise InvalidRequest(f"field {y!r} is a {y_field.type}; the vertical axis needs numbers",
                                 details={"chart": "y_type", "field": y, "type": y_field.type})
    mark = _one_of("chart_mark", mark, MARKS) if mark else ("line" if x_field.type in TIME_TYPES else "bar")
    if agg is None:
        agg = "count" if y is None else ("none" if mark == "scatter" else "sum")
    agg = _one_of("chart_agg", agg, AGGREGATES)
    if y is None and agg != "count":
        what = "raw values" if agg == "none" else f"the {agg}"
        raise InvalidRequest(f"{what} needs a numeric field for the vertical axis (chart_y)",
                             details={"chart": "agg_needs_y", "agg": agg})
    if mark == "scatter" and y is None:
        raise InvalidRequest("a scatter plot needs a numeric field for the vertical axis (chart_y)",
                             details={"chart": "scatter_needs_y"})
    if agg == "none" and mark != "scatter":
        raise InvalidRequest("raw values (chart_agg=none) can only be drawn as a scatter plot",
                             details={"chart": "raw_needs_scatter"})
    if unit is not None:
        unit = _one_of("chart_unit", unit, TIME_UNITS)
        if x_field.type not in TIME_TYPES:
            raise InvalidRequest(f"a time unit only applies to a date or time field, and {x!r} is a {x_field.type}",
                                 details={"chart": "unit_needs_time", "field": x, "type": x_field.type})
    if split is not None:
        split_field = _field(schema, split, "chart_split")
        if split_field.type not in SPLIT_TYPES:
            raise InvalidRequest(f"field {split!r} cannot split a chart: choose a text or yes/no "
                                 "field (chart_split)",
                                 details={"chart": "split_type", "field": split, "type": split_field.type})
        if split == x:
            raise InvalidRequest("chart_split must be another field than the horizontal axis",
                                 details={"chart": "split_same", "field": split})
    return ChartRequest(mark, x, y, agg, unit, x_field.type, split)


def _field(schema: TableSchema, name: str, param: str) -> Field:
    found = schema.get(name)
    if found is None:
        raise InvalidRequest(f"{param}: this dataset has no field {name[:60]!r}",
                             details={"chart": "no_field", "param": param, "field": name[:60]})
    return found


def not_a_measure(name: str) -> bool:
    """Whether a field's name marks an identifier, code, year or coordinate."""
    return bool(_NOT_MEASURES.search(name.lower()))


def resolve_chart(platform: Platform, rv: ReadableVersion, request: ChartRequest,
                  timezone: str = "Europe/Brussels") -> ChartRequest:
    """The request checked against the version's schema, with ``x_type`` and (for a
    date/datetime x) ``time_unit`` filled in from the span of the data."""
    params = {"chart_mark": request.mark, "chart_x": request.x, "chart_y": request.y or "",
              "chart_agg": request.aggregate, "chart_unit": request.time_unit or "",
              "chart_split": request.split or ""}
    checked = parse_chart_request(params, rv.schema)  # a request built by hand is checked too
    assert checked is not None
    request = checked
    x_field = _field(rv.schema, request.x, "chart_x")
    if x_field.type not in TIME_TYPES or request.time_unit is not None:
        return request
    low, high = platform.engine.execute(
        Query(select=(SelectItem(Aggregate("min", FieldRef(x_field.name)), "lo"),
                      SelectItem(Aggregate("max", FieldRef(x_field.name)), "hi")), timezone=timezone),
        rv.schema, rv.path,
    ).rows[0]
    days = (high - low).total_seconds() / 86400 if low is not None and high is not None else 0.0
    limits = (2, 60, 5 * 366) if request.mark == "bar" else (3, 366, 30 * 366)
    unit = "day" if low is None else next(
        (u for u, limit in zip(("hour", "day", "month"), limits, strict=True) if days <= limit), "year"
    )
    if unit == "hour" and x_field.type == "date":
        unit = "day"
    return replace(request, time_unit=unit)


def chart_data(platform: Platform, rv: ReadableVersion, request: ChartRequest,
               timezone: str = "Europe/Brussels", *, lang: str = "nl") -> list[dict[str, Any]]:
    """The chart's points from the engine: grouped by the x bucket with the aggregate
    (text: the 50 largest categories; time: per unit; numbers: exact values, or bins when
    there are many), or, for a scatter of raw values, at most 5,000 records (the first
    ones in file order). Split charts and weeks: ``chart_series.series_data`` (series
    labels in ``lang``)."""
    request = resolve_chart(platform, rv, request, timezone)
    if request.split or (request.time_unit == "week" and request.aggregate != "none"):
        from belfort.portal import chart_series  # it builds on this module

        return chart_series.series_data(platform, rv, request, timezone, _words(lang))
    x_type = request.x_type or "string"
    x_ref = FieldRef(request.x)
    not_null: Expr = IsNull(x_ref, negated=True)
    if request.aggregate == "none":
        assert request.y is not None
        query = Query(select=(SelectItem(x_ref, "bf_x"), SelectItem(FieldRef(request.y), "bf_y")),
                      where=And((not_null, IsNull(FieldRef(request.y), negated=True))),
                      limit=min(MAX_SCATTER_POINTS, platform.engine.max_rows), timezone=timezone)
        rows = platform.engine.execute(query, rv.schema, rv.path).rows
        return [{"x": _x_value(x, x_type, None, timezone), "y": _number(y)} for x, y in rows]
    y_expr = Aggregate(request.aggregate, FieldRef(request.y) if request.y else None)
    x_expr: Expr = x_ref
    step: float | None = None
    if x_type in TIME_TYPES:
        assert request.time_unit is not None
        x_expr = Function("date_format", (x_ref, Literal(_PATTERNS[request.time_unit])))
    elif x_type in Y_TYPES:
        step = _number_step(platform, rv, request.x)
        if step is not None:
            x_expr = Function("range", (x_ref, Literal(step)))
    categories = x_type in ("string", "boolean")
    order = (OrderItem(y_expr, descending=True), OrderItem(x_expr)) if categories else (OrderItem(x_expr),)
    limit = MAX_CATEGORIES if categories else MAX_SERIES_POINTS + 1
    query = Query(select=(SelectItem(x_expr, "bf_x"), SelectItem(y_expr, "bf_y")), where=not_null,
                  group_by=(SelectItem(x_expr),), order_by=order, limit=limit, timezone=timezone)
    rows = platform.engine.execute(query, rv.schema, rv.path).rows
    if len(rows) > MAX_SERIES_POINTS:
        raise InvalidRequest(f"this chart would have more than {MAX_SERIES_POINTS} points; "
                             "choose a coarser time unit (chart_unit)",
                             details={"chart": "too_many_points", "limit": MAX_SERIES_POINTS})
    if categories and request.mark == "line":
        rows = sorted(rows, key=lambda r: str(r[0]))
    out = []
    for x, y in rows:
        point = {"x": _x_value(x, x_type, request.time_unit, timezone), "y": _number(y)}
        if step is not None:
            point["x2"] = _number(x + step)
        out.append(point)
    return out


def _number_step(platform: Platform, rv: ReadableVersion, name: str) -> float | None:
    """A round bin width giving at most ~50 bins, or None when there are few distinct values."""
    ref = FieldRef(name)
    low, high, distinct = platform.engine.execute(Query(select=(
        SelectItem(Aggregate("min", ref), "lo"), SelectItem(Aggregate("max", ref), "hi"),
        SelectItem(Aggregate("count", ref, distinct=True), "n"))), rv.schema, rv.path).rows[0]
    if distinct <= EXACT_NUMBER_VALUES or low is None or high <= low:
        return None
    raw = (high - low) / 40
    magnitude = 10 ** math.floor(math.log10(raw))
    step: float = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step


def _x_value(value: Any, x_type: str, unit: str | None, timezone: str) -> Any:
    if value is None:
        return None
    if x_type in TIME_TYPES and isinstance(value, str):  # a bucket: "2024-03", "2024-03-01 13"
        parts = [int(p) for p in re.split(r"[- :]", value)]
        year, month, day, hour = (parts + [1, 1, 0][len(parts) - 1:])[:4]
        return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:00:00Z"
    if isinstance(value, datetime):
        local = value.astimezone(ZoneInfo(timezone)) if value.tzinfo else value
        return local.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00Z"
    if isinstance(value, float):
        return _number(value)
    return value


def _number(value: Any) -> int | float | None:
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, int):
        return value
    number = float(value)
    return number if math.isfinite(number) else None


# --- the Vega-Lite spec, its SVG and the same data as a table ---------------------------


def _words(lang: str) -> dict[str, str]:
    return _WORDS.get(lang, _WORDS["nl"])


def _titles(request: ChartRequest, words: dict[str, str],
            names: Mapping[str, str]) -> tuple[str, str]:
    """The axis titles: fields by their names for people (``names``: field id → its title
    in the data dictionary or a readable id; the id itself when absent)."""
    x_name = names.get(request.x, request.x)
    x_title = x_name
    if request.time_unit and request.aggregate != "none":
        x_title = words["per"].format(x=x_name, unit=words[request.time_unit])
    key = "countof" if request.aggregate == "count" and request.y else request.aggregate
    y_name = names.get(request.y, request.y) if request.y else ""
    return x_title, words[key].format(y=y_name)


def _x_kind(request: ChartRequest, rows: list[dict[str, Any]]) -> str:
    """temporal, binned, quantitative, ordinal or nominal."""
    x_type = request.x_type
    if x_type is None:  # not resolved: judge by the values
        sample = next((r["x"] for r in rows if r.get("x") is not None), None)
        is_time = isinstance(sample, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:]{8}Z", sample)
        is_number = isinstance(sample, int | float) and not isinstance(sample, bool)
        x_type = "datetime" if is_time else "number" if is_number else "string"
    if x_type in TIME_TYPES:
        return "temporal"
    if x_type in Y_TYPES:
        if rows and "x2" in rows[0]:
            return "binned" if request.mark == "bar" else "quantitative"
        return "ordinal" if request.mark == "bar" else "quantitative"
    return "nominal"


def _time_axis(request: ChartRequest, rows: list[dict[str, Any]], narrow: bool) -> dict[str, Any]:
    """timeUnit and axis for time buckets: ticks on whole units, labels in the unit's format."""
    stamps = sorted(r["x"] for r in rows if isinstance(r.get("x"), str))
    unit = request.time_unit or ("hour" if any(not t.endswith("T00:00:00Z") for t in stamps) else "day")
    span = 0
    if stamps:
        a, b = (datetime.fromisoformat(t.replace("Z", "")) for t in (stamps[0], stamps[-1]))
        span = {"year": b.year - a.year, "month": 12 * (b.year - a.year) + b.month - a.month,
                "week": (b - a).days // 7, "day": (b - a).days, "hour": int((b - a).total_seconds() // 3600)}[unit]
    ticks = max(1, min(span, 3 if narrow else 8))  # never between two whole units
    return {"timeUnit": _VL_UNITS[unit], "axis": {
        "format": _AXIS_FORMATS[unit], "labelOverlap": "greedy", "labelSeparation": 6,
        "tickCount": ticks}}


def chart_spec(request: ChartRequest, rows: list[dict[str, Any]], *, title: str,
               lang: str = "nl", narrow: bool = False,
               names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A self-contained Vega-Lite v5 spec (inline data, no URLs): 640×320, or 288×260
    when ``narrow`` (phones); axis titles are the field names; ``description`` tells a
    screen reader what the chart shows."""
    words = _words(lang)
    width, height = SIZES[narrow]
    names = names or {}
    x_title, y_title = _titles(request, words, names)
    split_title = names.get(request.split, request.split) if request.split else ""
    kind = _x_kind(request, rows)
    values = [{**r, "x": words["true" if r["x"] else "false"]} if isinstance(r.get("x"), bool) else dict(r)
              for r in rows]
    x: dict[str, Any] = {"field": "x", "title": x_title}
    encoding: dict[str, Any] = {"x": x, "y": {"field": "y", "type": "quantitative", "title": y_title}}
    if kind == "temporal":
        x["type"] = "temporal"
        if request.aggregate == "none":
            x["scale"] = {"type": "utc"}
        else:
            x.update(_time_axis(request, rows, narrow))
    elif kind == "binned":
        x.update(type="quantitative", bin={"binned": True})
        encoding["x2"] = {"field": "x2"}
    elif kind == "quantitative":
        x.update(type="quantitative", scale={"zero": False})
    else:
        many = len({str(r["x"]) for r in values})
        short = many <= (4 if narrow else 8) and all(len(str(r["x"])) <= 12 for r in values)
        # slanted labels only where each has room (16 px a band); else upright, and on a
        # phone every other label left out where even those would touch (the table has all)
        angle = 0 if short else -40 if many * 16 <= width and not narrow else -90
        x.update(type=kind, sort=None if kind == "nominal" else "ascending",
                 axis={"labelAngle": angle, "labelLimit": 70 if narrow else 110,
                       "labelOverlap": "parity" if angle == -90 else False})
    if request.mark == "scatter":
        encoding["y"]["scale"] = {"zero": False}
        mark: dict[str, Any] = {"type": "point", "filled": True, "opacity": 0.65, "size": 20 if narrow else 30}
    elif request.mark == "line":
        per_series = len(rows) / max(1, len({r.get("series") for r in rows}))
        mark = {"type": "line", "strokeWidth": 2, "point": per_series <= 60}
    else:
        mark = {"type": "bar"}
    mark["aria"] = False  # the whole SVG is one image, described as such
    if request.split:
        _colour_by_series(request, rows, encoding, mark, kind, narrow, split_title)
    else:
        mark["color"] = COLOR
    axis_style = {"labelColor": "#333333", "titleColor": "#333333", "gridColor": "#e4e7eb",
                  "domainColor": "#8a8f96", "tickColor": "#8a8f96", "labelFontSize": 11,
                  "titleFontSize": 12, "titleFontWeight": "normal", "labelFont": "sans-serif",
                  "titleFont": "sans-serif"}
    legend_style = {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal",
                    "labelColor": "#333333", "titleColor": "#333333", "labelFont": "sans-serif",
                    "titleFont": "sans-serif"}
    return {
        "title": {"text": title, "anchor": "start", "fontSize": 14, "fontWeight": "normal",
                  "font": "sans-serif", "color": "#1a1a1a"},
        "description": _describe(request, rows, words, x_title, y_title, split_title),
        "width": width, "height": height, "autosize": {"type": "fit", "contains": "padding"},
        "background": "#ffffff",
        "data": {"values": values},
        "mark": mark,
        "encoding": encoding,
        "config": {"view": {"stroke": None}, "axis": axis_style, "legend": legend_style},
        "usermeta": {"belfort": {"lang": lang, "title": title}},
    }


def _colour_by_series(request: ChartRequest, rows: list[dict[str, Any]], encoding: dict[str, Any],
                     mark: dict[str, Any], kind: str, narrow: bool, split_title: str) -> None:
    """One colour per series, in the order the data gives them, with a legend (under the
    chart on phones); averages and extremes side by side or over each other, never stacked."""
    order = list(dict.fromkeys(str(r["series"]) for r in rows if "series" in r))
    encoding["color"] = {
        "field": "series", "type": "nominal", "title": split_title, "sort": order,
        "scale": {"domain": order, "range": list(PALETTE[:max(1, len(order))])},
        "legend": {"orient": "bottom", "direction": "horizontal", "columns": 2, "labelLimit": 100}
        if narrow else {"orient": "right", "labelLimit": 160},
    }
    if request.mark == "bar" and request.aggregate not in ("count", "sum"):
        if kind in ("nominal", "ordinal"):
            encoding["xOffset"] = {"field": "series", "sort": order}
        else:
            encoding["y"]["stack"] = None
            mark["opacity"] = 0.7


def _describe(request: ChartRequest, rows: list[dict[str, Any]], words: dict[str, str],
              x_title: str, y_title: str, split_title: str = "") -> str:
    what = words["of"].format(what=words[request.mark], y=y_title, x=x_title)
    if request.split:
        series = len({r.get("series") for r in rows})
        what = words["split"].format(what=what, s=split_title or request.split, n=series)
    if not rows:
        return f"{what}. {words['empty']}"
    lang = "en" if words is _WORDS["en"] else "nl"
    text = f"{what}: {len(rows)} {words['point' if len(rows) == 1 else 'points']}"
    if request.mark != "bar" or _x_kind(request, rows) == "temporal":
        xs = sorted((r for r in rows if r.get("x") is not None), key=lambda r: r["x"])
        if xs:
            a, b = _x_text(xs[0], request, lang), _x_text(xs[-1], request, lang)
            text += ", " + words["range"].format(a=a, b=b)
    peak = max((r for r in rows if r.get("y") is not None), key=lambda r: r["y"], default=None)
    if peak is not None:
        v, at = _number_text(peak["y"], lang), _x_text(peak, request, lang)
        if "series" in peak:
            at += f" ({peak['series']})"
        text += ". " + words["peak"].format(v=v, x=at)
    return text + "."


def _x_text(row: dict[str, Any], request: ChartRequest, lang: str) -> str:
    value = row.get("x")
    if value is None:
        return "–"
    if isinstance(value, bool):
        return _words(lang)["true" if value else "false"]
    if "x2" in row:
        return f"{_number_text(value, lang)} – {_number_text(row['x2'], lang)}"
    if isinstance(value, int | float):
        return _number_text(value, lang)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:]{8}Z", value):
        cut = {"year": 4, "month": 7, "week": 10, "day": 10, "hour": 16}.get(request.time_unit or "", 19)
        if request.aggregate == "none" and value.endswith("T00:00:00Z"):
            cut = 10
        return value[:cut].replace("T", " ")
    return str(value)


def _number_text(value: Any, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) < 1e15):
        text = f"{int(value):,}"
    else:
        text = f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) < 1 else f"{value:,.2f}"
    if lang == "nl":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def chart_table(rows: list[dict[str, Any]], request: ChartRequest, lang: str = "nl",
                names: Mapping[str, str] | None = None) -> tuple[list[str], list[list[str]]]:
    """The chart's data as table headers and text cells, for an accessible HTML table
    (with the series as the middle column when the chart is split)."""
    names = names or {}
    x_title, y_title = _titles(request, _words(lang), names)
    if request.split:
        return [x_title, names.get(request.split, request.split), y_title], [
            [_x_text(r, request, lang), str(r.get("series", "")), _number_text(r.get("y"), lang)]
            for r in rows]
    return [x_title, y_title], [[_x_text(r, request, lang), _number_text(r.get("y"), lang)] for r in rows]


def warm_up() -> None:
    """Pay the renderer's first-call cost (~0.6 s) now, e.g. at start-up."""
    render_svg(chart_spec(ChartRequest("bar", "x"), [{"x": "a", "y": 1}], title="warm-up"))

