"""The process's metrics in Prometheus's text format (``GET /metrics``, docs/deployment.md).

Labels only ever take values from fixed sets — a route *family* (``family_of``), an HTTP
method, a status class, a cache store, an outcome — never a dataset id, a path, a key or
anything else a request chose, so the figures cannot leak a restricted dataset's name and
their number of series stays bounded.

``belfort serve --workers N`` runs N processes: it points ``PROMETHEUS_MULTIPROC_DIR`` at an
empty directory of its own before the workers start (``prepare_multiprocess``), every worker
writes its figures there, and ``render`` adds up all of them, so a scrape reaching any
worker sees the whole node. With one worker the figures are the process's own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)  # this process's figures (one worker)

HTTP_REQUESTS = Counter(
    "belfort_http_requests", "HTTP requests answered, by route family, method and status class",
    ("family", "method", "status"), registry=REGISTRY)
HTTP_DURATION = Histogram(
    "belfort_http_request_duration_seconds",
    "Time from a request's arrival to its answer's last byte, by route family",
    ("family",), registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0))
HTTP_IN_FLIGHT = Gauge(
    "belfort_http_requests_in_flight", "Requests being answered now",
    registry=REGISTRY, multiprocess_mode="livesum")
CACHE_LOOKUPS = Counter(
    "belfort_cache_lookups", "Requests that consulted a store of kept answers (Cache-Status), "
    "by store and result (hit: a kept answer served it; miss: it was computed)",
    ("store", "result"), registry=REGISTRY)
INGESTED_VERSIONS = Counter(
    "belfort_ingest_versions", "Versions written by ingests in this process",
    ("published",), registry=REGISTRY)
INGESTED_ROWS = Counter(
    "belfort_ingest_rows", "Rows of the versions written by ingests in this process",
    registry=REGISTRY)
QUALITY_GATE_BLOCKED = Counter(
    "belfort_quality_gate_blocked", "Publications refused by the publication gate (quality below "
    "the classification's minimum, not overridden) in this process", registry=REGISTRY)
OBSERVATIONS = Counter(
    "belfort_observations", "Sensor observations received on any channel, by outcome "
    "(stored, duplicate, refused)", ("outcome",), registry=REGISTRY)
QUEUE_DEPTH = Gauge(
    "belfort_queue_depth", "Items waiting in a queue of the process, by queue",
    ("queue",), registry=REGISTRY, multiprocess_mode="livesum")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OPERATIONS_PATHS = frozenset({"/health", "/ready", "/metrics"})
# (path prefix, family), first match wins; anything else under /api/ is "api", else "portal"
_PREFIXES = (
    ("/api/records/1.0/", "ods_v1"),
    ("/api/datasets/1.0/", "ods_v1"),
    ("/api/explore/v2.1/", "ods_v2_1"),
    ("/api/belfort/v1/sensors", "sensors"),
    ("/api/belfort/v1/observations", "sensors"),
    ("/iot/", "sensors"),
    ("/sta/", "sensorthings"),
    ("/api/belfort/v1/", "native"),
    ("/sparql", "sparql"),
    ("/ldes/", "ldes"),
    ("/catalog", "dcat"),
    ("/static/", "static"),
    ("/staff", "staff"),
    ("/api/", "api"),
)
FAMILIES = frozenset({f for _, f in _PREFIXES} | {"operations", "openapi", "events", "portal"})


def family_of(path: str) -> str:
    """The route family of a request path: one of ``FAMILIES``, whatever the path."""
    if path in OPERATIONS_PATHS:
        return "operations"
    if path == "/openapi.json":
        return "openapi"
    if path.endswith("/events"):  # server-sent events: long-lived, kept apart
        return "events"
    for prefix, family in _PREFIXES:
        if path.startswith(prefix):
            return family
    return "portal"


def method_label(method: str) -> str:
    return method if method in METHODS else "other"


def status_class(status: int) -> str:
    return f"{status // 100}xx" if 100 <= status <= 599 else "other"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def render() -> bytes:
    """The figures in Prometheus's text format: every worker's, added up, when the workers
    share a ``PROMETHEUS_MULTIPROC_DIR``; else this process's."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def prepare_multiprocess(workers: int) -> Path | None:
    """Before ``workers`` (> 1) processes start: an empty directory for their figures, named
    in ``PROMETHEUS_MULTIPROC_DIR`` (kept when the operator set one; emptied then). The
    caller removes it with ``cleanup_multiprocess`` after the workers stop."""
    if workers <= 1:
        return None
    given = multiprocess_dir()
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # figures of an earlier run would be added up
            stale.unlink(missing_ok=True)
        return None
    made = Path(tempfile.mkdtemp(prefix="belfort-metrics-"))
    os.environ[MULTIPROC_ENV] = str(made)
    return made


def cleanup_multiprocess(made: Path | None) -> None:
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)
        os.environ.pop(MULTIPROC_ENV, None)


def process_exiting() -> None:
    """A worker stopping: its gauges (in flight, queue depths) no longer count."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(os.getpid())
