"""A first-seen page of a small version (``QueryEngine._filtered_page``): exactly the page a
direct query gives, nothing kept about the question, look-ups of kept answers counted; and
the watchdog that interrupts runaway queries."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.query.engine import QueryEngine, Watchdog
from belfort.query.model import (
    And,
    Compare,
    FieldRef,
    Literal,
    OrderItem,
    Query,
    SelectItem,
)
from belfort.query.result_cache import PER_VERSION
from belfort.schema import Field, TableSchema

SCHEMA = TableSchema(
    (
        Field("sensor", "string"),
        Field("aantal", "integer"),
        Field("tijdstip", "datetime"),
        Field("bezetting", "number"),
    )
)
ROWS = 5000


@pytest.fixture
def version(tmp_path: Path) -> tuple[Path, Path]:
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "counts.parquet"
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    sensors = ["Korenmarkt", "Veldstraat", "Graslei", None]
    pq.write_table(
        pa.table(
            {
                "sensor": [sensors[i % 4] for i in range(ROWS)],
                "aantal": [None if i % 97 == 0 else (i * 7919) % 50 for i in range(ROWS)],
                "tijdstip": pa.array(
                    [start + dt.timedelta(hours=i) for i in range(ROWS)],
                    pa.timestamp("us", tz="UTC"),
                ),
                "bezetting": [((i * 31) % 100) / 100 for i in range(ROWS)],
            }
        ),
        path,
        row_group_size=1500,
    )  # several row groups: file order must hold across them
    return versions, path


QUESTIONS = [
    Query(),
    Query(where=Compare(">=", FieldRef("bezetting"), Literal(0.37))),
    Query(where=Compare("=", FieldRef("sensor"), Literal("Graslei"))),
    Query(
        where=Compare(">", FieldRef("aantal"), Literal(48)),
        order_by=(OrderItem(FieldRef("aantal"), descending=True),),
    ),
    Query(
        where=Compare(">=", FieldRef("bezetting"), Literal(0.5)),
        order_by=(OrderItem(FieldRef("sensor")), OrderItem(FieldRef("tijdstip"), descending=True)),
    ),
    Query(
        select=(SelectItem(FieldRef("tijdstip")), SelectItem(FieldRef("sensor"))),
        where=And(
            (
                Compare("<", FieldRef("aantal"), Literal(3)),
                Compare("!=", FieldRef("sensor"), Literal("Korenmarkt")),
            )
        ),
    ),
    Query(where=Compare(">", FieldRef("aantal"), Literal(1000))),  # nothing matches
]
# questions whose filter is compared in memory (``vector_filter``) when tables are on: no
# statement and no in-memory DuckDB table for them
IN_MEMORY = {1, 6}
WINDOWS = [(0, 10), (7, 3), (990, 10), (0, 1000), (4990, 20), (6000, 10), (3, 0)]


@pytest.mark.parametrize("tables", [0, 64 << 20], ids=["file", "in-memory table"])
@pytest.mark.parametrize("question", range(len(QUESTIONS)))
def test_first_seen_pages_equal_direct_pages(
    version: tuple[Path, Path], question: int, tables: int
) -> None:
    versions, path = version
    direct = QueryEngine(versions, max_rows=1000)  # no result cache: compiled query and count
    try:
        for start, rows in WINDOWS:
            for ids in (None, ("sensor", "tijdstip"), ()):
                # a fresh engine: the question is new to it (asked again, it would be materialised)
                engine = QueryEngine(
                    versions,
                    max_rows=1000,
                    result_cache_bytes=64 << 20,
                    result_cache_max_rows=10_000,
                    version_tables_bytes=tables,
                )
                try:
                    query = QUESTIONS[question]
                    query = Query(
                        select=query.select,
                        where=query.where,
                        order_by=query.order_by,
                        limit=rows,
                        offset=start,
                        with_row_number=ids is None,
                        record_id_fields=ids,
                    )
                    want = direct.execute(query, SCHEMA, path, with_total=True)
                    got = engine.execute(query, SCHEMA, path, with_total=True)
                    assert (got.columns, got.total) == (want.columns, want.total), (
                        start,
                        rows,
                        ids,
                    )
                    assert got.rows == want.rows, (start, rows, ids)
                    # nothing about the question was kept: only the version's rows and record ids
                    kinds = {key[0] for key in engine.results._entries}
                    assert "version-rows" in kinds and kinds <= PER_VERSION, kinds
                    assert engine.results.hits == 0 and engine.results.misses == 1
                    held = engine._db.execute("SELECT count(*) FROM duckdb_tables()").fetchone()
                    compared_in_memory = bool(tables) and question in IN_MEMORY
                    expected_tables = 1 if tables and not compared_in_memory else 0
                    assert held == (len(engine.tables),) == (expected_tables,)
                    assert (engine.compared_in_memory > 0) == compared_in_memory
                finally:
                    engine.close()
    finally:
        direct.close()


def test_a_repeated_question_is_a_counted_hit(version: tuple[Path, Path]) -> None:
    versions, path = version
    engine = QueryEngine(
        versions, max_rows=1000, result_cache_bytes=64 << 20, result_cache_max_rows=10_000
    )
    query = Query(where=Compare(">=", FieldRef("bezetting"), Literal(0.25)), limit=10, offset=20)
    try:
        first = engine.execute(query, SCHEMA, path, with_total=True)
        assert (engine.results.hits, engine.results.misses) == (0, 1)
        second = engine.execute(query, SCHEMA, path, with_total=True)  # materialised now
        assert engine.results.hits == 0
        third = engine.execute(query, SCHEMA, path, with_total=True)  # a slice of the kept result
        assert engine.results.hits == 1
        assert (
            first.rows == second.rows == third.rows and first.total == second.total == third.total
        )
    finally:
        engine.close()


def test_a_large_version_takes_the_direct_path(version: tuple[Path, Path]) -> None:
    versions, path = version
    engine = QueryEngine(
        versions, max_rows=1000, result_cache_bytes=64 << 20, result_cache_max_rows=ROWS - 1
    )
    try:
        result = engine.execute(
            Query(where=Compare(">", FieldRef("aantal"), Literal(45)), limit=5),
            SCHEMA,
            path,
            with_total=True,
        )
        assert len(result.rows) == 5 and result.total is not None
        assert not any(key[0] == "version-rows" for key in engine.results._entries)
    finally:
        engine.close()


def test_watchdog_runs_due_actions_only() -> None:
    watchdog = Watchdog()
    fired: list[str] = []
    done = threading.Event()
    try:
        kept = watchdog.arm(30, lambda: fired.append("late"))
        cancelled = watchdog.arm(0.05, lambda: fired.append("cancelled"))
        watchdog.disarm(cancelled)
        watchdog.arm(0.1, lambda: (fired.append("due"), done.set()))
        assert done.wait(5)
        time.sleep(0.1)
        assert fired == ["due"]
        watchdog.disarm(kept)
    finally:
        watchdog.close()


def test_grouped_page_and_its_number_of_groups_in_one_aggregation(
    version: tuple[Path, Path],
) -> None:
    from belfort.query.compiler import compile_count, compile_query
    from belfort.query.model import Aggregate

    versions, path = version
    engine = QueryEngine(versions, max_rows=1000)
    grouped = Query(
        select=(
            SelectItem(FieldRef("sensor")),
            SelectItem(FieldRef("aantal")),
            SelectItem(Aggregate("count"), "n"),
        ),
        where=Compare(">=", FieldRef("bezetting"), Literal(0.2)),
        group_by=(SelectItem(FieldRef("sensor")), SelectItem(FieldRef("aantal"))),
        order_by=(
            OrderItem(FieldRef("n"), descending=True),
            OrderItem(FieldRef("sensor")),
            OrderItem(FieldRef("aantal")),
        ),
    )
    try:
        groups = engine._fetch(compile_count(grouped, SCHEMA), path, None)[0][0]
        everything = engine._fetch(compile_query(grouped, SCHEMA, 1000), path, None)
        assert groups == len(everything) > 50
        for start, rows in ((0, 10), (37, 5), (groups - 2, 10), (groups + 5, 10)):
            query = Query(**{**grouped.__dict__, "limit": rows, "offset": start})
            result = engine.execute(query, SCHEMA, path, with_total=True)
            assert result.total == groups
            assert result.rows == everything[start : start + rows]
            assert result.columns == ["sensor", "aantal", "n"]
            assert engine.execute(query, SCHEMA, path).total is None
    finally:
        engine.close()


def test_a_version_too_large_for_the_cache_is_read_once_then_takes_the_direct_path(
    version: tuple[Path, Path],
) -> None:
    versions, path = version
    engine = QueryEngine(
        versions, max_rows=1000, result_cache_bytes=50_000, result_cache_max_rows=10_000
    )
    direct = QueryEngine(versions, max_rows=1000)
    reads: list[str] = []
    original = engine._run_arrow

    def counting(compiled, p, timeout):  # type: ignore[no-untyped-def]
        reads.append(compiled.sql)
        return original(compiled, p, timeout)

    engine._run_arrow = counting  # type: ignore[method-assign]
    try:
        for i in range(3):
            query = Query(
                where=Compare(">=", FieldRef("bezetting"), Literal(i / 10)),
                limit=5,
                offset=i,
                with_row_number=True,
            )
            got = engine.execute(query, SCHEMA, path, with_total=True)
            want = direct.execute(query, SCHEMA, path, with_total=True)
            assert (got.rows, got.total) == (want.rows, want.total)
        assert (
            sum("ORDER BY file_row_number" in sql for sql in reads) == 1
        )  # the version's rows: once
    finally:
        engine.close()
        direct.close()
