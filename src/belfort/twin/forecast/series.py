"""Reading a long ``sensor_id,timestamp,count`` file into a clean hourly grid per sensor.

Everything that is wrong with a real counts file is handled here and *counted* in the
report, never silently dropped:

- rows that cannot be used (a timestamp that is not ISO 8601 or not on the hour, a count
  that is not a number, an unusable sensor id) are rejected with their reason;
- negative counts and absurd counts (above :data:`ABSURD_MAX`, or more than
  :data:`ABSURD_FACTOR` times the sensor's own 99th percentile) are not observations;
- runs of :data:`OUTAGE_MIN_ZERO_HOURS` or more zeros are sensor outages, not empty streets;
- hours without a row inside a sensor's span are gaps;
- daylight saving: the grid is the local wall clock of ``timezone`` (pedestrians follow the
  clock). The spring-forward hour does not exist: it is filled in and never scored. The
  autumn hour that occurs twice is one wall-clock hour: two rows (distinct instants, with
  UTC offsets) are averaged; two rows with the same naive timestamp are a duplicate and the
  first is kept.

Outage, gap, negative and absurd hours are *imputed* (the value one week earlier, else the
sensor's median for that weekday and hour) so they do not poison the models' lags; they are
marked, counted per sensor, and never used as the truth.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from belfort.errors import ForecastInputInvalid

OUTAGE_MIN_ZERO_HOURS = 24
ABSURD_MAX = 1_000_000.0
ABSURD_FACTOR = 20.0
MAX_SENSOR_ID_CHARS = 200
MAX_ROWS = 20_000_000
MAX_SENSORS = 5_000
MAX_HOURS = 24 * 366 * 30
MAX_LINE_CHARS = 10_000  # a line of the counts file (a sensor id, a timestamp, a count)
EXAMPLES = 5
HOUR = timedelta(hours=1)
COLUMNS = ("sensor_id", "timestamp", "count")


@dataclass
class Panel:
    """Hourly counts on a local wall-clock grid: ``values[s, i]`` is sensor ``s`` at
    ``start + i`` hours; NaN where there is no valid observation."""

    start: datetime
    sensors: tuple[str, ...]
    values: np.ndarray
    timezone: str
    dst_gap: np.ndarray  # bool per hour: the wall-clock hour does not exist
    outage: np.ndarray  # bool (S, n)
    report: dict[str, Any] = field(default_factory=dict)

    @property
    def hours(self) -> int:
        return int(self.values.shape[1])

    def timestamp(self, index: int) -> datetime:
        return self.start + index * HOUR

    def index(self, moment: datetime) -> int:
        return int((moment - self.start) / HOUR)

    @property
    def observed(self) -> np.ndarray:
        """Where the truth is known: a valid count that is not an imputed hour."""
        return np.asarray(~np.isnan(self.values), dtype=bool)


class _Rows:
    """Per-sensor wall-clock values as they are read, with the reasons rows were refused."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.cells: dict[str, dict[datetime, list[float]]] = {}
        self.instants: dict[str, dict[datetime, datetime]] = {}
        self.rejected: dict[str, int] = {}
        self.examples: list[dict[str, Any]] = []
        self.duplicates = 0
        self.dst_merged = 0
        self.empty = 0
        self._stamps: dict[str, tuple[datetime, datetime] | str] = {}

    def reject(self, line: int, reason: str) -> None:
        self.rejected[reason] = self.rejected.get(reason, 0) + 1
        if len(self.examples) < EXAMPLES:
            self.examples.append({"line": line, "reason": reason})

    def wall(self, text: str) -> tuple[datetime, datetime] | str:
        """The local wall-clock hour of a timestamp and its instant (UTC when the timestamp
        has an offset, else the wall clock itself), or the reason it is refused."""
        known = self._stamps.get(text)
        if known is not None:
            return known
        result: tuple[datetime, datetime] | str
        try:
            moment = datetime.fromisoformat(text.strip())
        except ValueError:
            result = "timestamp is not ISO 8601"
        else:
            if moment.minute or moment.second or moment.microsecond:
                result = "timestamp is not on the hour"
            elif not 1970 <= moment.year <= 2200:
                result = "timestamp out of range"
            elif moment.tzinfo is not None:
                result = (
                    moment.astimezone(self.zone).replace(tzinfo=None),
                    moment.astimezone(UTC).replace(tzinfo=None),
                )
            else:
                result = (moment, moment)
        if len(self._stamps) < 2_000_000:
            self._stamps[text] = result
        return result

    def add(self, line: int, sensor: str, stamp: str, count: str) -> None:
        if not sensor or len(sensor) > MAX_SENSOR_ID_CHARS or not sensor.isprintable():
            self.reject(line, "sensor_id empty, too long or with control characters")
            return
        parsed = self.wall(stamp)
        if isinstance(parsed, str):
            self.reject(line, parsed)
            return
        wall, instant = parsed
        text = count.strip()
        if not text:
            self.empty += 1
            return
        try:
            value = float(text)
        except ValueError:
            self.reject(line, "count is not a number")
            return
        if not math.isfinite(value):
            self.reject(line, "count is not a number")
            return
        per_sensor = self.cells.get(sensor)
        if per_sensor is None:
            if len(self.cells) >= MAX_SENSORS:
                raise ForecastInputInvalid(f"more than {MAX_SENSORS} sensors in the file")
            per_sensor = self.cells[sensor] = {}
            self.instants[sensor] = {}
        seen = per_sensor.get(wall)
        if seen is None:
            per_sensor[wall] = [value]
            self.instants[sensor][wall] = instant
        elif instant != self.instants[sensor][wall] and len(seen) == 1:
            seen.append(value)  # the autumn hour that occurs twice: two real instants
            self.dst_merged += 1
        else:
            self.duplicates += 1


def _header(row: list[str]) -> dict[str, int]:
    names = [cell.strip().lstrip("\ufeff").lower() for cell in row]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ForecastInputInvalid(
            "the file needs the columns sensor_id, timestamp and count; missing: "
            + ", ".join(missing)
        )
    return {c: names.index(c) for c in COLUMNS}


def bounded_lines(lines: Iterable[str], limit: int, label: str = "") -> Iterator[str]:
    """``lines``, refusing one longer than ``limit`` characters with its number. (Not
    ``csv.field_size_limit``: that is one setting for the whole process, which the ingest
    raises for big cells; a reader that lowered it broke the ingest's next big cell, and
    its own refusal depended on which reader had run before.)"""
    for number, line in enumerate(lines, 1):
        if len(line) > limit:
            raise ForecastInputInvalid(f"{label}line {number}: longer than {limit} characters")
        yield line


def _read_rows(lines: Iterable[str], zone: ZoneInfo, max_rows: int) -> tuple[_Rows, int]:
    rows = _Rows(zone)
    reader = csv.reader(lines)
    read = 0
    try:
        header = next(reader, None)
        if header is None:
            raise ForecastInputInvalid("the file is empty")
        where = _header(header)
        width = max(where.values()) + 1
        for row in reader:
            read += 1
            if read > max_rows:
                raise ForecastInputInvalid(f"more than {max_rows} rows in the file")
            if not row:
                continue
            if len(row) < width:
                rows.reject(reader.line_num, "too few columns")
                continue
            rows.add(
                reader.line_num, row[where["sensor_id"]].strip(), row[where["timestamp"]],
                row[where["count"]],
            )
    except csv.Error as exc:
        raise ForecastInputInvalid(f"the file is not a readable CSV file: {exc}") from exc
    return rows, read


def read_counts(
    path: Path, timezone: str, *, max_rows: int = MAX_ROWS, max_hours: int = MAX_HOURS,
    before: datetime | None = None,
) -> Panel:
    """Read and clean a counts file (see the module's description). With ``before`` (a
    local wall-clock hour), rows at or after it are left out before any cleaning, as if the
    file ended there: a validation run then never sees the test window, not even through
    the cleaning's percentiles."""
    try:
        zone = ZoneInfo(timezone)
    except (KeyError, ValueError) as exc:
        raise ForecastInputInvalid(f"unknown time zone {timezone!r}") from exc
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows, read = _read_rows(bounded_lines(handle, MAX_LINE_CHARS), zone, max_rows)
    except UnicodeDecodeError as exc:
        raise ForecastInputInvalid("the file is not UTF-8 text") from exc
    except OSError as exc:
        raise ForecastInputInvalid(f"cannot read the file: {exc.strerror}") from exc
    if before is not None:
        for name in list(rows.cells):
            kept = {w: c for w, c in rows.cells[name].items() if w < before}
            if kept:
                rows.cells[name] = kept
            else:
                del rows.cells[name]
    if not rows.cells:
        raise ForecastInputInvalid(
            "no usable rows in the file",
            details={"rows_read": read, "rows_rejected": rows.rejected,
                     "examples": rows.examples},
        )
    return _grid(rows, read, timezone, zone, max_hours)


def _grid(rows: _Rows, read: int, timezone: str, zone: ZoneInfo, max_hours: int) -> Panel:
    walls = [w for cells in rows.cells.values() for w in cells]
    start, end = min(walls), max(walls)
    n = int((end - start) / HOUR) + 1
    if n > max_hours:
        raise ForecastInputInvalid(f"the file spans more than {max_hours} hours")
    sensors = tuple(sorted(rows.cells))
    values = np.full((len(sensors), n), np.nan)
    for s, name in enumerate(sensors):
        for wall, cell in rows.cells[name].items():
            values[s, int((wall - start) / HOUR)] = sum(cell) / len(cell)
    dst_gap = np.array([_skipped(start + i * HOUR, zone) for i in range(n)], dtype=bool)
    per_sensor: dict[str, dict[str, Any]] = {}
    outage = np.zeros_like(values, dtype=bool)
    for s, name in enumerate(sensors):
        per_sensor[name] = _clean(values[s], outage[s], dst_gap)
        per_sensor[name]["rows"] = len(rows.cells[name])
    report: dict[str, Any] = {
        "rows_read": read,
        "rows_rejected": sum(rows.rejected.values()),
        "rejected_by_reason": rows.rejected,
        "rejected_examples": rows.examples,
        "empty_counts": rows.empty,
        "duplicate_rows_ignored": rows.duplicates,
        "timezone": timezone,
        "first_hour": start.isoformat(),
        "last_hour": end.isoformat(),
        "dst": {
            "repeated_hours_averaged": rows.dst_merged,
            "skipped_hours": int(dst_gap.sum()),
        },
        "sensors": per_sensor,
    }
    return Panel(start, sensors, values, timezone, dst_gap, outage, report)


def _skipped(wall: datetime, zone: ZoneInfo) -> bool:
    """Whether a local wall-clock hour does not exist (the spring-forward hour)."""
    there = wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return there != wall


def _clean(row: np.ndarray, outage: np.ndarray, dst_gap: np.ndarray) -> dict[str, Any]:
    """Turn one sensor's bad hours into NaN (in place) and count them."""
    absent = np.isnan(row)
    negative = int(np.sum(row < 0))
    row[row < 0] = np.nan
    positive = row[row > 0]
    limit = ABSURD_MAX
    if positive.size >= 100:
        limit = min(limit, ABSURD_FACTOR * float(np.percentile(positive, 99)))
    absurd = int(np.sum(row > limit))
    row[row > limit] = np.nan
    zero = row == 0
    outage_hours = 0
    i, n = 0, row.size
    while i < n:
        if not zero[i]:
            i += 1
            continue
        j = i
        while j < n and (zero[j] or (dst_gap[j] and j > i)):
            j += 1
        if j - i >= OUTAGE_MIN_ZERO_HOURS:
            outage[i:j] = True
            outage_hours += j - i
        i = j
    row[outage] = np.nan
    row[dst_gap] = np.nan
    known = np.flatnonzero(~np.isnan(row))
    gaps = 0
    if known.size:
        span = slice(int(known[0]), int(known[-1]) + 1)
        gaps = int(np.sum(absent[span] & ~dst_gap[span]))
    return {
        "valid_hours": int(known.size),
        "negative_counts": negative,
        "absurd_counts": absurd,
        "outage_hours": outage_hours,
        "gap_hours": gaps,
    }


def impute(panel: Panel, profile_end: int) -> tuple[np.ndarray, np.ndarray]:
    """Every hour filled in: the value one week earlier (itself filled if need be), else the
    sensor's median for that weekday and hour over the hours before ``profile_end``.
    Returns the filled values and the mask of imputed hours."""
    values = panel.values
    filled = values.copy()
    missing = np.isnan(values)
    n = panel.hours
    first_dow = panel.start.weekday()
    slot = ((np.arange(n) + panel.start.hour) // 24 + first_dow) % 7 * 24 + (
        np.arange(n) + panel.start.hour
    ) % 24
    for s in range(values.shape[0]):
        head = values[s, :profile_end]
        heads = slot[:profile_end]
        ok = ~np.isnan(head)
        overall = float(np.median(head[ok])) if ok.any() else 0.0
        profile = np.full(168, overall)
        for k in range(168):
            sel = head[ok & (heads == k)]
            if sel.size:
                profile[k] = float(np.median(sel))
        row = filled[s]
        for i in np.flatnonzero(missing[s]):
            back = i - 168
            row[i] = row[back] if back >= 0 and not np.isnan(row[back]) else profile[slot[i]]
    return filled, missing
