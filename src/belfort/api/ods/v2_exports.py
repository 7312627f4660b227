"""Explore API v2.1: rendering rows as flat records, and the export formats.

Every writer takes the query's Arrow batches and streams: CSV, JSON, JSON Lines and
GeoJSON as chunks of bytes, Parquet and XLSX through a temporary file in the lake's
staging directory that is removed once it has been sent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from starlette.responses import Response

from belfort.api.export_response import FileExport, StreamedExport
from belfort.api.exports import csv_stream, formula_escaped, json_array, json_lines, row_groups
from belfort.api.ods.common import iso_datetime, render_value
from belfort.catalog.field_dictionary import FieldEntry
from belfort.errors import InvalidRequest
from belfort.platform import Platform
from belfort.query.model import RECORD_ID_COLUMN, ROW_NUMBER_COLUMN, FieldRef, Query, SelectItem
from belfort.query.streams import ResultStream
from belfort.schema import TableSchema

DATASET_FORMATS = ("csv", "json", "jsonl", "geojson", "parquet", "xlsx")
CSV_DELIMITERS = {";", ",", "\t", "|"}
BOOKKEEPING = {ROW_NUMBER_COLUMN, RECORD_ID_COLUMN}
XLSX_MAX_TEXT = 32_767
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# -- values --------------------------------------------------------------------------------


def column_types(query: Query, schema: TableSchema) -> dict[str, str]:
    """Result columns that are plain fields of the dataset → their Belfort type."""
    items = query.select or query.group_by or tuple(SelectItem(FieldRef(f.name)) for f in schema.fields)
    types: dict[str, str] = {}
    for item in items:
        if isinstance(item.expr, FieldRef):
            f = schema.get(item.expr.name)
            if f is not None:
                types[item.alias or f.name] = f.type
    return types


def list_columns(query: Query, schema: TableSchema) -> dict[str, str]:
    """Result columns that are multivalued text fields → their separator."""
    items = query.select or query.group_by or tuple(SelectItem(FieldRef(f.name)) for f in schema.fields)
    out: dict[str, str] = {}
    for item in items:
        if isinstance(item.expr, FieldRef):
            f = schema.get(item.expr.name)
            if f is not None and f.separator:
                out[item.alias or f.name] = f.separator
    return out


def split_lists(records: list[dict[str, Any]], separators: dict[str, str]) -> None:
    """Multivalued text → JSON arrays in rendered records, as Opendatasoft returns them."""
    for record in records:
        for name, separator in separators.items():
            value = record.get(name)
            if isinstance(value, str):
                record[name] = [v for v in value.split(separator) if v]


def rejoined(batches: Iterable[pa.RecordBatch], separators: dict[str, str], joiner: str
             ) -> Iterator[pa.RecordBatch]:
    """Batches whose multivalued text columns have their values joined by ``joiner``."""
    for batch in batches:
        columns = []
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            separator = separators.get(name)
            if separator and separator != joiner and pa.types.is_string(column.type):
                column = pc.replace_substring(column, separator, joiner)
            columns.append(column)
        yield pa.RecordBatch.from_arrays(columns, schema=batch.schema)


def render_any(value: Any, type_: str | None, tz: ZoneInfo) -> Any:
    """One value in Explore v2.1's JSON shape: geo points ``{"lon", "lat"}``, geometry as a
    GeoJSON Feature, datetimes ISO 8601 in ``tz``; computed values by their Python type."""
    if value is None:
        return None
    if type_ is not None:
        value = render_value(value, type_, tz, geopoint="object")
        if type_ == "geometry" and isinstance(value, dict) and value.get("type") != "Feature":
            return {"type": "Feature", "geometry": value, "properties": {}}  # as Opendatasoft's geo_shape
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return iso_datetime(value, tz)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        if set(value) == {"lat", "lon"}:
            return {"lon": value["lon"], "lat": value["lat"]}
        return {str(k): render_any(v, None, tz) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render_any(v, None, tz) for v in value]
    return str(value)


def flat_record(row: dict[str, Any], types: dict[str, str], tz: ZoneInfo) -> dict[str, Any]:
    return {k: render_any(v, types.get(k), tz) for k, v in row.items() if k not in BOOKKEEPING}


def geometry_of_record(row: dict[str, Any], types: dict[str, str]) -> tuple[dict[str, Any] | None, str | None]:
    """(GeoJSON geometry, the column it came from): the first geometry column, else the
    first geo point column of an already rendered record."""
    for name, type_ in types.items():
        if type_ == "geometry" and isinstance(row.get(name), dict):
            return _bare(row[name]), name
    for name, type_ in types.items():
        point = row.get(name) if type_ == "geopoint" else None
        if isinstance(point, dict) and point.get("lat") is not None and point.get("lon") is not None:
            return {"type": "Point", "coordinates": [point["lon"], point["lat"]]}, name
    return None, None


def _bare(geojson: dict[str, Any]) -> Any:
    """The geometry of a GeoJSON Feature (files hold the geometry itself)."""
    return geojson.get("geometry") if geojson.get("type") == "Feature" else geojson


def _text(value: Any, type_: str | None, tz: ZoneInfo, list_separator: str) -> Any:
    """A value for a CSV/XLSX cell: numbers stay numbers, everything else becomes text."""
    rendered = render_any(value, type_, tz)
    if rendered is None or (isinstance(rendered, int | float) and not isinstance(rendered, bool)):
        return rendered
    if isinstance(rendered, bool):
        return "true" if rendered else "false"
    if isinstance(rendered, dict) and set(rendered) == {"lon", "lat"}:
        return f"{rendered['lat']}, {rendered['lon']}"  # as Opendatasoft writes a geo point
    if isinstance(rendered, list):
        return list_separator.join("" if v is None else str(v) for v in rendered)
    if isinstance(rendered, dict):
        return orjson.dumps(_bare(rendered)).decode()
    return str(rendered)


# -- the writers -----------------------------------------------------------------------------


def _rows(batches: Iterable[pa.RecordBatch]) -> Iterator[list[dict[str, Any]]]:
    for batch in batches:
        rows = batch.to_pylist()
        if rows:
            yield rows


def geojson_features(records: Iterator[dict[str, Any]], types: dict[str, str]) -> Iterator[dict[str, Any]]:
    for record in records:
        geometry, source = geometry_of_record(record, types)
        properties = {k: v for k, v in record.items() if k != source}
        yield {"type": "Feature", "geometry": geometry, "properties": properties}


def _temporary(platform: Platform, suffix: str, write: Callable[[str], None]) -> str:
    tmp = str(platform.lake.temporary_file(suffix))
    try:
        write(tmp)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def parquet_file(platform: Platform, schema: pa.Schema, batches: Iterable[pa.RecordBatch], keep: list[str]) -> str:
    def write(tmp: str) -> None:
        with pq.ParquetWriter(tmp, pa.schema([schema.field(c) for c in keep])) as writer:
            for group in row_groups(batch.select(keep) for batch in batches):
                writer.write_table(group, row_group_size=group.num_rows)

    return _temporary(platform, ".parquet", write)


def _xlsx_text(sheet: Any, text: str) -> Any:
    """A text cell that stays text: openpyxl would write ``=…`` as a live formula and
    ``#N/A`` as an error value, so those get a cell whose type is fixed to string."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    if not text.startswith("=") and text not in ERROR_CODES:
        return text  # any other text is written as an inline string already
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def _xlsx_cell(sheet: Any, value: Any, type_: str | None, tz: ZoneInfo, list_separator: str) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, dt.datetime):  # Excel has no zones: the wall-clock time in tz
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(tz).replace(tzinfo=None)
    if isinstance(value, dt.date | bool):
        return value
    cell = _text(value, type_, tz, list_separator)
    if isinstance(cell, str):
        return _xlsx_text(sheet, ILLEGAL_CHARACTERS_RE.sub("", cell)[:XLSX_MAX_TEXT])
    return cell


def _discard(sheet: Any) -> None:
    """Close a write-only sheet that will never be saved and remove its temporary file
    (openpyxl would keep it until the process ends)."""
    try:
        sheet.close()
        sheet._writer.cleanup()
    except (OSError, ValueError, AttributeError):  # best effort: the export failed anyway
        pass


# the "Velden" sheet's columns: a fields file's (``belfort ingest --fields``), so a sheet saved
# as CSV describes the fields again
FIELD_SHEET_COLUMNS = ("name", "type", "title_nl", "title_en", "unit", "description_nl", "description_en")


def xlsx_file(
    platform: Platform, batches: Iterable[pa.RecordBatch], columns: list[str], types: dict[str, str],
    tz: ZoneInfo, header: list[str], fields: list[FieldEntry] | None = None,
) -> str:
    """The export as an XLSX workbook; ``fields`` (the data dictionary of the exported
    columns) adds a second sheet, "Velden"."""
    from openpyxl import Workbook

    def write(tmp: str) -> None:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("export")
        try:
            sheet.append([_xlsx_cell(sheet, name, None, tz, ",") for name in header])
            for rows in _rows(batches):
                for row in rows:
                    sheet.append([_xlsx_cell(sheet, row.get(c), types.get(c), tz, ",") for c in columns])
        except BaseException:  # stopped (time budget, client gone): remove openpyxl's own file too
            _discard(sheet)
            raise
        if fields:
            described = workbook.create_sheet("Velden")
            described.append(list(FIELD_SHEET_COLUMNS))
            for e in fields:
                values = {**e.texts.to_dict(), "name": e.name, "type": e.type,
                          "title_nl": e.texts.title_nl or e.source_title, "unit": e.unit,
                          "description_nl": e.texts.description_nl or e.source_description}
                described.append([_xlsx_cell(described, values[k], None, tz, ",") for k in FIELD_SHEET_COLUMNS])
        workbook.save(tmp)

    return _temporary(platform, ".xlsx", write)


def export_rows(
    platform: Platform, fmt: str, stem: str, stream: ResultStream,
    batches: Iterator[pa.RecordBatch], types: dict[str, str], tz: ZoneInfo, options: dict[str, str],
    labels: dict[str, str] | None = None, separators: dict[str, str] | None = None,
    fields: list[FieldEntry] | None = None,
) -> Response:
    """The response for one export format of ``stream`` (its ``batches``, maybe counted);
    ``options`` are the request's parameters; ``separators``: multivalued columns, given as
    arrays in JSON formats. Within the export budget, stopped when the client leaves."""
    visible = [c for c in stream.columns if c not in BOOKKEEPING]
    header = [labels.get(c, c) for c in visible] if labels else visible
    disposition = {"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'}

    def records() -> Iterator[dict[str, Any]]:
        for rows in _rows(batches):
            rendered = [flat_record(row, types, tz) for row in rows]
            if separators:
                split_lists(rendered, separators)
            yield from rendered

    if fmt == "csv":
        delimiter = options.get("delimiter", ";")
        if delimiter not in CSV_DELIMITERS:
            raise InvalidRequest(f"Invalid value for delimiter API parameter: {delimiter[:5]!r} was found "
                                 "but one of ';', ',', '\\t', '|' is expected.")
        separator = options.get("list_separator", ",")
        if len(separator) > 5:
            raise InvalidRequest("Invalid value for list_separator API parameter: at most 5 characters")
        if separators:  # multivalued fields: their values joined by list_separator
            batches = rejoined(batches, separators, separator)
        body = csv_stream(batches, visible, delimiter="\t" if delimiter == "\\t" else delimiter,
                          timezone=tz.key, quote_all=flag(options, "quote_all", False),
                          with_bom=flag(options, "with_bom", True), header=header,
                          formula_escape=platform.settings.csv_formula_escape)
        return StreamedExport(body, stream, media_type="text/csv; charset=utf-8", headers=disposition)
    if fmt == "json":
        return StreamedExport(json_array(records()), stream, media_type="application/json", headers=disposition)
    if fmt == "jsonl":
        return StreamedExport(json_lines(records()), stream, media_type="application/jsonl", headers=disposition)
    if fmt == "geojson":
        features = json_array(geojson_features(records(), types), prefix=b'{"type":"FeatureCollection","features":[',
                              suffix=b"]}")
        return StreamedExport(features, stream, media_type="application/geo+json", headers=disposition)
    if fmt == "parquet":
        return FileExport(lambda: parquet_file(platform, stream.schema, batches, visible), stream,
                          media_type="application/vnd.apache.parquet", filename=f"{stem}.parquet")
    if fmt == "xlsx":
        if separators:
            batches = rejoined(batches, separators, ", ")
        shown = [e for e in fields or [] if e.name in visible]
        return FileExport(lambda: xlsx_file(platform, batches, visible, types, tz, header, shown), stream,
                          media_type=XLSX_MEDIA_TYPE, filename=f"{stem}.xlsx")
    raise InvalidRequest(f"Invalid value for format API parameter: {fmt[:30]!r} was found but one of "
                         f"{', '.join(DATASET_FORMATS)} is expected.")


def flag(options: dict[str, str], name: str, default: bool) -> bool:
    """A boolean parameter: true/false (also 1/0, yes/no)."""
    raw = options.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"true", "1", "yes"}:
        return True
    if value in {"false", "0", "no"}:
        return False
    raise InvalidRequest(f"Invalid value for {name[:40]} API parameter: {raw[:20]!r} was found but a boolean is expected.")


# -- the catalogue as a file ------------------------------------------------------------------

CATALOG_CSV_COLUMNS = ("dataset_id", "title", "description", "theme", "keyword", "publisher", "license",
                       "language", "territory", "modified", "records_count", "features")


def catalog_csv(datasets: list[dict[str, Any]], options: dict[str, str], *, formula_escape: bool = False
                ) -> Iterator[bytes]:
    delimiter = options.get("delimiter", ";")
    if delimiter not in CSV_DELIMITERS:
        raise InvalidRequest(f"Invalid value for delimiter API parameter: {delimiter[:5]!r} was found "
                             "but one of ';', ',', '\\t', '|' is expected.")
    separator = options.get("list_separator", ",")
    quote_all = flag(options, "quote_all", False)
    with_bom = flag(options, "with_bom", True)

    def generate() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter,
                            quoting=csv.QUOTE_NONNUMERIC if quote_all else csv.QUOTE_MINIMAL)
        writer.writerow(CATALOG_CSV_COLUMNS)
        for d in datasets:
            metas = d["metas"]["default"]
            values = {"dataset_id": d["dataset_id"], "features": d["features"], **metas}
            cells = [
                separator.join(str(v) for v in values[c]) if isinstance(values.get(c), list)
                else values.get(c)
                for c in CATALOG_CSV_COLUMNS
            ]
            if formula_escape:
                cells = [formula_escaped(c) if isinstance(c, str) else c for c in cells]
            writer.writerow(cells)
        yield (("\ufeff" if with_bom else "") + buffer.getvalue()).encode()

    return generate()
