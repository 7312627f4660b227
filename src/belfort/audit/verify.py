"""``belfort audit verify``: walk the chain and check every entry and checkpoint.

An entry is bad when its seq is not the one after the previous entry's (an entry removed,
or inserted with a made-up seq), when its ``prev_hash`` is not the previous entry's hash
(removed, inserted or reordered), or when its hash is not the hash of what it says
(altered). The head row must name the last entry (entries removed at the end). A
checkpoint is bad when its signature fails or the entry at its seq no longer has the hash
it signed — which catches a rewrite of the whole tail, however consistent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from belfort.audit.signing import key_id, signature_valid
from belfort.catalog.audit_chain import GENESIS, HEAD_ID, entry_hash, entry_of_row
from belfort.catalog.models import AuditCheckpoint, AuditEvent, AuditHead

MAX_PROBLEMS = 100
BATCH = 2000


@dataclass(frozen=True)
class Problem:
    seq: int
    message: str


@dataclass
class Report:
    entries: int = 0
    checkpoints: int = 0
    last_seq: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        return min((p.seq for p in self.problems), default=None)

    def add(self, seq: int, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(seq, message))

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "checkpoints": self.checkpoints,
                "last_seq": self.last_seq, "first_bad_seq": self.first_bad_seq,
                "problems": [{"seq": p.seq, "message": p.message} for p in self.problems]}


def _entries(session: Session) -> Iterable[AuditEvent]:
    """Every entry in seq order, read in batches (the log may be long)."""
    after = -1
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > after)
            .order_by(AuditEvent.seq).limit(BATCH)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq or after
        session.expunge_all()


def verify(session: Session, public_keys: Iterable[Ed25519PublicKey]) -> Report:
    """Check the chain and its checkpoints; ``public_keys``: the keys a checkpoint may be
    signed with (this installation's, and earlier ones after a key change)."""
    keys = {key_id(k): k for k in public_keys}
    report = Report()
    unchained = session.scalar(select(AuditEvent.id).where(AuditEvent.seq.is_(None)).limit(1))
    if unchained is not None:
        report.add(0, f"row id {unchained} has no seq: an entry inserted outside the chain")
    checkpoints = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).all()
    signed = {c.seq for c in checkpoints}
    hashes: dict[int, str | None] = {}
    expected, prev = 1, GENESIS
    for row in _entries(session):
        seq = int(row.seq or 0)
        report.entries += 1
        if seq != expected:
            what = "missing (removed)" if seq > expected else "out of order"
            report.add(expected, f"entry {expected} is {what}; the next entry is {seq}")
        if row.prev_hash != prev:
            report.add(seq, f"entry {seq} does not follow entry {seq - 1}: its prev_hash is "
                            "not that entry's hash (removed, inserted or reordered)")
        if row.hash != entry_hash(seq, row.at, entry_of_row(row), row.prev_hash or ""):
            report.add(seq, f"entry {seq} was altered: its hash does not match its content")
        if seq in signed:
            hashes[seq] = row.hash
        prev, expected = row.hash or "", seq + 1
        report.last_seq = seq
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        report.add(report.last_seq + 1, "the chain's head row is missing")
    elif head.seq != report.last_seq or (report.last_seq and head.hash != prev):
        first = min(head.seq, report.last_seq) + 1
        report.add(first, f"the log ends at entry {report.last_seq} but its head names entry "
                          f"{head.seq} (entries removed at the end, or the head rewritten)")
    for point in checkpoints:
        report.checkpoints += 1
        public = keys.get(point.key_id)
        if public is None:
            report.add(point.seq, f"checkpoint at {point.seq} is signed by an unknown key "
                                  f"{point.key_id[:16]}…")
        elif not signature_valid(public, point.signature, point.seq, point.hash, point.at):
            report.add(point.seq, f"checkpoint at {point.seq}: the signature does not verify")
        if point.seq not in hashes:
            report.add(point.seq, f"checkpoint at {point.seq}: that entry is missing")
        elif hashes[point.seq] != point.hash:
            report.add(point.seq, f"entry {point.seq} does not match the signed checkpoint "
                                  "(the log was rewritten from there or earlier)")
    return report
