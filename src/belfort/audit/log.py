"""Writing the audit trail: data accesses (``record_access``) and signed checkpoints.

Staff actions are appended by ``belfort.catalog.store.record_audit`` in the transaction of
the change they record. The gate records each read of non-open data with ``record_access``:

- given a ``Session``, the entry joins that transaction (it commits with it);
- given a ``Platform``, the process's ``AuditLog`` writes it: at once in a transaction of its
  own (``BELFORT_AUDIT_FLUSH_MS=0``, the default), or queued and written in batches by a
  background thread at most that many milliseconds later. ``Platform.close`` (a clean
  shutdown) writes what is queued; a SIGKILL loses what was queued, at most that window.

After an append, a checkpoint is signed when ``BELFORT_AUDIT_CHECKPOINT_EVERY`` entries or
``BELFORT_AUDIT_CHECKPOINT_MINUTES`` have passed since the last one (read from the
database, so every process agrees; each process looks at most once a second).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from belfort.audit.signing import Signer
from belfort.catalog.audit_chain import Entry, append, append_entries
from belfort.catalog.models import AuditCheckpoint, AuditEvent, AuditHead
from belfort.platform import Platform

log = logging.getLogger("belfort.audit")

CHECK_INTERVAL_SECONDS = 1.0
MAX_BATCH = 5000


def access_entry(principal_actor: str, kind: str, dataset_id: str, action: str,
                 fields: Iterable[str] | None, row_filter: str | None, purpose: str | None,
                 policy_id: str | None, rows: int | None, outcome: str = "allowed") -> Entry:
    return Entry(actor=principal_actor, kind=kind, action=action, dataset=dataset_id,
                 fields=None if fields is None else list(fields), row_filter=row_filter,
                 purpose=purpose, policy_id=policy_id, rows=rows, outcome=outcome)


def record_access(target: Session | Platform, principal_actor: str, kind: str,
                  dataset_id: str, action: str, fields: Iterable[str] | None,
                  row_filter: str | None, purpose: str | None, policy_id: str | None,
                  rows: int | None, *, outcome: str = "allowed") -> None:
    """Record one access to a dataset: who (``principal_actor``, ``kind``), what
    (``action``: read, aggregate, export, stream), the fields and row filter it was
    limited to, the purpose it declared, the policy that allowed it and the rows served."""
    entry = access_entry(principal_actor, kind, dataset_id, action, fields, row_filter,
                         purpose, policy_id, rows, outcome)
    if isinstance(target, Session):
        append(target, entry)
    else:
        audit_log(target).record(entry)


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime
    key_id: str
    signature: str


def checkpoint(platform: Platform, signer: Signer | None = None) -> Checkpoint | None:
    """Sign the chain's head now; None when the log is empty or the head is signed already."""
    signer = signer or audit_log(platform).signer
    with platform.db.session() as session:
        head = session.get(AuditHead, 1)
        if head is None or head.seq == 0:
            return None
        done = session.scalar(select(AuditCheckpoint.id).where(AuditCheckpoint.seq == head.seq))
        if done is not None:
            return None
        at = datetime.now(timezone.utc)
        made = Checkpoint(head.seq, head.hash, at, signer.key_id,
                          signer.sign(head.seq, head.hash, at))
    try:
        with platform.db.session() as session:
            session.add(AuditCheckpoint(seq=made.seq, hash=made.hash, at=made.at,
                                        key_id=made.key_id, signature=made.signature))
    except IntegrityError:  # another process signed this head a moment ago
        return None
    log.info("audit checkpoint at seq %d", made.seq)
    return made


class AuditLog:
    """The process's writer of the audit trail (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.settings = platform.settings
        self.flush_seconds = self.settings.audit_flush_ms / 1000
        self._signer: Signer | None = None
        self._queue: list[Entry] = []
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._flushing = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._last_check = 0.0

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            self._signer = Signer.for_settings(self.settings)
        return self._signer

    def record(self, entry: Entry) -> None:
        if self.flush_seconds <= 0 or self._closed:
            with self.platform.db.session() as session:
                append(session, entry)
            self.maybe_checkpoint()
            return
        with self._lock:
            self._queue.append(entry)
            self._start_locked()
            if len(self._queue) >= MAX_BATCH:
                self._wake.notify()

    @property
    def pending(self) -> int:
        """Entries waiting for their batch to be written (a queue depth in ``/metrics``)."""
        return len(self._queue)

    def start(self) -> None:
        """Run the background thread now (``belfort serve`` does, so time-based checkpoints
        are signed even when only staff actions are recorded)."""
        with self._lock:
            self._start_locked()

    def _start_locked(self) -> None:
        if self._thread is None and not self._closed:
            self._thread = threading.Thread(target=self._run, name="belfort-audit", daemon=True)
            self._thread.start()

    def flush(self) -> int:
        """Write what is queued in one transaction; the number of entries written."""
        with self._flushing:
            with self._lock:
                batch, self._queue = self._queue, []
            if not batch:
                return 0
            try:
                with self.platform.db.session() as session:
                    append_entries(session, batch)
            except BaseException:
                with self._lock:  # keep them for the next try: nothing is dropped
                    self._queue[:0] = batch
                raise
        self.maybe_checkpoint()
        return len(batch)

    def _run(self) -> None:
        tick = self.flush_seconds if self.flush_seconds > 0 else CHECK_INTERVAL_SECONDS
        while True:
            with self._lock:
                if not self._closed:
                    self._wake.wait(tick)
                closed = self._closed
            try:
                if not self.flush():
                    self.maybe_checkpoint()
            except Exception:  # the database is away: try again at the next tick
                log.exception("writing the audit trail failed; retrying")
                time.sleep(min(1.0, tick))
            if closed:
                return

    def maybe_checkpoint(self, *, force: bool = False) -> Checkpoint | None:
        """Sign the head when enough entries or minutes have passed since the last
        checkpoint (looked up at most once a second per process unless ``force``)."""
        moment = time.monotonic()
        if not force and moment - self._last_check < CHECK_INTERVAL_SECONDS:
            return None
        self._last_check = moment
        every = self.settings.audit_checkpoint_every
        minutes = self.settings.audit_checkpoint_minutes
        with self.platform.db.session() as session:
            head = session.get(AuditHead, 1)
            if head is None or head.seq == 0:
                return None
            last_seq = session.scalar(select(func.max(AuditCheckpoint.seq))) or 0
            if head.seq <= last_seq:
                return None
            due = head.seq - last_seq >= every
            if not due and minutes > 0:  # the oldest entry no checkpoint covers yet
                oldest = session.scalar(
                    select(AuditEvent.at).where(AuditEvent.seq == last_seq + 1))
                due = oldest is not None and (
                    datetime.now(timezone.utc) - oldest).total_seconds() >= minutes * 60
        return checkpoint(self.platform, self.signer) if due else None

    def close(self) -> None:
        """Write everything queued (a clean shutdown loses no entry)."""
        with self._lock:
            self._closed = True
            self._wake.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout=30)
        self.flush()


def audit_log(platform: Platform) -> AuditLog:
    return platform.component(AuditLog, AuditLog)
