"""Streamed downloads of a query result: CSV, JSON (array) and Parquet, no row limit."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from starlette.background import BackgroundTask
from starlette.responses import FileResponse, StreamingResponse

from belfort.api.responses import dumps
from belfort.ingest.schema import TableSchema
from belfort.platform import Platform
from belfort.query.model import Query


def _geopoint_text(column: pa.Array) -> pa.Array:
    """A {lat, lon} struct as Opendatasoft writes a geo point in CSV: "lat, lon"."""
    lat = pc.cast(pc.struct_field(column, "lat"), pa.string())
    lon = pc.cast(pc.struct_field(column, "lon"), pa.string())
    return pc.binary_join_element_wise(lat, lon, ", ")


def _csv_ready(batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = []
    for column in batch.columns:
        if pa.types.is_struct(column.type):
            names = {column.type.field(i).name for i in range(column.type.num_fields)}
            if {"lat", "lon"} <= names:
                column = _geopoint_text(column)
            else:
                column = pa.array([None if v is None else orjson.dumps(v).decode() for v in column.to_pylist()], pa.string())
        columns.append(column)
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def csv_stream(
    batches: Iterator[pa.RecordBatch], columns: list[str], *, delimiter: str = ","
) -> Iterator[bytes]:
    """CSV of ``columns`` (other columns of the batches, e.g. bookkeeping, are left out)."""
    options = pacsv.WriteOptions(include_header=True, delimiter=delimiter)
    first = True
    for batch in batches:
        sink = io.BytesIO()
        options.include_header = first
        pacsv.write_csv(_csv_ready(batch.select(columns)), sink, options)
        first = False
        yield sink.getvalue()
    if first:  # no rows at all: still send the header
        yield (delimiter.join(f'"{c}"' for c in columns) + "\n").encode()


def _json_stream(batches: Iterator[pa.RecordBatch]) -> Iterator[bytes]:
    yield b"["
    first = True
    for batch in batches:
        rows = batch.to_pylist()
        if not rows:
            continue
        chunk = b",".join(dumps(row) for row in rows)
        yield chunk if first else b"," + chunk
        first = False
    yield b"]"


def export_response(
    platform: Platform, fmt: str, query: Query, schema: TableSchema, path: Path, stem: str
) -> StreamingResponse | FileResponse:
    whole_file = query == Query(limit=None)
    if fmt == "parquet" and whole_file:
        return FileResponse(path, media_type="application/vnd.apache.parquet", filename=f"{stem}.parquet")
    stream = platform.engine.stream(query, schema, path)
    if fmt == "csv":
        return StreamingResponse(
            csv_stream(stream.batches, stream.columns),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{stem}.csv"'},
        )
    if fmt == "json":
        return StreamingResponse(
            _json_stream(stream.batches),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{stem}.json"'},
        )
    # Parquet of a selection: written to a temporary file, removed once sent.
    handle, tmp = tempfile.mkstemp(suffix=".parquet", dir=platform.lake.staging_dir)
    os.close(handle)
    try:
        with pq.ParquetWriter(tmp, stream.schema) as writer:
            for batch in stream.batches:
                writer.write_batch(batch)
    except BaseException:
        os.unlink(tmp)
        raise
    return FileResponse(
        tmp,
        media_type="application/vnd.apache.parquet",
        filename=f"{stem}.parquet",
        background=BackgroundTask(os.unlink, tmp),
    )
