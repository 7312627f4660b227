"""The audit trail's hash chain: the canonical form of an entry, its hash, and the append.

Every entry ``n`` stores ``prev_hash`` (the hash of entry ``n - 1``; 64 zeros for the first)
and ``hash`` = SHA-256 of its canonical serialisation, which includes ``seq`` and
``prev_hash``. Changing, removing, inserting or reordering an entry breaks the chain at that
point; a rewrite of the whole tail is caught by a signed checkpoint (``belfort.audit``).

The canonical serialisation (version 1, never changed: old entries must keep verifying) is
the UTF-8 JSON object of the entry's fields with sorted keys and no spaces.

Appending locks the head row (``audit_head``, id 1) with an UPDATE first, in the session's
transaction: PostgreSQL holds that row lock until the commit, SQLite takes its write lock,
so concurrent writers — threads, processes, machines — queue and every ``seq`` follows the
one before it. A transaction that rolls back takes its entry and its head move with it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from belfort.catalog.models import AuditEvent

GENESIS = "0" * 64
CANONICAL_VERSION = 1
HEAD_ID = 1
KINDS = ("anonymous", "key", "person", "device", "system")
_LIMITS = {"actor": 100, "action": 50, "dataset": 100, "kind": 20, "purpose": 200,
           "policy_id": 200, "outcome": 20, "row_filter": 20_000}
MAX_FIELDS = 1000
MAX_DETAIL_CHARS = 20_000


def _clean(value: Any) -> Any:
    """JSON-safe and storable everywhere: PostgreSQL refuses NUL characters in text."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {str(_clean(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _text(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    return str(_clean(str(value)))[: _LIMITS[name]]


def kind_of_actor(actor: str) -> str:
    """The principal kind an actor name implies (``key:…``, ``person:…``, ``device:…``);
    the platform itself (cli, harvester, demo) otherwise."""
    prefix = actor.split(":", 1)[0] if ":" in actor else ""
    return prefix if prefix in ("key", "person", "device") else "system"


@dataclass(frozen=True)
class Entry:
    """What one audit entry says (everything but its place in the chain)."""

    actor: str
    action: str
    dataset: str | None = None
    kind: str | None = None
    fields: list[str] | None = None
    row_filter: str | None = None
    purpose: str | None = None
    policy_id: str | None = None
    rows: int | None = None
    outcome: str = "ok"
    detail: dict[str, Any] = field(default_factory=dict)

    def normalised(self) -> Entry:
        """Clipped to the column sizes, NUL-free, ``detail`` as stored (a JSON round trip)."""
        detail = json.loads(json.dumps(_clean(self.detail), default=str, allow_nan=False))
        if len(json.dumps(detail)) > MAX_DETAIL_CHARS:
            detail = {"truncated": True}
        fields = None
        if self.fields is not None:
            fields = sorted({str(_clean(str(f)))[:200] for f in self.fields})[:MAX_FIELDS]
        actor = _text(self.actor, "actor") or ""
        return Entry(
            actor=actor,
            action=_text(self.action, "action") or "",
            dataset=_text(self.dataset, "dataset"),
            kind=_text(self.kind or kind_of_actor(actor), "kind"),
            fields=fields,
            row_filter=_text(self.row_filter, "row_filter"),
            purpose=_text(self.purpose, "purpose"),
            policy_id=_text(self.policy_id, "policy_id"),
            rows=None if self.rows is None else int(self.rows),
            outcome=_text(self.outcome, "outcome") or "ok",
            detail=detail,
        )


def timestamp(at: datetime) -> str:
    """``at`` as the canonical form writes it: UTC, microseconds, ``Z``."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(seq: int, at: datetime, entry: Entry, prev_hash: str) -> bytes:
    """The bytes an entry's hash is taken over (version 1)."""
    body = {
        "v": CANONICAL_VERSION, "seq": seq, "at": timestamp(at), "actor": entry.actor,
        "kind": entry.kind, "action": entry.action, "dataset": entry.dataset,
        "fields": entry.fields, "row_filter": entry.row_filter, "purpose": entry.purpose,
        "policy_id": entry.policy_id, "rows": entry.rows, "outcome": entry.outcome,
        "detail": entry.detail, "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def entry_hash(seq: int, at: datetime, entry: Entry, prev_hash: str) -> str:
    return hashlib.sha256(canonical(seq, at, entry, prev_hash)).hexdigest()


def entry_of_row(row: AuditEvent) -> Entry:
    """The entry a stored row says (to recompute its hash)."""
    return Entry(
        actor=row.actor, action=row.action, dataset=row.dataset_id, kind=row.principal_kind,
        fields=row.fields, row_filter=row.row_filter, purpose=row.purpose,
        policy_id=row.policy_id, rows=row.rows, outcome=row.outcome or "ok",
        detail=row.detail if row.detail is not None else {},
    )


def _lock_head(session: Session) -> tuple[int, str]:
    """Take the head row (waiting for other writers) and return its seq and hash."""
    bump = text("UPDATE audit_head SET seq = seq + 1 WHERE id = :id RETURNING seq, hash")
    found = session.execute(bump, {"id": HEAD_ID}).first()
    if found is None:  # a database the migration left without head (cannot happen) or emptied
        raise RuntimeError("the audit chain has no head row (audit_head id 1)")
    return int(found[0]), str(found[1])


def append_entries(session: Session, entries: list[Entry]) -> list[int]:
    """Append ``entries`` to the chain in ``session``'s transaction, in order; their seqs.

    The head row stays locked until the transaction ends: keep the transaction short.
    """
    if not entries:
        return []
    seq, prev = _lock_head(session)
    seq -= 1
    rows: list[dict[str, Any]] = []
    for raw in entries:
        entry = raw.normalised()
        seq += 1
        at = datetime.now(timezone.utc)
        digest = entry_hash(seq, at, entry, prev)
        rows.append({
            "seq": seq, "at": at, "actor": entry.actor, "action": entry.action,
            "dataset_id": entry.dataset, "principal_kind": entry.kind, "fields": entry.fields,
            "row_filter": entry.row_filter, "purpose": entry.purpose,
            "policy_id": entry.policy_id, "rows": entry.rows, "outcome": entry.outcome,
            "detail": entry.detail, "prev_hash": prev, "hash": digest,
        })
        prev = digest
    # one executemany without RETURNING: the ORM's per-row bookkeeping costs more than the insert
    session.execute(insert(AuditEvent), rows)
    session.execute(text("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = :id"),
                    {"seq": seq, "hash": prev, "id": HEAD_ID})
    return [row["seq"] for row in rows]


def append(session: Session, entry: Entry) -> int:
    """Append one entry in ``session``'s transaction; its seq."""
    return append_entries(session, [entry])[0]
