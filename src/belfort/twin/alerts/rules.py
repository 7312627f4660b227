"""Alert rules per zone and the operators' advice per zone and level: checked, stored, read.

A rule watches one of three values of its zone:

- ``score_above``: the live crowding score (0–100) is above ``threshold``;
- ``forecast_above``: the forecast score crosses ``threshold`` within ``horizon_hours``;
- ``deviation``: now is more than ``threshold`` times normal for this moment (p50).

It clears only below ``clear_below`` (default: 5 points, or 0.2 for a ratio, under the
threshold) and either change waits ``min_minutes`` (hysteresis: ``hysteresis.py``).
Advice is plain text: kept as written, escaped wherever it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from belfort.catalog.models import AlertAdvice, AlertRule
from belfort.catalog.store import record_audit
from belfort.errors import AlertNotFound, InvalidAlertRule
from belfort.settings import Settings
from belfort.twin.alerts.webhook import check_webhook_url
from belfort.twin.zones import get_zone

KINDS = ("score_above", "forecast_above", "deviation")
LEVELS = ("attention", "warning", "critical")
RANGES = {"score_above": (1.0, 100.0), "forecast_above": (1.0, 100.0), "deviation": (1.05, 50.0)}
DEFAULT_GAP = {"score_above": 5.0, "forecast_above": 5.0, "deviation": 0.2}
MAX_ADVICE = 2000  # characters
MAX_EMAILS = 20
EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FIELDS = {"zone", "kind", "level", "threshold", "clear_below", "min_minutes", "horizon_hours",
          "webhook_url", "emails", "enabled"}


@dataclass(frozen=True)
class RuleSpec:
    zone: str
    kind: str
    level: str
    threshold: float
    clear_below: float
    min_minutes: int = 0
    horizon_hours: int | None = None
    webhook_url: str | None = None
    emails: tuple[str, ...] = ()
    enabled: bool = True


def _number(body: Mapping[str, Any], name: str, default: float | None = None) -> float | None:
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise InvalidAlertRule(f"{name!r} must be a number")
    return float(value)


def _integer(body: Mapping[str, Any], name: str, low: int, high: int,
             default: int | None) -> int | None:
    value = body.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidAlertRule(f"{name!r} must be a whole number from {low} to {high}")
    return value


def _choice(body: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = body.get(name)
    if value not in allowed:
        raise InvalidAlertRule(f"{name!r} must be one of {', '.join(allowed)}")
    return str(value)


def spec_from_mapping(body: Mapping[str, Any], settings: Settings) -> RuleSpec:
    """A rule from a JSON body; ``InvalidAlertRule`` (400) naming the field otherwise."""
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise InvalidAlertRule(f"unknown field {unknown[0][:60]!r}")
    zone = body.get("zone")
    if not isinstance(zone, str) or not zone:
        raise InvalidAlertRule("'zone' must be a zone's id")
    kind = _choice(body, "kind", KINDS)
    level = _choice(body, "level", LEVELS)
    low, high = RANGES[kind]
    threshold = _number(body, "threshold")
    if threshold is None or not low <= threshold <= high:
        raise InvalidAlertRule(f"'threshold' of a {kind} rule must be from {low:g} to {high:g}")
    clear_below = _number(body, "clear_below", max(0.0, threshold - DEFAULT_GAP[kind]))
    assert clear_below is not None
    if not 0 <= clear_below <= threshold:
        raise InvalidAlertRule("'clear_below' must be from 0 up to the threshold")
    minutes = _integer(body, "min_minutes", 0, 1440, 0)
    horizon = _integer(body, "horizon_hours", 1, 48, 6 if kind == "forecast_above" else None)
    if kind != "forecast_above" and horizon is not None:
        raise InvalidAlertRule("'horizon_hours' is for forecast_above rules only")
    webhook = body.get("webhook_url")
    if webhook is not None:
        if not isinstance(webhook, str) or len(webhook) > 500:
            raise InvalidAlertRule("'webhook_url' must be a URL of at most 500 characters")
        check_webhook_url(webhook, settings)
    emails = body.get("emails", [])
    if not isinstance(emails, list) or len(emails) > MAX_EMAILS or not all(
            isinstance(e, str) and len(e) <= 254 and EMAIL.match(e) for e in emails):
        raise InvalidAlertRule(f"'emails' must be a list of at most {MAX_EMAILS} addresses")
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidAlertRule("'enabled' must be true or false")
    return RuleSpec(zone, kind, level, threshold, clear_below, minutes or 0, horizon, webhook,
                    tuple(emails), enabled)


def add_rule(session: Session, spec: RuleSpec, actor: str) -> AlertRule:
    get_zone(session, spec.zone)  # ZoneNotFound (404) first
    rule = AlertRule(zone_id=spec.zone, kind=spec.kind, level=spec.level,
                     threshold=spec.threshold, clear_below=spec.clear_below,
                     min_minutes=spec.min_minutes, horizon_hours=spec.horizon_hours,
                     webhook_url=spec.webhook_url, emails=list(spec.emails),
                     enabled=spec.enabled, created_by=actor, active=False, since_us=None)
    session.add(rule)
    session.flush()
    record_audit(session, actor, "alert_rule.add", None, rule=rule_dict(rule))
    return rule


def list_rules(session: Session, zone_id: str | None = None) -> list[AlertRule]:
    query = select(AlertRule).order_by(AlertRule.zone_id, AlertRule.id)
    if zone_id is not None:
        query = query.where(AlertRule.zone_id == zone_id)
    return list(session.scalars(query))


def get_rule(session: Session, rule_id: int) -> AlertRule:
    rule = session.get(AlertRule, rule_id)
    if rule is None:
        raise AlertNotFound(f"no alert rule {rule_id}")
    return rule


def remove_rule(session: Session, rule_id: int, actor: str) -> None:
    rule = get_rule(session, rule_id)
    record_audit(session, actor, "alert_rule.remove", None, rule=rule_dict(rule))
    session.delete(rule)


def rule_dict(rule: AlertRule) -> dict[str, Any]:
    return {"id": rule.id, "zone": rule.zone_id, "kind": rule.kind, "level": rule.level,
            "threshold": rule.threshold, "clear_below": rule.clear_below,
            "min_minutes": rule.min_minutes, "horizon_hours": rule.horizon_hours,
            "webhook_url": rule.webhook_url, "emails": list(rule.emails or []),
            "enabled": rule.enabled, "active": rule.active, "created_by": rule.created_by}


def _text(body: Mapping[str, Any], name: str, required: bool) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidAlertRule(f"{name!r} must be a text")
    if len(value) > MAX_ADVICE:
        raise InvalidAlertRule(f"{name!r} is longer than {MAX_ADVICE} characters")
    if CONTROL.search(value):
        raise InvalidAlertRule(f"{name!r} holds control characters")
    return value.strip()


def set_advice(session: Session, zone_id: str, level: str, body: Mapping[str, Any],
               actor: str) -> AlertAdvice:
    """Store the advice for a zone and level: ``{"nl": "…", "en": "…"}`` (Dutch required)."""
    get_zone(session, zone_id)
    if level not in LEVELS:
        raise InvalidAlertRule(f"the level must be one of {', '.join(LEVELS)}")
    unknown = sorted(set(body) - {"nl", "en"})
    if unknown:
        raise InvalidAlertRule(f"unknown field {unknown[0][:60]!r}")
    nl, en = _text(body, "nl", True), _text(body, "en", False)
    assert nl is not None
    advice = session.get(AlertAdvice, (zone_id, level))
    if advice is None:
        advice = AlertAdvice(zone_id=zone_id, level=level, text_nl=nl, text_en=en,
                             updated_by=actor)
        session.add(advice)
    else:
        advice.text_nl, advice.text_en, advice.updated_by = nl, en, actor
    session.flush()
    record_audit(session, actor, "alert_advice.set", None, zone=zone_id, level=level)
    return advice


def advice_of(session: Session, zone_id: str) -> dict[str, dict[str, str | None]]:
    """A zone's advice by level."""
    rows = session.scalars(select(AlertAdvice).where(AlertAdvice.zone_id == zone_id))
    return {a.level: {"nl": a.text_nl, "en": a.text_en} for a in rows}
