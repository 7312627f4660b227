"""Days that change how many people are out: public holidays (PyPI ``holidays``) and school
holidays (Belgium: ``holidays``' school category for the Flemish Community; New Zealand: the
term dates below).

New Zealand's state-school term dates are set by the Ministry of Education and published
per year (education.govt.nz, "Term dates and school holidays"); schools may start term 1
within a window, so term 1 starts at the latest day of the window and term 4 ends on the
"no later than" date. Days outside a term (weekends included) are school holidays.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from belfort.errors import ForecastInputInvalid

COUNTRIES = ("NZ", "BE")
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


class Calendar:
    """Public and school holidays of one country (NZ: Auckland's regional holidays too)."""

    def __init__(self, country: str) -> None:
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

    def public_holiday(self, day: date) -> bool:
        return day in self._public

    def school_holiday(self, day: date) -> bool:
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
