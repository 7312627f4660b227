"""Reading the audit trail (the DPO's query): filters, a bounded page, newest first.

Paging is by cursor: a page ends with ``next_cursor``, the seq to continue below, so a page
stays the same while new entries are appended.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from belfort.catalog.audit_chain import timestamp
from belfort.catalog.models import AuditEvent
from belfort.errors import AuditQueryInvalid

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_TEXT = 200
MAX_CURSOR = 2**62


@dataclass(frozen=True)
class AuditQuery:
    dataset: str | None = None
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = DEFAULT_LIMIT
    cursor: int | None = None


def _text(name: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > MAX_TEXT:
        raise AuditQueryInvalid(f"{name}: longer than {MAX_TEXT} characters",
                                details={"parameter": name})
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise AuditQueryInvalid(f"{name}: control characters are not allowed",
                                details={"parameter": name})
    return value


def _int(name: str, value: str | None, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 19:
        raise AuditQueryInvalid(f"{name}: a whole number from {low} to {high}",
                                details={"parameter": name})
    number = int(value)
    if not low <= number <= high:
        raise AuditQueryInvalid(f"{name}: a whole number from {low} to {high}",
                                details={"parameter": name})
    return number


def _moment(name: str, value: str | None, *, end: bool) -> datetime | None:
    """An ISO 8601 date or date-time (UTC when it names no zone); a date alone covers its
    whole day (``until=2026-12-06`` includes that day)."""
    text = _text(name, value)
    if text is None:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end else time.min)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AuditQueryInvalid(f"{name}: not an ISO 8601 date or date-time: {text[:40]!r}",
                                details={"parameter": name}) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def parse_query(*, dataset: str | None = None, actor: str | None = None,
                action: str | None = None, since: str | None = None, until: str | None = None,
                limit: str | None = None, cursor: str | None = None) -> AuditQuery:
    """The query from its text parameters; ``AuditQueryInvalid`` (422) names a bad one."""
    found = AuditQuery(
        dataset=_text("dataset", dataset), actor=_text("actor", actor),
        action=_text("action", action), since=_moment("since", since, end=False),
        until=_moment("until", until, end=True),
        limit=_int("limit", limit, 1, MAX_LIMIT) or DEFAULT_LIMIT,
        cursor=_int("cursor", cursor, 1, MAX_CURSOR),
    )
    if found.since and found.until and found.since > found.until:
        raise AuditQueryInvalid("since is after until", details={"parameter": "since"})
    return found


def _filtered(query: AuditQuery) -> Select[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.seq.is_not(None))
    if query.dataset:
        statement = statement.where(AuditEvent.dataset_id == query.dataset)
    if query.actor:
        statement = statement.where(AuditEvent.actor == query.actor)
    if query.action:
        statement = statement.where(AuditEvent.action == query.action)
    if query.since:
        statement = statement.where(AuditEvent.at >= query.since)
    if query.until:
        statement = statement.where(AuditEvent.at <= query.until)
    return statement


def entry_to_dict(row: AuditEvent) -> dict[str, Any]:
    return {
        "seq": row.seq, "at": timestamp(row.at), "actor": row.actor,
        "kind": row.principal_kind, "action": row.action, "dataset": row.dataset_id,
        "fields": row.fields, "row_filter": row.row_filter, "purpose": row.purpose,
        "policy_id": row.policy_id, "rows": row.rows, "outcome": row.outcome,
        "detail": row.detail, "prev_hash": row.prev_hash, "hash": row.hash,
    }


def list_entries(session: Session, query: AuditQuery) -> dict[str, Any]:
    """One page, newest first: ``events``, ``next_cursor`` (None on the last page) and
    ``total_count`` (every entry the filters select)."""
    statement = _filtered(query)
    total = session.scalar(select(func.count()).select_from(statement.subquery()))
    if query.cursor is not None:
        statement = statement.where(AuditEvent.seq < query.cursor)
    rows = session.scalars(statement.order_by(AuditEvent.seq.desc()).limit(query.limit + 1)).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return {
        "total_count": total,
        "events": [entry_to_dict(r) for r in rows],
        "next_cursor": str(rows[-1].seq) if more and rows else None,
    }
