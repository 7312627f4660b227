"""Traceable use: how often each dataset is asked for, and how many rows it served.

Counting must not slow an API call down, so each process adds up in memory and writes
the sums to the catalogue (``dataset_usage``) at most every ``flush_seconds``, from
whichever request comes along, and when the platform closes. The write adds to the
stored numbers (``requests = requests + n``), so processes sharing a catalogue never
overwrite each other. A crash loses at most the last few seconds of counts.

Each use is counted twice over: in all use (traceable use, for staff) and, when the caller
is the public (``public=True``: no admin key, not signed in as staff), in the public's use.
Public figures — the home page's "rows served", its most used datasets — read the public's
use only, so reading a restricted dataset (or a staged version) never moves them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

import pyarrow as pa
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from belfort.catalog.database import Database
from belfort.catalog.models import DatasetUsage, utcnow

if TYPE_CHECKING:
    from sqlalchemy import CursorResult
    from sqlalchemy.orm import Session

log = logging.getLogger("belfort.usage")


class UsageCounter:
    def __init__(self, db: Database, flush_seconds: float = 5.0) -> None:
        self.db = db
        self.flush_seconds = flush_seconds
        self._pending: dict[str, list[int]] = {}  # requests, rows, public requests, public rows
        self._lock = threading.Lock()
        self._flushed = time.monotonic()

    def record(self, dataset_id: str, *, public: bool, requests: int = 0, rows: int = 0) -> None:
        """Count a use; ``public``: the caller is the public (see the module's text)."""
        with self._lock:
            counts = self._pending.setdefault(dataset_id, [0, 0, 0, 0])
            counts[0] += requests
            counts[1] += rows
            if public:
                counts[2] += requests
                counts[3] += rows
            due = time.monotonic() - self._flushed >= self.flush_seconds
        if due:
            self.flush()

    def count_rows(self, dataset_id: str, batches: Iterator[pa.RecordBatch], *,
                   public: bool) -> Iterator[pa.RecordBatch]:
        """Pass a stream's batches through, counting their rows as they are sent."""
        for batch in batches:
            self.record(dataset_id, rows=batch.num_rows, public=public)
            yield batch

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            self._flushed = time.monotonic()
        if not pending:
            return
        try:
            with self.db.session() as session:
                for dataset_id, counts in sorted(pending.items()):
                    _add(session, dataset_id, counts)
                session.commit()
        except SQLAlchemyError:  # counting must never fail a request
            log.exception("could not store dataset usage; %d datasets' counts lost", len(pending))

    def totals(self) -> dict[str, tuple[int, int]]:
        """{dataset id: (requests, rows)} of all use (traceable use) as stored, plus this
        process's unsaved counts."""
        return self._totals(public=False)

    def public_totals(self) -> dict[str, tuple[int, int]]:
        """{dataset id: (requests, rows)} of the public's use only: for public figures."""
        return self._totals(public=True)

    def _totals(self, *, public: bool) -> dict[str, tuple[int, int]]:
        at = 2 if public else 0
        with self.db.session() as session:
            stored = {
                u.dataset_id: (u.public_requests, u.public_rows) if public else (u.requests, u.rows)
                for u in session.scalars(select(DatasetUsage))
            }
        with self._lock:
            for dataset_id, counts in self._pending.items():
                before = stored.get(dataset_id, (0, 0))
                stored[dataset_id] = (before[0] + counts[at], before[1] + counts[at + 1])
        return stored


def _add(session: Session, dataset_id: str, counts: list[int]) -> None:
    requests, rows, public_requests, public_rows = counts
    changed = cast("CursorResult[Any]", session.execute(  # an UPDATE's result is a cursor result
        update(DatasetUsage).where(DatasetUsage.dataset_id == dataset_id).values(
            requests=DatasetUsage.requests + requests, rows=DatasetUsage.rows + rows,
            public_requests=DatasetUsage.public_requests + public_requests,
            public_rows=DatasetUsage.public_rows + public_rows, updated_at=utcnow(),
        )
    )).rowcount
    if changed:
        return
    try:
        with session.begin_nested():
            session.add(DatasetUsage(dataset_id=dataset_id, requests=requests, rows=rows,
                                     public_requests=public_requests, public_rows=public_rows,
                                     updated_at=utcnow()))
    except IntegrityError:  # another process inserted it meanwhile: add to theirs
        _add(session, dataset_id, counts)
