"""``belfort demo`` shows forecasts: with enough history and no active model it trains one
in the background (the full demo: 56 days) and makes the forecasts; an active model is kept;
too little history (the small demo's day) is said, never raised."""

from __future__ import annotations

from belfort.commands.demo_live import demo_forecasts, start_forecasts
from belfort.platform import Platform
from belfort.twin.forecasting import registry
from belfort.twin.forecasting.source import forecast_dict
from tests.twin.conftest import make_zone
from tests.twin.forecasting.helpers import DAY, DAYS, FAST, history, this_hour


def _versions(platform: Platform) -> list[str]:
    with platform.db.session() as session:
        return [row.version for row in registry.listing(session)]


def test_the_demo_trains_a_model_once_and_makes_forecasts(platform: Platform) -> None:
    now = this_hour()
    make_zone(platform, "korenmarkt")
    for n in range(2):
        history(platform, f"TP0{n}", "korenmarkt", n, start_us=now - DAYS * DAY, end_us=now)
    start_forecasts(lambda: platform.__class__(platform.settings), FAST).join(timeout=300)
    [version] = _versions(platform)
    zone = forecast_dict(platform, "zone", "korenmarkt", 6)
    assert zone["withheld"] is None and len(zone["points"]) == 6
    assert zone["model"]["version"] == version
    line = demo_forecasts(platform, FAST)  # a second start keeps the active model
    assert f"model {version} (active)" in line and "1 zone(s) forecast" in line
    assert _versions(platform) == [version]


def test_a_demo_with_too_little_history_says_so(platform: Platform) -> None:
    now = this_hour()
    make_zone(platform, "korenmarkt")
    history(platform, "TP00", "korenmarkt", 0, start_us=now - DAY, end_us=now)
    line = demo_forecasts(platform, FAST)
    assert line.startswith("demo forecasts: no model: too little history")
    assert _versions(platform) == []
