"""The member log of a dataset's event stream: which records each version adds.

A dataset's versions 1, 2, … are immutable Parquet files. Its event stream is the
history of its records, one *member* (an immutable version object) per record that a
version adds or changes, and one *tombstone* per record a version removes:

- version 1: every record, in file order;
- version k > 1, compared with version k − 1 by record id (the Explore API v2.1 ids,
  ``docs/record-ids.md``) and a hash of the whole record: first the records that are
  new or changed, in the new file's order; then the records that are gone, in the old
  file's order (tombstones).

Rows sharing a record id (no unique key declared) count once: the first in file order.
A version whose fields (names or types) differ from the previous one changes every
record. All members of version k carry one timestamp ``t_k``: the version's creation
time, but always at least one microsecond after ``t_{k-1}``, so the stream's order —
(timestamp, then the order above) — is the version order and a new version only ever
appends. The log of version k depends on the files of versions k − 1 and k (and the
record key) only, so it is computed once, with DuckDB, and kept in a byte-bounded
in-process cache (``LogCache``).

A real-time stream can later append to the same structure: a ``VersionLog`` is an
ordered batch of (record id, row) sharing one timestamp.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from belfort.cache import ByteLRU
from belfort.errors import QueryError
from belfort.query.compiler import quote_identifier, record_id_expression
from belfort.schema import TableSchema

ONE_MICROSECOND = dt.timedelta(microseconds=1)


@dataclass(frozen=True)
class StreamVersion:
    """One version of the dataset, as the stream needs it."""

    number: int
    path: Path
    schema: TableSchema
    created_at: dt.datetime

    @property
    def signature(self) -> tuple[tuple[str, str], ...]:
        """The fields as (name, type), sorted: equal signatures can be compared record by record."""
        return tuple(sorted((f.name, f.type) for f in self.schema.fields))


@dataclass(frozen=True)
class VersionLog:
    """The members one version adds, in stream order: ``record_ids[i]`` is the record of
    member i, ``rows[i]`` its row in the version file; a negative ``rows[i]`` is a
    tombstone, the record's row in the previous version being ``-rows[i] - 1``."""

    record_ids: pa.Array
    rows: pa.Array

    def __len__(self) -> int:
        return len(self.record_ids)

    @property
    def nbytes(self) -> int:
        return int(self.record_ids.nbytes + self.rows.nbytes)


def stream_timestamps(versions: Sequence[StreamVersion]) -> list[dt.datetime]:
    """``t_k`` of each version: its creation time (UTC), strictly increasing."""
    out: list[dt.datetime] = []
    for version in versions:
        created = version.created_at
        if created.tzinfo is None:
            created = created.replace(tzinfo=dt.UTC)
        created = created.astimezone(dt.UTC)
        if out and created <= out[-1]:
            created = out[-1] + ONE_MICROSECOND
        out.append(created)
    return out


def _key_for(schema: TableSchema, key: tuple[str, ...]) -> tuple[str, ...]:
    """The record key for one version: all fields when the declared key names a field
    this (older) version does not have."""
    return key if all(schema.get(name) is not None for name in key) else ()


def _records_sql(version: StreamVersion, key: tuple[str, ...], parameter: str) -> str:
    """One row per record id of a version: (rid, first row, hash of that row)."""
    rid = record_id_expression(version.schema, _key_for(version.schema, key))
    names = sorted(f.name for f in version.schema.fields)
    content = f"hash({', '.join(quote_identifier(n) for n in names)})" if names else "0"
    return (
        f"SELECT rid, min(r) AS r, arg_min(h, r) AS h FROM ("
        f"SELECT file_row_number AS r, {rid} AS rid, {content} AS h "
        f"FROM read_parquet({parameter}, file_row_number = true)) GROUP BY rid"
    )


def compute_log(
    version: StreamVersion, previous: StreamVersion | None, key: tuple[str, ...], *,
    threads: int = 2, memory_limit: str = "1GB",
) -> VersionLog:
    """The members ``version`` adds to the stream after ``previous`` (None: the first)."""
    con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit})
    try:
        if previous is None:
            sql = f"SELECT rid, r FROM ({_records_sql(version, key, '$1')}) ORDER BY r"
            params: list[Any] = [str(version.path)]
        else:
            changed = "TRUE" if version.signature != previous.signature else "p.h IS DISTINCT FROM n.h"
            sql = (
                f"WITH n AS ({_records_sql(version, key, '$1')}), p AS ({_records_sql(previous, key, '$2')}) "
                f"SELECT rid, r FROM ("
                f"SELECT n.rid, n.r, 0 AS kind, n.r AS ord FROM n LEFT JOIN p ON n.rid = p.rid "
                f"WHERE p.rid IS NULL OR {changed} "
                f"UNION ALL "
                f"SELECT p.rid, -p.r - 1 AS r, 1 AS kind, p.r AS ord FROM p ANTI JOIN n ON p.rid = n.rid"
                f") ORDER BY kind, ord"
            )
            params = [str(version.path), str(previous.path)]
        try:
            table = con.sql(sql, params=params).to_arrow_table()
        except duckdb.Error as exc:
            raise QueryError(f"cannot compute the event stream of version {version.number}: "
                             f"{str(exc).splitlines()[0][:200]}") from None
    finally:
        con.close()
    return VersionLog(
        record_ids=table.column(0).combine_chunks().cast(pa.string()),
        rows=table.column(1).combine_chunks().cast(pa.int64()),
    )


LOG_FORMAT = "1"  # bump when what a log holds changes: logs written before are not read


def log_file(directory: Path, version: StreamVersion, previous: StreamVersion | None,
             key: tuple[str, ...]) -> Path:
    """Where the log of ``version`` (after ``previous``, with record key ``key``) is kept:
    named by a hash of everything it depends on, so it never needs invalidating."""
    # version files have unique names (time and a random token): a data directory moved
    # elsewhere keeps its logs
    identity = "\n".join((LOG_FORMAT, previous.path.name if previous else "", version.path.name, *key))
    return directory / f"{hashlib.sha256(identity.encode()).hexdigest()[:40]}.parquet"


def stored_log(directory: Path | None, version: StreamVersion, previous: StreamVersion | None,
               key: tuple[str, ...], compute: Callable[[], VersionLog]) -> VersionLog:
    """The log from ``directory`` when it was computed before (by any process), else
    computed now and written there (atomically; a directory that cannot be written to
    only means the log is computed again after a restart)."""
    if directory is None:
        return compute()
    path = log_file(directory, version, previous, key)
    try:
        table = pq.read_table(path)
        return VersionLog(table.column("rid").combine_chunks(), table.column("row").combine_chunks())
    except (OSError, KeyError, pa.ArrowException):
        pass
    log = compute()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.stem}.{uuid.uuid4().hex}.tmp")
        pq.write_table(pa.table({"rid": log.record_ids, "row": log.rows}), temporary)
        os.replace(temporary, path)
    except OSError:
        pass
    return log


def read_version_table(path: Path) -> pa.Table:
    """A version's rows as one Arrow table (rows are taken from it by number)."""
    return pq.read_table(path).combine_chunks()


def table_bytes(path: Path) -> int:
    """About how much memory a version's table takes (its uncompressed size)."""
    metadata = pq.ParquetFile(path).metadata
    return sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))


def read_rows(path: Path, numbers: Sequence[int]) -> pa.Table:
    """Rows ``numbers`` of a version, reading only the row groups that hold them (for
    versions too large to keep whole in the cache)."""
    parquet = pq.ParquetFile(path)
    metadata = parquet.metadata
    starts = [0]
    for i in range(metadata.num_row_groups):
        starts.append(starts[-1] + metadata.row_group(i).num_rows)
    groups = sorted({bisect.bisect_right(starts, n) - 1 for n in numbers})
    offset_of, position = {}, 0
    for group in groups:
        offset_of[group] = position - starts[group]
        position += metadata.row_group(group).num_rows
    table = parquet.read_row_groups(groups)
    indices = [n + offset_of[bisect.bisect_right(starts, n) - 1] for n in numbers]
    return table.take(pa.array(indices, pa.int64()))


def _weight(value: Any) -> int:
    if isinstance(value, VersionLog):
        return value.nbytes + 200
    if isinstance(value, pa.Table):
        return int(value.nbytes) + 200
    if isinstance(value, (bytes, bytearray)):
        return len(value) + 200
    if isinstance(value, tuple):
        return sum(_weight(v) for v in value) + 100
    if isinstance(value, str):
        return len(value) + 100
    return 100


class LogCache(ByteLRU[Any]):
    """Member logs and rendered pages within ``max_bytes``; one thread builds a missing entry
    while others asking for the same key wait for it (a cold stream hit by a client fetching
    ten pages at once computes each version's log once)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(max_bytes, _weight)
