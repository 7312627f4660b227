"""What every reader produces.

Text-like sources (CSV, JSON, GeoJSON, XLSX) yield Arrow record batches whose
columns are all strings, positionally matching ``headers``: the pipeline infers
types over all of them and converts them in a second pass, so every format gets
the same inference, the same overrides and the same validation report. Typed
values from JSON and XLSX are rendered to canonical text (ISO dates, ``repr``
floats, ``true``/``false``) that the inference recognises exactly.
"""

from __future__ import annotations

import datetime as dt
import math
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pyarrow as pa

from belfort.ingest.geometry import GEOMETRY_TYPES

BATCH_ROWS = 65_536


@dataclass(frozen=True)
class BadRow:
    """A row that could not be aligned with the header (dropped, and reported)."""

    row: int
    text: str
    problem: str
    code: str = "wrong_field_count"  # belfort.ingest.report.PROBLEM_CODES
    params: dict[str, Any] = field(default_factory=dict)


class TextSource(ABC):
    """A table whose cells arrive as text (``None`` = empty)."""

    format: str
    headers: list[str]
    details: dict[str, Any]
    #: CSV cannot tell an empty string from a missing value; string columns from
    #: such sources keep "" (the source text) instead of null.
    fill_empty_strings: bool = False
    delimiter: str | None = None
    #: column index → type decided by the source itself (GeoJSON geometry)
    forced_types: dict[int, str]

    def __init__(self) -> None:
        self.forced_types = {}
        self.bad_rows: list[BadRow] = []

    @abstractmethod
    def batches(self) -> Iterator[pa.RecordBatch]:
        """Stream the data rows; resets and refills ``bad_rows``."""

    def retry_after(self, exc: Exception) -> bool:
        """Whether a failure mid-stream can be fixed by re-reading (encoding fallback)."""
        return False


def column_names(count: int) -> list[str]:
    return [f"c{i}" for i in range(count)]


def rows_to_batch(rows: list[list[str | None]], width: int) -> pa.RecordBatch:
    """Build a string batch from row lists already padded to ``width``."""
    columns = [pa.array([row[i] for row in rows], type=pa.string()) for i in range(width)]
    return pa.RecordBatch.from_arrays(columns, names=column_names(width))


def is_geometry(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    kind = value.get("type")
    if kind == "GeometryCollection":
        return isinstance(value.get("geometries"), list)
    return kind in GEOMETRY_TYPES and isinstance(value.get("coordinates"), list)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# Opendatasoft geo_point_2d fields as Ghent names them: geo_point_2d, geopoint, geopoints,
# location, locatie, coordinates, …
GEO_NAME_HINTS = ("geo", "loc", "coord", "point", "punt", "posit")


def as_geopoint(value: Any, name: str) -> str | None:
    """ODS geopoints: ``[lat, lon]`` under a geo-ish key, or ``{"lat":…, "lon":…}``."""
    if isinstance(value, dict) and set(value) == {"lat", "lon"}:
        lat, lon = value["lat"], value["lon"]
    elif (
        isinstance(value, list)
        and len(value) == 2
        and any(hint in name.lower() for hint in GEO_NAME_HINTS)
        and all(_is_number(v) for v in value)
    ):
        lat, lon = value
    else:
        return None
    if not (_is_number(lat) and _is_number(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    return f"{float(lat)!r}, {float(lon)!r}"


def to_text(value: Any, name: str = "") -> str | None:
    """Canonical text of a typed cell, recognised by the inference."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        point = as_geopoint(value, name)
        if point is not None:
            return point
        return orjson.dumps(value).decode()
    return str(value)
