"""The Spark backend's time limit (``BELFORT_SPARK_TIMEOUT_SECONDS``) on a real ``local[2]``
session: a statement still running at its deadline is interrupted (its Spark jobs cancelled,
the session free for the next question) and ends as ``QueryTimeout`` (503); the setting, or
else the caller's timeout, sets the deadline of a whole question."""

from __future__ import annotations

import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.errors import QueryTimeout
from belfort.platform import make_engine
from belfort.query.compiler import CompiledQuery
from belfort.query.model import Query
from belfort.query.spark import Deadline, SparkEngine, SparkRouting
from belfort.schema import TableSchema
from belfort.settings import Settings
from tests.spark_session import spark_session

pytest.importorskip("pyspark", reason="the spark extra is part of the test extra")

# minutes of work for local[2]: only an interrupt ends it within the test's bounds
ENDLESS = CompiledQuery(sql="SELECT sum(id % 7) AS s FROM range(0, 400000000000, 1, 4)",
                        params=[], columns=["s"])
QUICK = CompiledQuery(sql="SELECT count(*) AS n FROM range(0, 1000)", params=[], columns=["n"])


@pytest.fixture(scope="module")
def spark() -> SparkEngine:
    return SparkEngine("local[2]", max_rows=10_000, session=spark_session())


def _active_jobs(spark: SparkEngine) -> list[int]:
    return list(spark.session.sparkContext.statusTracker().getActiveJobsIds())


def test_a_statement_running_at_its_deadline_is_interrupted_and_the_session_serves_on(
        spark: SparkEngine, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="1.5 s on Spark"):
        spark.run(ENDLESS, tmp_path, Deadline(time.monotonic() + 1.5, 1.5))
    took = time.monotonic() - started
    assert 1.4 < took < 20, took  # ended by the interrupt, not by finishing
    assert spark.interrupted == 1
    for _ in range(100):  # the cancelled jobs leave the scheduler
        if not _active_jobs(spark):
            break
        time.sleep(0.1)
    assert _active_jobs(spark) == []
    # the next statements run normally, in no group left over from the interrupted one
    assert spark.run(QUICK, tmp_path, Deadline(time.monotonic() + 60, 60)) == [(1000,)]
    assert spark.run(QUICK, tmp_path) == [(1000,)]
    assert spark.session.sparkContext.getLocalProperty("spark.jobGroup.id") is None


def test_the_setting_or_else_the_callers_timeout_limits_a_whole_question(
        spark: SparkEngine, tmp_path: Path) -> None:
    path = tmp_path / "v.parquet"
    pq.write_table(pa.table({"n": list(range(50))}), path)
    schema = TableSchema.from_dict({"fields": [{"name": "n", "type": "integer"}]})
    query = Query(limit=5)
    answer = spark.execute(query, schema, path, with_total=True, timeout_seconds=60)
    assert answer.total == 50 and len(answer.rows) == 5
    # a limit already spent: refused before Spark is asked (the caller's, then the setting's)
    with pytest.raises(QueryTimeout):
        spark.execute(query, schema, path, timeout_seconds=1e-9)
    strict = SparkEngine("local[2]", session=spark.session, timeout_seconds=1e-9)
    with pytest.raises(QueryTimeout, match="on Spark"):
        strict.execute(query, schema, path, timeout_seconds=60)  # the setting wins


def test_the_platform_passes_the_setting_to_spark(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", spark_url="local[2]",
                        spark_timeout_seconds=7.5)
    engine = make_engine(tmp_path, settings)
    assert isinstance(engine, SparkRouting) and engine.spark.timeout_seconds == 7.5
    assert Settings(data_dir=tmp_path / "data").spark_timeout_seconds == 120.0
