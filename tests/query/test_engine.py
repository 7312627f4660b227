from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.errors import QueryError, QueryTimeout
from belfort.query.engine import QueryEngine
from belfort.query.model import (
    Aggregate,
    Compare,
    FieldRef,
    IsNull,
    Literal,
    OrderItem,
    Query,
    SelectItem,
)
from belfort.schema import Field, TableSchema

SCHEMA = TableSchema(
    (Field("sensor", "string"), Field("aantal", "integer"), Field("tijdstip", "datetime"))
)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[QueryEngine, Path]:
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "counts.parquet"
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    sensors = ["Korenmarkt", "Veldstraat", "Graslei"]
    table = pa.table(
        {
            "sensor": [sensors[i % 3] for i in range(3000)],
            "aantal": [None if i % 100 == 0 else i % 50 for i in range(3000)],
            "tijdstip": pa.array(
                [start + dt.timedelta(hours=i) for i in range(3000)], pa.timestamp("us", tz="UTC")
            ),
        }
    )
    pq.write_table(table, path)
    engine = QueryEngine(versions, timeout_seconds=5, max_rows=1000)
    yield engine, path
    engine.close()


def test_filter_order_limit_and_total(setup: tuple[QueryEngine, Path]) -> None:
    engine, path = setup
    result = engine.execute(
        Query(
            where=Compare(">=", FieldRef("aantal"), Literal("45")),
            order_by=(OrderItem(FieldRef("tijdstip"), descending=True),),
            limit=5,
        ),
        SCHEMA,
        path,
        with_total=True,
    )
    assert result.total == sum(1 for i in range(3000) if i % 100 and i % 50 >= 45)
    assert len(result.rows) == 5
    times = [r["tijdstip"] for r in result.records()]
    assert times == sorted(times, reverse=True)
    assert times[0].tzinfo is not None and times[0].utcoffset() == dt.timedelta(0)


def test_group_by_with_aggregates(setup: tuple[QueryEngine, Path]) -> None:
    engine, path = setup
    result = engine.execute(
        Query(
            select=(
                SelectItem(FieldRef("sensor")),
                SelectItem(Aggregate("count")),
                SelectItem(Aggregate("count", FieldRef("aantal"))),
                SelectItem(Aggregate("sum", FieldRef("aantal")), alias="totaal"),
                SelectItem(Aggregate("max", FieldRef("aantal"))),
            ),
            group_by=(SelectItem(FieldRef("sensor")),),
            order_by=(OrderItem(FieldRef("sensor")),),
        ),
        SCHEMA,
        path,
        with_total=True,
    )
    assert result.columns == ["sensor", "count(*)", "count(aantal)", "totaal", "max(aantal)"]
    assert result.total == 3
    by_sensor = {r["sensor"]: r for r in result.records()}
    expected = sum(i % 50 for i in range(0, 3000, 3) if i % 100)
    assert by_sensor["Korenmarkt"]["totaal"] == expected
    assert by_sensor["Korenmarkt"]["count(*)"] == 1000
    assert by_sensor["Korenmarkt"]["count(aantal)"] == 1000 - sum(1 for i in range(0, 3000, 3) if i % 100 == 0)


def test_null_filter(setup: tuple[QueryEngine, Path]) -> None:
    engine, path = setup
    result = engine.execute(Query(where=IsNull(FieldRef("aantal"))), SCHEMA, path, with_total=True)
    assert result.total == 30


def test_row_limit_is_enforced(setup: tuple[QueryEngine, Path]) -> None:
    engine, path = setup
    with pytest.raises(QueryError, match="maximum"):
        engine.execute(Query(limit=5000), SCHEMA, path)
    assert len(engine.execute(Query(), SCHEMA, path).rows) == 1000  # default = the maximum


def test_runaway_query_is_interrupted(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "big.parquet"
    pq.write_table(pa.table({"x": pa.array(range(3_000_000), pa.int64())}), path)
    schema = TableSchema((Field("x", "integer"),))
    engine = QueryEngine(versions, timeout_seconds=0.05, max_rows=10)
    heavy = Query(
        select=(SelectItem(Aggregate("count", FieldRef("x"), distinct=True)),
                SelectItem(Aggregate("median", FieldRef("x"))),
                SelectItem(Aggregate("percentile", FieldRef("x"), param=90))),
    )
    with pytest.raises(QueryTimeout):
        for _ in range(20):  # a single run may finish inside 50 ms on a quiet machine
            engine.execute(heavy, schema, path)
    engine.close()


def test_engine_cannot_read_outside_the_versions_directory(setup: tuple[QueryEngine, Path], tmp_path: Path) -> None:
    engine, _ = setup
    outside = tmp_path / "secret.parquet"
    pq.write_table(pa.table({"sensor": ["geheim"]}), outside)
    with pytest.raises(QueryError):
        engine.execute(Query(), TableSchema((Field("sensor", "string"),)), outside)
    cursor = engine._db.cursor()
    with pytest.raises(Exception, match="disabled by configuration"):
        cursor.execute("SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(Exception, match="configuration"):
        cursor.execute("SET enable_external_access=true")


def test_stream_has_no_row_limit(setup: tuple[QueryEngine, Path]) -> None:
    engine, path = setup
    stream = engine.stream(Query(limit=None), SCHEMA, path, batch_rows=1000)
    assert stream.columns == ["sensor", "aantal", "tijdstip"]
    assert sum(b.num_rows for b in stream.batches) == 3000


def test_record_ids_are_stable_and_addressable(setup: tuple[QueryEngine, Path], tmp_path: Path) -> None:
    from belfort.query.model import RECORD_ID_COLUMN, ROW_NUMBER_COLUMN, RecordIdIs

    engine, path = setup
    rows = engine.execute(Query(limit=3, offset=5, with_row_number=True, record_id_fields=("sensor", "tijdstip")),
                          SCHEMA, path).records()
    assert [r[ROW_NUMBER_COLUMN] for r in rows] == [5, 6, 7]
    ids = [r[RECORD_ID_COLUMN] for r in rows]
    assert len(set(ids)) == 3 and all(len(i) == 40 for i in ids)
    # the same record in a reordered copy of the file keeps its id
    reordered = path.with_name("reordered.parquet")
    table = pq.read_table(path)
    pq.write_table(table.take(list(range(len(table)))[::-1]), reordered)
    found = engine.execute(Query(where=RecordIdIs(ids[1], ("sensor", "tijdstip")),
                                 record_id_fields=("sensor", "tijdstip")), SCHEMA, reordered).records()
    assert len(found) == 1 and found[0][RECORD_ID_COLUMN] == ids[1] and found[0]["tijdstip"] == rows[1]["tijdstip"]
    with pytest.raises(QueryError, match="record identity"):
        engine.execute(Query(select=(SelectItem(Aggregate("count")),), with_row_number=True), SCHEMA, path)
