"""Small writers and time helpers shared by the demo generators.

The demo files are written with the standard library (``csv``, ``json``) rather than
pandas so the exact bytes are under our control: the determinism test compares files
byte for byte, and the loader is meant to be exercised on the quirks real Ghent exports
have (semicolons, decimal commas, ``ja``/``nee``), which we spell out here on purpose.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

CET = timezone(timedelta(hours=1))
CEST = timezone(timedelta(hours=2))


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ","
) -> int:
    """Write a UTF-8 CSV with ``\\n`` line endings; ``None`` becomes an empty cell.

    Returns the number of data rows, which the sources report and the tests check.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_json(path: Path, data: Any) -> None:
    """Write indented UTF-8 JSON; insertion order is deterministic, so the bytes are too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.write("\n")


def decimal_comma(value: float | None, digits: int = 2) -> str | None:
    """Format a number the Belgian way (``0,73``), as Excel exports from the city do."""
    if value is None:
        return None
    return f"{value:.{digits}f}".replace(".", ",")


def geopoint(lat: float, lon: float) -> str:
    """A geopoint as Opendatasoft writes it in CSV exports: ``"lat, lon"``."""
    return f"{lat:.6f}, {lon:.6f}"


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)  # only used for March and October
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _offset(tz: timezone) -> timedelta:
    offset = tz.utcoffset(None)
    assert offset is not None  # fixed-offset zones always have one
    return offset


def brussels_offset(utc: datetime) -> timezone:
    """UTC offset of Europe/Brussels at a naive UTC instant, by the EU summer-time rule.

    Hard-coded rather than ``zoneinfo`` so the demo needs no tz database (Windows and
    slim containers lack one) and cannot change when tzdata is updated.
    """
    start = datetime.combine(_last_sunday(utc.year, 3), datetime.min.time()) + timedelta(hours=1)
    end = datetime.combine(_last_sunday(utc.year, 10), datetime.min.time()) + timedelta(hours=1)
    return CEST if start <= utc < end else CET


def local_instants(start: date, end: date, step: timedelta) -> list[datetime]:
    """Aware Brussels-local instants from ``start`` 00:00 up to the end of ``end``.

    Stepping in UTC means the spring-forward hour is absent and the autumn hour occurs
    twice with different offsets, so ``(sensor, tijdstip)`` stays unique and every
    timestamp is unambiguous when written with its offset.
    """
    first_local = datetime.combine(start, datetime.min.time())
    stop_local = datetime.combine(end + timedelta(days=1), datetime.min.time())
    # A local midnight is never in the changeover hour, so "local - 1 h" picks the offset.
    utc = first_local - _offset(brussels_offset(first_local - timedelta(hours=1)))
    stop_utc = stop_local - _offset(brussels_offset(stop_local - timedelta(hours=1)))
    out: list[datetime] = []
    while utc < stop_utc:
        tz = brussels_offset(utc)
        out.append((utc + _offset(tz)).replace(tzinfo=tz))
        utc += step
    return out
