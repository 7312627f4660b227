"""Evaluation end to end on a real platform: observations → score → alert raised with its
advice and explanation, recorded in the audit trail, cleared with hysteresis; one process
at a time; forecasts through the interface (a fake source); the ratio to normal."""

from __future__ import annotations

import threading
import time

import orjson
from sqlalchemy import select

from belfort.catalog.models import AuditEvent
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import now_us
from belfort.twin import lease
from belfort.twin.alerts import rules
from belfort.twin.alerts.evaluate import LEASE, Report, evaluate, take_lease
from belfort.twin.alerts.forecast import ForecastPoint, ZoneForecast, set_forecast_source
from belfort.twin.alerts.store import list_alerts
from belfort.twin.normal import Normal
from belfort.twin.occupancy import Estimate
from belfort.twin.score import Crowding, ZoneCrowding, crowding_now
from tests.twin.conftest import HOUR, MINUTE, feed, make_sensor, make_zone

SECRET = b"s3cret"


def _rule(platform: Platform, **body: object) -> int:
    spec = rules.spec_from_mapping({"zone": "korenmarkt", "kind": "score_above",
                                    "level": "warning", "threshold": 50, **body},
                                   platform.settings)
    with platform.db.session() as session:
        return rules.add_rule(session, spec, "key:test").id


def _audit(platform: Platform, action: str) -> list[AuditEvent]:
    with platform.db.session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_busy_zone_raises_an_alert_with_advice_explanation_and_audit(
        platform: Platform) -> None:
    make_zone(platform, "korenmarkt", area_m2=1000)  # capacity 2000
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    _rule(platform)
    with platform.db.session() as session:
        rules.set_advice(session, "korenmarkt", "warning",
                         {"nl": "Sluit de ingang vanaf de Veldstraat; omleiden via de Graslei.",
                          "en": "Close the Veldstraat entrance; divert via the Graslei."},
                         "key:test")
    now = now_us()
    feed(platform, credential, "TP01", [(now - k * MINUTE, 40.0) for k in range(15)])
    assert crowding_now(platform, now).zones[0].score == 20
    first = evaluate(platform, SECRET, now_us=now)
    assert first.raised == [] and first.evaluated == 1
    feed(platform, credential, "TP01", [(now - k * MINUTE + 1, 160.0) for k in range(15)])
    report = evaluate(platform, SECRET, now_us=now + 1)
    assert len(report.raised) == 1, report
    with platform.db.session() as session:
        [alert] = list_alerts(session, "active")
        assert alert.zone_id == "korenmarkt" and alert.level == "warning"
        assert alert.value == 100 and alert.threshold == 50
        assert alert.advice == {"nl": "Sluit de ingang vanaf de Veldstraat; omleiden via de "
                                "Graslei.", "en": "Close the Veldstraat entrance; divert via "
                                "the Graslei."}
        explanation = alert.explanation
    assert "100" in explanation["rule"]["en"] and "threshold 50" in explanation["rule"]["en"]
    assert "1 sensor(s)" in explanation["data"]["en"]
    assert explanation["reliability"]["en"].startswith("Limited reliability")
    assert explanation["nl"] and explanation["when"]["nl"].startswith("Verhoogd naar")
    [raised] = _audit(platform, "alert.raise")
    assert raised.actor == "system:alerts"
    # a second evaluation keeps the one alert
    assert evaluate(platform, SECRET, now_us=now + 2).raised == []
    assert len(_audit(platform, "alert.raise")) == 1


def _crowding(at: int, score: int | None, ratio: float | None = None) -> Crowding:
    normal = (None if ratio is None else
              Normal(100 * ratio, at, {"p10": 50, "p20": 70, "p50": 100, "p80": 130,
                                       "p90": 150}, 6, ratio, "boven p90"))
    zone = ZoneCrowding("korenmarkt", "Korenmarkt", True, 1000, 2000, "{}",
                        Estimate(None if score is None else score * 20.0, "passages", 2, at),
                        normal, score)
    return Crowding(at, [zone], score, score, zone, {})


def test_an_oscillating_score_raises_once_clears_once_and_both_are_audited(
        platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    _rule(platform, threshold=70, clear_below=60)
    start = now_us()
    series = [65, 71, 69, 72, 68, 71, 64, 70.5, 62, 59, 58, 75, 66]
    raised, cleared = [], []
    for n, score in enumerate(series):
        at = start + n * MINUTE
        report = evaluate(platform, SECRET, now_us=at, crowding=_crowding(at, int(score)))
        raised += [(n, a) for a in report.raised]
        cleared += [(n, a) for a in report.cleared]
    assert [n for n, _ in raised] == [1, 11] and [n for n, _ in cleared] == [9]
    assert raised[0][1] == cleared[0][1]
    assert len(_audit(platform, "alert.raise")) == 2
    [clear] = _audit(platform, "alert.clear")
    assert orjson.loads(orjson.dumps(clear.detail))["alert"] == raised[0][1]


def test_a_second_process_holding_the_lease_means_no_evaluation(platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    _rule(platform)
    at = now_us()
    assert take_lease(platform, "other-host:1")
    report = evaluate(platform, SECRET, now_us=at + 1, crowding=_crowding(at, 90))
    assert report.skipped and report.raised == []
    # the other process died: its lease runs out (by the database's clock), then this one
    # evaluates
    assert lease.take(platform, LEASE, "other-host:1", 0.3)
    assert evaluate(platform, SECRET, now_us=at + 2, crowding=_crowding(at, 90)).skipped
    time.sleep(0.4)
    assert evaluate(platform, SECRET, now_us=at + 3, crowding=_crowding(at, 90)).raised


def test_a_forecast_crossing_the_threshold_within_the_horizon_raises(
        platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    _rule(platform, kind="forecast_above", threshold=80, horizon_hours=3, level="attention")
    at = now_us()
    asked: list[tuple[str, int]] = []

    def fake(_: Platform, zone: str, hours: int, now: int) -> ZoneForecast:
        asked.append((zone, hours))
        scores = [40, 60, 85, 95, 99]  # 85 at +2 h: within 3 hours; 99 at +4 h: beyond
        return ZoneForecast(zone, now, "gbm-v3", tuple(
            ForecastPoint(now + (k + 1) * HOUR - 1, s) for k, s in enumerate(scores)),
            accuracy="MASE 0.48 over the last 4 weeks", coverage=0.81)

    report = evaluate(platform, SECRET, now_us=at, source=fake)
    assert asked == [("korenmarkt", 3)] and len(report.raised) == 1
    with platform.db.session() as session:
        [alert] = list_alerts(session, "active")
        assert alert.value == 85 and alert.kind == "forecast_above"
        text = alert.explanation["en"]
    assert "gbm-v3" in text and "MASE 0.48" in text and "81%" in text
    # the platform's source is used when none is given; below the threshold: cleared
    set_forecast_source(platform, lambda p, z, h, n: ZoneForecast(
        z, n, "gbm-v3", (ForecastPoint(n + HOUR, 20),)))
    assert len(evaluate(platform, SECRET, now_us=at + MINUTE).cleared) == 1


def test_without_a_forecast_source_forecast_rules_hold_no_opinion(platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    _rule(platform, kind="forecast_above", threshold=80)
    report = evaluate(platform, SECRET, crowding=_crowding(now_us(), 99))
    assert report.evaluated == 1 and report.raised == []


def test_deviation_from_normal_raises_above_the_ratio(platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    _rule(platform, kind="deviation", threshold=1.5, level="attention")
    at = now_us()
    assert evaluate(platform, SECRET, now_us=at, crowding=_crowding(at, 30, 1.4)).raised == []
    report = evaluate(platform, SECRET, now_us=at + 1, crowding=_crowding(at, 30, 1.8))
    assert len(report.raised) == 1
    with platform.db.session() as session:
        [alert] = list_alerts(session, "active")
    assert alert.value == 1.8 and "1.8 times as busy as normal" in alert.explanation["en"]
    assert "6 earlier weeks" in alert.explanation["en"]


def test_a_removed_zone_takes_its_rules_along(platform: Platform) -> None:
    from belfort.twin.zones import remove_zone

    make_zone(platform, "korenmarkt")
    _rule(platform)
    with platform.db.session() as session:
        remove_zone(session, "korenmarkt")
    with platform.db.session() as session:
        assert rules.list_rules(session) == []


def test_two_processes_evaluating_at_once_raise_one_alert(platform: Platform,
                                                          settings: Settings) -> None:
    make_zone(platform, "korenmarkt")
    _rule(platform)
    other = Platform(settings)  # a second process's platform on the same database
    try:
        at = now_us()
        barrier = threading.Barrier(2)
        reports: list[Report] = []

        def run(p: Platform) -> None:
            barrier.wait()
            reports.append(evaluate(p, SECRET, now_us=at, crowding=_crowding(at, 90)))

        threads = [threading.Thread(target=run, args=(p,)) for p in (platform, other)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sum(len(r.raised) for r in reports) == 1, reports
        with platform.db.session() as session:
            assert len(list_alerts(session, "active")) == 1
        assert len(_audit(platform, "alert.raise")) == 1
    finally:
        other.close()


def test_the_servers_scheduler_evaluates_on_its_own(platform: Platform) -> None:
    from belfort.twin.alerts.scheduler import AlertScheduler

    make_zone(platform, "korenmarkt", area_m2=1000)
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    _rule(platform)
    now = now_us()
    feed(platform, credential, "TP01", [(now - k * MINUTE, 200.0) for k in range(15)])
    platform.settings.alerts_evaluate_seconds = 0.2
    scheduler = AlertScheduler(platform, SECRET).start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with platform.db.session() as session:
                if list_alerts(session, "active"):
                    break
            time.sleep(0.1)
        with platform.db.session() as session:
            assert len(list_alerts(session, "active")) == 1
    finally:
        scheduler.stop()


def test_an_alert_whose_rule_or_zone_is_removed_clears(platform: Platform) -> None:
    from belfort.twin.zones import remove_zone

    make_zone(platform, "korenmarkt")
    make_zone(platform, "veldstraat")
    first = _rule(platform)
    _rule(platform, zone="veldstraat")
    at = now_us()
    busy = _crowding(at, 90)
    veld = ZoneCrowding("veldstraat", "Veldstraat", True, 1000, 2000, "{}",
                        Estimate(1800.0, "passages", 2, at), None, 90)
    both = Crowding(at, [*busy.zones, veld], 90, 90, veld, {})
    assert len(evaluate(platform, SECRET, now_us=at, crowding=both).raised) == 2
    with platform.db.session() as session:
        rules.remove_rule(session, first, "key:test")
    with platform.db.session() as session:
        remove_zone(session, "veldstraat")
    report = evaluate(platform, SECRET, now_us=at + 1, crowding=both)
    assert len(report.cleared) == 2 and report.raised == []
    with platform.db.session() as session:
        assert list_alerts(session, "active") == []
    assert len(_audit(platform, "alert.clear")) == 2
