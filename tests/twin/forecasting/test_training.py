"""``belfort twin train`` on the platform's own observations: refused with too little
history; otherwise backtested, saved under the data directory and registered as the active
version (the one before retired); on a schedule, one process at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from belfort.catalog.models import AuditEvent, ForecastModelVersion
from belfort.errors import ForecastHistoryTooShort
from belfort.platform import Platform
from belfort.twin import lease
from belfort.twin.forecasting import registry, training
from tests.twin.conftest import make_zone
from tests.twin.forecasting.helpers import DAY, DAYS, FAST, history, this_hour


def test_too_little_history_is_refused_with_a_clear_message(platform: Platform) -> None:
    with pytest.raises(ForecastHistoryTooShort, match="no observations"):
        training.train(platform, FAST)
    make_zone(platform, "korenmarkt")
    end = this_hour()
    history(platform, "TP01", "korenmarkt", 0, start_us=end - 10 * DAY, end_us=end)
    with pytest.raises(ForecastHistoryTooShort) as caught:
        training.train(platform, FAST)
    assert "10 days of observations" in caught.value.message
    assert "about 52 days" in caught.value.message
    with platform.db.session() as session:
        assert registry.listing(session) == []


def test_a_model_is_trained_backtested_saved_and_registered(platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    end = this_hour()
    for n in range(2):
        history(platform, f"TP0{n}", "korenmarkt", n, start_us=end - DAYS * DAY, end_us=end)
    first = training.train(platform, FAST, actor="key:test")
    assert registry.VERSION.fullmatch(first["version"]) and first["status"] == "active"
    assert first["training_data"]["sensors"] == 2
    assert first["model"]["horizon_hours"] == 48 and "same_hour_week_1" in first["model"][
        "features"]
    ours = first["backtest"]["models"]["belfort"]
    assert ours["mase"] is not None and ours["hours_scored"] > 0
    assert first["backtest"]["origins"]["count"] == 2
    assert set(first["backtest"]["models"]) == {"belfort", "seasonal_naive_daily",
                                                "seasonal_naive_weekly"}
    with platform.db.session() as session:
        row = registry.get(session, first["version"])
        assert sorted(row.sensors) == ["TP00", "TP01"]
        artefact = Path(platform.settings.data_dir) / row.artefact
        assert artefact.is_file() and row.artefact.startswith("twin-models/")
        audited = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "forecast_model.register")).all()
        assert len(audited) == 1 and audited[0].actor == "key:test"
    second = training.train(platform, FAST)
    with platform.db.session() as session:
        states = {r.version: r.status for r in session.scalars(select(ForecastModelVersion))}
    assert states == {first["version"]: "retired", second["version"]: "active"}


def test_bad_training_options_are_refused(platform: Platform) -> None:
    from belfort.errors import ForecastInputInvalid
    for options in (training.TrainOptions(origins=0), training.TrainOptions(origins=10**20),
                    training.TrainOptions(threads=0), training.TrainOptions(rounds=-1)):
        with pytest.raises(ForecastInputInvalid):
            training.train(platform, options)


def test_the_schedule_trains_when_due_and_one_process_at_a_time(
        platform: Platform, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform.settings, "twin_forecast_train_hours", 24.0)
    calls: list[int] = []
    monkeypatch.setattr(training, "train", lambda p, *a, now_us=None, **k: calls.append(1)
                        or {"version": "x"})
    now = this_hour()
    assert lease.take(platform, training.LEASE, "other:1:ab", 60)
    assert training.train_if_due(platform, "me:2:cd", now_us=now) is None  # another holds it
    assert calls == []
    lease.release(platform, training.LEASE, "other:1:ab")
    assert training.train_if_due(platform, "me:2:cd", now_us=now) == {"version": "x"}
    assert calls == [1]
    monkeypatch.setattr(platform.settings, "twin_forecast_train_hours", 0.0)
    assert training.train_if_due(platform, "me:2:cd", now_us=now) is None  # off
    assert calls == [1]
