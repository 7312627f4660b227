"""The one query engine: DuckDB over the lake's Parquet versions.

DuckDB runs sandboxed: it may read only the ``versions/`` directory of the lake and
nothing else on disk or network (``enable_external_access=false``), so even a bug in
a dialect parser cannot make it read another file. Each query gets its own cursor,
a timeout (the cursor is interrupted) and a row limit.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from belfort.errors import QueryError, QueryTimeout
from belfort.ingest.schema import TableSchema
from belfort.query.compiler import SOURCE, CompiledQuery, compile_count, compile_query
from belfort.query.model import Query


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    total: int | None
    elapsed_ms: float

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass
class ResultStream:
    """All rows of a query as Arrow batches; ``schema`` is known before the first batch."""

    columns: list[str]
    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]


class QueryEngine:
    def __init__(
        self,
        versions_dir: Path,
        *,
        threads: int = 2,
        memory_limit: str = "1GB",
        timeout_seconds: float = 10.0,
        max_rows: int = 10_000,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.max_rows = max_rows
        self._db = duckdb.connect(
            config={"threads": threads, "memory_limit": memory_limit, "enable_object_cache": True}
        )
        allowed = str(versions_dir.resolve()).replace("'", "''") + "/"
        self._db.execute("SET TimeZone='UTC'")
        self._db.execute(f"SET allowed_directories=['{allowed}']")
        self._db.execute("SET enable_external_access=false")
        self._db.execute("SET lock_configuration=true")

    def close(self) -> None:
        self._db.close()

    def execute(
        self,
        query: Query,
        schema: TableSchema,
        path: Path,
        *,
        with_total: bool = False,
        timeout_seconds: float | None = None,
    ) -> QueryResult:
        """Run ``query`` over one version file; ``with_total`` also counts all matches."""
        started = time.perf_counter()
        compiled = compile_query(query, schema, self.max_rows)
        rows = self._run(compiled, path, timeout_seconds)
        total = None
        if with_total:
            total = self._run(compile_count(query, schema), path, timeout_seconds)[0][0]
        return QueryResult(
            columns=compiled.columns,
            rows=rows,
            total=total,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def record_timestamps(self, times_path: Path, rows: list[int]) -> dict[int, Any]:
        """``_record_timestamp`` of the given row numbers, from a version's record-times file."""
        if not rows:
            return {}
        cursor = self._db.cursor()
        try:
            found = cursor.execute(
                "SELECT file_row_number, _record_timestamp "
                "FROM read_parquet($1, file_row_number = true) WHERE file_row_number IN "
                "(SELECT unnest($2::BIGINT[]))",
                [str(times_path), [int(r) for r in rows]],
            ).fetchall()
        except duckdb.Error as exc:
            raise QueryError(_clean_message(exc)) from None
        finally:
            cursor.close()
        return dict(found)

    def stream(
        self, query: Query, schema: TableSchema, path: Path, *, batch_rows: int = 50_000
    ) -> ResultStream:
        """All matching rows as Arrow batches, without the row limit (for exports)."""
        compiled = compile_query(query, schema, max_rows=2**62)
        if query.limit is None:
            compiled.sql = compiled.sql.rsplit(" LIMIT ", 1)[0] + f" OFFSET {int(query.offset)}"
            compiled.params = compiled.params[:-2]
        cursor = self._db.cursor()
        try:
            reader = cursor.sql(compiled.sql, params=_bind(compiled, path)).to_arrow_reader(
                batch_rows
            )
        except duckdb.Error as exc:
            cursor.close()
            raise QueryError(_clean_message(exc)) from None

        def batches() -> Iterator[pa.RecordBatch]:
            try:
                yield from reader
            finally:
                cursor.close()

        return ResultStream(compiled.columns, reader.schema, batches())

    def _run(
        self, compiled: CompiledQuery, path: Path, timeout_seconds: float | None
    ) -> list[tuple[Any, ...]]:
        """Execute and fetch everything within the timeout."""
        timeout = self.timeout_seconds if timeout_seconds is None else timeout_seconds
        cursor = self._db.cursor()
        timer = threading.Timer(timeout, cursor.interrupt) if timeout else None
        if timer:
            timer.start()
        try:
            cursor.execute(compiled.sql, _bind(compiled, path))
            return cursor.fetchall()
        except duckdb.InterruptException:
            raise QueryTimeout(f"query stopped after {timeout:g} s") from None
        except duckdb.Error as exc:
            raise QueryError(_clean_message(exc)) from None
        finally:
            if timer:
                timer.cancel()
            cursor.close()


def _bind(compiled: CompiledQuery, path: Path) -> list[Any]:
    return [str(path) if p is SOURCE else p for p in compiled.params]


_PATHS = re.compile(r"(/[^\s\"']+)+")


def _clean_message(exc: duckdb.Error) -> str:
    """The engine's message without file paths or SQL context lines."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return _PATHS.sub("<file>", first)[:300]
