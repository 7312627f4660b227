"""The platform object: the one place that holds a process's shared resources.

There is no global mutable state outside it: the HTTP app, the CLI and the tests
each build a ``Platform`` from ``Settings`` and pass it down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import select

from belfort.cache import AnswerCache, Generation, SharedGeneration
from belfort.catalog.database import Database
from belfort.catalog.models import Version
from belfort.errors import LakeUnavailable
from belfort.lake.objects import LakeLocation, ObjectStore
from belfort.lake.store import Lake
from belfort.query.engine import QueryEngine
from belfort.query.spark import SparkEngine, SparkRouting
from belfort.settings import Settings
from belfort.usage import UsageCounter

T = TypeVar("T")
log = logging.getLogger("belfort.lake")


def open_lake(settings: Settings, *, check: bool = True) -> Lake:
    """The lake the settings name: the data directory, with the object store of
    ``BELFORT_LAKE_URL`` when set (``check``: its bucket and credentials are tried now, so
    bad settings fail at start-up with LakeSettingsInvalid; an unreachable store does not
    stop the start, the readiness check reports it)."""
    remote = None
    if settings.lake_url:
        secret = settings.lake_secret_key.get_secret_value() if settings.lake_secret_key else None
        remote = ObjectStore(LakeLocation.parse(settings.lake_url),
                             endpoint_url=settings.lake_endpoint_url, region=settings.lake_region,
                             access_key=settings.lake_access_key, secret_key=secret,
                             timeout_seconds=settings.lake_timeout_seconds)
        if check:
            try:
                remote.check_bucket()
            except LakeUnavailable as exc:
                log.warning("the lake's object store: %s", exc.message)
    return Lake(settings.data_dir, remote, settings.lake_cache_mb * 1024 * 1024)


def make_engine(versions_dir: Path, settings: Settings, **options: Any) -> QueryEngine:
    """DuckDB; with ``BELFORT_SPARK_URL`` also Spark for big versions and chosen datasets
    (the Spark session is made when it is first needed)."""
    if not settings.spark_url:
        return QueryEngine(versions_dir, **options)
    spark = SparkEngine(settings.spark_url, max_rows=options.get("max_rows", 10_000),
                        timeout_seconds=settings.spark_timeout_seconds)
    datasets = frozenset(d.strip() for d in settings.spark_datasets.split(",") if d.strip())
    return SparkRouting(versions_dir, spark, min_rows=settings.spark_min_rows, datasets=datasets,
                        **options)


class Platform:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lake = open_lake(settings)
        self.db = Database(settings.effective_database_url,
                           connect_timeout=settings.database_connect_timeout_seconds)
        self.engine = make_engine(
            self.lake.versions_dir,
            settings,
            threads=settings.duckdb_threads,
            memory_limit=settings.duckdb_memory_limit,
            timeout_seconds=settings.query_timeout_seconds,
            max_rows=settings.query_max_rows,
            result_cache_bytes=settings.result_cache_mb * 1024 * 1024,
            result_cache_max_rows=settings.result_cache_max_rows,
            version_tables_bytes=settings.version_tables_mb * 1024 * 1024,
            export_timeout_seconds=settings.export_timeout_seconds,
        )
        # several nodes share a PostgreSQL catalogue: the generation is also a counter there;
        # the embedded SQLite catalogue keeps only its file in the data directory
        self.generation = (
            SharedGeneration(self.lake.root, self.db.engine, settings.generation_max_age_seconds)
            if self.db.shared else Generation(self.lake.root))
        self.cache = AnswerCache(self.generation, settings.answer_cache_mb * 1024 * 1024)
        self.usage = UsageCounter(self.db)
        self._components: dict[type, Any] = {}
        self._components_lock = threading.Lock()

    def component(self, kind: type[T], build: Callable[[Platform], T]) -> T:
        """The process's one ``kind`` object, built by ``build(platform)`` on first use.

        Higher layers keep their process-wide state here (linked data's caches and SPARQL
        store: ``belfort.linked.store.linked_data``) without the platform importing them.
        ``close()`` closes every component that has a ``close`` method.
        """
        found = self._components.get(kind)
        if found is None:
            with self._components_lock:
                found = self._components.get(kind)
                if found is None:
                    found = build(self)
                    self._components[kind] = found
        return cast(T, found)

    def collect_garbage(self, min_age_seconds: float = 3600) -> list[str]:
        """Remove what interrupted ingests left behind (never a referenced version)."""
        with self.db.session() as session:
            referenced = [
                path
                for row in session.execute(select(Version.path, Version.record_times_path))
                for path in row
                if path
            ]
        return self.lake.collect_garbage(referenced, min_age_seconds=min_age_seconds)

    def close(self) -> None:
        for part in list(self._components.values()):
            close = getattr(part, "close", None)
            if callable(close):
                close()
        self.usage.flush()
        self.engine.close()
        self.db.dispose()
