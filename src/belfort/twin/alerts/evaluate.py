"""Evaluating the alert rules: on a schedule in the server (``scheduler.py``) and on demand.

One process at a time: the evaluator holds the lease row ``alert_lease.evaluator`` (a
conditional UPDATE; a lease left by a dead process expires after ``LEASE_SECONDS``), so two
processes sharing the database never both raise the same alert. Each rule's state moves
through ``hysteresis.step``; a raise or clear is written with its audit entry in one
transaction, and then goes out on the rule's channels (webhook, e-mail) — each channel on
its own, a failure reported on the alert (``deliveries``) and in the log, never blocking the
others. The dashboard banner reads the alerts table (``store.banner``).
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

import orjson
from sqlalchemy import select

from belfort.catalog.models import Alert, AlertAdvice, AlertRule, Zone
from belfort.catalog.store import record_audit
from belfort.platform import Platform
from belfort.streams.model import now_us as clock_us
from belfort.twin import lease
from belfort.twin.alerts import mail, webhook
from belfort.twin.alerts.explain import Evidence, explain
from belfort.twin.alerts.forecast import ForecastSource, forecast_source
from belfort.twin.alerts.hysteresis import Band, State, step
from belfort.twin.alerts.store import alert_dict
from belfort.twin.score import Crowding, ZoneCrowding, crowding_now

log = logging.getLogger("belfort.alerts")

LEASE = "evaluator"
LEASE_SECONDS = 120
ACTOR = "system:alerts"


@dataclass
class Report:
    skipped: bool = False  # another process holds the lease
    evaluated: int = 0
    raised: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)  # channels that failed

    def to_dict(self) -> dict[str, Any]:
        return {"skipped": self.skipped, "evaluated": self.evaluated, "raised": self.raised,
                "cleared": self.cleared, "failures": self.failures}


def holder_name() -> str:
    """This evaluator's name in the lease: machine, process and a token of its own."""
    return lease.holder_name()


def take_lease(platform: Platform, holder: str) -> bool:
    return lease.take(platform, LEASE, holder, LEASE_SECONDS)


def release_lease(platform: Platform, holder: str) -> None:
    lease.release(platform, LEASE, holder)


class _Local:
    """One evaluation at a time inside a process too (the lease is per process)."""

    def __init__(self, platform: Platform) -> None:
        self.lock = threading.Lock()
        self.holder = holder_name()


def _evidence(rule: AlertRule, zone: ZoneCrowding | None, platform: Platform,
              source: ForecastSource | None, now: int) -> Evidence | None:
    """What the rule watches now; None when there is nothing to go on."""
    base = Evidence(kind=rule.kind, value=0.0, threshold=rule.threshold,
                    clear_below=rule.clear_below, min_minutes=rule.min_minutes)
    if rule.kind == "forecast_above":
        if source is None:
            return None
        hours = rule.horizon_hours or 6
        found = source(platform, rule.zone_id, hours, now)
        if found is None:
            return None
        ahead = [p for p in found.points if now - 3_600_000_000 < p.at_us <= now
                 + hours * 3_600_000_000]
        if not ahead:
            return None
        crossing = next((p.at_us for p in ahead if p.score > rule.threshold), None)
        return replace(base, value=round(max(p.score for p in ahead), 1), forecast=found,
                       crossing_us=crossing)
    if zone is None:
        return None
    estimate = zone.estimate
    seen = replace(base, sensors=estimate.sensors, method=estimate.method,
                   observed_us=estimate.observed_us)
    if rule.kind == "score_above":
        return None if zone.score is None else replace(seen, value=float(zone.score))
    normal = zone.normal
    if normal is None or normal.ratio is None or normal.percentiles is None:
        return None
    return replace(seen, value=normal.ratio, normal_weeks=normal.weeks,
                   normal_p50=normal.percentiles["p50"])


def evaluate(platform: Platform, secret: bytes, *, now_us: int | None = None,
             source: ForecastSource | None = None, crowding: Crowding | None = None
             ) -> Report:
    """Evaluate every enabled rule once (nothing when another process holds the lease)."""
    now = clock_us() if now_us is None else now_us
    local = platform.component(_Local, _Local)
    holder = local.holder
    with local.lock:
        if not take_lease(platform, holder):
            return Report(skipped=True)
        try:
            report, events = _evaluate(platform, now, source or forecast_source(platform),
                                       crowding)
        finally:
            release_lease(platform, holder)
    _dispatch(platform, secret, events, report)
    return report


def _evaluate(platform: Platform, now: int, source: ForecastSource | None,
              crowding: Crowding | None) -> tuple[Report, list[tuple[str, int]]]:
    report = Report()
    events: list[tuple[str, int]] = []
    with platform.db.session() as session:
        rules = list(session.scalars(select(AlertRule).where(AlertRule.enabled.is_(True))
                                     .order_by(AlertRule.id)))
        # an alert whose rule was removed (or whose zone was) clears: nothing would clear it
        orphans = session.scalars(select(Alert).where(
            Alert.cleared_at.is_(None),
            Alert.rule_id.not_in(select(AlertRule.id).where(AlertRule.enabled.is_(True)))))
        for alert in orphans:
            _clear(session, alert, now, None, reason="rule removed or disabled")
            report.cleared.append(alert.id)
        if not rules:
            return report, events
    if crowding is None and any(r.kind != "forecast_above" for r in rules):
        crowding = crowding_now(platform, now,
                                with_normal=any(r.kind == "deviation" for r in rules))
    zones = {z.id: z for z in crowding.zones} if crowding else {}
    decided = []
    for rule in rules:
        zone = zones.get(rule.zone_id)
        evidence = _evidence(rule, zone, platform, source, now)
        report.evaluated += 1
        band = Band(rule.threshold, rule.clear_below, rule.min_minutes)
        state, event = step(band, State(rule.active, rule.since_us),
                            None if evidence is None else evidence.value, now)
        if event is not None or state != State(rule.active, rule.since_us):
            decided.append((rule, zone, evidence, state, event))
    if not decided:
        return report, events
    with platform.db.session() as session:  # every change in one transaction
        for rule, zone, evidence, state, event in decided:
            stored = session.get(AlertRule, rule.id, with_for_update=True)
            if stored is None or not stored.enabled:
                continue  # removed or switched off meanwhile
            stored.active, stored.since_us = state.active, state.since_us
            if event == "raise" and evidence is not None:
                alert = _raise(session, stored, evidence, now,
                               zone.name if zone else _zone_name(session, rule.zone_id))
                report.raised.append(alert.id)
                events.append(("raised", alert.id))
            elif event == "clear":
                for alert in session.scalars(select(Alert).where(
                        Alert.rule_id == rule.id, Alert.cleared_at.is_(None))):
                    _clear(session, alert, now, evidence)
                    report.cleared.append(alert.id)
                    events.append(("cleared", alert.id))
    return report, events


def _zone_name(session: Any, zone_id: str) -> str:
    zone = session.get(Zone, zone_id)
    return zone.name if zone is not None else zone_id


def _raise(session: Any, rule: AlertRule, evidence: Evidence, now: int, zone_name: str
           ) -> Alert:
    advice = session.get(AlertAdvice, (rule.zone_id, rule.level))
    alert = Alert(rule_id=rule.id, zone_id=rule.zone_id, zone_name=zone_name, kind=rule.kind,
                  level=rule.level, value=evidence.value, threshold=rule.threshold,
                  raised_at=datetime.fromtimestamp(now / 1e6, timezone.utc),
                  advice=None if advice is None else {"nl": advice.text_nl,
                                                      "en": advice.text_en},
                  explanation=explain(zone_name, rule.level, evidence, now),
                  deliveries=[], changed_us=now)
    session.add(alert)
    session.flush()
    record_audit(session, ACTOR, "alert.raise", None, alert=alert.id, rule=rule.id,
                 zone=rule.zone_id, level=rule.level, kind=rule.kind, value=evidence.value,
                 threshold=rule.threshold)
    return alert


def _clear(session: Any, alert: Alert, now: int, evidence: Evidence | None,
           reason: str = "below the clearing level") -> None:
    alert.cleared_at = datetime.fromtimestamp(now / 1e6, timezone.utc)
    alert.changed_us = max(now, alert.changed_us + 1)
    record_audit(session, ACTOR, "alert.clear", None, alert=alert.id, rule=alert.rule_id,
                 zone=alert.zone_id, level=alert.level,
                 value=None if evidence is None else evidence.value, reason=reason)


def _message(event: str, alert: dict[str, Any]) -> tuple[str, str]:
    words = {"raised": ("alarm", "alert raised"), "cleared": ("opgeheven", "alert cleared")}
    nl, en = words.get(event, (event, event))
    subject = f"[Belfort] {alert['level']}: {alert['zone_name']} — {nl} / {en}"
    explanation = alert.get("explanation") or {}
    advice = alert.get("advice") or {}
    lines = [explanation.get("nl") or "", "", f"Advies: {advice.get('nl') or '—'}", "", "---",
             "", explanation.get("en") or "", "",
             f"Advice: {advice.get('en') or advice.get('nl') or '—'}"]
    return subject, "\n".join(lines)


def _channels(platform: Platform, secret: bytes, event: str, alert_id: int
              ) -> list[dict[str, Any]]:
    """Send one event on every channel of its rule, side by side; what happened on each."""
    settings = platform.settings
    with platform.db.session() as session:
        alert = session.get(Alert, alert_id)
        rule = session.get(AlertRule, alert.rule_id) if alert and alert.rule_id else None
        if alert is None or rule is None:
            return []
        found = alert_dict(alert)
        url, emails = rule.webhook_url, list(rule.emails or [])
    jobs: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="alert-channel") as pool:
        if url:
            body = orjson.dumps({"event": event, "alert": found})
            jobs["webhook"] = pool.submit(webhook.deliver, url, body, f"{alert_id}-{event}",
                                          secret, settings)
        if emails:
            subject, text = _message(event, found)
            jobs["email"] = pool.submit(mail.send, settings, emails, subject, text)
    results = []
    for channel, job in jobs.items():
        try:
            outcome = job.result()
            item = {"channel": channel, "event": event, "ok": outcome.ok,
                    "error": outcome.error}
            if isinstance(outcome, webhook.Delivery):
                item.update(attempts=outcome.attempts, status=outcome.status)
        except Exception as exc:  # a channel's own bug: reported, the others went out
            item = {"channel": channel, "event": event, "ok": False,
                    "error": f"{type(exc).__name__}"}
        results.append(item)
    return results


def _dispatch(platform: Platform, secret: bytes, events: list[tuple[str, int]],
              report: Report) -> None:
    for event, alert_id in events:
        try:
            results = _channels(platform, secret, event, alert_id)
        except Exception:
            log.exception("sending alert %s failed", alert_id)
            results = [{"channel": "all", "event": event, "ok": False, "error": "internal"}]
        for item in results:
            if not item["ok"]:
                log.warning("alert %s: %s channel failed: %s", alert_id, item["channel"],
                            item["error"])
                report.failures.append({"alert": alert_id, **item})
        if results:
            with platform.db.session() as session:
                alert = session.get(Alert, alert_id)
                if alert is not None:
                    alert.deliveries = [*(alert.deliveries or []), *results]
