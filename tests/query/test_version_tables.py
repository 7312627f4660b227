"""Small versions held as DuckDB in-memory tables (``belfort.query.version_tables``): built
once per version, bounded in bytes, dropped when evicted but never under a running
statement; the engine answers the same from a table as from the file."""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.query.engine import QueryEngine
from belfort.query.model import (
    And,
    Arithmetic,
    Compare,
    FieldRef,
    IsNull,
    Literal,
    OrderItem,
    Query,
)
from belfort.query.version_tables import VersionTables
from belfort.schema import Field, TableSchema


class Recorder:
    def __init__(self) -> None:
        self.built: list[str] = []
        self.dropped: list[str] = []

    def build(self, name: str) -> bool:
        self.built.append(name)
        return True

    def drop(self, name: str) -> None:
        self.dropped.append(name)


def test_built_once_then_reused() -> None:
    rec = Recorder()
    tables = VersionTables(1000, rec.drop)
    with tables.use("a", 100, rec.build) as first:
        pass
    with tables.use("a", 100, rec.build) as second:
        pass
    assert first == second and rec.built == [first] and rec.dropped == []
    assert (len(tables), tables.size_bytes) == (1, 100)


def test_off_or_too_large_reads_the_file() -> None:
    rec = Recorder()
    with VersionTables(0, rec.drop).use("a", 1, rec.build) as name:
        assert name is None
    with VersionTables(1000, rec.drop).use("a", 1001, rec.build) as name:
        assert name is None
    assert rec.built == []


def test_least_recently_used_dropped_within_the_budget() -> None:
    rec = Recorder()
    tables = VersionTables(250, rec.drop)
    names = {}
    for version in ("a", "b", "a", "c"):  # "a" used again: "b" is the oldest when "c" comes
        with tables.use(version, 100, rec.build) as name:
            names[version] = name
    assert rec.dropped == [names["b"]]
    assert (len(tables), tables.size_bytes) == (2, 200)


def test_an_evicted_table_is_dropped_only_after_its_last_reader() -> None:
    rec = Recorder()
    tables = VersionTables(150, rec.drop)
    with tables.use("a", 100, rec.build) as old:
        with tables.use("b", 100, rec.build):  # evicts "a" while it is read
            assert rec.dropped == []
        with tables.use("a", 100, rec.build) as again:  # "a" built anew, under another name
            assert again != old
        assert old not in rec.dropped
    assert rec.dropped.count(old) == 1 and again not in rec.dropped


def test_one_thread_builds_while_others_wait() -> None:
    rec = Recorder()
    started = threading.Barrier(8)

    def slow_build(name: str) -> bool:
        threading.Event().wait(0.05)
        return rec.build(name)

    tables = VersionTables(1000, rec.drop)
    seen: list[str | None] = []

    def read() -> None:
        started.wait()
        with tables.use("a", 100, slow_build) as name:
            seen.append(name)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(rec.built) == 1 and seen == rec.built * 8


def test_a_failed_build_is_not_held() -> None:
    rec = Recorder()
    tables = VersionTables(1000, rec.drop)

    def failing(name: str) -> bool:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError), tables.use("a", 100, failing):
        pass
    assert len(tables) == 0
    with tables.use("a", 100, lambda name: False) as name:  # the builder could not make it
        assert name is None
    assert len(tables) == 0
    with tables.use("a", 100, rec.build) as name:
        assert name is not None


SCHEMA = TableSchema((Field("sensor", "string"), Field("bezetting", "number")))


def _versions(tmp_path: Path, count: int) -> tuple[Path, list[Path]]:
    versions = tmp_path / "versions"
    versions.mkdir()
    paths = []
    for v in range(count):
        path = versions / f"v{v}.parquet"
        pq.write_table(
            pa.table(
                {
                    "sensor": [None if i % 11 == 0 else f"s{i * (v + 3) % 7}" for i in range(3000)],
                    "bezetting": [((i * 37 + v) % 100) / 100 for i in range(3000)],
                }
            ),
            path,
            row_group_size=700,
        )
        paths.append(path)
    return versions, paths


def _STATEMENT(numbers: Compare) -> And:  # noqa: N802 - reads as a marker
    """A filter that needs DuckDB's statement (``vector_filter`` leaves IS NULL to it), so
    that these tests exercise the tables, not the comparison in memory."""
    return And((numbers, IsNull(FieldRef("sensor"), negated=True)))


def test_engine_drops_tables_beyond_its_budget_and_answers_the_same(tmp_path: Path) -> None:
    versions, paths = _versions(tmp_path, 3)
    direct = QueryEngine(versions, max_rows=1000)
    # room for the result cache, but for one version's table only (each ~66 KB)
    engine = QueryEngine(
        versions, max_rows=1000, result_cache_bytes=64 << 20, result_cache_max_rows=10_000,
        version_tables_bytes=100_000,
    )
    try:
        for round_ in range(2):
            for i, path in enumerate(paths):
                for order in ((), (OrderItem(FieldRef("sensor"), descending=True),)):
                    threshold = 0.1 * i + 0.01 * round_ + 0.003
                    query = Query(
                        where=_STATEMENT(Compare(">=", FieldRef("bezetting"), Literal(threshold))),
                        order_by=order, limit=7, offset=40, with_row_number=True,
                    )
                    got = engine.execute(query, SCHEMA, path, with_total=True)
                    want = direct.execute(query, SCHEMA, path, with_total=True)
                    assert (got.rows, got.total) == (want.rows, want.total)
                    held = engine._db.execute("SELECT count(*) FROM duckdb_tables()").fetchone()
                    assert held == (1,) and len(engine.tables) == 1
        assert engine.results.hits == 0  # every question was new: nothing about one was kept
    finally:
        engine.close()
        direct.close()


@pytest.mark.parametrize("mode", ["file", "in-memory table", "compared in memory"])
def test_file_order_holds_across_row_groups(tmp_path: Path, mode: str) -> None:
    """A page in file order is taken from the matches in the order the engine returns
    them: checked against row numbers computed here, with matches spread over several
    Parquet row groups and several DuckDB row groups (122,880 rows each). ``k + 0 = 7``
    needs a statement; ``k = 7`` is compared in memory when tables are on."""
    tables = 0 if mode == "file" else 64 << 20
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "wide.parquet"
    rows = 400_000
    pq.write_table(pa.table({"k": pa.array([i % 300 for i in range(rows)], pa.int64())}), path,
                   row_group_size=50_000)
    schema = TableSchema((Field("k", "integer"),))
    expected = [i for i in range(rows) if i % 300 == 7]
    engine = QueryEngine(versions, max_rows=2000, threads=2, result_cache_bytes=64 << 20,
                         result_cache_max_rows=rows, version_tables_bytes=tables)
    try:
        for start, count in ((0, 2000), (700, 600), (1330, 10)):
            plain = mode == "compared in memory"
            k = FieldRef("k") if plain else Arithmetic("+", FieldRef("k"), Literal(0))
            query = Query(where=Compare("=", k, Literal(7)), limit=count, offset=start,
                          with_row_number=True)
            got = engine.execute(query, schema, path, with_total=True)
            assert got.total == len(expected)
            assert [row[-1] for row in got.rows] == expected[start : start + count]
        assert len(engine.tables) == (1 if mode == "in-memory table" else 0)
        assert (engine.compared_in_memory > 0) == (mode == "compared in memory")
    finally:
        engine.close()


def test_a_table_the_engine_cannot_build_falls_back_to_the_file(tmp_path: Path) -> None:
    versions, paths = _versions(tmp_path, 1)
    engine = QueryEngine(versions, max_rows=1000, result_cache_bytes=64 << 20,
                         result_cache_max_rows=10_000, version_tables_bytes=64 << 20)
    direct = QueryEngine(versions, max_rows=1000)
    builds: list[str] = []
    original = engine._fetch

    def failing_create(compiled, path, timeout):  # type: ignore[no-untyped-def]
        if compiled.sql.startswith("CREATE TABLE"):
            builds.append(compiled.sql)
            from belfort.errors import QueryError

            raise QueryError("Out of Memory Error: could not allocate block")
        return original(compiled, path, timeout)

    engine._fetch = failing_create  # type: ignore[method-assign]
    try:
        for i in range(3):
            where = _STATEMENT(Compare(">=", FieldRef("bezetting"), Literal(0.2 + i / 10)))
            query = Query(where=where, limit=5, with_row_number=True)
            got = engine.execute(query, SCHEMA, paths[0], with_total=True)
            want = direct.execute(query, SCHEMA, paths[0], with_total=True)
            assert (got.rows, got.total) == (want.rows, want.total)
        assert len(builds) == 1 and len(engine.tables) == 0  # tried once, then the file
    finally:
        engine.close()
        direct.close()
