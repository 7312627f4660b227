"""The platform's own observations as an hourly grid on the local wall clock: the same
:class:`~belfort.twin.forecast.series.Panel` (and the same cleaning: outages, absurd and
negative counts, gaps, daylight saving) as a counts file gives the backtest.

An hour's value is the sum of the observations that start in it (for ``occupancy`` sensors,
their mean: people present, not passages). Only whole hours before ``until`` are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select

from belfort.catalog.models import Sensor
from belfort.platform import Platform
from belfort.twin.forecast.series import (
    HOUR,
    MAX_HOURS,
    Panel,
    _grid,
    _Rows,
    _skipped,
)
from belfort.twin.observations import read_counts

HOUR_US = 3_600_000_000


def all_sensors(platform: Platform) -> list[tuple[str, str | None]]:
    """(id, counting) of every active sensor."""
    with platform.db.session() as session:
        return [(str(i), c) for i, c in session.execute(
            select(Sensor.id, Sensor.counting).where(Sensor.active.is_(True))
            .order_by(Sensor.id))]


def wall(us: int, zone: ZoneInfo) -> datetime:
    """The local wall-clock time of a UTC instant (naive)."""
    return datetime.fromtimestamp(us / 1e6, zone).replace(tzinfo=None)


def utc_us(moment: datetime, zone: ZoneInfo) -> int:
    """The UTC instant (µs) of a local wall-clock hour (the first, when it occurs twice)."""
    return int(moment.replace(tzinfo=zone).astimezone(UTC).timestamp() * 1_000_000)


def hourly(platform: Platform, sensors: Sequence[tuple[str, str | None]], since_us: int,
           until_us: int) -> dict[str, dict[int, float]]:
    """Per sensor: UTC hour (µs) → the hour's value, for the whole hours in [since, until)."""
    since = since_us - since_us % HOUR_US
    until = until_us - until_us % HOUR_US
    ids = [s for s, _ in sensors]
    data = read_counts(platform, ids, since, until)
    out: dict[str, dict[int, float]] = {}
    if not data["start"].size:
        return out
    hours = data["start"] - data["start"] % HOUR_US
    for s, (sensor_id, counting) in enumerate(sensors):
        mine = data["sensor"] == s
        if not np.any(mine):
            continue
        keys, inverse = np.unique(hours[mine], return_inverse=True)
        sums: np.ndarray = np.bincount(inverse, weights=data["value"][mine]).astype(float)
        if counting == "occupancy":
            sums = sums / np.bincount(inverse)
        out[sensor_id] = {int(k): float(v) for k, v in zip(keys, sums, strict=True)}
    return out


def panel(platform: Platform, sensors: Sequence[tuple[str, str | None]], since_us: int,
          until_us: int, timezone: str, *, pad: bool = True) -> Panel | None:
    """The cleaned hourly grid of these sensors from ``since`` up to (not including) the
    hour ``until`` is in; with ``pad`` it spans exactly that range (hours without data are
    NaN), else it runs from the first to the last hour with data. None when no sensor has
    an observation in it."""
    zone = ZoneInfo(timezone)
    values = hourly(platform, sensors, since_us, until_us)
    if not values:
        return None
    rows = _Rows(zone)
    read = 0
    for sensor_id, per_hour in values.items():
        cells: dict[datetime, list[float]] = {}
        instants: dict[datetime, datetime] = {}
        for hour_us, value in sorted(per_hour.items()):
            read += 1
            at = wall(hour_us, zone)
            if at in cells:
                cells[at].append(value)  # the autumn hour that occurs twice
                rows.dst_merged += 1
            else:
                cells[at] = [value]
                instants[at] = datetime.fromtimestamp(hour_us / 1e6, UTC)
        rows.cells[sensor_id] = cells
        rows.instants[sensor_id] = instants
    found = _grid(rows, read, timezone, zone, MAX_HOURS)
    if not pad:
        return found
    first = wall(since_us - since_us % HOUR_US, zone).replace(minute=0, second=0, microsecond=0)
    last = wall(until_us - until_us % HOUR_US, zone) - HOUR
    return _span(found, first, last, zone)


def _span(found: Panel, first: datetime, last: datetime, zone: ZoneInfo) -> Panel:
    """The panel padded (NaN, not observed) to run exactly from ``first`` to ``last``."""
    before = int((found.start - first) / HOUR)
    after = int((last - found.timestamp(found.hours - 1)) / HOUR)
    if before <= 0 and after <= 0:
        return found
    before, after = max(before, 0), max(after, 0)
    n = found.hours + before + after
    start = found.start - before * HOUR
    values = np.full((len(found.sensors), n), np.nan)
    values[:, before:before + found.hours] = found.values
    outage = np.zeros_like(values, dtype=bool)
    outage[:, before:before + found.hours] = found.outage
    dst_gap = np.array([_skipped(start + i * HOUR, zone) for i in range(n)], dtype=bool)
    values[:, dst_gap] = np.nan
    report = dict(found.report)
    report["first_hour"] = start.isoformat()
    report["last_hour"] = (start + (n - 1) * HOUR).isoformat()
    return Panel(start, found.sensors, values, found.timezone, dst_gap, outage, report)

