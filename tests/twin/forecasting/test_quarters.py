"""15-minute forecasts where the data allows: a sensor observed every quarter-hour gets its
first hours in quarter-hours, split by its own within-hour profile; an hourly sensor, one
with too few complete quarter-hours and an occupancy sensor are withheld with the reason
(never a silent resample); the API checks interval and hours (400) and keeps the gate."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.twin.forecasting import quarters, serving, training
from belfort.twin.forecasting.source import forecast_dict
from tests.twin.conftest import feed, make_sensor, make_zone
from tests.twin.forecast.synthetic import level
from tests.twin.forecasting.helpers import DAY, DAYS, FAST, HOUR, ZONE, history, this_hour

QUARTER = HOUR // 4
SHARES = (0.1, 0.2, 0.3, 0.4)  # the within-hour profile the quarter sensor has


def quarterly(platform: Platform, sensor_id: str, *, start_us: int, end_us: int,
              hourly_before: int | None = None) -> None:
    """A sensor in Korenmarkt counted per quarter-hour (``SHARES`` of its hour); with
    ``hourly_before``: per hour before that moment."""
    credential = make_sensor(platform, sensor_id, "korenmarkt", "passages")
    items: list[tuple[int, float, int]] = []
    for at in range(start_us, end_us, HOUR):
        total = level(2, datetime.fromtimestamp(at / 1e6, ZONE).replace(tzinfo=None))
        if hourly_before is not None and at < hourly_before:
            items.append((at, float(round(total)), at + HOUR))
            continue
        items += [(at + q * QUARTER, round(total * share, 2), at + (q + 1) * QUARTER)
                  for q, share in enumerate(SHARES)]
    for first in range(0, len(items), 5000):
        feed(platform, credential, sensor_id, items[first:first + 5000])


@pytest.fixture
def city(platform: Platform) -> int:
    now = this_hour()
    make_zone(platform, "korenmarkt")
    history(platform, "UUR1", "korenmarkt", 0, start_us=now - DAYS * DAY, end_us=now)
    quarterly(platform, "KWART1", start_us=now - DAYS * DAY, end_us=now)
    quarterly(platform, "KORT1", start_us=now - DAYS * DAY, end_us=now,
              hourly_before=now - 12 * DAY)  # quarter-hours for the last 12 days only
    training.train(platform, FAST)
    serving.refresh(platform, now_us=now + 60_000_000)
    return now


def test_quarter_hours_follow_the_sensor_s_own_profile(platform: Platform, city: int) -> None:
    at = city + 20 * 60_000_000  # 20 minutes into the hour: the first quarter has passed
    body = quarters.quarter_forecast(platform, "KWART1", 6, at)
    assert body["withheld"] is None and body["interval"] == "15min"
    assert body["unit"] == "count per 15 minutes"
    assert body["horizon"] == {"hours": 6, "max_hours": 6, "step_minutes": 15}
    points = body["points"]
    assert len(points) == 24
    stamps = [datetime.fromisoformat(p["time"]).timestamp() * 1e6 for p in points]
    assert stamps[0] == city + QUARTER  # from the current quarter on
    assert all(b - a == QUARTER for a, b in zip(stamps, stamps[1:], strict=False))
    assert all(p["lower"] <= p["forecast"] <= p["upper"] for p in points)
    hourly = {p["time"]: p for p in forecast_dict(platform, "sensor", "KWART1", 8, city)[
        "points"]}  # the hour's forecast, split in four
    hour = points[3:7]  # the first whole hour
    assert stamps[3] == city + HOUR
    total = sum(p["forecast"] for p in hour)
    assert total == pytest.approx(hourly[hour[0]["time"]]["forecast"], rel=0.02, abs=0.3)
    for p, share in zip(hour, SHARES, strict=True):
        assert p["forecast"] == pytest.approx(share * total, rel=0.05, abs=0.3)


def test_the_data_decides_and_says_why_not(platform: Platform, city: int) -> None:
    hourly = quarters.quarter_forecast(platform, "UUR1", 6, city)
    assert hourly["points"] == [] and "60 minutes apart" in hourly["withheld"]
    assert "coarser than 15 minutes" in hourly["withheld"]
    short = quarters.quarter_forecast(platform, "KORT1", 6, city)
    assert short["points"] == [] and "only 288 hours with all four quarter-hours" in \
        short["withheld"]
    shares, why = quarters.profile(platform, "KWART1", "occupancy", "Europe/Brussels", city)
    assert shares is None and why is not None and "per hour only" in why
    none = quarters.quarter_forecast(platform, "NOBODY", 6, city)
    assert none["points"] == [] and none["withheld"]


def test_the_api_checks_interval_and_hours(client: TestClient, platform: Platform,
                                           city: int) -> None:
    url = "/api/belfort/v1/sensors/KWART1/forecast"
    answer = client.get(url, params={"interval": "15min"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["interval"] == "15min" and 21 <= len(body["points"]) <= 24
    assert client.get(url, params={"interval": "15min", "hours": 2}).json()["horizon"][
        "hours"] == 2
    assert len(client.get(url).json()["points"]) == 48  # hourly stays the default
    for params in ({"interval": "15min", "hours": 7}, {"interval": "5min"},
                   {"interval": "x" * 5000}, {"interval": "15min", "hours": 0},
                   {"interval": "15min", "hours": "zes"}, {"interval": "1h", "hours": 49}):
        bad = client.get(url, params=params)
        assert bad.status_code == 400, (params, bad.status_code, bad.text[:200])
    withheld = client.get("/api/belfort/v1/sensors/UUR1/forecast",
                          params={"interval": "15min"}).json()
    assert withheld["points"] == [] and "coarser than 15 minutes" in withheld["withheld"]
    assert client.get("/api/belfort/v1/sensors/NOBODY/forecast",
                      params={"interval": "15min"}).status_code == 404
