"""Forecasts made from the active model per sensor and zone, withheld with a reason when a
sensor has too little history or is in an outage; the model's live accuracy and the
``degraded`` flag; the real forecast source behind ``forecast_above`` alert rules."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from belfort.platform import Platform
from belfort.twin.alerts import rules
from belfort.twin.alerts.evaluate import evaluate
from belfort.twin.alerts.forecast import forecast_source
from belfort.twin.alerts.store import list_alerts
from belfort.twin.forecast.backtest import Options, fit_all
from belfort.twin.forecast.series import read_counts
from belfort.twin.forecasting import registry, serving, source, training
from belfort.twin.forecasting.source import forecast_dict
from tests.twin.conftest import make_zone
from tests.twin.forecast.synthetic import level
from tests.twin.forecasting.helpers import DAY, DAYS, FAST, HOUR, history, this_hour

BRUSSELS = ZoneInfo("Europe/Brussels")


def _city(platform: Platform, end: int) -> None:
    """Two good sensors in Korenmarkt; one with ten days of history and one whose last 30
    hours are zeros (an outage) in Graslei."""
    make_zone(platform, "korenmarkt", area_m2=1000)
    make_zone(platform, "graslei", area_m2=1000)
    for n in range(2):
        history(platform, f"TP0{n}", "korenmarkt", n, start_us=end - DAYS * DAY, end_us=end)
    history(platform, "NEW1", "graslei", 0, start_us=end - 10 * DAY, end_us=end)

    def broken(wall: datetime, at: int) -> float:
        return 0.0 if at >= end - 30 * HOUR else float(round(level(1, wall)))
    history(platform, "OUT1", "graslei", 1, start_us=end - DAYS * DAY, end_us=end,
            value=broken)


def test_forecasts_per_sensor_and_zone_with_intervals_and_reasons(platform: Platform) -> None:
    now = this_hour()
    _city(platform, now)
    made = training.train(platform, FAST)
    summary = serving.refresh(platform, now_us=now + 60_000_000)
    assert summary["model"] == made["version"]
    assert summary["sensors"] == 2 and summary["sensors_withheld"] == 2
    assert summary["zones"] == 1 and summary["zones_withheld"] == 1
    at = now + 120_000_000
    sensor = forecast_dict(platform, "sensor", "TP00", 48, at)
    assert sensor["model"]["version"] == made["version"] and sensor["withheld"] is None
    assert len(sensor["points"]) == 48 and sensor["made"]
    assert all(p["lower"] <= p["forecast"] <= p["upper"] for p in sensor["points"])
    # the model learnt the daily pattern: afternoon (15 h) well above the night (3 h)
    by_hour = {datetime.fromisoformat(p["time"]).astimezone(BRUSSELS).hour: p["forecast"]
               for p in sensor["points"]}
    assert by_hour[15] > 2 * by_hour[3]
    assert len(forecast_dict(platform, "sensor", "TP00", 5, at)["points"]) == 5
    zone = forecast_dict(platform, "zone", "korenmarkt", 48, at)
    assert len(zone["points"]) == 48
    assert all(0 <= p["lower"] <= p["forecast"] <= p["upper"] <= 100 for p in zone["points"])
    assert {p["label"] for p in zone["points"]} <= {"rustig", "druk", "te druk"}
    new = forecast_dict(platform, "sensor", "NEW1", 48, at)
    assert new["points"] == [] and "not in the model" in new["withheld"]
    out = forecast_dict(platform, "sensor", "OUT1", 48, at)
    assert out["points"] == [] and "outage" in out["withheld"]
    graslei = forecast_dict(platform, "zone", "graslei", 48, at)
    assert graslei["points"] == [] and "2 of its 2 sensors" in graslei["withheld"]


def test_without_a_model_every_forecast_says_why(platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    assert serving.refresh(platform)["model"] is None
    body = forecast_dict(platform, "zone", "korenmarkt", 48)
    assert body["points"] == [] and "belfort twin train" in body["withheld"]


def test_live_accuracy_is_kept_and_a_bad_model_is_flagged_degraded(
        platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    end = this_hour()
    origin = end - 30 * HOUR  # forecasts made 30 hours ago, observed since
    make_zone(platform, "korenmarkt")
    for n in range(2):
        history(platform, f"TP0{n}", "korenmarkt", n, start_us=end - DAYS * DAY, end_us=end)
    made = training.train(platform, FAST, now_us=origin)
    serving.refresh(platform, now_us=origin)
    found = serving.refresh(platform, now_us=end)["live_accuracy"][made["version"]]
    assert found["hours"] == 2 * 30 and found["mae"] > 0
    assert found["mase"] is not None and found["mase"] > 0
    with platform.db.session() as session:
        row = registry.get(session, made["version"])
        assert row.live_hours == 60 and not row.degraded
        assert "live MASE" in registry.accuracy_text(row)
    monkeypatch.setattr(platform.settings, "twin_forecast_degraded_mase", found["mase"] / 2)
    serving.refresh(platform, now_us=end)
    with platform.db.session() as session:
        row = registry.get(session, made["version"])
        assert row.degraded and "DEGRADED" in registry.accuracy_text(row)
    assert forecast_dict(platform, "zone", "korenmarkt", 48, end)["model"]["degraded"]


def test_a_rule_whose_forecast_crosses_its_threshold_raises_an_alert(
        platform: Platform) -> None:
    now = this_hour()
    make_zone(platform, "korenmarkt", area_m2=20)  # small: the forecast score is high
    for n in range(2):
        history(platform, f"TP0{n}", "korenmarkt", n, start_us=now - DAYS * DAY, end_us=now)
    made = training.train(platform, FAST)
    serving.refresh(platform, now_us=now + 60_000_000)
    source.install(platform)
    assert forecast_source(platform) is source.zone_source
    at = now + 120_000_000
    found = source.zone_source(platform, "korenmarkt", 24, at)
    assert found is not None and found.model == made["version"]
    peak = max(p.score for p in found.points)
    spec = rules.spec_from_mapping({"zone": "korenmarkt", "kind": "forecast_above",
                                    "level": "warning", "threshold": max(1.0, peak - 5),
                                    "horizon_hours": 24}, platform.settings)
    with platform.db.session() as session:
        rules.add_rule(session, spec, "key:test")
    report = evaluate(platform, b"secret", now_us=at)
    assert len(report.raised) == 1
    with platform.db.session() as session:
        [alert] = list_alerts(session, "active")
        assert alert.kind == "forecast_above"
        assert made["version"] in alert.explanation["en"]


def test_the_servers_thread_refreshes_on_its_own_under_the_lease(
        platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from belfort.twin import lease
    from belfort.twin.forecasting.scheduler import ForecastScheduler
    monkeypatch.setattr(platform.settings, "twin_forecast_refresh_seconds", 0.2)
    done: list[object] = []
    real = serving.refresh

    def counted(p: Platform, *, now_us: int | None = None) -> dict[str, object]:
        done.append(now_us)
        return real(p, now_us=now_us)
    monkeypatch.setattr(serving, "refresh", counted)
    # another process holds the refresher's lease: this one waits its turn
    assert lease.take(platform, serving.LEASE, "other:1:ab", 3600)
    scheduler = ForecastScheduler(platform).start()
    try:
        time.sleep(0.8)
        assert done == []
        lease.release(platform, serving.LEASE, "other:1:ab")
        deadline = time.monotonic() + 5
        while not done and time.monotonic() < deadline:
            time.sleep(0.05)
        assert done
    finally:
        scheduler.stop()


def test_forecasts_do_not_read_the_hours_just_after_an_outage(tmp_path: Path) -> None:
    """A sensor back from an outage with a day of wild counts: the forecast is the one it
    would be with normal counts there, as in training (the hours next to an outage are
    inputs neither for the model put to use nor for its forecasts)."""
    from tests.twin.forecast import synthetic

    days = 60
    end = days * 24

    def counts(wild: bool) -> Path:
        def value(s: int, wall: datetime, i: int) -> float:
            normal = float(round(level(s, wall)))
            if s == 0 and end - 60 <= i < end - 34:
                return 0.0  # 26 zero hours: an outage
            if s == 0 and end - 34 <= i < end - 10 and wild:
                return 3 * normal
            return normal
        return synthetic.write(tmp_path / f"{wild}.csv", sensors=2, days=days, value=value)

    options = Options(horizon=24, origins=3, mstl=False, rounds=20)
    normal, wild = (read_counts(counts(w), options.timezone) for w in (False, True))
    assert normal.hours == end and normal.outage[0, end - 40]
    model = fit_all(normal, options)[0]
    ok = [(s, model.codes[s], i) for i, s in enumerate(normal.sensors)]
    assert serving._predict(normal, model, ok) == serving._predict(wild, model, ok)
