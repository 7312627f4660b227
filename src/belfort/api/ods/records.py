"""Opendatasoft API v1 request parameters → the internal query, and rows → v1 records.

Shared by ``/api/records/1.0/search/``, ``…/download/`` and ``…/analyze/``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from belfort.api.ods.common import (
    first_geopoint,
    geometry_of,
    parse_float_list,
    record_timestamp,
    render_value,
    timezone_of,
)
from belfort.errors import InvalidRequest, QueryError
from belfort.platform import Platform
from belfort.policy.reading import ReadableVersion
from belfort.query.model import (
    RECORD_ID_COLUMN,
    ROW_NUMBER_COLUMN,
    And,
    Compare,
    Expr,
    FieldRef,
    InPolygon,
    ListContains,
    Literal,
    Not,
    OrderItem,
    WithinDistance,
)
from belfort.query.ods_q import parse_q
from belfort.schema import TableSchema

MAX_WINDOW = 10_000
MAX_PARAM = 10_000
DATE_PATH = re.compile(r"^(\d{4})(?:[/-](\d{1,2}))?(?:[/-](\d{1,2}))?$")


@dataclass
class V1Params:
    """The parsed, validated parameters of a v1 records call."""

    dataset: str
    q: str = ""
    rows: int = 10
    start: int = 0
    sort: list[str] = field(default_factory=list)
    facets: list[str] = field(default_factory=list)
    refine: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    fields: list[str] | None = None
    timezone: str = "UTC"
    format: str = "json"
    geofilter_distance: str | None = None
    geofilter_polygon: str | None = None

    def echo(self) -> dict[str, Any]:
        """The ``parameters`` object of the answer."""
        out: dict[str, Any] = {"dataset": self.dataset, "timezone": self.timezone,
                               "rows": self.rows, "start": self.start, "format": self.format}
        if self.q:
            out["q"] = self.q
        if self.facets:
            out["facet"] = self.facets
        if self.refine:
            out["refine"] = {k: v[0] if len(v) == 1 else v for k, v in self.refine.items()}
        if self.exclude:
            out["exclude"] = {k: v[0] if len(v) == 1 else v for k, v in self.exclude.items()}
        if self.sort:
            out["sort"] = self.sort
        if self.fields is not None:
            out["fields"] = self.fields
        if self.geofilter_distance:
            out["geofilter.distance"] = [self.geofilter_distance]
        if self.geofilter_polygon:
            out["geofilter.polygon"] = self.geofilter_polygon
        return out


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidRequest(f"{name} must be a whole number, not {value[:30]!r}") from None


def parse_v1_params(items: Iterable[tuple[str, str]], *, windowed: bool = True) -> V1Params:
    """``windowed``: search caps start+rows at 10,000; downloads have no row limit."""
    raw: dict[str, str] = {}
    params = V1Params(dataset="")
    for name, value in items:
        if len(value) > MAX_PARAM:
            raise InvalidRequest(f"parameter {name[:40]!r} is too long")
        if name.startswith("refine."):
            params.refine.setdefault(name[7:], []).append(value)
        elif name.startswith("exclude."):
            params.exclude.setdefault(name[8:], []).append(value)
        elif name == "facet":
            params.facets.append(value)
        elif name == "sort":
            params.sort.extend(s.strip() for s in value.split(",") if s.strip())
        else:
            raw[name] = value
    params.dataset = raw.get("dataset", "")
    if not params.dataset:
        raise InvalidRequest("the parameter dataset is required")
    params.q = raw.get("q", "")
    params.timezone = raw.get("timezone") or "UTC"
    timezone_of(params.timezone)
    params.format = raw.get("format", "json" if windowed else "csv")
    if "fields" in raw:
        params.fields = [f.strip() for f in raw["fields"].split(",") if f.strip()]
    params.geofilter_distance = raw.get("geofilter.distance")
    params.geofilter_polygon = raw.get("geofilter.polygon")
    params.start = _int(raw.get("start", "0"), "start")
    if params.start < 0:
        raise InvalidRequest("start must not be negative")
    rows = _int(raw.get("rows", "10" if windowed else "-1"), "rows")
    if windowed:
        if rows == -1:
            rows = max(MAX_WINDOW - params.start, 0)
        if rows < 0:
            raise InvalidRequest("rows must be -1 or a positive number")
        if params.start + rows > MAX_WINDOW:
            raise InvalidRequest(
                f"start + rows must not exceed {MAX_WINDOW} (start={params.start}, rows={rows}); "
                "use /api/records/1.0/download/ for everything"
            )
    params.rows = rows
    return params


def _date_range(schema: TableSchema, name: str, value: str, tz: ZoneInfo) -> Expr | None:
    """``refine.date=2024/03`` → the month of March 2024 (Opendatasoft's date facet paths)."""
    f = schema.get(name)
    match = DATE_PATH.match(value.strip()) if f is not None else None
    if f is None or f.type not in {"date", "datetime"} or match is None:
        return None
    year_text, month_text, day_text = match.groups()
    year = int(year_text)  # the pattern requires the year
    month = int(month_text) if month_text else None
    day = int(day_text) if day_text else None
    try:
        start = dt.date(year, month or 1, day or 1)
        if day:
            end = start + dt.timedelta(days=1)
        elif month:
            end = dt.date(year + (month == 12), month % 12 + 1, 1)
        else:
            end = dt.date(year + 1, 1, 1)
    except (ValueError, OverflowError):  # not a date, or the last day of year 9999
        raise QueryError(f"refine.{name}: not a date: {value[:30]!r}") from None
    low: Any = start
    high: Any = end
    if f.type == "datetime":
        low = dt.datetime.combine(start, dt.time(), tz)
        high = dt.datetime.combine(end, dt.time(), tz)
    return And((Compare(">=", FieldRef(name), Literal(low)), Compare("<", FieldRef(name), Literal(high))))


def _refinement(schema: TableSchema, name: str, value: str, tz: ZoneInfo) -> Expr:
    f = schema.get(name)
    if f is None:
        raise QueryError(f"unknown field {name[:100]!r} in refine/exclude")
    if f.separator:  # a multivalued field is refined by any one of its values
        return ListContains(name, value)
    return _date_range(schema, name, value, tz) or Compare("=", FieldRef(name), Literal(value))


def where_of(params: V1Params, schema: TableSchema) -> Expr | None:
    tz = timezone_of(params.timezone)
    parts: list[Expr] = []
    parsed = parse_q(
        params.q, field_names=schema.names, field_types={f.name: f.type for f in schema.fields}
    )
    if parsed is not None:
        parts.append(parsed)
    for name, values in params.refine.items():
        parts.extend(_refinement(schema, name, v, tz) for v in values)
    for name, values in params.exclude.items():
        parts.extend(Not(_refinement(schema, name, v, tz)) for v in values)
    geo = first_geopoint(schema)
    if params.geofilter_distance:
        if geo is None:
            raise QueryError("this dataset has no geo point field for geofilter.distance")
        lat, lon, meters = parse_float_list(params.geofilter_distance, 3, "geofilter.distance")
        parts.append(WithinDistance(geo, lat, lon, meters))
    if params.geofilter_polygon:
        if geo is None:
            raise QueryError("this dataset has no geo point field for geofilter.polygon")
        pairs = re.findall(r"\(\s*([^(),]+)\s*,\s*([^(),]+)\s*\)", params.geofilter_polygon)
        try:
            points = tuple((float(a), float(b)) for a, b in pairs)
        except ValueError:
            raise QueryError("geofilter.polygon: expected (lat,lon),(lat,lon),…") from None
        parts.append(InPolygon(geo, points))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def order_of(params: V1Params) -> tuple[OrderItem, ...]:
    """``sort=F`` is descending, ``sort=-F`` ascending (Opendatasoft v1's convention)."""
    return tuple(
        OrderItem(FieldRef(s[1:]), descending=False) if s.startswith("-")
        else OrderItem(FieldRef(s), descending=True)
        for s in params.sort
    )


def v1_records(
    platform: Platform, rv: ReadableVersion, rows: list[dict[str, Any]], tz: ZoneInfo,
    fields: list[str] | None,
) -> list[dict[str, Any]]:
    """Rows (with row numbers and record ids) → Opendatasoft v1 records."""
    stamps: dict[int, Any] = {}
    if rv.record_times is not None:
        stamps = platform.engine.record_timestamps(rv.record_times, [r[ROW_NUMBER_COLUMN] for r in rows])
    wanted = set(fields) if fields is not None else None
    multivalued = [f for f in rv.schema.fields if f.separator]
    out = []
    for row in rows:
        values = {
            f.name: render_value(row.get(f.name), f.type, tz)
            for f in rv.schema.fields
            if row.get(f.name) is not None and (wanted is None or f.name in wanted)
        }
        for f in multivalued:  # Opendatasoft gives a multivalued field's values as a list
            if isinstance(values.get(f.name), str):
                values[f.name] = [v for v in values[f.name].split(f.separator) if v]
        record: dict[str, Any] = {
            "datasetid": rv.dataset_id,
            "recordid": row[RECORD_ID_COLUMN],
            "fields": values,
        }
        geometry = geometry_of(row, rv.schema)
        if geometry is not None:
            record["geometry"] = geometry
        record["record_timestamp"] = record_timestamp(stamps.get(row[ROW_NUMBER_COLUMN], rv.created_at))
        out.append(record)
    return out
