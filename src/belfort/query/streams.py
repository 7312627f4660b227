"""A query's whole result read as Arrow batches, for exports: within a time budget of its
own, and stoppable from another thread when nobody is reading any more.

Nothing runs until the first batch (or the schema) is asked for, so an export's answer can
start the query where it also listens for its client. The budget counts from the stream's
creation: when it runs out, the watchdog interrupts the DuckDB query and the stream raises
``QueryTimeout``; ``cancel()`` (a client that disconnected) interrupts it at once and the
stream raises ``QueryCancelled``. Between slices of at most ``SLICE_ROWS`` rows the stream
checks both, so a slow writer downstream (XLSX, JSON records) stops within a slice too.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import duckdb
import pyarrow as pa

from belfort.errors import QueryCancelled, QueryError, QueryTimeout

SLICE_ROWS = 4096
"""Rows handed on at a time: the budget and a cancel are checked between slices."""


class StreamHost(Protocol):
    """What a stream needs from the engine: a cursor with a watchdog alarm, given back."""

    def _stream_cursor(self, seconds: float, stop: Callable[[], object]
                       ) -> tuple[duckdb.DuckDBPyConnection, int]: ...

    def _stream_closed(self, cursor: duckdb.DuckDBPyConnection, alarm: int) -> None: ...


class ResultStream:
    """All rows of one query as Arrow batches (``batches``), read lazily."""

    def __init__(self, host: StreamHost, columns: list[str], sql: str, params: list[Any],
                 budget_seconds: float, batch_rows: int) -> None:
        self.columns = columns
        self.budget_seconds = budget_seconds
        self.started = False
        """True once the first batch was read (or the result turned out empty, or failed)."""
        self._host = host
        self._sql = sql
        self._params = params
        self._batch_rows = batch_rows
        self._deadline = time.monotonic() + budget_seconds
        self._lock = threading.Lock()
        self._cancelled = False
        self._closed = False
        self._cursor: duckdb.DuckDBPyConnection | None = None
        self._alarm = 0
        self._reader: pa.RecordBatchReader | None = None
        self.batches: Iterator[pa.RecordBatch] = self._batches()

    @property
    def schema(self) -> pa.Schema:
        """The result's Arrow schema (starts the query)."""
        return self._open().schema

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Stop the query now (from any thread): its reader raises ``QueryCancelled``."""
        with self._lock:
            self._cancelled = True
            cursor = None if self._closed else self._cursor
        if cursor is not None:
            try:
                cursor.interrupt()
            except duckdb.Error:  # closed meanwhile
                pass

    def close(self) -> None:
        """Give the cursor back (idempotent; the batches' generator does it when it ends)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            cursor, alarm = self._cursor, self._alarm
        self.started = True
        if cursor is not None:
            self._host._stream_closed(cursor, alarm)

    def check(self) -> None:
        """Raise if the stream was cancelled or its budget ran out."""
        if self._cancelled:
            raise QueryCancelled("export stopped: the client went away")
        if time.monotonic() >= self._deadline:
            raise self._timeout()

    def _timeout(self) -> QueryTimeout:
        return QueryTimeout(
            f"export stopped after {self.budget_seconds:g} s (its time budget, "
            "BELFORT_EXPORT_TIMEOUT_SECONDS); narrow it down with a filter or fewer fields"
        )

    def _stopped(self, exc: Exception) -> Exception:
        """The typed error for an engine error while reading."""
        if self._cancelled:
            return QueryCancelled("export stopped: the client went away")
        if time.monotonic() >= self._deadline or "INTERRUPT" in str(exc):
            return self._timeout()
        return QueryError(clean_message(exc))

    def _open(self) -> pa.RecordBatchReader:
        if self._reader is not None:
            return self._reader
        self.check()
        with self._lock:
            if self._closed:
                raise QueryCancelled("export stopped: the stream was closed")
            self._cursor, self._alarm = self._host._stream_cursor(
                self._deadline - time.monotonic(), self._interrupt
            )
            cursor = self._cursor
        try:
            relation = cursor.sql(self._sql, params=self._params)
            self._reader = relation.to_arrow_reader(self._batch_rows)
        except (duckdb.Error, OSError, pa.ArrowException) as exc:
            self.close()
            raise self._stopped(exc) from None
        return self._reader

    def _interrupt(self) -> None:
        with self._lock:
            cursor = None if self._closed else self._cursor
        if cursor is not None:
            cursor.interrupt()

    def _batches(self) -> Iterator[pa.RecordBatch]:
        try:
            reader = self._open()
            while True:
                self.check()
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
                except (duckdb.Error, OSError, pa.ArrowException) as exc:
                    raise self._stopped(exc) from None
                self.started = True
                for start in range(0, batch.num_rows, SLICE_ROWS):
                    self.check()
                    yield batch.slice(start, SLICE_ROWS)
        finally:
            self.close()


_PATHS = re.compile(r"(/[^\s\"']+)+")


def clean_message(exc: BaseException) -> str:
    """The engine's message without file paths or SQL context lines."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return _PATHS.sub("<file>", first)[:300]
