"""The query engine's Spark backend: the same ``Query`` run by Apache Spark.

For versions too big for one machine (``BELFORT_SPARK_MIN_ROWS``) or datasets named in
``BELFORT_SPARK_DATASETS``, ``SparkRouting`` (the platform's engine when
``BELFORT_SPARK_URL`` is set) sends ``execute`` here instead of to DuckDB. Everything
else (exports, profiles, record ids, the result cache) stays on DuckDB.

The question is compiled by ``belfort.query.spark_compiler`` to Spark SQL with named
parameter markers over the version's Parquet file; answers come back as Python values
of the same types as DuckDB's (moments in UTC with their zone, whole numbers as ``int``).
The gate's restrictions reach Spark as they reach DuckDB: a row filter or field subset is
a restricted version file (``belfort.policy.restricted``) and an aggregation threshold is
the ``disclosure`` argument, applied by the same functions (``belfort.query.disclosure``).

``pyspark`` is an optional dependency (the ``spark`` extra) and needs a Java 17 runtime;
the session is made on first use: ``local[N]`` runs Spark in this process's JVM,
``sc://host:15002`` talks to a Spark Connect server, ``spark://…``/``yarn`` a cluster.
The cluster must see the lake's ``versions/`` directory at the same path (a shared file
system), see docs/spark.md.

Time limit: a question gets ``BELFORT_SPARK_TIMEOUT_SECONDS`` (else the caller's timeout, as
on DuckDB) for all its Spark statements together. Each statement runs in a job group of its
own (``SparkContext.setJobGroup``, thread-local, ``interruptOnCancel``; through Spark Connect an
operation tag, ``SparkSession.addTag``); from the deadline on a timer cancels that group
(``cancelJobGroup``; Connect: ``interruptTag``) every ``CANCEL_EVERY`` seconds until the
statement returns — a statement may still be planning, its job not yet started, when the
deadline comes — and the question ends with ``QueryTimeout`` (503), also when the answer came
back just after the deadline.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from belfort.cache import ByteLRU
from belfort.errors import BelfortError, QueryError, QueryTimeout, SparkUnavailable
from belfort.query.compiler import CompiledQuery, compile_query
from belfort.query.disclosure import (
    MAX_GROUPS,
    Disclosure,
    check_groups,
    check_query,
    counted_query,
    needs_filtered_count,
    release,
)
from belfort.query.engine import QueryEngine, QueryResult
from belfort.query.model import Query, RecordIdIs
from belfort.query.spark_compiler import SPARK_SOURCE, compile_spark_count, compile_spark_query
from belfort.schema import TableSchema

CANCEL_EVERY = 0.2  # seconds between cancellations of a statement past its deadline
CONNECT_PROBE_SECONDS = 5.0  # a Spark Connect server that does not accept within this is down
CONNECT_RETRIES = 3  # Spark Connect's client retries (its default waits ~10 minutes in all)
DERIVED_DIR = "_derived"  # restricted copies of versions (``belfort.lake.store.DERIVED_DIR``)


def start_session(url: str, *, app_name: str = "belfort", shuffle_partitions: int = 4) -> Any:
    """A SparkSession on ``url`` (``local[2]``, ``sc://…``, ``spark://…``), in UTC, with
    nothing fetched at run time (no packages, no Ivy)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkUnavailable("pyspark is not installed (pip install 'belfort[spark]')") from None
    connect = url.startswith("sc://")
    if connect:
        _probe_connect(url)
    try:
        if connect:
            session = _connect_session(url)
        else:
            session = (
                SparkSession.builder.appName(app_name).master(url)
                .config("spark.ui.enabled", "false")
                .config("spark.jars.packages", "")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
                .getOrCreate()
            )
        session.conf.set("spark.sql.session.timeZone", "UTC")
        session.conf.set("spark.sql.ansi.enabled", "false")  # NULL, not an error, on x / 0
    except Exception as exc:  # the JVM or the cluster: any failure means "not available"
        raise SparkUnavailable(
            f"Spark at {url[:80]!r} could not be started: {str(exc)[:200]}"
        ) from None
    return session


def connect_address(url: str) -> tuple[str, int]:
    """The host and port of ``sc://host:port/;param=…`` (Spark Connect's default port 15002)."""
    rest = url[len("sc://"):].split("/", 1)[0].split(";", 1)[0]
    host, _, port = rest.rpartition(":") if ":" in rest else (rest, "", "15002")
    try:
        number = int(port)
    except ValueError:
        raise SparkUnavailable(f"Spark Connect URL {url[:80]!r} has no valid port") from None
    return host.strip("[]") or "localhost", number


def _probe_connect(url: str) -> None:
    """Refuse at once when nothing accepts at a Spark Connect server's address: its
    client would otherwise retry for minutes."""
    host, port = connect_address(url)
    try:
        with socket.create_connection((host, port), timeout=CONNECT_PROBE_SECONDS):
            pass
    except OSError as exc:
        raise SparkUnavailable(
            f"Spark Connect server at {host[:60]}:{port} is unreachable: "
            f"{(exc.strerror or type(exc).__name__)[:100]}"
        ) from None


def _connect_session(url: str) -> Any:
    """A Spark Connect session of its own on ``url`` (not the process's default session,
    which ``getOrCreate`` would hand back whatever the URL), with a few quick retries when
    the server goes away rather than the client's default of minutes.

    gRPC's fork support is turned off (unless ``GRPC_ENABLE_FORK_SUPPORT`` says otherwise)
    before gRPC is loaded: with it, every process forked from this one (the SPARQL workers)
    restarts gRPC's poller threads, which abort the worker once it closes the descriptors it
    inherited (``epoll_wait error: Bad file descriptor``). Belfort never uses gRPC in a
    forked process, so it needs no fork support."""
    os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
    from pyspark.sql.connect.client.retries import DefaultPolicy
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    session = ConnectSession(connection=url)
    session.client.set_retry_policies(
        [DefaultPolicy(max_retries=CONNECT_RETRIES, max_backoff=2000)]
    )
    return session


def is_connect(session: Any) -> bool:
    """A Spark Connect session (not a classic one in this process's JVM)."""
    return type(session).__module__.startswith("pyspark.sql.connect")


def parquet_source(path: Path) -> str:
    """A Parquet file as a Spark SQL relation (its path backquoted)."""
    text = str(path.resolve())
    return "parquet.`" + text.replace("`", "``") + "`"


def python_value(value: Any) -> Any:
    """A value from Spark as DuckDB gives it: moments aware in UTC (Spark hands naive
    datetimes in the process's local zone), decimals as floats."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.astimezone(UTC)
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "asDict"):  # a struct (geopoint): a dict, as DuckDB gives
        return {k: python_value(v) for k, v in value.asDict().items()}
    if isinstance(value, list):
        return [python_value(v) for v in value]
    return value


@dataclasses.dataclass(frozen=True)
class Deadline:
    """When a question's Spark statements must have finished (``time.monotonic()``)."""

    at: float
    seconds: float

    def error(self) -> QueryTimeout:
        return QueryTimeout(f"query stopped after {self.seconds:g} s on Spark")


class _JobGroup:
    """One statement's jobs, to be cancelled from another thread: a job group on a classic
    session (the calling thread's local property), an operation tag through Spark Connect."""

    def __init__(self, session: Any, name: str) -> None:
        self.session = session
        self.name = name
        self.connect = is_connect(session)

    def enter(self) -> None:
        if self.connect:
            self.session.addTag(self.name)
        else:
            self.session.sparkContext.setJobGroup(self.name, "belfort question",
                                                  interruptOnCancel=True)

    def cancel(self) -> None:
        try:
            if self.connect:
                self.session.interruptTag(self.name)
            else:
                self.session.sparkContext.cancelJobGroup(self.name)
        except Exception:  # the statement ended meanwhile, or the session is gone
            pass

    def leave(self) -> None:
        if self.connect:
            self.session.removeTag(self.name)
        else:  # the thread's next statement is in no group (or its own)
            self.session.sparkContext.setLocalProperty("spark.jobGroup.id", None)
            self.session.sparkContext.setLocalProperty("spark.job.interruptOnCancel", None)


class SparkEngine:
    """``execute`` as ``QueryEngine.execute``, on Spark. Thread-safe; one session."""

    def __init__(self, url: str, *, max_rows: int = 10_000, session: Any = None,
                 timeout_seconds: float = 0.0) -> None:
        self.url = url
        self.max_rows = max_rows
        self.timeout_seconds = timeout_seconds  # > 0: this, not the caller's, limits a question
        self.interrupted = 0  # statements stopped at their deadline (tests, /metrics)
        self._session = session
        self._lock = threading.Lock()
        self._row_counts: ByteLRU[int] = ByteLRU(1 << 20, lambda _count: 256)  # path → rows

    @property
    def session(self) -> Any:
        with self._lock:
            if self._session is None:
                self._session = start_session(self.url)
            return self._session

    def run(self, compiled: CompiledQuery, path: Path, deadline: Deadline | None = None
            ) -> list[tuple[Any, ...]]:
        """The statement's rows; with a ``deadline``: interrupted then, and QueryTimeout."""
        sql = compiled.sql.replace(SPARK_SOURCE, parquet_source(path))
        args = compiled.params[0] if compiled.params else {}
        session = self.session
        if deadline is None:
            return self._collect(session, sql, args)
        remaining = deadline.at - time.monotonic()
        if remaining <= 0:
            raise deadline.error()
        group = _JobGroup(session, f"belfort-{uuid.uuid4().hex}")
        expired = threading.Event()
        finished = threading.Event()

        def interrupt() -> None:
            expired.set()
            while not finished.is_set():  # again until it returns: its job may start later
                group.cancel()
                finished.wait(CANCEL_EVERY)

        timer = threading.Timer(remaining, interrupt)
        timer.daemon = True
        group.enter()
        timer.start()
        try:
            rows = self._collect(session, sql, args)
        except BelfortError:
            if expired.is_set():
                self.interrupted += 1
                raise deadline.error() from None
            raise
        finally:
            finished.set()
            timer.cancel()
            group.leave()
        if expired.is_set():  # the answer came, but too late
            raise deadline.error()
        return rows

    def _collect(self, session: Any, sql: str, args: dict[str, Any]) -> list[tuple[Any, ...]]:
        try:
            rows = session.sql(sql, args=args).collect()
        except BelfortError:
            raise
        except Exception as exc:
            error = _spark_error(exc)
            if isinstance(error, SparkUnavailable) and is_connect(session):
                self._forget(session)
            raise error from None
        return [tuple(python_value(v) for v in row) for row in rows]

    def _forget(self, session: Any) -> None:
        """A Spark Connect server gone (or restarted, which ends its sessions): the next
        question makes a new session rather than failing for good."""
        with self._lock:
            if self._session is session:
                self._session = None

    def close(self) -> None:
        """Close a Spark Connect session's channel now, while gRPC's threads still run: left
        to the interpreter's exit, closing it can wait forever once the server has gone. A
        session in this process's JVM is left to that JVM (the tests share one)."""
        with self._lock:
            session, self._session = self._session, None
        if session is not None and is_connect(session):
            try:
                session.client.close()
            except Exception:  # closing is best effort: the server may be gone already
                pass

    def row_count(self, path: Path) -> int:
        count = self._row_counts.get(str(path))
        if count is None:  # versions never change: counted once
            count = int(self.run(compile_spark_count(Query(), TableSchema(())), path)[0][0])
            self._row_counts.put(str(path), count)
        return count

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
        """Run ``query`` over one version file on Spark (see ``QueryEngine.execute``)."""
        started = time.perf_counter()
        limit = self.timeout_seconds if self.timeout_seconds > 0 else (timeout_seconds or 0.0)
        deadline = Deadline(time.monotonic() + limit, limit) if limit > 0 else None
        if disclosure is not None:
            return self._disclosed(query, schema, path, disclosure, with_total, started,
                                   deadline)
        compiled = compile_spark_query(query, schema, self.max_rows)
        rows = self.run(compiled, path, deadline)
        total = None
        if with_total:
            total = int(self.run(compile_spark_count(query, schema), path, deadline)[0][0])
        return QueryResult(
            columns=compiled.columns,
            rows=rows,
            total=total,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )

    def _disclosed(
        self,
        query: Query,
        schema: TableSchema,
        path: Path,
        rule: Disclosure,
        with_total: bool,
        started: float,
        deadline: Deadline | None = None,
    ) -> QueryResult:
        """As ``QueryEngine._disclosed`` (without its answer cache): every group with its
        row count, the population rule, suppression; the page is cut afterwards."""
        check_query(query, rule)
        page = compile_query(query, schema, self.max_rows)  # the same checks as on DuckDB
        counted, layout = counted_query(query)
        rows = self.run(compile_spark_query(counted, schema, max_rows=MAX_GROUPS + 1), path,
                        deadline)
        check_groups(rows)
        filtered = None
        if query.where is not None and needs_filtered_count(query):
            plain = Query(where=query.where, timezone=query.timezone)
            filtered = int(self.run(compile_spark_count(plain, schema), path, deadline)[0][0])

        def population() -> int:
            if rule.population is None:
                return self.row_count(path)
            counted_rows = compile_spark_count(
                Query(where=rule.population, timezone=query.timezone), schema
            )
            return int(self.run(counted_rows, path, deadline)[0][0])

        released = release(query, rule, rows, layout, filtered, population)
        limit = self.max_rows if query.limit is None else query.limit
        shown = (
            released.rows[query.offset : query.offset + limit] if query.group_by else released.rows
        )
        return QueryResult(
            columns=page.columns,
            rows=list(shown),
            total=len(released.rows) if with_total else None,
            elapsed_ms=(time.perf_counter() - started) * 1000,
            suppressed=released.suppressed,
        )


def _needs_record_ids(query: Query) -> bool:
    """The question asks for record ids or filters on one (answered by DuckDB only)."""
    if query.record_id_fields is not None:
        return True
    pending: list[Any] = [query.where]
    while pending:
        item = pending.pop()
        if isinstance(item, RecordIdIs):
            return True
        if isinstance(item, tuple):
            pending.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            pending.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return False


def _spark_error(exc: Exception) -> BelfortError:
    """Spark's analysis errors (a type Spark refuses) are the query's fault; the rest is
    the cluster's."""
    name = type(exc).__name__
    message = str(exc).split("\n")[0][:300]
    if name in {
        "AnalysisException",
        "ParseException",
        "IllegalArgumentException",
        "ArithmeticException",
        "NumberFormatException",
        "DateTimeException",
    }:
        return QueryError(f"Spark refused the query: {message}")
    return SparkUnavailable(f"Spark failed: {message}")


class SparkRouting(QueryEngine):
    """The DuckDB engine, with ``execute`` sent to Spark for big versions (at least
    ``min_rows`` rows) and for the datasets in ``datasets`` (their versions live under
    ``versions/<dataset>/``). ``min_rows`` 0: never by size."""

    def __init__(
        self,
        versions_dir: Path,
        spark: SparkEngine,
        *,
        min_rows: int = 0,
        datasets: frozenset[str] = frozenset(),
        **duckdb_options: Any,
    ) -> None:
        super().__init__(versions_dir, **duckdb_options)
        self.spark = spark
        self.min_rows = min_rows
        self.datasets = datasets
        self.sent_to_spark = 0  # for tests and /metrics
        self._versions_dir = versions_dir.resolve()

    def close(self) -> None:
        super().close()
        self.spark.close()

    def dataset_of(self, path: Path) -> str | None:
        """The dataset a version file belongs to: ``versions/<dataset>/…``, or for a
        restricted copy ``versions/_derived/<dataset>/…``."""
        try:
            parts = path.resolve().relative_to(self._versions_dir).parts
        except ValueError:
            return None
        if parts and parts[0] == DERIVED_DIR:
            parts = parts[1:]
        return parts[0] if len(parts) > 1 else None

    def on_spark(self, path: Path, query: Query | None = None) -> bool:
        if query is not None and _needs_record_ids(query):
            return False  # ids are DuckDB's hash of a record: they must not change with the engine
        if self.datasets and self.dataset_of(path) in self.datasets:
            return True
        return self.min_rows > 0 and self.row_count(path) >= self.min_rows

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
        if self.on_spark(path, query):
            self.sent_to_spark += 1
            return self.spark.execute(
                query,
                schema,
                path,
                with_total=with_total,
                timeout_seconds=timeout_seconds,
                disclosure=disclosure,
            )
        return super().execute(
            query,
            schema,
            path,
            with_total=with_total,
            timeout_seconds=timeout_seconds,
            disclosure=disclosure,
        )


__all__ = ["QueryError", "SparkEngine", "SparkRouting", "start_session"]
