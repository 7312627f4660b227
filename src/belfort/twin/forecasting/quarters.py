"""15-minute forecasts where the data allows (``?interval=15min`` on a sensor's forecast).

The model forecasts hours. A sensor whose own observations come every 15 minutes or finer
gets its first ``MAX_HOURS`` hours split into quarter-hours by its **within-hour profile**:
for each hour of the (local) day, the share of the hour's count that fell in each of its
four quarters over the last ``PROFILE_DAYS`` days, from the hours whose four quarters were
all observed. The interval is split by the same shares (the share is taken as known, so the
quarter's interval is as wide, relatively, as the hour's).

When the data does not allow it the answer says why and has no points — never a silent
resample: observations coarser than 15 minutes (an hourly counter), fewer than
``MIN_COMPLETE_HOURS`` hours with all four quarters observed, an ``occupancy`` sensor (its
hour is a mean of people present, not a sum of quarters), or no hourly forecast.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select

from belfort.catalog.models import Sensor
from belfort.platform import Platform
from belfort.streams.model import now_us as clock_us
from belfort.twin.forecasting.source import forecast_dict
from belfort.twin.observations import read_counts

QUARTER_US = 15 * 60_000_000
HOUR_US = 4 * QUARTER_US
DAY_US = 24 * HOUR_US
MAX_HOURS = 6  # 15-minute steps for the first 6 hours (24 quarter-hours)
PROFILE_DAYS = 28
MIN_COMPLETE_HOURS = 14 * 24  # two weeks' worth of hours with all four quarters observed


def _iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, UTC).isoformat().replace("+00:00", "Z")


def _parse(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1_000_000)


def resolution_us(start: np.ndarray, end: np.ndarray) -> int:
    """The sensor's time resolution: the median length of its interval observations, else
    the median spacing of its instants."""
    lengths = end - start
    intervals = lengths[lengths > 0]
    if intervals.size >= start.size / 2:
        return int(np.median(intervals))
    steps = np.diff(np.unique(start))
    return int(np.median(steps)) if steps.size else DAY_US


def profile(platform: Platform, sensor_id: str, counting: str | None, timezone: str,
            now: int) -> tuple[np.ndarray | None, str | None]:
    """(shares[local hour, quarter], None) — each row adds up to 1 — or (None, why not)."""
    if counting == "occupancy":
        return None, ("an occupancy sensor's hour is a mean of the people present, not a sum "
                      "of quarter-hours: forecast per hour only")
    until = now - now % HOUR_US
    data = read_counts(platform, [sensor_id], until - PROFILE_DAYS * DAY_US, until)
    if not data["start"].size:
        return None, f"no observations in the last {PROFILE_DAYS} days"
    step = resolution_us(data["start"], data["end"])
    if step > QUARTER_US:
        return None, (f"the sensor's observations are {step // 60_000_000} minutes apart: "
                      "coarser than 15 minutes, so only hourly forecasts are made")
    fine = (data["end"] - data["start"]) <= QUARTER_US
    quarter = data["start"][fine] - data["start"][fine] % QUARTER_US
    keys, inverse = np.unique(quarter, return_inverse=True)
    sums = np.bincount(inverse, weights=data["value"][fine])
    hours: dict[int, np.ndarray] = {}
    for key, value in zip(keys.tolist(), sums.tolist(), strict=True):
        hours.setdefault(key - key % HOUR_US, np.full(4, np.nan))[
            (key % HOUR_US) // QUARTER_US] = value
    zone = ZoneInfo(timezone)
    totals = np.zeros((24, 4))
    complete = 0
    for hour, parts in hours.items():
        if np.isnan(parts).any() or (parts < 0).any():
            continue
        complete += 1
        totals[datetime.fromtimestamp(hour / 1e6, zone).hour] += parts
    if complete < MIN_COMPLETE_HOURS:
        return None, (f"only {complete} hours with all four quarter-hours observed in the last "
                      f"{PROFILE_DAYS} days; {MIN_COMPLETE_HOURS} are needed")
    per_hour = totals.sum(axis=1, keepdims=True)
    shares = np.where(per_hour > 0, totals / np.where(per_hour > 0, per_hour, 1.0), 0.25)
    return shares, None


def split(points: list[dict[str, Any]], shares: np.ndarray, timezone: str, hours: int,
          now: int) -> list[dict[str, Any]]:
    """The hourly points of the next ``hours`` hours as quarter-hours (from the current
    quarter on)."""
    zone = ZoneInfo(timezone)
    found: list[dict[str, Any]] = []
    for p in points[:hours]:
        at = _parse(p["time"])
        row = shares[datetime.fromtimestamp(at / 1e6, zone).hour]
        for q in range(4):
            start = at + q * QUARTER_US
            if start + QUARTER_US <= now:
                continue
            found.append({"time": _iso(start),
                          **{k: round(float(row[q]) * float(p[k]), 1)
                             for k in ("forecast", "lower", "upper")}})
    return found


def quarter_forecast(platform: Platform, sensor_id: str, hours: int,
                     now_us: int | None = None) -> dict[str, Any]:
    """The sensor's hourly forecast (``forecast_dict``) turned into ``hours`` × 4
    quarter-hours from the current one on, or withheld with the reason."""
    now = clock_us() if now_us is None else now_us
    hourly = forecast_dict(platform, "sensor", sensor_id, hours + 1, now)
    with platform.db.session() as session:
        counting = session.scalar(select(Sensor.counting).where(Sensor.id == sensor_id))
    timezone = platform.settings.stream_day_timezone
    body = dict(hourly, interval="15min", unit="count per 15 minutes", points=[])
    body["horizon"] = {"hours": hours, "max_hours": MAX_HOURS, "step_minutes": 15}
    if not hourly["points"]:
        return body  # no hourly forecast: its reason stands
    shares, reason = profile(platform, sensor_id, counting, timezone, now)
    if shares is None:
        body["withheld"] = reason
        return body
    body["points"] = split(hourly["points"], shares, timezone, hours + 1, now)[:hours * 4]
    return body


