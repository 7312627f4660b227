"""JSON, NDJSON and GeoJSON reader.

Shapes accepted:

* an array of objects (one row each);
* the Opendatasoft v1 export: an array of ``{"datasetid", "recordid", "fields",
  "geometry", "record_timestamp"}`` → ``fields`` flattened, the record geometry kept
  as ``geometry`` (unless ``fields`` has one already), the ODS bookkeeping keys
  dropped; also an ODS v1 API response ``{"records": [...]}``;
* newline-delimited JSON (one object per line);
* a GeoJSON FeatureCollection → one row per feature, properties as columns and
  the feature geometry in a ``geometry`` column of type geometry.

Nested values that are not geo become JSON text. The file is parsed in memory
(orjson), so it is capped at :data:`MAX_JSON_BYTES`; orjson also refuses nesting
deeper than 1024 levels instead of blowing the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from belfort.errors import UnreadableFile
from belfort.ingest.limits import DEFAULT_LIMITS, IngestLimits
from belfort.ingest.readers.base import BATCH_ROWS, TextSource, is_geometry, rows_to_batch, to_text

#: JSON is parsed in memory; larger files must be converted to CSV or Parquet.
MAX_JSON_BYTES = 512 * 1024 * 1024
ODS_META_KEYS = ("datasetid", "recordid", "record_timestamp")


def _decode(raw: bytes) -> bytes:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16").encode("utf-8")
    return raw


def _parse(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as first_error:
        lines = [line for line in raw.splitlines() if line.strip()]
        if len(lines) < 2:
            raise UnreadableFile(f"invalid JSON: {first_error}") from first_error
        records = []
        for number, line in enumerate(lines, start=1):
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise UnreadableFile(f"invalid JSON: {first_error}") from exc
            if not isinstance(value, dict):
                raise UnreadableFile(f"newline-delimited JSON line {number} is not an object") from None
            records.append(value)
        return records


def _is_ods_record(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("fields"), dict) and "recordid" in item


def _flatten_ods(item: dict[str, Any]) -> dict[str, Any]:
    row = dict(item["fields"])
    geometry = item.get("geometry")
    if geometry is not None and "geometry" not in row:
        row["geometry"] = geometry
    return row


class JsonSource(TextSource):
    """Rows held in memory as dicts; batches rendered to canonical text."""

    def __init__(self, rows: list[dict[str, Any]], headers: list[str], fmt: str,
                 details: dict[str, Any]) -> None:
        super().__init__()
        self.rows = rows
        self.keys = list(headers)
        self.headers = list(headers)
        self.format = fmt
        self.details = details

    def batches(self) -> Iterator[pa.RecordBatch]:
        self.bad_rows = []
        width = len(self.headers)
        for start in range(0, len(self.rows), BATCH_ROWS):
            chunk = self.rows[start : start + BATCH_ROWS]
            keys = self.keys
            texts = [[to_text(row.get(key), key) for key in keys] for row in chunk]
            yield rows_to_batch(texts, width)


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            if key not in seen:
                seen[key] = None
    return list(seen)


def _check_shape(source: JsonSource, limits: IngestLimits) -> JsonSource:
    limits.check_columns(len(source.headers), "the records")
    limits.check_cells(len(source.rows), len(source.headers))
    return source


def open_json_source(path: Path, limits: IngestLimits = DEFAULT_LIMITS) -> JsonSource:
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise UnreadableFile(
            f"JSON file is {size / 2**20:.0f} MiB; JSON is parsed in memory and limited to "
            f"{MAX_JSON_BYTES // 2**20} MiB. Convert it to CSV or Parquet."
        )
    data = _parse(_decode(path.read_bytes()))
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return _check_shape(_geojson_source(data), limits)
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list):
        raise UnreadableFile(
            f"expected a JSON array of objects or a GeoJSON FeatureCollection, "
            f"found a JSON {type(data).__name__ if not isinstance(data, dict) else 'object'}"
        )
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise UnreadableFile(
                f"expected a JSON array of objects; item {index + 1} is {type(item).__name__}"
            )
    details: dict[str, Any] = {}
    if data and all(_is_ods_record(item) for item in data):
        data = [_flatten_ods(item) for item in data]
        details["shape"] = "opendatasoft-v1"
    return _check_shape(JsonSource(data, _columns(data), "json", details), limits)


def _geojson_source(data: dict[str, Any]) -> JsonSource:
    features = data.get("features")
    if not isinstance(features, list):
        raise UnreadableFile("GeoJSON FeatureCollection without a features array")
    rows: list[dict[str, Any]] = []
    geometries: list[Any] = []
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise UnreadableFile(f"GeoJSON feature {index + 1} is not a Feature object")
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise UnreadableFile(f"GeoJSON feature {index + 1} has non-object properties")
        geometry = feature.get("geometry")
        if geometry is not None and not is_geometry(geometry):
            raise UnreadableFile(f"GeoJSON feature {index + 1} has an invalid geometry")
        rows.append(properties)
        geometries.append(geometry)
    keys = _columns(rows)
    geometry_key = "\x00geometry"  # cannot clash with a property name
    for row, geometry in zip(rows, geometries, strict=True):
        row[geometry_key] = geometry
    source = JsonSource(rows, keys + [geometry_key], "geojson", {"features": len(rows)})
    source.headers = keys + ["geometry"]
    source.forced_types = {len(keys): "geometry"}
    return source
