"""``QueryEngine.stream`` for exports: lazy, within its own budget, stoppable from another
thread (``belfort.query.streams``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.errors import QueryCancelled, QueryError, QueryTimeout
from belfort.query.engine import QueryEngine
from belfort.query.model import FieldRef, Like, Or, Query
from belfort.query.streams import SLICE_ROWS
from belfort.schema import Field, TableSchema

SCHEMA = TableSchema((Field("nr", "integer"), Field("straat", "string")))
ROWS = 600_000
# matches nothing, and costs every row 150 pattern matches before the first batch exists
HEAVY = Query(where=Or(tuple(Like(FieldRef("straat"), f"%{i}x%") for i in range(150))), limit=None)


@pytest.fixture(scope="module")
def version(tmp_path_factory: pytest.TempPathFactory) -> Path:
    versions = tmp_path_factory.mktemp("versions")
    numbers = np.arange(ROWS)
    streets = np.char.add("straat ", (numbers % 9973).astype(str))
    table = pa.table({"nr": numbers, "straat": streets})
    # row groups of one converted batch, as the lake writes them (DuckDB notices an
    # interrupt between row groups)
    pq.write_table(table, versions / "v.parquet", row_group_size=65_536)
    return versions / "v.parquet"


@pytest.fixture
def engine(version: Path) -> Iterator[QueryEngine]:
    engine = QueryEngine(version.parent, timeout_seconds=0.05, export_timeout_seconds=60)
    yield engine
    engine.close()


def test_whole_result_in_slices_beyond_the_page_timeout(engine: QueryEngine, version: Path) -> None:
    stream = engine.stream(Query(limit=None), SCHEMA, version)
    assert engine.streams_open == 0  # nothing runs before it is read
    assert stream.schema.names == ["nr", "straat"]
    sizes = [batch.num_rows for batch in stream.batches]
    assert sum(sizes) == ROWS and max(sizes) <= SLICE_ROWS
    assert engine.streams_open == 0 and stream.started


def test_budget_interrupts_the_query(engine: QueryEngine, version: Path) -> None:
    stream = engine.stream(HEAVY, SCHEMA, version, timeout_seconds=0.3)
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="BELFORT_EXPORT_TIMEOUT_SECONDS"):
        list(stream.batches)
    assert time.monotonic() - started < 2.0
    assert engine.streams_open == 0


def test_cancel_from_another_thread(engine: QueryEngine, version: Path) -> None:
    stream = engine.stream(HEAVY, SCHEMA, version)
    threading.Timer(0.3, stream.cancel).start()
    started = time.monotonic()
    with pytest.raises(QueryCancelled):
        list(stream.batches)
    assert time.monotonic() - started < 2.0
    assert engine.streams_open == 0


def test_cancel_between_slices(engine: QueryEngine, version: Path) -> None:
    stream = engine.stream(Query(limit=None), SCHEMA, version)
    batches = iter(stream.batches)
    next(batches)
    stream.cancel()
    with pytest.raises(QueryCancelled):
        next(batches)
    assert engine.streams_open == 0


def test_closed_before_reading_gives_nothing_back(engine: QueryEngine, version: Path) -> None:
    stream = engine.stream(Query(limit=None), SCHEMA, version)
    stream.close()
    stream.close()
    with pytest.raises(QueryCancelled):
        next(iter(stream.batches))
    assert engine.streams_open == 0


def test_engine_errors_are_typed(engine: QueryEngine, version: Path) -> None:
    stream = engine.stream(Query(limit=None), SCHEMA, version.with_name("missing.parquet"))
    with pytest.raises(QueryError) as raised:
        list(stream.batches)
    assert "missing.parquet" not in str(raised.value)  # no file paths in messages
    assert engine.streams_open == 0
