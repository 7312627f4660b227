"""Parquet reader: Arrow types mapped to schema types, rewritten batch by batch.

No inference: a Parquet file is already typed. Naive timestamps are local time of
the source's zone (Europe/Brussels unless the dataset says otherwise) like every other
source; strings stay strings (a producer that wrote numbers as strings can override).
Types without a schema equivalent (lists, maps, structs other than lat/lon, binary,
time) become JSON/text strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyarrow.types as pat

from belfort.errors import ValidationFailed
from belfort.ingest.convert import (
    ARROW_TYPES,
    GEOPOINT_TYPE,
    UTC_TIMESTAMP,
    convert_strings,
    parsers_for_override,
)
from belfort.ingest.limits import DEFAULT_LIMITS, IngestLimits
from belfort.ingest.names import clean_title, normalise_names
from belfort.ingest.report import NUL_PROBLEM, ValidationReport
from belfort.ingest.temporal import LOCAL_TZ, localize
from belfort.schema import Field, TableSchema

BATCH_ROWS = 65_536


def schema_type(arrow_type: pa.DataType) -> str:
    """The schema type an Arrow type maps to."""
    if pat.is_dictionary(arrow_type):
        return schema_type(arrow_type.value_type)
    if pat.is_boolean(arrow_type):
        return "boolean"
    if pat.is_integer(arrow_type):
        return "number" if arrow_type == pa.uint64() else "integer"
    if pat.is_floating(arrow_type) or pat.is_decimal(arrow_type):
        return "number"
    if pat.is_date(arrow_type):
        return "date"
    if pat.is_timestamp(arrow_type):
        return "datetime"
    if pat.is_struct(arrow_type) and {f.name for f in arrow_type} == {"lat", "lon"}:
        return "geopoint"
    return "string"


def _to_text(arr: pa.Array) -> pa.Array:
    """Anything → string: cast where Arrow can, JSON text for nested values."""
    if pat.is_string(arr.type):
        return arr
    try:
        return pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    values: list[str | None] = []
    for value in arr.to_pylist():
        if value is None:
            values.append(None)
        elif isinstance(value, bytes):
            values.append(value.hex())
        else:
            values.append(orjson.dumps(value, default=str).decode())
    return pa.array(values, type=pa.string())


def _native(arr: pa.Array, type_: str, zone: str = LOCAL_TZ) -> pa.Array:
    if pat.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if type_ == "datetime":
        if arr.type.tz is None:
            return localize(arr.cast(pa.timestamp("us")), zone)
        return arr.cast(UTC_TIMESTAMP)
    if type_ == "geopoint":
        return pa.StructArray.from_arrays(
            [arr.field("lat").cast(pa.float64()), arr.field("lon").cast(pa.float64())],
            fields=list(GEOPOINT_TYPE),
            mask=arr.is_null(),
        )
    if type_ == "string":
        return _to_text(arr)
    return arr.cast(ARROW_TYPES[type_])


def _fields(
    schema: pa.Schema, overrides: Mapping[str, str] | None
) -> tuple[list[Field], list[str], list[bool]]:
    from belfort.ingest.pipeline import _resolve_overrides

    titles = [clean_title(f.name) for f in schema]
    names = normalise_names([f.name for f in schema])
    forced = _resolve_overrides(overrides, names, titles)
    fields: list[Field] = []
    native: list[str] = []
    overridden: list[bool] = []
    for index, (arrow_field, name, title) in enumerate(zip(schema, names, titles, strict=True)):
        natural = schema_type(arrow_field.type)
        type_ = forced.get(index, natural)
        fields.append(Field(name=name, type=type_, title=title or None))
        native.append(natural)
        overridden.append(type_ != natural)
    return fields, native, overridden


def open_parquet(source: Path, limits: IngestLimits) -> pq.ParquetFile:
    """Open a Parquet file after checking what its footer declares against the limits:
    columns, cells (rows × columns) and the uncompressed size of its pages."""
    metadata = pq.read_metadata(source)
    columns = len(metadata.schema.to_arrow_schema())
    limits.check_columns(max(columns, metadata.num_columns))
    limits.check_cells(metadata.num_rows, columns)
    declared = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    limits.check_decompressed(declared)
    return pq.ParquetFile(source)


def _nul_problems(
    column: pa.Array, name: str, report: ValidationReport, first_row: int
) -> tuple[pa.Array, Any]:
    """String values holding a NUL byte: reported, nulled, and which rows they were."""
    if not pat.is_string(column.type) or len(column) == column.null_count:
        return column, None
    mask = pc.fill_null(pc.match_substring(column, "\x00"), False)
    if not pc.any(mask).as_py():
        return column, None
    bad = mask.to_numpy(zero_copy_only=False)
    positions = bad.nonzero()[0]
    report.add_many(
        name, NUL_PROBLEM, len(positions),
        [(first_row + int(i) + 1, str(column[int(i)].as_py()).replace("\x00", "\\0")[:200])
         for i in positions[: report.max_examples]],
        code="nul_byte",
    )
    return pc.if_else(mask, pa.scalar(None, column.type), column), bad


def convert_parquet(
    source: Path,
    destination: Path,
    overrides: Mapping[str, str] | None,
    report: ValidationReport,
    max_invalid_rows: int,
    progress: Callable[[int], None] | None,
    zone: str = LOCAL_TZ,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> tuple[TableSchema, int, dict[str, Any]]:
    parquet = open_parquet(source, limits)
    fields, natural, overridden = _fields(parquet.schema_arrow, overrides)
    schema = pa.schema([pa.field(f.name, ARROW_TYPES[f.type]) for f in fields])
    rows_done = 0
    invalid_rows = 0
    with pq.ParquetWriter(str(destination), schema, compression="snappy") as writer:
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            arrays = []
            bad_any = None
            for index, spec in enumerate(fields):
                column = batch.column(index)
                if pat.is_dictionary(column.type):
                    column = column.dictionary_decode()
                column, nul = _nul_problems(column, spec.name, report, rows_done)
                if nul is not None:
                    bad_any = nul if bad_any is None else bad_any | nul
                if not overridden[index]:
                    arrays.append(_native(column, spec.type, zone))
                    continue
                text = _to_text(column)
                if spec.type == "string":
                    arrays.append(text)
                    continue
                parsers = parsers_for_override(spec.type, None, zone)
                converted = convert_strings(text, spec.type, parsers)
                arrays.append(converted.array)
                if converted.bad is not None:
                    positions = converted.bad.nonzero()[0]
                    report.add_many(
                        spec.name,
                        converted.problem,
                        len(positions),
                        [(rows_done + int(i) + 1, text[int(i)].as_py())
                         for i in positions[: report.max_examples]],
                        code=converted.code,
                        params=converted.params,
                    )
                    bad_any = converted.bad if bad_any is None else bad_any | converted.bad
            if bad_any is not None:
                invalid_rows += int(bad_any.sum())
            if invalid_rows <= max_invalid_rows:
                writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            rows_done += batch.num_rows
            if progress is not None:
                progress(rows_done)
    report.rows_read = rows_done
    if invalid_rows > max_invalid_rows:
        raise ValidationFailed(
            f"{invalid_rows} row(s) failed validation (at most {max_invalid_rows} allowed)",
            details={"report": report.to_dict()},
        )
    return TableSchema(tuple(fields)), rows_done, {"row_groups": parquet.num_row_groups}


def sniff_parquet(source: Path, sample_rows: int, limits: IngestLimits = DEFAULT_LIMITS) -> Any:
    from belfort.ingest.pipeline import SniffResult

    parquet = open_parquet(source, limits)
    fields, _, _ = _fields(parquet.schema_arrow, None)
    rows: list[dict[str, str | None]] = []
    for batch in parquet.iter_batches(batch_size=max(sample_rows, 1)):
        texts = [_to_text(c) for c in batch.columns]
        for i in range(min(batch.num_rows, sample_rows)):
            rows.append({f.name: texts[j][i].as_py() for j, f in enumerate(fields)})
        break
    return SniffResult(
        format="parquet",
        schema=TableSchema(tuple(fields)),
        source_details={"row_groups": parquet.num_row_groups},
        rows=rows,
        inferred_from_rows=parquet.metadata.num_rows,
        whole_file=True,  # a Parquet file states its types
    )
