"""The Spark backend's time limit (``BELFORT_SPARK_TIMEOUT_SECONDS``) on a real ``local[2]``
session and through a real Spark Connect server (``tests/spark_connect.py``): a statement
still running at its deadline is interrupted (its Spark jobs cancelled, the session free for
the next question) and ends as ``QueryTimeout`` (503); the setting, or else the caller's
timeout, sets the deadline of a whole question. An unreachable Spark Connect server is a
quick ``SparkUnavailable``."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.errors import QueryTimeout, SparkUnavailable
from belfort.platform import make_engine
from belfort.query.compiler import CompiledQuery
from belfort.query.model import Query
from belfort.query.spark import (
    Deadline,
    SparkEngine,
    SparkRouting,
    _connect_session,
    start_session,
)
from belfort.schema import TableSchema
from belfort.settings import Settings
from tests.spark_connect import connect_session, connect_url, free_port
from tests.spark_session import spark_session

pytest.importorskip("pyspark", reason="the spark extra is part of the test extra")

# minutes of work for local[2]: only an interrupt ends it within the test's bounds
ENDLESS = CompiledQuery(sql="SELECT sum(id % 7) AS s FROM range(0, 400000000000, 1, 4)",
                        params=[], columns=["s"])
QUICK = CompiledQuery(sql="SELECT count(*) AS n FROM range(0, 1000)", params=[], columns=["n"])
# ENDLESS's shape on a few rows: planned and compiled once, so that ENDLESS is running (not
# still being planned) at its deadline. A Spark Connect server that is interrupted while it
# plans can still start the statement's stage afterwards, with no operation left to
# interrupt (docs/spark.md, "Known limit"): a cold server plans for more than a second.
WARM = CompiledQuery(sql="SELECT sum(id % 7) AS s FROM range(0, 1000, 1, 4)", params=[],
                     columns=["s"])


@pytest.fixture(scope="module", params=["local", "connect"])
def spark(request: pytest.FixtureRequest) -> SparkEngine:
    """Spark in this process (job groups) and through a real Spark Connect server
    (operation tags, ``interruptTag``)."""
    if request.param == "connect":
        engine = SparkEngine(connect_url(), max_rows=10_000, session=connect_session())
    else:
        engine = SparkEngine("local[2]", max_rows=10_000, session=spark_session())
    assert engine.run(WARM, Path()) == [(2997,)]
    return engine


def _connect(spark: SparkEngine) -> bool:
    return type(spark.session).__module__.startswith("pyspark.sql.connect")


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
    if _connect(spark):
        # the server's jobs are gone: local[2]'s two cores would still be busy with the
        # interrupted statement's tasks for minutes, and the next one would wait for them
        quick = time.monotonic()
        assert spark.run(QUICK, tmp_path, Deadline(time.monotonic() + 30, 30)) == [(1000,)]
        assert time.monotonic() - quick < 30
        assert spark.session.getTags() == set()  # no tag left over from the interrupted one
        assert spark.run(QUICK, tmp_path) == [(1000,)]
        return
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
    strict = SparkEngine(spark.url, session=spark.session, timeout_seconds=1e-9)
    with pytest.raises(QueryTimeout, match="on Spark"):
        strict.execute(query, schema, path, timeout_seconds=60)  # the setting wins


def test_the_platform_passes_the_setting_to_spark(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", spark_url="local[2]",
                        spark_timeout_seconds=7.5)
    engine = make_engine(tmp_path, settings)
    assert isinstance(engine, SparkRouting) and engine.spark.timeout_seconds == 7.5
    assert Settings(data_dir=tmp_path / "data").spark_timeout_seconds == 120.0


def test_an_unreachable_spark_connect_server_is_unavailable_at_once(tmp_path: Path) -> None:
    """Nothing listening, or something that is no Spark Connect server: 503
    ``spark_unavailable`` with the reason within seconds (the client alone would retry for
    minutes); a later question tries again."""
    closed = free_port()  # bound, then released: nothing listens there
    engine = SparkEngine(f"sc://127.0.0.1:{closed}", timeout_seconds=5)
    query, schema = Query(limit=1), TableSchema.from_dict({"fields": []})
    for _ in range(2):  # no session is kept from a failed start
        started = time.monotonic()
        with pytest.raises(SparkUnavailable, match=f"127.0.0.1:{closed} is unreachable") as err:
            engine.execute(query, schema, tmp_path / "v.parquet")
        assert time.monotonic() - started < 10
        assert err.value.http_status == 503 and err.value.code == "spark_unavailable"
        assert engine._session is None
    with socket.socket() as mute:  # accepts and closes: not a Spark Connect server
        mute.bind(("127.0.0.1", 0))
        mute.listen(8)
        stop = threading.Event()

        def refuse() -> None:
            mute.settimeout(0.2)
            while not stop.is_set():
                try:
                    mute.accept()[0].close()
                except OSError:
                    pass

        thread = threading.Thread(target=refuse, daemon=True)
        thread.start()
        started = time.monotonic()
        try:
            with pytest.raises(SparkUnavailable, match="could not be started"):
                start_session(f"sc://127.0.0.1:{mute.getsockname()[1]}")
        finally:
            stop.set()
            thread.join()
        assert time.monotonic() - started < 30
    with pytest.raises(SparkUnavailable, match="no valid port"):
        start_session("sc://127.0.0.1:notaport")


def test_a_lost_spark_connect_session_is_replaced_by_the_next_question(tmp_path: Path) -> None:
    """The server went away (or was restarted, which ends its sessions): that question is
    503 ``spark_unavailable`` within seconds, and the next one makes a new session."""
    closed = free_port()
    lost = _connect_session(f"sc://127.0.0.1:{closed}")  # no server behind it any more
    engine = SparkEngine(connect_url(), session=lost)
    started = time.monotonic()
    with pytest.raises(SparkUnavailable, match="Spark failed"):
        engine.run(QUICK, tmp_path)
    assert time.monotonic() - started < 30
    assert engine._session is None
    assert engine.run(QUICK, tmp_path) == [(1000,)]  # a new session on the engine's URL
    assert engine._session is not None and engine._session is not lost
    engine.close()  # its own session: closed while the server still runs
    assert engine._session is None
