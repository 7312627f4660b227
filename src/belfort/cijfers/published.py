"""What the public may see of indicator values, read for pages and downloads.

A stored value becomes a ``Published`` at once, in this module: the rounded number when it
may be shown, otherwise only its protection text (``"< 5"``, ``"x"``) or its Swing missing
code. The raw value of a protected cell never leaves here (the pages, the ranks, the
sentences and the CSV downloads all work from ``Published``).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from belfort.cijfers.geography import CITY_LEVEL, WIJK_LEVEL, Area, Geography
from belfort.cijfers.models import (
    EMPTY,
    NOT_APPLICABLE,
    SUPPRESSED_BY_SUPPLIER,
    UNKNOWN,
    Indicator,
    IndicatorValue,
)
from belfort.errors import NotFound

# what a Swing missing code means (the pages explain it, the downloads write the code)
MISSING_KEYS = {
    UNKNOWN: "unknown",
    NOT_APPLICABLE: "not_applicable",
    SUPPRESSED_BY_SUPPLIER: "suppressed_by_supplier",
    EMPTY: "empty",
}
POPULATION = "bev_totaal"  # the indicator "per 1,000 inhabitants" is worked out with


@dataclass(frozen=True)
class Published:
    """One cell as published: ``number`` (rounded) or else ``mark`` — a protection text
    (``"< 5"``, ``"x"``) — or ``missing`` (a Swing code)."""

    number: float | None = None
    mark: str | None = None
    missing: int | None = None

    @property
    def shown(self) -> bool:
        return self.number is not None

    @property
    def hidden(self) -> bool:
        """Withheld to protect small numbers (``"< 5"`` or ``"x"``)."""
        return self.mark is not None

    @property
    def csv_text(self) -> str:
        if self.number is not None:
            return _plain(self.number)
        if self.mark is not None:
            return self.mark
        return str(self.missing if self.missing is not None else EMPTY)


NOTHING = Published(missing=EMPTY)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(number)


def publish(value: float | None, missing: int | None, display: str | None,
            decimals: int) -> Published:
    """The public form of a stored value (its protection first, then its missing code)."""
    if display is not None:
        return Published(mark=str(display))
    if missing is not None:
        return Published(missing=int(missing))
    if value is None:
        return Published(missing=UNKNOWN)
    rounded = round(float(value), decimals)
    return Published(number=float(int(rounded)) if decimals <= 0 else rounded)


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name_nl: str
    name_en: str
    description_nl: str
    description_en: str
    theme: str
    unit: str
    decimals: int
    threshold: int
    period_type: str
    modelled: bool
    kind: str
    sources: tuple[str, ...]

    def name(self, lang: str) -> str:
        return self.name_nl if lang == "nl" else self.name_en

    def description(self, lang: str) -> str:
        return self.description_nl if lang == "nl" else self.description_en


def info_of(row: Indicator) -> IndicatorInfo:
    return IndicatorInfo(
        row.code, row.name_nl, row.name_en, row.description_nl or "", row.description_en or "",
        row.theme or "", row.unit or "", row.decimals, row.threshold, row.period_type,
        bool(row.modelled), row.kind, tuple(row.sources or ()),
    )


def indicators(session: Session) -> list[IndicatorInfo]:
    return [info_of(r) for r in session.scalars(select(Indicator).order_by(Indicator.code))]


def indicator_info(session: Session, code: str) -> IndicatorInfo:
    row = session.get(Indicator, code) if _code_like(code) else None
    if row is None:
        raise NotFound(f"no indicator {str(code)[:60]!r}", details={"say": "cijfers_indicator"})
    return info_of(row)


def _code_like(code: object) -> bool:
    return isinstance(code, str) and 0 < len(code) <= 60 and code.isascii()


def wijk_of(geography: Geography, code: object) -> Area:
    """The wijk with this code (the city's wijk number); NotFound otherwise."""
    if isinstance(code, str) and len(code) <= 10:
        for area in geography.wijken:
            if area.code == code.strip():
                return area
    raise NotFound(f"no wijk {str(code)[:40]!r}", details={"say": "cijfers_wijk"})


Key = tuple[str, str, str, str]  # indicator, geolevel, geoitem, period
_COLUMNS = (
    IndicatorValue.indicator, IndicatorValue.geolevel, IndicatorValue.geoitem,
    IndicatorValue.period, IndicatorValue.value, IndicatorValue.missing, IndicatorValue.display,
)


def _published_rows(rows: Iterable[Any], decimals: dict[str, int]) -> dict[Key, Published]:
    return {
        (r[0], r[1], r[2], r[3]): publish(r[4], r[5], r[6], decimals.get(r[0], 0)) for r in rows
    }


@dataclass(frozen=True)
class Series:
    """One indicator's published values for some areas over its periods."""

    info: IndicatorInfo
    periods: tuple[str, ...]
    cells: dict[tuple[str, str], Published]  # (geoitem, period) → published

    def get(self, geoitem: str, period: str) -> Published:
        return self.cells.get((geoitem, period), NOTHING)

    @property
    def latest(self) -> str | None:
        return self.periods[-1] if self.periods else None


def areas_series(session: Session, infos: Sequence[IndicatorInfo], geography: Geography,
                 wijken: Sequence[str]) -> dict[str, Series]:
    """The wijken's and the city's values of every indicator in ``infos``, all periods."""
    decimals = {i.code: i.decimals for i in infos}
    codes = list(decimals)
    wanted = {(CITY_LEVEL, geography.city.code)} | {(WIJK_LEVEL, w) for w in wijken}
    rows = session.execute(select(*_COLUMNS).where(
        IndicatorValue.indicator.in_(codes),
        IndicatorValue.geolevel.in_((CITY_LEVEL, WIJK_LEVEL)),
        IndicatorValue.geoitem.in_([item for _, item in wanted]),
    ))
    by_code: dict[str, dict[tuple[str, str], Published]] = defaultdict(dict)
    for r in rows:
        if (r[1], r[2]) in wanted:
            by_code[r[0]][(r[2], r[3])] = publish(r[4], r[5], r[6], decimals[r[0]])
    return {
        i.code: Series(i, tuple(sorted({p for _, p in by_code[i.code]})), by_code[i.code])
        for i in infos
    }


@dataclass(frozen=True)
class WijkFigures:
    """Every wijk's published value of one indicator in one period (its latest)."""

    period: str
    values: dict[str, Published]


def wijken_at(session: Session, infos: Sequence[IndicatorInfo],
              periods: dict[str, str]) -> dict[str, WijkFigures]:
    """Every wijk's published value of each indicator at the period given for it."""
    decimals = {i.code: i.decimals for i in infos}
    pairs = {(code, period) for code, period in periods.items() if code in decimals}
    result = {code: WijkFigures(period, {}) for code, period in pairs}
    if not pairs:
        return result
    rows = session.execute(select(*_COLUMNS).where(
        IndicatorValue.indicator.in_([code for code, _ in pairs]),
        IndicatorValue.geolevel == WIJK_LEVEL,
        IndicatorValue.period.in_({period for _, period in pairs}),
    ))
    for r in rows:
        if (r[0], r[3]) in pairs:
            result[r[0]].values[r[2]] = publish(r[4], r[5], r[6], decimals[r[0]])
    return result


def latest_periods(session: Session) -> dict[str, str]:
    """Each indicator's most recent period with a value at the wijk level."""
    rows = session.execute(
        select(IndicatorValue.indicator, func.max(IndicatorValue.period))
        .where(IndicatorValue.geolevel == WIJK_LEVEL)
        .group_by(IndicatorValue.indicator)
    )
    return {code: period for code, period in rows if period}


def indicator_series(session: Session, info: IndicatorInfo,
                     geography: Geography) -> Series:
    """Every wijk's and the city's values of one indicator, all periods."""
    rows = session.execute(select(*_COLUMNS).where(
        IndicatorValue.indicator == info.code,
        IndicatorValue.geolevel.in_((CITY_LEVEL, WIJK_LEVEL)),
    ))
    cells = {(item, period): shown
             for (_c, _l, item, period), shown in _published_rows(rows, {info.code: info.decimals})
             .items()}
    return Series(info, tuple(sorted({p for _, p in cells})), cells)


def _header() -> list[str]:
    return ["indicator", "geolevel", "geoitem", "name", "period", "value", "protected",
            "missing"]


def _csv_row(code: str, area: Area, period: str, shown: Published) -> list[str]:
    return [code, area.level, area.code, area.name, period,
            _plain(shown.number) if shown.number is not None else "",
            shown.mark or "", "" if shown.missing is None else str(shown.missing)]


def _csv(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_header())
    writer.writerows(rows)
    return out.getvalue()


def indicator_csv(series: Series, geography: Geography) -> str:
    """All wijken and the city × every period of one indicator: protected values only
    (``value`` empty and ``protected`` "< 5"/"x", or ``missing`` a Swing code)."""
    areas = (geography.city, *geography.wijken)
    return _csv(_csv_row(series.info.code, a, p, series.get(a.code, p))
                for p in series.periods for a in areas)


def wijk_csv(series: dict[str, Series], wijk: Area, geography: Geography) -> str:
    """Every indicator × period for one wijk and the city, protected values only."""
    return _csv(_csv_row(code, a, p, s.get(a.code, p))
                for code, s in sorted(series.items())
                for p in s.periods for a in (wijk, geography.city))
