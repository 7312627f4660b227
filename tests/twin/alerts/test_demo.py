"""The replay demo raises an alert end to end: the demo's zones and Korenmarkt rules, the
live demo's backfilled counts of real Ghent data, one evaluation (at the day's busiest hour)
→ an attention alert for the Korenmarkt carrying the operators' advice; loading the rules
twice adds them once."""

from __future__ import annotations

from sqlalchemy import select

from belfort.catalog.models import AuditEvent
from belfort.demo.live import prepare_live_demo
from belfort.demo.replay_sources import default_ghent_dir
from belfort.platform import Platform
from belfort.streams.model import now_us
from belfort.twin.alerts.demo import load_demo_alerts
from belfort.twin.alerts.evaluate import evaluate
from belfort.twin.alerts.store import list_alerts
from belfort.twin.demo_zones import load_demo_zones
from belfort.twin.score import crowding_now

HOUR = 3_600_000_000


def _korenmarkt(platform: Platform, at: int) -> int:
    zones = crowding_now(platform, at, with_normal=False).zones
    return next(z.score or 0 for z in zones if z.id == "korenmarkt")


def test_the_replay_demo_raises_a_korenmarkt_alert_with_advice(platform: Platform) -> None:
    assert load_demo_alerts(platform) == 0  # no zone yet: nothing to attach rules to
    load_demo_zones(platform)
    assert load_demo_alerts(platform) == 3
    assert load_demo_alerts(platform) == 0
    prepare_live_demo(platform, days=7.0, ghent_dir=default_ghent_dir())
    # the Korenmarkt is quiet at night and on a Sunday evening: evaluated at the busiest hour
    # of the backfilled week, so the test depends neither on the hour nor on the day it runs
    # (with one day backfilled it failed on a Monday evening: no hour scored above 3)
    now = now_us()
    scores = {at: _korenmarkt(platform, at) for at in range(now - 167 * HOUR, now + 1, HOUR)}
    busiest = max(scores, key=lambda at: scores[at])
    assert scores[busiest] > 3, scores
    report = evaluate(platform, b"demo", now_us=busiest)
    assert report.evaluated == 3 and len(report.raised) == 1, report
    with platform.db.session() as session:
        [alert] = list_alerts(session, "active")
        assert alert.zone_id == "korenmarkt" and alert.level == "attention"
        assert alert.advice is not None and "Veldstraat" in alert.advice["nl"]
        assert "Korenmarkt" in alert.explanation["en"]
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "alert.raise"))
