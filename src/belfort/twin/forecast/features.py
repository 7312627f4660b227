"""The model's inputs for every (sensor, origin, step): only what is known at the origin.

A forecast made at origin ``o`` (an hour index on the wall-clock grid) for the hour
``t = o + h`` (``h = 0 .. horizon-1``) sees the history strictly before ``o``: the same hour on
the most recent days that are already known, the same hour one to four weeks back, the level
of the last day and week, and the calendar of ``t`` (hour, weekday, season, public and
school holidays, events, and whether the days the weekly lags come from were holidays or
event days). Counts enter as ``log1p`` of the imputed series, with the share of
imputed hours in the last day and week so the model can discount lags it should not trust;
the last day's and week's level against the same span one to four weeks earlier (is this
sensor busier or quieter than usual right now?), the days from Christmas, and, a year (52
weeks) earlier, how the target day and hour compared with the week before them (Christmas
weeks, the start of the summer holidays, yearly events; missing without a year of history),
and the same hour's median over the last eight weeks (as far as the history goes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from belfort.twin.forecast.calendar import Calendar

DAY_LAGS = 7
WEEK_LAGS = 4
MAX_HORIZON = 48
#: Hours of history a forecast needs before its origin (the deepest lag).
NEEDED_HISTORY = 24 * (MAX_HORIZON // 24 + DAY_LAGS + 1) + 168 * WEEK_LAGS

FEATURES: tuple[str, ...] = (
    "sensor", "step", "hour", "weekday", "day_of_year", "public_holiday",
    "holiday_before", "holiday_after", "school_holiday", "event",
    *(f"same_hour_day_{k}" for k in range(1, DAY_LAGS + 1)),
    *(f"same_hour_week_{w}" for w in range(1, WEEK_LAGS + 1)),
    "same_hour_week_mean", "same_hour_day_mean", "last_hour", "last_3h_mean",
    "last_day_mean", "last_week_mean", "day_level_change", "imputed_share_week",
    "day_vs_usual", "week_vs_usual", "imputed_share_day",
    "special_days_in_week_lags", "school_holiday_week_before", "days_from_christmas",
    "last_year_same_hour_change", "last_year_day_change",
    "same_hour_week_median8",
)
CATEGORICAL = ("sensor",)
#: 52 weeks: the same weekday a year earlier (the year inputs are NaN without that history).
YEAR_HOURS = 364 * 24


@dataclass(frozen=True)
class Days:
    """Calendar flags per day of the grid (index 0 = the grid's first day)."""

    weekday: np.ndarray
    day_of_year: np.ndarray
    public: np.ndarray
    school: np.ndarray
    event: np.ndarray
    #: Days from the nearest Christmas Day, -40 (or earlier) to 14 (or later).
    christmas: np.ndarray | None = None


def day_table(
    start: datetime, hours: int, calendar: Calendar, events: frozenset[date] = frozenset()
) -> Days:
    first = start.date()
    count = (start.hour + hours) // 24 + 3
    dates = [first + timedelta(days=k - 1) for k in range(count)]  # one day before too
    return Days(
        weekday=np.array([d.weekday() for d in dates], dtype=np.float32),
        day_of_year=np.array([d.timetuple().tm_yday for d in dates], dtype=np.float32),
        public=np.array([calendar.public_holiday(d) for d in dates], dtype=np.float32),
        school=np.array([calendar.school_holiday(d) for d in dates], dtype=np.float32),
        event=np.array([d in events or calendar.event(d) for d in dates], dtype=np.float32),
        christmas=np.array([_from_christmas(d) for d in dates], dtype=np.float32),
    )


def _from_christmas(day: date) -> int:
    delta = (day - date(day.year, 12, 25)).days
    if delta < -180:
        delta = (day - date(day.year - 1, 12, 25)).days
    return max(-40, min(14, delta))


def _window_mean(cumsum: np.ndarray, end: np.ndarray, width: int) -> np.ndarray:
    """Mean of the ``width`` values before ``end`` per sensor (``cumsum`` has a leading 0)."""
    rows = np.arange(cumsum.shape[0])[:, None]
    diff = cumsum[rows, end[None, :]] - cumsum[rows, end[None, :] - width]
    return np.asarray(diff / width, dtype=np.float64)


def build(
    logged: np.ndarray,
    imputed: np.ndarray,
    sensors: np.ndarray,
    origins: np.ndarray,
    horizon: int,
    start_hour: int,
    days: Days,
    *,
    year: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The feature matrix for sensors (row indices of ``logged``) × origins × steps, in that
    order, and the target hour index of each row. ``logged`` is ``log1p`` of the imputed
    series; every origin must have :data:`NEEDED_HISTORY` hours before it. ``year=False``
    leaves the year-ago inputs missing (a model served from a shorter window)."""
    if horizon < 1 or horizon > MAX_HORIZON:
        raise ValueError("horizon out of range")
    if origins.size and int(origins.min()) < NEEDED_HISTORY:
        raise ValueError("origin without enough history")
    S, O, H = sensors.size, origins.size, horizon
    data = logged[sensors]
    steps = np.arange(H)
    t = origins[None, :, None] + steps[None, None, :]  # (1, O, H)
    t = np.broadcast_to(t, (S, O, H))
    rows = np.arange(S)[:, None, None]
    cols: dict[str, np.ndarray] = {}
    shape = (S, O, H)
    cols["sensor"] = np.broadcast_to(sensors[:, None, None], shape)
    cols["step"] = np.broadcast_to(steps[None, None, :], shape)
    wall = t + start_hour
    cols["hour"] = wall % 24
    day = wall // 24 + 1  # the day table starts one day before the grid
    cols["weekday"] = days.weekday[day]
    cols["day_of_year"] = days.day_of_year[day]
    cols["public_holiday"] = days.public[day]
    cols["holiday_before"] = days.public[day + 1]
    cols["holiday_after"] = days.public[day - 1]
    cols["school_holiday"] = days.school[day]
    cols["event"] = days.event[day]
    special = np.maximum(days.public, days.event)
    cols["special_days_in_week_lags"] = np.sum(
        [special[day - 7 * w] for w in range(1, WEEK_LAGS + 1)], axis=0
    )
    cols["school_holiday_week_before"] = days.school[day - 7]
    cols["days_from_christmas"] = (
        days.christmas[day] if days.christmas is not None else np.full(shape, np.nan)
    )
    first_day = steps // 24 + 1  # the most recent day whose same hour is known
    day_lags = []
    for k in range(DAY_LAGS):
        lag = data[rows, t - 24 * (first_day + k)[None, None, :]]
        cols[f"same_hour_day_{k + 1}"] = lag
        day_lags.append(lag)
    week_lags = []
    for w in range(1, WEEK_LAGS + 1):
        lag = data[rows, t - 168 * w]
        cols[f"same_hour_week_{w}"] = lag
        week_lags.append(lag)
    cols["same_hour_week_mean"] = np.mean(week_lags, axis=0)
    # The same hour's median over eight weeks (weeks beyond the grid's start are left out).
    deeper = [*week_lags]
    for w in range(WEEK_LAGS + 1, 9):
        back = t - 168 * w
        deeper.append(np.where(back >= 0, data[rows, np.maximum(back, 0)], np.nan))
    cols["same_hour_week_median8"] = np.nanmedian(deeper, axis=0)
    cols["same_hour_day_mean"] = np.mean(day_lags, axis=0)
    cumsum = np.concatenate([np.zeros((S, 1)), np.cumsum(data, axis=1)], axis=1)
    imp = imputed[sensors].astype(np.float64)
    imp_cumsum = np.concatenate([np.zeros((S, 1)), np.cumsum(imp, axis=1)], axis=1)
    day_usual = np.mean(
        [_window_mean(cumsum, origins - 168 * w, 24) for w in range(1, WEEK_LAGS + 1)], axis=0
    )
    week_usual = np.mean(
        [_window_mean(cumsum, origins - 168 * w, 168) for w in range(1, WEEK_LAGS + 1)], axis=0
    )
    per_origin = {
        "last_hour": data[np.arange(S)[:, None], origins[None, :] - 1],
        "last_3h_mean": _window_mean(cumsum, origins, 3),
        "last_day_mean": _window_mean(cumsum, origins, 24),
        "last_week_mean": _window_mean(cumsum, origins, 168),
        "day_level_change": _window_mean(cumsum, origins, 24)
        - _window_mean(cumsum, origins - 168, 24),
        "imputed_share_week": _window_mean(imp_cumsum, origins, 168),
        "day_vs_usual": _window_mean(cumsum, origins, 24) - day_usual,
        "week_vs_usual": _window_mean(cumsum, origins, 168) - week_usual,
        "imputed_share_day": _window_mean(imp_cumsum, origins, 24),
    }
    # A year earlier: how that day compared with the week before it (Christmas weeks, the
    # start of the summer holidays, yearly events) — NaN where the file is not that long.
    back = origins - YEAR_HOURS
    has_year = (back - 168 >= 0) & year
    safe = np.where(has_year, back, 168 + 24)
    year_week = _window_mean(cumsum, safe, 168)
    year_day = _window_mean(cumsum, safe + 24, 24)
    per_origin["last_year_day_change"] = np.where(has_year[None, :], year_day - year_week, np.nan)
    year_t = np.broadcast_to(safe[None, :, None] + steps[None, None, :], shape)
    same = data[rows, year_t] - year_week[:, :, None]
    cols["last_year_same_hour_change"] = np.where(has_year[None, :, None], same, np.nan)
    for name, value in per_origin.items():
        cols[name] = np.broadcast_to(value[:, :, None], shape)
    matrix = np.empty((S * O * H, len(FEATURES)), dtype=np.float32)
    for j, name in enumerate(FEATURES):
        matrix[:, j] = np.asarray(cols[name], dtype=np.float32).reshape(-1)
    return matrix, np.asarray(t).reshape(-1)
