"""Period types and period codes: ``year`` 2024, ``halfyear`` 2024-H1, ``quarter`` 2024-Q3,
``month`` 2024-07 (Swing's period levels)."""

from __future__ import annotations

import calendar
import re

from belfort.errors import IndicatorInvalid

PERIOD_TYPES = ("year", "halfyear", "quarter", "month")
PERIOD_NAMES = {"year": "Jaar", "halfyear": "Halfjaar", "quarter": "Kwartaal", "month": "Maand"}
_PATTERNS = {
    "year": re.compile(r"^(\d{4})$"),
    "halfyear": re.compile(r"^(\d{4})-H([12])$"),
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
}
MIN_YEAR, MAX_YEAR = 1800, 2200


def check_type(period_type: str) -> str:
    if period_type not in PERIOD_TYPES:
        raise IndicatorInvalid(
            f"unknown period type {str(period_type)[:20]!r}; one of {', '.join(PERIOD_TYPES)}"
        )
    return period_type


def period_of(period_type: str, year: int, month: int) -> str:
    """The code of the period of ``period_type`` a month falls in."""
    if period_type == "year":
        return f"{year:04d}"
    if period_type == "halfyear":
        return f"{year:04d}-H{1 if month <= 6 else 2}"
    if period_type == "quarter":
        return f"{year:04d}-Q{(month - 1) // 3 + 1}"
    return f"{year:04d}-{month:02d}"


def type_of(code: str) -> str | None:
    """The period type a code is written in (None: not a period code)."""
    for kind, pattern in _PATTERNS.items():
        found = pattern.match(code)
        if found and MIN_YEAR <= int(found.group(1)) <= MAX_YEAR:
            return kind
    return None


def check_period(code: object, period_type: str) -> str:
    """``code`` when it is a period of ``period_type``; IndicatorInvalid otherwise."""
    text = str(code).strip()[:20]
    kind = type_of(text)
    if kind != period_type:
        raise IndicatorInvalid(
            f"period {text!r} is not a {period_type} period (like {example(period_type)})"
            if kind is None
            else f"incompatible periods: {text!r} is a {kind} period, "
            f"the indicator has {period_type} periods"
        )
    return text


def example(period_type: str) -> str:
    return {"year": "2024", "halfyear": "2024-H1", "quarter": "2024-Q3", "month": "2024-07"}[
        period_type
    ]


def days_in(code: str) -> int:
    """Calendar days in a period."""
    kind = type_of(code)
    year = int(code[:4])
    if kind == "year":
        return 366 if calendar.isleap(year) else 365
    months = {
        "halfyear": range(1, 7) if code.endswith("H1") else range(7, 13),
        "quarter": range(3 * int(code[-1]) - 2, 3 * int(code[-1]) + 1),
        "month": range(int(code[5:7]), int(code[5:7]) + 1),
    }[kind or "month"]
    return sum(calendar.monthrange(year, m)[1] for m in months)


def name_of(code: str) -> str:
    return code
