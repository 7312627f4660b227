"""Hourly observations written through the real write path for the forecasting tests: a
clean daily and weekly pattern (``tests.twin.forecast.synthetic.level``), a few sensors,
about eight weeks — enough for a model with a two-origin backtest, and fast."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from belfort.platform import Platform
from belfort.streams.model import now_us
from belfort.twin.forecasting.training import TrainOptions
from tests.twin.conftest import feed, make_sensor
from tests.twin.forecast.synthetic import level

HOUR = 3_600_000_000
DAY = 24 * HOUR
DAYS = 54  # needed_days(2) is 52
ZONE = ZoneInfo("Europe/Brussels")
FAST = TrainOptions(origins=2, rounds=40)


def this_hour() -> int:
    now = now_us()
    return now - now % HOUR


def history(platform: Platform, sensor_id: str, zone_id: str, number: int, *,
            start_us: int, end_us: int, counting: str = "passages",
            value: Callable[[datetime, int], float] | None = None) -> None:
    """Register ``sensor_id`` in ``zone_id`` and write an hourly count for every hour in
    [start, end) (an interval observation of one hour)."""
    credential = make_sensor(platform, sensor_id, zone_id, counting)
    items: list[tuple[int, float, int]] = []
    for at in range(start_us, end_us, HOUR):
        wall = datetime.fromtimestamp(at / 1e6, ZONE).replace(tzinfo=None)
        count = round(level(number, wall)) if value is None else value(wall, at)
        items.append((at, float(count), at + HOUR))
    for first in range(0, len(items), 5000):
        feed(platform, credential, sensor_id, items[first:first + 5000])


def trained_city(platform: Platform) -> dict[str, object]:
    """Korenmarkt with two counters' eight weeks, a model trained on them, forecasts made."""
    from belfort.twin.forecasting import serving, training
    from tests.twin.conftest import make_zone

    now = this_hour()
    make_zone(platform, "korenmarkt")
    for n in range(2):
        history(platform, f"TP0{n}", "korenmarkt", n, start_us=now - DAYS * DAY, end_us=now)
    made = training.train(platform, FAST)
    serving.refresh(platform)
    return made
