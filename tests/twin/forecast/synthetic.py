"""Small synthetic counts files for the forecast tests (fast: a few sensors, a few weeks)."""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Brussels")


def level(sensor: int, wall: datetime) -> float:
    """A clean daily and weekly pattern: busy afternoons, busier Saturdays."""
    base = 50 + 40 * sensor
    day = 1 + 0.8 * math.sin((wall.hour - 9) / 24 * 2 * math.pi)
    week = 1.5 if wall.weekday() == 5 else 1.0
    return base * day * week


def write(
    path: Path,
    *,
    sensors: int = 2,
    days: int = 60,
    start: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    value: Callable[[int, datetime, int], float | str | None] | None = None,
    header: str = "sensor_id,timestamp,count",
) -> Path:
    """Hourly rows for ``days`` days of UTC hours, timestamps written with their Brussels
    offset. ``value(sensor, local wall time, hour index)`` may override a count (``None``
    drops the row)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        writer = csv.writer(handle)
        for i in range(days * 24):
            moment = (start + timedelta(hours=i)).astimezone(ZONE)
            wall = moment.replace(tzinfo=None)
            for s in range(sensors):
                count: float | str | None = round(level(s, wall))
                if value is not None:
                    count = value(s, wall, i)
                if count is None:
                    continue
                writer.writerow([f"sensor-{s}", moment.isoformat(), count])
    return path
