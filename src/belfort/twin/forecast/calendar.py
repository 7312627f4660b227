"""Days that change how many people are out: public holidays (PyPI ``holidays``), school
holidays (Belgium: ``holidays``' school category for the Flemish Community; New Zealand: the
term dates below) and a city's own calendar file (``--calendar``, :func:`read_calendar`):
extra public holidays, its school holidays and its events (festivals, markets, parades).

New Zealand's state-school term dates are set by the Ministry of Education and published
per year (education.govt.nz, "Term dates and school holidays"); schools may start term 1
within a window, so term 1 starts at the latest day of the window and term 4 ends on the
"no later than" date. Days outside a term (weekends included) are school holidays.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays

from belfort.errors import ForecastInputInvalid
from belfort.twin.forecast.series import bounded_lines

COUNTRIES = ("NZ", "BE")
#: The kinds of day a calendar file may list.
KINDS = ("public_holiday", "school_holiday", "event")
CALENDAR_COLUMNS = ("date", "kind", "name")
MAX_CALENDAR_BYTES = 1_000_000
MAX_CALENDAR_ROWS = 20_000
MAX_RANGE_DAYS = 366
MAX_NAME_CHARS = 200
MAX_LINE_CHARS = 1_000  # two dates, a kind and a name of at most MAX_NAME_CHARS fit easily
#: (start, end) of each term, inclusive. Source: NZ Ministry of Education term dates.
NZ_TERMS: dict[int, tuple[tuple[str, str], ...]] = {
    2019: (("2019-02-07", "2019-04-12"), ("2019-04-29", "2019-07-05"),
           ("2019-07-22", "2019-09-27"), ("2019-10-14", "2019-12-20")),
    2020: (("2020-02-07", "2020-04-09"), ("2020-04-15", "2020-07-03"),
           ("2020-07-20", "2020-09-25"), ("2020-10-12", "2020-12-18")),
    2021: (("2021-02-08", "2021-04-16"), ("2021-05-03", "2021-07-09"),
           ("2021-07-26", "2021-10-01"), ("2021-10-18", "2021-12-17")),
    2022: (("2022-02-07", "2022-04-14"), ("2022-05-02", "2022-07-08"),
           ("2022-07-25", "2022-09-30"), ("2022-10-17", "2022-12-20")),
    2023: (("2023-02-07", "2023-04-06"), ("2023-04-24", "2023-06-30"),
           ("2023-07-17", "2023-09-22"), ("2023-10-09", "2023-12-20")),
    2024: (("2024-02-07", "2024-04-12"), ("2024-04-29", "2024-07-05"),
           ("2024-07-22", "2024-09-27"), ("2024-10-14", "2024-12-20")),
    2025: (("2025-02-06", "2025-04-11"), ("2025-04-28", "2025-06-27"),
           ("2025-07-14", "2025-09-19"), ("2025-10-06", "2025-12-19")),
    2026: (("2026-02-06", "2026-04-02"), ("2026-04-20", "2026-07-03"),
           ("2026-07-20", "2026-09-25"), ("2026-10-12", "2026-12-18")),
}


@dataclass(frozen=True)
class CalendarFile:
    """The days a city's calendar file lists, per kind (``names``: day -> names, for
    reports)."""

    days: dict[str, frozenset[date]] = field(default_factory=dict)
    names: dict[date, tuple[str, ...]] = field(default_factory=dict)
    rows: int = 0

    def of(self, kind: str) -> frozenset[date]:
        return self.days.get(kind, frozenset())

    def summary(self) -> dict[str, int]:
        return {kind: len(self.of(kind)) for kind in KINDS}


def read_calendar(path: Path) -> CalendarFile:
    """Read a calendar file: a UTF-8 CSV with the columns ``date,kind,name`` (and optionally
    ``end``: the last day of a range, inclusive). ``kind`` is one of :data:`KINDS`. Anything
    else is refused with the line and the reason (:class:`ForecastInputInvalid`)."""
    label = "--calendar"
    try:
        size = path.stat().st_size
        if size > MAX_CALENDAR_BYTES:
            raise ForecastInputInvalid(
                f"{label}: the file is larger than {MAX_CALENDAR_BYTES} bytes"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ForecastInputInvalid(f"{label}: cannot read the file: {exc.strerror}") from exc
    if b"\x00" in raw:
        raise ForecastInputInvalid(f"{label}: the file contains NUL bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ForecastInputInvalid(f"{label}: the file is not UTF-8 text") from exc
    days: dict[str, set[date]] = {kind: set() for kind in KINDS}
    names: dict[date, list[str]] = {}
    reader = csv.reader(bounded_lines(text.lstrip("\ufeff").splitlines(), MAX_LINE_CHARS,
                                      f"{label}: "))
    rows = 0
    try:
        header = [cell.strip().lower() for cell in next(reader, [])]
        missing = [c for c in CALENDAR_COLUMNS if c not in header]
        if missing:
            raise ForecastInputInvalid(
                f"{label}: the file needs the columns date, kind and name; missing: "
                + ", ".join(missing)
            )
        where = {c: header.index(c) for c in (*CALENDAR_COLUMNS, "end") if c in header}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if rows > MAX_CALENDAR_ROWS:
                raise ForecastInputInvalid(f"{label}: more than {MAX_CALENDAR_ROWS} rows")
            line = reader.line_num
            first, last, kind, name = _calendar_row(row, where, line)
            day = first
            while day <= last:
                days[kind].add(day)
                names.setdefault(day, []).append(name)
                day += timedelta(days=1)
    except csv.Error as exc:
        raise ForecastInputInvalid(f"{label}: not a readable CSV file: {exc}") from exc
    return CalendarFile(
        days={k: frozenset(v) for k, v in days.items()},
        names={d: tuple(n) for d, n in names.items()},
        rows=rows,
    )


def _calendar_row(
    row: list[str], where: dict[str, int], line: int
) -> tuple[date, date, str, str]:
    def cell(column: str) -> str:
        index = where.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    where_text = f"--calendar: line {line}"
    try:
        first = date.fromisoformat(cell("date"))
    except ValueError:
        raise ForecastInputInvalid(f"{where_text}: not an ISO date (YYYY-MM-DD) in the date "
                                   "column") from None
    last = first
    if cell("end"):
        try:
            last = date.fromisoformat(cell("end"))
        except ValueError:
            raise ForecastInputInvalid(f"{where_text}: not an ISO date in the end "
                                       "column") from None
        if not 0 <= (last - first).days < MAX_RANGE_DAYS:
            raise ForecastInputInvalid(
                f"{where_text}: end must be on or after date and at most "
                f"{MAX_RANGE_DAYS} days later"
            )
    kind = cell("kind").lower()
    if kind not in KINDS:
        raise ForecastInputInvalid(f"{where_text}: kind must be one of {', '.join(KINDS)}")
    name = cell("name")
    if len(name) > MAX_NAME_CHARS or not name.isprintable():
        raise ForecastInputInvalid(
            f"{where_text}: name longer than {MAX_NAME_CHARS} characters or with control "
            "characters"
        )
    return first, last, kind, name


class Calendar:
    """Public and school holidays of one country (NZ: Auckland's regional holidays too),
    with a city's calendar file on top: its public holidays and events are added; when it
    lists school holidays, those are the school holidays (they replace the built-in ones)."""

    def __init__(self, country: str, extra: CalendarFile | None = None) -> None:
        if country not in COUNTRIES:
            raise ForecastInputInvalid(
                f"unknown country {country!r}: one of {', '.join(COUNTRIES)}"
            )
        self.country = country
        if country == "NZ":
            self._public = holidays.country_holidays("NZ", subdiv="AUK")
            self._school: holidays.HolidayBase | None = None
        else:
            self._public = holidays.country_holidays("BE")
            self._school = holidays.country_holidays(
                "BE", subdiv="Flemish", categories=("school",)
            )
        self.extra = extra or CalendarFile()

    def public_holiday(self, day: date) -> bool:
        return day in self._public or day in self.extra.of("public_holiday")

    def event(self, day: date) -> bool:
        return day in self.extra.of("event")

    def school_holiday(self, day: date) -> bool:
        listed = self.extra.of("school_holiday")
        if listed:
            return day in listed
        if self.country == "NZ":
            return _nz_school_holiday(day)
        if self._school is None:
            return False
        return day in self._school

    def known_school_years(self) -> list[int]:
        return sorted(NZ_TERMS) if self.country == "NZ" else []


@lru_cache(maxsize=4096)
def _nz_school_holiday(day: date) -> bool:
    terms = NZ_TERMS.get(day.year)
    if terms is None:
        return False  # unknown year: not claimed either way
    text = day.isoformat()
    return not any(start <= text <= end for start, end in terms)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]
