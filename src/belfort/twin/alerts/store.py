"""Alerts as kept: listing the active and recent ones, one alert, acknowledgement by an
operator (recorded in the audit trail), and what the dashboard's banner shows."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from belfort.catalog.models import Alert
from belfort.catalog.store import record_audit
from belfort.errors import AlertNotFound, InvalidRequest

STATES = ("active", "recent", "all")
MAX_LIMIT = 500


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def alert_dict(alert: Alert) -> dict[str, Any]:
    return {"id": alert.id, "rule": alert.rule_id, "zone": alert.zone_id,
            "zone_name": alert.zone_name, "kind": alert.kind, "level": alert.level,
            "value": alert.value, "threshold": alert.threshold,
            "state": "active" if alert.cleared_at is None else "cleared",
            "raised_at": _iso(alert.raised_at), "cleared_at": _iso(alert.cleared_at),
            "acknowledged_by": alert.acknowledged_by,
            "acknowledged_at": _iso(alert.acknowledged_at),
            "advice": alert.advice, "explanation": alert.explanation,
            "deliveries": alert.deliveries or []}


def list_alerts(session: Session, state: str = "active", limit: int = 100,
                zone_id: str | None = None) -> list[Alert]:
    """``active``: not cleared; ``recent``: raised or cleared in the last 24 hours; ``all``;
    newest first."""
    if state not in STATES:
        raise InvalidRequest(f"'state' must be one of {', '.join(STATES)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"'limit' must be from 1 to {MAX_LIMIT}")
    query = select(Alert).order_by(Alert.raised_at.desc(), Alert.id.desc()).limit(limit)
    if state == "active":
        query = query.where(Alert.cleared_at.is_(None))
    elif state == "recent":
        since = datetime.fromtimestamp(datetime.now(timezone.utc).timestamp() - 86_400,
                                       timezone.utc)
        query = query.where((Alert.cleared_at.is_(None)) | (Alert.cleared_at >= since)
                            | (Alert.raised_at >= since))
    if zone_id is not None:
        query = query.where(Alert.zone_id == zone_id)
    return list(session.scalars(query))


def get_alert(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id) if 0 < alert_id < 2**62 else None
    if alert is None:
        raise AlertNotFound(f"no alert {alert_id}")
    return alert


def acknowledge(session: Session, alert_id: int, actor: str, now_us: int) -> Alert:
    """An operator has seen the alert (the first acknowledgement is kept; another is a
    no-op). Recorded in the audit trail in the same transaction."""
    alert = get_alert(session, alert_id)
    if alert.acknowledged_at is None:
        alert.acknowledged_by = actor
        alert.acknowledged_at = datetime.now(timezone.utc)
        alert.changed_us = max(now_us, alert.changed_us + 1)
        record_audit(session, actor, "alert.acknowledge", None, alert=alert.id,
                     zone=alert.zone_id, level=alert.level)
    return alert


def banner_mark(session: Session) -> tuple[int, int]:
    """Moves whenever an alert is raised, acknowledged or cleared (by any process)."""
    found = session.execute(select(func.max(Alert.changed_us), func.count(Alert.id))).one()
    return int(found[0] or 0), int(found[1] or 0)


def banner(session: Session, *, with_advice: bool) -> list[dict[str, Any]]:
    """The active alerts as the dashboard's banner shows them: zone, level, what happened in
    plain words, and the operators' advice for signed-in staff."""
    out = []
    for alert in list_alerts(session, "active", 20):
        explanation = alert.explanation or {}
        item: dict[str, Any] = {
            "id": alert.id, "zone": alert.zone_id, "zone_name": alert.zone_name,
            "level": alert.level, "raised_at": _iso(alert.raised_at),
            "acknowledged": alert.acknowledged_at is not None,
            "text": {"nl": explanation.get("rule", {}).get("nl"),
                     "en": explanation.get("rule", {}).get("en")}}
        if with_advice:
            item["advice"] = alert.advice
        out.append(item)
    return out
