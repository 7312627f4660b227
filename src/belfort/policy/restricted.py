"""The part of a version a grant allows, as a file of its own.

When the gate holds fields or rows back (a field classified above what the principal may
read, a policy's field subset or row filter), ``reading.readable`` answers with a copy of
the version that holds only the allowed fields and rows, written once per (version file,
fields, filter) next to it (``Lake.derived_path``: removed with the version file or live
snapshot it was made from). Every dialect reads that file with the
reduced schema, exactly as it reads any version, so no dialect can show a held-back value,
field name or row: the engine never sees them (docs/access.md).

The copy is named by a hash of what it was made from, written to a temporary name and
renamed into place, so processes that make it at once each rename a whole file, and a
new version or live snapshot (a new path) gets a copy of its own.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from belfort.lake.store import Lake
from belfort.query.compiler import SOURCE, compile_query
from belfort.query.model import FieldRef, Query, SelectItem
from belfort.query.odsql import parse_where
from belfort.schema import TableSchema

BATCH_ROWS = 65_536


def restricted_schema(schema: TableSchema, fields: frozenset[str] | None) -> TableSchema:
    """``schema`` with only the allowed fields, in their order."""
    if fields is None:
        return schema
    return TableSchema(tuple(f for f in schema.fields if f.name in fields))


def restricted_file(
    lake: Lake, path: Path, schema: TableSchema, fields: frozenset[str] | None,
    row_filter: str | None, *, memory_limit: str = "512MB",
) -> Path:
    """The copy of ``path`` with only ``fields`` (None: all) and the rows ``row_filter`` (an
    Opendatasoft ``where`` expression; None: all) selects; made when missing."""
    kept = restricted_schema(schema, fields)
    digest = hashlib.sha256("\n".join(
        [str(path), repr(sorted(f.name for f in kept.fields)), row_filter or ""]
    ).encode()).hexdigest()[:40]
    target = lake.derived_path(path, f"restricted-{digest}.parquet")
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    query = Query(select=tuple(SelectItem(FieldRef(f.name)) for f in kept.fields),
                  where=parse_where(row_filter) if row_filter else None)
    compiled = compile_query(query, schema, max_rows=2**62)
    params = [str(path) if p is SOURCE else p for p in compiled.params]
    temporary = target.with_name(f".{digest}-{uuid.uuid4().hex}.tmp")
    connection = duckdb.connect(config={"threads": 1, "memory_limit": memory_limit})
    try:
        connection.execute("SET TimeZone='UTC'")
        reader = connection.sql(compiled.sql, params=params).to_arrow_reader(BATCH_ROWS)
        with pq.ParquetWriter(temporary, reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
        os.replace(temporary, target)
    finally:
        connection.close()
        temporary.unlink(missing_ok=True)
    return target
