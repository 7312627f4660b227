"""The platform object: the one place that holds a process's shared resources.

There is no global mutable state outside it: the HTTP app, the CLI and the tests
each build a ``Platform`` from ``Settings`` and pass it down.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sqlalchemy import select

from belfort.cache import BoundedCache, Generation
from belfort.catalog.database import Database
from belfort.catalog.models import Version
from belfort.lake.store import Lake
from belfort.query.engine import QueryEngine
from belfort.settings import Settings
from belfort.usage import UsageCounter

if TYPE_CHECKING:
    from belfort.linked.store import LinkedData


class Platform:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.lake = Lake(settings.data_dir)
        self.db = Database(settings.effective_database_url)
        self.engine = QueryEngine(
            self.lake.versions_dir,
            threads=settings.duckdb_threads,
            memory_limit=settings.duckdb_memory_limit,
            timeout_seconds=settings.query_timeout_seconds,
            max_rows=settings.query_max_rows,
            result_cache_bytes=settings.result_cache_mb * 1024 * 1024,
            result_cache_max_rows=settings.result_cache_max_rows,
        )
        self.generation = Generation(self.lake.root)
        self.cache = BoundedCache()
        self.usage = UsageCounter(self.db)
        self._linked: LinkedData | None = None
        self._linked_lock = threading.Lock()

    @property
    def linked(self) -> LinkedData:
        """Linked data: the DCAT fragment cache and the SPARQL store (built on first use)."""
        if self._linked is None:
            with self._linked_lock:
                if self._linked is None:
                    from belfort.linked.store import LinkedData

                    self._linked = LinkedData(self)
        return self._linked

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
        if self._linked is not None:
            self._linked.close()
        self.usage.flush()
        self.engine.close()
        self.db.dispose()
