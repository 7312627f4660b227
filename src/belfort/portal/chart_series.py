"""A chart split by a field (``chart_split``: one line or colour per value) and charts
per week: the points grouped by the x bucket and the split value in the engine, then put
together here.

At most ``MAX_SERIES`` series are drawn: with more values, the ``MAX_SERIES - 1``
largest (by the chart's own aggregate over all records) and one series "overig"/"other"
for the rest, computed by the engine over those records (an average stays an average).
Records without a split value form the series "(leeg)"/"(empty)". Weeks are ISO weeks,
drawn at their Monday: the engine counts per day, the days are added up here (an
average from the sums and counts, so it is the week's own average).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from belfort.errors import InvalidRequest
from belfort.platform import Platform
from belfort.policy.reading import ReadableVersion
from belfort.portal import charts
from belfort.portal.charts import ChartRequest
from belfort.query.model import (
    Aggregate,
    And,
    Expr,
    FieldRef,
    Function,
    In,
    IsNull,
    Literal,
    Or,
    OrderItem,
    Query,
    SelectItem,
)

MAX_SERIES = 8
MAX_SPLIT_VALUES = 1000

Parts = tuple[Any, ...]


def _parts(request: ChartRequest) -> tuple[Aggregate, ...]:
    ref = FieldRef(request.y) if request.y else None
    if request.aggregate == "avg":
        return Aggregate("sum", ref), Aggregate("count", ref)
    return (Aggregate(request.aggregate, ref),)


def _merge(aggregate: str, a: Parts, b: Parts) -> Parts:
    def one(x: Any, y: Any, pick: Any) -> Any:
        return y if x is None else x if y is None else pick(x, y)

    if aggregate == "min":
        return (one(a[0], b[0], min),)
    if aggregate == "max":
        return (one(a[0], b[0], max),)
    return tuple(one(x, y, lambda p, q: p + q) for x, y in zip(a, b, strict=True))


def _value(aggregate: str, parts: Parts) -> Any:
    if aggregate == "avg":
        total, count = parts
        return None if not count or total is None else total / count
    return parts[0]


def _monday(day: str) -> str:
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat()


def _label(value: Any, words: dict[str, str]) -> str:
    if value is None:
        return words["blank"]
    if isinstance(value, bool):
        return words["true" if value else "false"]
    return str(value)


def _x_expr(
    platform: Platform, rv: ReadableVersion, request: ChartRequest
) -> tuple[Expr, float | None]:
    x_ref = FieldRef(request.x)
    if request.x_type in charts.TIME_TYPES:
        assert request.time_unit is not None
        return Function("date_format", (x_ref, Literal(charts._PATTERNS[request.time_unit]))), None
    if request.x_type in charts.Y_TYPES:
        step = charts._number_step(platform, rv, request.x)
        if step is not None:
            return Function("range", (x_ref, Literal(step))), step
    return x_ref, None


def _ranked(
    platform: Platform, rv: ReadableVersion, request: ChartRequest, where: Expr, timezone: str
) -> list[Any]:
    """The split field's values, largest series first (by the chart's aggregate)."""
    assert request.split is not None
    ref = FieldRef(request.split)
    size = Aggregate(request.aggregate, FieldRef(request.y) if request.y else None)
    query = Query(
        select=(SelectItem(ref, "s"), SelectItem(size, "v")),
        where=where,
        group_by=(SelectItem(ref),),
        limit=MAX_SPLIT_VALUES + 1,
        timezone=timezone,
    )
    rows = platform.engine.execute(query, rv.schema, rv.path).rows
    if len(rows) > MAX_SPLIT_VALUES:
        raise InvalidRequest(
            f"chart_split: {request.split!r} has more than {MAX_SPLIT_VALUES} "
            "values; choose a field with fewer",
            details={"chart": "split_too_many", "field": request.split, "limit": MAX_SPLIT_VALUES},
        )
    rows.sort(key=lambda r: (r[0] is None, r[1] is None, -(r[1] or 0), str(r[0])))
    return [r[0] for r in rows]


def series_data(
    platform: Platform,
    rv: ReadableVersion,
    request: ChartRequest,
    timezone: str,
    words: dict[str, str],
) -> list[dict[str, Any]]:
    """The chart's points, ``{"x", "y", "series"}`` (no ``series`` without a split),
    sorted by x and, per x, by series (largest first)."""
    if request.aggregate == "none":
        return _scatter(platform, rv, request, timezone, words)
    x_ref = FieldRef(request.x)
    x_expr, step = _x_expr(platform, rv, request)
    not_null: Expr = IsNull(x_ref, negated=True)
    parts = _parts(request)
    runs: list[tuple[Expr, bool, str | None]] = [(not_null, request.split is not None, None)]
    order: list[str] = []
    if request.split:
        values = _ranked(platform, rv, request, not_null, timezone)
        kept = values if len(values) <= MAX_SERIES else values[: MAX_SERIES - 1]
        order = [_label(v, words) for v in kept]
        if len(values) > MAX_SERIES:
            inside, outside = _membership(FieldRef(request.split), kept)
            runs = [
                (And((not_null, inside)), True, None),
                (And((not_null, outside)), False, words["other"]),
            ]
            order.append(words["other"])
    groups: dict[tuple[Any, str | None], Parts] = {}
    for where, by_split, fixed in runs:
        for x, label, got in _grouped(
            platform, rv, request, x_expr, where, by_split, parts, timezone
        ):
            key = (
                _monday(x) if request.time_unit == "week" and x is not None else x,
                fixed or (_label(label, words) if by_split else None),
            )
            groups[key] = _merge(request.aggregate, groups[key], got) if key in groups else got
    xs = _x_order(request, groups)
    if len(xs) > charts.MAX_SERIES_POINTS:
        raise InvalidRequest(
            f"this chart would have more than {charts.MAX_SERIES_POINTS} points; "
            "choose a coarser time unit (chart_unit)",
            details={"chart": "too_many_points", "limit": charts.MAX_SERIES_POINTS},
        )
    rank = {label: i for i, label in enumerate(order)}
    by_x: dict[Any, list[tuple[str | None, Parts]]] = {}
    for (gx, label), got in groups.items():
        by_x.setdefault(gx, []).append((label, got))
    out = []
    for gx in xs:
        for label, got in sorted(by_x[gx], key=lambda item: rank.get(item[0] or "", 0)):
            point: dict[str, Any] = {
                "x": charts._x_value(gx, request.x_type or "string", request.time_unit, timezone),
                "y": charts._number(_value(request.aggregate, got)),
            }
            if step is not None:
                point["x2"] = charts._number(gx + step)
            if label is not None:
                point["series"] = label
            out.append(point)
    return out


def _membership(ref: FieldRef, kept: list[Any]) -> tuple[Expr, Expr]:
    """Conditions for "one of the kept values" and "any other value" (empty values
    belong to whichever side holds None)."""
    values = tuple(Literal(v) for v in kept if v is not None)
    inside: Expr = In(ref, values)
    outside: Expr = In(ref, values, negated=True)
    if None in kept:
        return Or((inside, IsNull(ref))), outside
    return inside, Or((outside, IsNull(ref)))


def _grouped(
    platform: Platform,
    rv: ReadableVersion,
    request: ChartRequest,
    x_expr: Expr,
    where: Expr,
    by_split: bool,
    parts: tuple[Aggregate, ...],
    timezone: str,
) -> Iterable[tuple[Any, Any, Parts]]:
    keys = [SelectItem(x_expr, "bf_x")]
    if by_split:
        assert request.split is not None
        keys.append(SelectItem(FieldRef(request.split), "bf_s"))
    select = (*keys, *(SelectItem(p, f"bf_p{i}") for i, p in enumerate(parts)))
    limit = platform.engine.max_rows
    query = Query(
        select=select,
        where=where,
        group_by=tuple(SelectItem(k.expr) for k in keys),
        order_by=(OrderItem(x_expr),),
        limit=limit,
        timezone=timezone,
    )
    rows = platform.engine.execute(query, rv.schema, rv.path).rows
    if len(rows) >= limit:
        raise InvalidRequest(
            "this chart would have too many points; choose a coarser time unit "
            "(chart_unit) or split by a field with fewer values",
            details={"chart": "too_many_points_any"},
        )
    for row in rows:
        if by_split:
            yield row[0], row[1], tuple(row[2:])
        else:
            yield row[0], None, tuple(row[1:])


def _x_order(request: ChartRequest, groups: dict[tuple[Any, str | None], Parts]) -> list[Any]:
    """x values in order: time and numbers ascending; text by the total, largest first
    (at most ``charts.MAX_CATEGORIES``)."""
    xs = list(dict.fromkeys(k[0] for k in groups if k[0] is not None))
    if request.x_type in charts.SPLIT_TYPES:
        totals: dict[Any, float] = {}
        for (x, _), got in groups.items():
            totals[x] = totals.get(x, 0) + (_value(request.aggregate, got) or 0)
        xs.sort(key=lambda x: (-totals[x], str(x)))
        return xs[: charts.MAX_CATEGORIES]
    return sorted(xs)


def _scatter(
    platform: Platform,
    rv: ReadableVersion,
    request: ChartRequest,
    timezone: str,
    words: dict[str, str],
) -> list[dict[str, Any]]:
    """Raw values coloured by the split field: the most frequent values, the rest "overig"."""
    assert request.y is not None and request.split is not None
    x_ref, y_ref = FieldRef(request.x), FieldRef(request.y)
    query = Query(
        select=(
            SelectItem(x_ref, "bf_x"),
            SelectItem(y_ref, "bf_y"),
            SelectItem(FieldRef(request.split), "bf_s"),
        ),
        where=And((IsNull(x_ref, negated=True), IsNull(y_ref, negated=True))),
        limit=min(charts.MAX_SCATTER_POINTS, platform.engine.max_rows),
        timezone=timezone,
    )
    rows = platform.engine.execute(query, rv.schema, rv.path).rows
    counts: dict[str, int] = {}
    for row in rows:
        label = _label(row[2], words)
        counts[label] = counts.get(label, 0) + 1
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    kept = set(ranked if len(ranked) <= MAX_SERIES else ranked[: MAX_SERIES - 1])
    return [
        {
            "x": charts._x_value(x, request.x_type or "string", None, timezone),
            "y": charts._number(y),
            "series": label if label in kept else words["other"],
        }
        for x, y, label in ((r[0], r[1], _label(r[2], words)) for r in rows)
    ]
