"""What both Opendatasoft dialects share: Opendatasoft field types, and rendering values,
records and geometry. (The readable version of a dataset: ``belfort.policy.reading``.)"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from belfort.catalog.models import Dataset, Version
from belfort.errors import InvalidRequest
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.schema import TableSchema

ODS_TYPES = {
    "string": "text",
    "integer": "int",
    "number": "double",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
    "geopoint": "geo_point_2d",
    "geometry": "geo_shape",
}


def published_version(dataset: Dataset) -> Version | None:
    return next((v for v in dataset.versions if v.number == dataset.published_version), None)


def published_fields(dataset: Dataset, principal: Principal) -> list[dict[str, Any]]:
    """The published version's fields ``principal`` may see."""
    version = published_version(dataset)
    return gate.visible_fields(principal, dataset, version.table_schema.get("fields", [])) \
        if version else []


def dataset_row_count(dataset: Dataset) -> int:
    version = published_version(dataset)
    return version.row_count if version else 0


def dataset_features(fields: list[dict[str, Any]]) -> list[str]:
    """Opendatasoft's ``features`` of a dataset with these fields."""
    features = ["analyze"]
    if any(f["type"] in {"date", "datetime"} for f in fields):
        features.append("timeserie")
    if any(f["type"] in {"geopoint", "geometry"} for f in fields):
        features.append("geo")
    return features


def timezone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidRequest(f"unknown timezone {str(name)[:60]!r}") from None


def iso_datetime(value: dt.datetime, tz: ZoneInfo) -> str:
    """``2022-07-15T13:36:45+02:00``, as Opendatasoft renders datetime fields."""
    local = value.astimezone(tz)
    spec = "milliseconds" if local.microsecond else "seconds"
    return local.isoformat(timespec=spec)


def record_timestamp(value: dt.datetime) -> str:
    """``2022-07-15T11:37:01.573Z``: UTC with milliseconds, as Opendatasoft writes it."""
    utc = value.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def render_value(value: Any, type_: str, tz: ZoneInfo, *, geopoint: str = "list") -> Any:
    """One field value in Opendatasoft's JSON shape.

    ``geopoint``: ``list`` gives ``[lat, lon]`` (API v1), ``object`` gives
    ``{"lon": …, "lat": …}`` (Explore v2.1).
    """
    if value is None:
        return None
    if type_ == "datetime" and isinstance(value, dt.datetime):
        return iso_datetime(value, tz)
    if type_ == "date" and isinstance(value, dt.date):
        return value.isoformat()
    if type_ == "geopoint" and isinstance(value, dict):
        if geopoint == "object":
            return {"lon": value.get("lon"), "lat": value.get("lat")}
        return [value.get("lat"), value.get("lon")]
    if type_ == "geometry" and isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def geometry_of(row: dict[str, Any], schema: TableSchema) -> dict[str, Any] | None:
    """The record's geometry: its first geometry field, else its first geopoint as a Point."""
    for f in schema.fields:
        if f.type == "geometry" and row.get(f.name):
            rendered = render_value(row[f.name], "geometry", ZoneInfo("UTC"))
            if isinstance(rendered, dict):
                return rendered
    for f in schema.fields:
        point = row.get(f.name) if f.type == "geopoint" else None
        if point and point.get("lat") is not None and point.get("lon") is not None:
            return {"type": "Point", "coordinates": [point["lon"], point["lat"]]}
    return None


def first_geopoint(schema: TableSchema) -> str | None:
    return next((f.name for f in schema.fields if f.type == "geopoint"), None)


def parse_float_list(text: str, expected: int, what: str) -> list[float]:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != expected:
        raise InvalidRequest(f"{what}: expected {expected} comma-separated numbers")
    try:
        return [float(p) for p in parts]
    except ValueError:
        raise InvalidRequest(f"{what}: expected numbers, got {text[:80]!r}") from None
