"""The one query engine: DuckDB over the lake's Parquet versions.

DuckDB runs sandboxed: it may read only the ``versions/`` directory of the lake and
nothing else on disk or network (``enable_external_access=false``), so even a bug in
a dialect parser cannot make it read another file. Each query gets its own cursor,
a timeout (the cursor is interrupted by one watchdog thread) and a row limit.

A page of a record listing over a small version (at most ``result_cache_max_rows`` rows)
that is not materialised yet costs one scan: the page's row numbers and the number of
matches come from one statement, and the page's values are taken by row number from the
version's rows, read once per version (``_filtered_page``). That statement reads the
version's in-memory DuckDB table when one is held (``version_tables``: the version's
data, built once, bounded in bytes), else the Parquet file.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from belfort.cache import ByteLRU
from belfort.errors import AggregatesOnly, QueryError, QueryTimeout
from belfort.query.compiler import (
    SOURCE,
    CompiledQuery,
    compile_count,
    compile_query,
    compile_record_ids,
)
from belfort.query.compiler_geo import quote_identifier
from belfort.query.compiler_pages import (
    MATCH_COLUMN,
    check_window,
    compile_match_mask,
    compile_matches,
    compile_page_rows,
    compile_version_rows,
    compile_version_table,
)
from belfort.query.disclosure import (
    MAX_GROUPS,
    Disclosure,
    check_groups,
    check_query,
    counted_query,
    needs_filtered_count,
    release,
)
from belfort.query.model import RECORD_ID_COLUMN, ROW_NUMBER_COLUMN, Aggregate, FieldRef, Query
from belfort.query.profile import Measure, Profile, compile_profile, read_profile
from belfort.query.result_cache import ResultCache
from belfort.query.streams import ResultStream
from belfort.query.streams import clean_message as _clean_message
from belfort.query.vector_filter import NumericColumn, match_mask, numeric_column
from belfort.query.version_tables import ROW_NUMBER, VersionTables
from belfort.schema import TableSchema

T = TypeVar("T")


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    total: int | None
    elapsed_ms: float
    # groups withheld by an aggregation threshold (``disclosure``); a suppressed total keeps
    # its one row with every value None
    suppressed: int = 0

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


class QueryEngine:
    def __init__(
        self,
        versions_dir: Path,
        *,
        threads: int = 2,
        memory_limit: str = "1GB",
        timeout_seconds: float = 10.0,
        max_rows: int = 10_000,
        result_cache_bytes: int = 0,
        result_cache_max_rows: int = 0,
        version_tables_bytes: int = 0,
        export_timeout_seconds: float = 300.0,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.export_timeout_seconds = export_timeout_seconds
        self.streams_open = 0  # exports reading right now (``ResultStream``), for tests and health
        self.max_rows = max_rows
        self.results = ResultCache(result_cache_bytes, result_cache_max_rows)
        self._row_counts: ByteLRU[int] = ByteLRU(4 << 20, lambda _count: 256)  # path + count: ~256 bytes
        # rows a grant's row filter selects per version (aggregation thresholds; ~1 KiB each)
        self._populations: ByteLRU[int] = ByteLRU(4 << 20, lambda _count: 1024)
        self._watchdog = Watchdog()
        self._watchdog_lock = threading.Lock()
        # versions whose rows the result cache cannot hold (path → True; ~256 bytes each)
        self._unkept: ByteLRU[bool] = ByteLRU(4 << 20, lambda _flag: 256)
        # versions whose in-memory table could not be built (path → True)
        self._untabled: ByteLRU[bool] = ByteLRU(1 << 20, lambda _flag: 256)
        self._threads, self._memory_limit = threads, memory_limit
        self._db = duckdb.connect(
            config={"threads": threads, "memory_limit": memory_limit, "enable_object_cache": True}
        )
        allowed = str(versions_dir.resolve()).replace("'", "''") + "/"
        self._db.execute("SET TimeZone='UTC'")
        self._db.execute(f"SET allowed_directories=['{allowed}']")
        self._db.execute("SET enable_external_access=false")
        self._db.execute("SET lock_configuration=true")
        self.tables = VersionTables(version_tables_bytes, self._drop_table)
        # a small version's int64/double columns as numpy, for filters compared in memory
        # (``vector_filter``; path, field → the column, or False: not comparable there)
        self.compared_in_memory = 0  # filters answered by ``vector_filter`` (for tests)
        self._numeric: ByteLRU[NumericColumn | bool] = ByteLRU(
            version_tables_bytes, lambda c: c.nbytes + 256 if isinstance(c, NumericColumn) else 256
        )

    def close(self) -> None:
        self._watchdog.close()
        self.tables.clear()
        self._db.close()

    def _drop_table(self, name: str) -> None:
        cursor = self._db.cursor()
        try:
            cursor.execute(f"DROP TABLE IF EXISTS {quote_identifier(name)}")
        except duckdb.Error:  # closing: the database goes with its tables
            pass
        finally:
            cursor.close()

    def execute(
        self,
        query: Query,
        schema: TableSchema,
        path: Path,
        *,
        with_total: bool = False,
        timeout_seconds: float | None = None,
        disclosure: Disclosure | None = None,
    ) -> QueryResult:
        """Run ``query`` over one version file; ``with_total`` also counts all matches.

        With ``disclosure`` (an aggregation threshold, ``belfort.query.disclosure``) only
        aggregates are answered, small groups suppressed; row reads raise ``AggregatesOnly``."""
        started = time.perf_counter()
        if disclosure is not None:
            return self._disclosed(query, schema, path, disclosure, with_total, timeout_seconds, started)
        compiled = compile_query(query, schema, self.max_rows)
        page = self._materialised_page(query, schema, path, timeout_seconds)
        if page is None:
            page = self._filtered_page(query, schema, path, compiled.columns, timeout_seconds)
        if page is not None:
            rows, matches = page
            total = matches if with_total else None
        elif with_total and query.group_by:  # the page and the number of groups in one aggregation
            counted = self._run(compile_query(query, schema, self.max_rows, count_groups=True), path, timeout_seconds)
            rows = [row[:-1] for row in counted]
            total = counted[0][-1] if counted else None
            if total is None:  # past the last group
                total = self._run(compile_count(query, schema), path, timeout_seconds)[0][0]
        else:
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

    def _disclosed(
        self, query: Query, schema: TableSchema, path: Path, rule: Disclosure, with_total: bool,
        timeout_seconds: float | None, started: float,
    ) -> QueryResult:
        """``execute`` under an aggregation threshold: every group with its row count (one
        statement, kept like any answer), then suppression; the page is cut afterwards."""
        check_query(query, rule)
        page = compile_query(query, schema, self.max_rows)  # checks the page and the query
        counted, layout = counted_query(query)
        compiled = compile_query(counted, schema, max_rows=MAX_GROUPS + 1)
        # the released answer is kept under the question *and the rule*: never served under
        # another threshold, and a noised answer is the same when asked again (no averaging)
        key = ("disclosed", str(path), compiled.sql, tuple(repr(p) for p in compiled.params),
               rule.cache_key)
        kept: list[tuple[Any, ...]] | None = self.results.lookup(key)
        if kept is None:
            rows = self._run(compiled, path, timeout_seconds)
            check_groups(rows)
            filtered = None
            if query.where is not None and needs_filtered_count(query):
                plain = Query(where=query.where, timezone=query.timezone)
                filtered = self._run(compile_count(plain, schema), path, timeout_seconds)[0][0]

            def population() -> int:
                if rule.population is None:
                    return self.row_count(path)
                return self._population(rule, query, schema, path, timeout_seconds)

            released = release(query, rule, rows, layout, filtered, population)
            kept = [*released.rows, (released.suppressed,)]  # the last row: groups withheld
            self.results.put(key, kept)
        released_rows, suppressed = kept[:-1], int(kept[-1][0])
        limit = self.max_rows if query.limit is None else query.limit
        shown = released_rows[query.offset : query.offset + limit] if query.group_by else released_rows
        return QueryResult(
            columns=page.columns,
            rows=shown,
            total=len(released_rows) if with_total else None,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            suppressed=suppressed,
        )

    def _population(
        self, rule: Disclosure, query: Query, schema: TableSchema, path: Path, timeout_seconds: float | None
    ) -> int:
        """How many rows a grant's row filter selects in a version: counted once per version
        and filter and kept (like the file's row count: versions never change)."""
        assert rule.population is not None
        compiled = compile_count(Query(where=rule.population, timezone=query.timezone), schema)
        key = (str(path), compiled.sql, tuple(repr(p) for p in compiled.params))
        count = self._populations.get(key)
        if count is None:
            count = int(self._fetch(compiled, path, timeout_seconds)[0][0])
            self._populations.put(key, count)
        return count

    def _materialised_page(
        self, query: Query, schema: TableSchema, path: Path, timeout_seconds: float | None
    ) -> tuple[list[tuple[Any, ...]], int] | None:
        """(the page's rows, all matches) from the materialised result of a record
        listing over a small version, if cached or asked before (``result_cache``).

        Record ids are not part of a materialised result: each version's ids are
        computed once, in file order, and a page takes its ids by row number.
        """
        if not self._small_listing(query, path):
            return None
        ids_wanted = query.record_id_fields is not None
        listing = replace(
            query, limit=None, offset=0, record_id_fields=None,
            with_row_number=query.with_row_number or ids_wanted,
        )
        # the question's key: the version, the listing and the schema it is read with (their
        # reprs tell 1, 1.0 and True apart); compiled only when it is materialised
        key = ("table", str(path), repr(listing), repr(schema))
        table = self.results.get_or_build(
            key, lambda: self._run_arrow(compile_query(listing, schema, max_rows=2**62), path, timeout_seconds)
        )
        if table is None:
            return None
        page = table.slice(query.offset, self.max_rows if query.limit is None else query.limit)
        columns = [column.to_pylist() for column in page.columns]
        if ids_wanted:
            assert query.record_id_fields is not None
            ids = self._record_ids(path, schema, query.record_id_fields, timeout_seconds)
            row_numbers = page.column(ROW_NUMBER_COLUMN)
            if not query.with_row_number:
                columns.pop()  # the row number came last; the caller did not ask for it
            columns.append(ids.take(row_numbers).to_pylist())
        return list(zip(*columns, strict=True)), table.num_rows

    def _small_listing(self, query: Query, path: Path) -> bool:
        """A record listing (no grouping, no aggregates) over a version small enough to keep."""
        if not self.results.enabled or query.group_by:
            return False
        if any(isinstance(item.expr, Aggregate) for item in query.select):
            return False
        return self.row_count(path) <= self.results.max_rows

    def _filtered_page(
        self, query: Query, schema: TableSchema, path: Path, columns: list[str], timeout_seconds: float | None
    ) -> tuple[list[tuple[Any, ...]], int] | None:
        """(the page's rows, all matches) of a listing of plain fields over a small version,
        computed now: the page's row numbers and the number of matches come from reading
        only the filter and sort columns (one statement in file order, two when sorted),
        and the values and record ids are taken from the version by row number. Nothing
        about the question is kept (asked again, it is materialised: ``_materialised_page``).
        A version whose rows do not fit in the result cache takes the direct path."""
        if not self._small_listing(query, path) or self._unkept.get(str(path)):
            return None
        if any(not isinstance(item.expr, FieldRef) or item.alias for item in query.select):
            return None
        version = self._version_rows(path, schema, timeout_seconds)
        size = version.nbytes + 8 * version.num_rows  # the rows and their row numbers
        if any(f.name == ROW_NUMBER for f in schema.fields) or self._untabled.get(str(path)):
            size = self.tables.max_bytes + 1  # a row-number column would clash, or building failed: the file
        end = None if query.limit is None else query.offset + query.limit
        mask = None
        if not query.order_by and query.where is not None:
            mask = self._vector_mask(query, schema, path, version, timeout_seconds)
        if mask is not None:  # compared in memory: no statement, no table needed
            self.compared_in_memory += 1
            matches, numbers = _page_of_mask(mask, query.offset, end)
            return self._page_values(query, schema, path, version, columns, numbers, timeout_seconds), matches
        build = self._table_builder(path, schema, timeout_seconds)
        with self.tables.use(str(path), size, build) as table:
            if query.order_by:
                page = compile_page_rows(query, schema, self.max_rows, table)
                sorted_numbers = [row[0] for row in self._fetch(page, path, timeout_seconds)]
                matches = self._fetch(compile_matches(query, schema, table), path, timeout_seconds)[0][0]
                numbers = pa.array(sorted_numbers, type=pa.int64())
            else:  # file order: which records match, in one scan
                compiled_mask = compile_match_mask(query, schema, self.max_rows, table)  # checks limit and offset
                if query.where is None:  # every record: no statement
                    matched = np.arange(version.num_rows, dtype=np.int64)
                else:
                    matched = np.flatnonzero(self._match_mask(compiled_mask, path, timeout_seconds))
                matches = len(matched)
                numbers = pa.array(matched[query.offset : end], type=pa.int64())
        return self._page_values(query, schema, path, version, columns, numbers, timeout_seconds), matches

    def _page_values(
        self, query: Query, schema: TableSchema, path: Path, version: pa.Table, columns: list[str],
        numbers: pa.Array, timeout_seconds: float | None,
    ) -> list[tuple[Any, ...]]:
        """The rows of a page, by their row numbers, from the version's rows and ids."""
        fields = [n for n in columns if n not in (ROW_NUMBER_COLUMN, RECORD_ID_COLUMN)]
        values = version.select(fields).take(numbers) if fields else None  # one take for all
        out: list[list[Any]] = []
        for name in columns:
            if name == ROW_NUMBER_COLUMN:
                out.append(numbers.to_pylist())
            elif name == RECORD_ID_COLUMN:
                assert query.record_id_fields is not None
                ids = self._record_ids(path, schema, query.record_id_fields, timeout_seconds)
                out.append(ids.take(numbers).to_pylist())
            else:
                assert values is not None
                out.append(values.column(name).to_pylist())
        return list(zip(*out, strict=True))

    def _vector_mask(
        self, query: Query, schema: TableSchema, path: Path, version: pa.Table, timeout_seconds: float | None
    ) -> np.ndarray | None:
        """The filter of a file-order listing compared in memory (``vector_filter``), or
        None when it needs a statement. The limit and offset are checked as the statement's
        compilation checks them."""
        if not self.tables.enabled:
            return None
        check_window(query, self.max_rows)
        assert query.where is not None

        def column(name: str) -> NumericColumn | None:
            key = (str(path), name)
            found = self._numeric.get(key)
            if found is None:
                found = numeric_column(version.column(name)) or False
                self._numeric.put(key, found)
            return found if isinstance(found, NumericColumn) else None

        return match_mask(query.where, schema, column, version.num_rows)

    def _match_mask(self, compiled: CompiledQuery, path: Path, timeout_seconds: float | None) -> np.ndarray:
        mask = self._within_timeout(
            lambda cursor: cursor.execute(compiled.sql, _bind(compiled, path)).fetchnumpy()[MATCH_COLUMN],
            timeout_seconds,
        )
        return np.asarray(mask, dtype=bool)

    def _table_builder(self, path: Path, schema: TableSchema, timeout_seconds: float | None) -> Callable[[str], bool]:
        def build(name: str) -> bool:
            """Create the version's table; an engine error (say, DuckDB out of memory) is not
            the request's fault: the version is read from its file from now on."""
            try:
                self._fetch(compile_version_table(schema, name), path, timeout_seconds)
            except QueryError:
                self._untabled.put(str(path), True)
                return False
            return True

        return build

    def _version_rows(self, path: Path, schema: TableSchema, timeout_seconds: float | None) -> pa.Table:
        """Every value of a small version, in file order, read once (kept with the results)."""
        compiled = compile_version_rows(schema)
        key = ("version-rows", str(path), compiled.sql)
        table = self.results.get_or_build(key, lambda: self._run_arrow(compiled, path, timeout_seconds), admit_now=True)
        assert table is not None
        if self.results.get(key) is None:  # larger than the whole cache: not read again per request
            self._unkept.put(str(path), True)
        return table

    def _record_ids(
        self, path: Path, schema: TableSchema, fields: tuple[str, ...], timeout_seconds: float | None
    ) -> pa.ChunkedArray:
        compiled = compile_record_ids(schema, fields)
        table = self.results.get_or_build(
            ("record-ids", str(path), compiled.sql),
            lambda: self._run_arrow(compiled, path, timeout_seconds),
            admit_now=True,
        )
        assert table is not None
        return table.column(0)

    def row_count(self, path: Path) -> int:
        """Rows in a version file (from its footer; versions never change)."""
        count = self._row_counts.get(str(path))
        if count is None:
            count = pq.ParquetFile(path).metadata.num_rows
            self._row_counts.put(str(path), count)
        return int(count)

    def record_timestamps(self, times_path: Path, rows: list[int]) -> dict[int, Any]:
        """``_record_timestamp`` of the given row numbers, from a version's record-times file."""
        if not rows:
            return {}
        if self.results.enabled and self.row_count(times_path) <= self.results.max_rows:
            column = self.results.get_or_build(
                ("record-times", str(times_path)),
                lambda: self._within_timeout(
                    lambda cursor: cursor.sql(
                        "SELECT _record_timestamp FROM read_parquet($1)", params=[str(times_path)]
                    ).to_arrow_table(),
                    None,
                ),
                admit_now=True,
            )
            assert column is not None
            times = column.column(0)
            wanted = [int(r) for r in rows if 0 <= int(r) < len(times)]
            return dict(zip(wanted, times.take(pa.array(wanted, pa.int64())).to_pylist(), strict=True))
        found = self._within_timeout(
            lambda cursor: cursor.execute(
                "SELECT file_row_number, _record_timestamp "
                "FROM read_parquet($1, file_row_number = true) WHERE file_row_number IN "
                "(SELECT unnest($2::BIGINT[]))",
                [str(times_path), [int(r) for r in rows]],
            ).fetchall(),
            None,
        )
        return dict(found)

    def stream(
        self, query: Query, schema: TableSchema, path: Path, *, batch_rows: int = 50_000,
        timeout_seconds: float | None = None, disclosure: Disclosure | None = None,
    ) -> ResultStream:
        """All matching rows as Arrow batches, without the row limit (for exports), within
        ``timeout_seconds`` (default: the export budget) from now. Nothing runs until the
        first batch (or the schema) is asked for; ``ResultStream.cancel`` stops it. Under
        an aggregation threshold (``disclosure``) exports are row reads: refused."""
        if disclosure is not None:
            raise AggregatesOnly("only aggregates may be read from this dataset: no exports")
        compiled = compile_query(query, schema, max_rows=2**62)
        if query.limit is None:
            compiled.sql = compiled.sql.rsplit(" LIMIT ", 1)[0] + f" OFFSET {int(query.offset)}"
            compiled.params = compiled.params[:-2]
        budget = self.export_timeout_seconds if timeout_seconds is None else timeout_seconds
        return ResultStream(self, compiled.columns, compiled.sql, _bind(compiled, path), budget, batch_rows)

    def _stream_cursor(self, seconds: float, stop: Callable[[], object]) -> tuple[duckdb.DuckDBPyConnection, int]:
        """A cursor for a ``ResultStream`` and the watchdog's alarm calling ``stop`` after
        ``seconds`` (``_stream_closed`` gives both back)."""
        with self._watchdog_lock:
            self.streams_open += 1
        return self._db.cursor(), self._watchdog.arm(max(seconds, 0.001), stop)

    def _stream_closed(self, cursor: duckdb.DuckDBPyConnection, alarm: int) -> None:
        self._watchdog.disarm(alarm)
        cursor.close()
        with self._watchdog_lock:
            self.streams_open -= 1

    def _run(
        self, compiled: CompiledQuery, path: Path, timeout_seconds: float | None
    ) -> list[tuple[Any, ...]]:
        """Execute and fetch everything within the timeout (or the same answer, kept)."""
        key = ("rows", str(path), compiled.sql, tuple(repr(p) for p in compiled.params))
        rows: list[tuple[Any, ...]] | None = self.results.lookup(key)
        if rows is None:
            rows = self._fetch(compiled, path, timeout_seconds)
            self.results.put(key, rows)
        return rows

    def profile(
        self, measures: list[Measure], schema: TableSchema, path: Path, *, examples: int,
        timeout_seconds: float | None = None, timezone: str | None = None,
    ) -> Profile:
        """Count the failing rows of every measure over one version in one scan, then fetch
        a few examples of each measure that has failing rows (``belfort.query.profile``), all
        within ``timeout_seconds``. Nothing is kept: a profile runs once per version."""
        return self._profile(self._db, measures, schema, path, examples=examples,
                             timeout_seconds=timeout_seconds, timezone=timezone)

    def profile_staged(
        self, measures: list[Measure], schema: TableSchema, path: Path, *, examples: int,
        timeout_seconds: float | None = None, timezone: str | None = None,
    ) -> Profile:
        """``profile`` of a file not published yet (an ingest's staged version, for the
        publication gate, ``belfort.quality.gate``): on a throw-away connection with this
        engine's thread and memory limits that may read only the file's own directory —
        nothing else on disk or network — closed at once."""
        db = duckdb.connect(config={"threads": self._threads, "memory_limit": self._memory_limit})
        try:
            allowed = str(path.parent.resolve()).replace("'", "''") + "/"
            db.execute("SET TimeZone='UTC'")
            db.execute(f"SET allowed_directories=['{allowed}']")
            db.execute("SET enable_external_access=false")
            db.execute("SET lock_configuration=true")
            return self._profile(db, measures, schema, path, examples=examples,
                                 timeout_seconds=timeout_seconds, timezone=timezone)
        finally:
            db.close()

    def _profile(
        self, db: duckdb.DuckDBPyConnection, measures: list[Measure], schema: TableSchema,
        path: Path, *, examples: int, timeout_seconds: float | None, timezone: str | None,
    ) -> Profile:
        compiled = compile_profile(measures, schema, examples=examples, timezone=timezone)
        timeout = self.timeout_seconds if timeout_seconds is None else timeout_seconds
        deadline = time.perf_counter() + timeout
        row = self._fetch(compiled.statement, path, timeout, db)[0]
        failing = dict(zip(compiled.keys, row[1:], strict=True))
        example_rows: dict[str, list[tuple[Any, ...]]] = {}
        duplicate_rows: dict[str, list[tuple[Any, ...]]] = {}

        def left() -> float:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise QueryTimeout(f"profile stopped after {timeout:g} s")
            return remaining

        for key, statement in compiled.examples.items():
            if failing.get(key):
                example_rows[key] = self._fetch(statement, path, left(), db)
        for key, statement in compiled.duplicates.items():  # the count and examples of a key
            duplicate_rows[key] = self._fetch(statement, path, left(), db)
        return read_profile(compiled, row, measures, example_rows, duplicate_rows)

    def _fetch(self, compiled: CompiledQuery, path: Path, timeout_seconds: float | None,
               db: duckdb.DuckDBPyConnection | None = None) -> list[tuple[Any, ...]]:
        """Execute and fetch everything within the timeout (nothing kept)."""
        return self._within_timeout(
            lambda cursor: cursor.execute(compiled.sql, _bind(compiled, path)).fetchall(), timeout_seconds,
            db,
        )

    def _run_arrow(self, compiled: CompiledQuery, path: Path, timeout_seconds: float | None) -> pa.Table:
        return self._within_timeout(
            lambda cursor: cursor.sql(compiled.sql, params=_bind(compiled, path)).to_arrow_table(),
            timeout_seconds,
        )

    def _within_timeout(self, work: Callable[[duckdb.DuckDBPyConnection], T], timeout_seconds: float | None,
                        db: duckdb.DuckDBPyConnection | None = None) -> T:
        """``work`` on a fresh cursor (of ``db``, else the engine's connection), interrupted
        after the timeout; engine errors → typed."""
        timeout = self.timeout_seconds if timeout_seconds is None else timeout_seconds
        cursor = (db or self._db).cursor()
        alarm = self._watchdog.arm(timeout, cursor.interrupt) if timeout else None
        try:
            return work(cursor)
        except duckdb.InterruptException:
            raise QueryTimeout(f"query stopped after {timeout:g} s") from None
        except duckdb.Error as exc:
            raise QueryError(_clean_message(exc)) from None
        finally:
            if alarm is not None:
                self._watchdog.disarm(alarm)
            cursor.close()


def _page_of_mask(mask: np.ndarray, offset: int, end: int | None) -> tuple[int, pa.Array]:
    """(how many records match, the row numbers of matches ``offset``..``end``) of a mask:
    the count without listing every match, the positions from the shortest prefix of the
    mask that holds the page (a page near the start costs a fraction of the version)."""
    matches = int(np.count_nonzero(mask))
    if end is None or end >= matches:
        numbers = np.flatnonzero(mask)[offset:end]
    else:
        prefix = 4096
        while int(np.count_nonzero(mask[:prefix])) < end:
            prefix *= 4
        numbers = np.flatnonzero(mask[:prefix])[offset:end]
    return matches, pa.array(numbers, type=pa.int64())


class Watchdog:
    """One thread that runs an action (interrupting a cursor) when its deadline passes,
    unless disarmed first: a timeout without starting a thread per query."""

    def __init__(self) -> None:
        self._wake = threading.Condition()
        self._deadlines: list[tuple[float, int]] = []
        self._armed: dict[int, Callable[[], object]] = {}
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def arm(self, seconds: float, action: Callable[[], object]) -> int:
        token = next(self._tokens)
        with self._wake:
            self._armed[token] = action
            heapq.heappush(self._deadlines, (time.monotonic() + seconds, token))
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="query-watchdog", daemon=True)
                self._thread.start()
            elif self._deadlines[0][1] == token:
                self._wake.notify()  # the new deadline is the nearest
        return token

    def disarm(self, token: int) -> None:
        with self._wake:
            self._armed.pop(token, None)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._armed.clear()
            self._wake.notify()

    def _watch(self) -> None:
        while True:
            due: list[Callable[[], object]] = []
            with self._wake:
                if self._closed:
                    return
                now = time.monotonic()
                while self._deadlines and (
                    self._deadlines[0][0] <= now or self._deadlines[0][1] not in self._armed
                ):
                    _, token = heapq.heappop(self._deadlines)
                    action = self._armed.pop(token, None)
                    if action is not None:
                        due.append(action)
                if not due:
                    wait = self._deadlines[0][0] - now if self._deadlines else None
                    self._wake.wait(wait)
                    continue
            for action in due:
                try:
                    action()
                except Exception:  # noqa: BLE001 - the cursor may have closed meanwhile
                    pass


def _bind(compiled: CompiledQuery, path: Path) -> list[Any]:
    return [str(path) if p is SOURCE else p for p in compiled.params]
