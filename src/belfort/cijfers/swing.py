"""Answers in the shape of Swing (ABF Research), as the PyPI client ``stadincijfers`` reads
them: OData lists of ``{"ExternalCode", "Name"}`` and the selection table
(``{"headers": [{"name", "type"}], "rows": [[area, period, value], ...]}``).

Only what ``protection`` allows is published: a protected value is its display text
(``"< 5"``, ``"x"``), a missing value its Swing code. Every parameter is checked (an
unknown variable, level, area or period is NotFound; a malformed one InvalidRequest).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from belfort.cijfers.breakdown import Breakdown, breakdown_of
from belfort.cijfers.geography import LEVEL_NAMES, Geography
from belfort.cijfers.models import Indicator, IndicatorValue, MemberValue
from belfort.cijfers.periods import PERIOD_NAMES, PERIOD_TYPES, type_of
from belfort.errors import IndicatorNotFound, InvalidRequest, NotFound

PAGE = 10  # Variables?$skip=N: pages of ten, as Swing's
MAX_SKIP = 1_000_000
MAX_ITEMS = 200  # areas or periods named in one selection
TOKEN = re.compile(r"^[A-Za-z0-9_.\- ]{1,60}$")
MOST_RECENT = "mrp"


def _item(code: str, name: str) -> dict[str, str]:
    return {"ExternalCode": code, "Name": name}


def _token(value: str, what: str) -> str:
    if not TOKEN.match(value):
        raise InvalidRequest(f"{what}: 1 to 60 letters, digits, '_', '-', '.' or spaces")
    return value


def indicator(session: Session, code: str) -> Indicator:
    row = session.get(Indicator, _token(code, "var"))
    if row is None:
        raise IndicatorNotFound(f"no variable {code!r}")
    return row


def variables(session: Session, skip: int) -> list[dict[str, str]]:
    if not 0 <= skip <= MAX_SKIP:
        raise InvalidRequest(f"$skip: 0 to {MAX_SKIP}")
    rows = session.execute(
        select(Indicator.code, Indicator.name_nl).order_by(Indicator.code).offset(skip).limit(PAGE)
    )
    return [_item(code, name) for code, name in rows]


def geolevels(geography: Geography, session: Session, var: str | None) -> list[dict[str, str]]:
    levels = geography.levels()
    if var is not None:
        wanted = indicator(session, var).geolevels
        levels = tuple(level for level in levels if level in wanted)
    return [_item(level, LEVEL_NAMES[level]) for level in levels]


def level_of(geography: Geography, session: Session, level: str, var: str | None) -> str:
    if level not in geography.levels():
        raise NotFound(f"no geographic level {level[:40]!r}")
    if var is not None and level not in indicator(session, var).geolevels:
        raise NotFound(f"variable {var!r} has no level {level!r}")
    return level


def geoitems(
    geography: Geography, session: Session, level: str, var: str | None
) -> list[dict[str, str]]:
    level = level_of(geography, session, level, var)
    return [_item(a.code, a.name) for a in geography.items(level)]


def periodlevels(
    geography: Geography, session: Session, var: str | None, level: str | None
) -> list[dict[str, str]]:
    if var is None:
        return [_item(p, PERIOD_NAMES[p]) for p in PERIOD_TYPES]
    row = indicator(session, var)
    if level is not None:
        level_of(geography, session, level, var)
    return [_item(row.period_type, PERIOD_NAMES[row.period_type])]


def periods(
    geography: Geography, session: Session, periodlevel: str, var: str | None, level: str | None
) -> list[dict[str, str]]:
    if periodlevel not in PERIOD_TYPES:
        raise NotFound(f"no period level {periodlevel[:40]!r}")
    query = select(IndicatorValue.period).distinct()
    if var is not None:
        row = indicator(session, var)
        if row.period_type != periodlevel:
            raise NotFound(f"variable {var!r} has no {periodlevel} periods")
        query = query.where(IndicatorValue.indicator == row.code)
        if level is not None:
            query = query.where(IndicatorValue.geolevel == level_of(geography, session, level, var))
    found = sorted(p for p in session.scalars(query) if type_of(p) == periodlevel)
    return [_item(p, p) for p in found]


def dimensions(session: Session, var: str) -> list[dict[str, str]]:
    """``CubeVariables('{var}')/Dimensions``: the variable's breakdown (none: an empty list)."""
    found = breakdown_of(indicator(session, var).definition)
    return [_item(found.code, found.name_nl)] if found else []


def _members(found: Breakdown) -> list[dict[str, str]]:
    return [_item(m.code, m.name_nl) for m in found.members]


def dim_members(session: Session, var: str, dim: str) -> list[dict[str, str]]:
    """``CubeVariables('{var}')/DimLevels('{dim}')/DimMembers``: the breakdown's members."""
    found = breakdown_of(indicator(session, var).definition)
    if found is None or found.code != dim:
        raise NotFound(f"variable {var!r} has no dimension {dim[:40]!r}")
    return _members(found)


def dim_levels(session: Session, dim: str) -> list[dict[str, str]]:
    """``Dimensions('{dim}')/DimLevels``: the members of the dimension (of the first variable,
    by code, that has it: variables sharing a dimension code share its members)."""
    _token(dim, "dimension")
    for definition in session.scalars(
        select(Indicator.definition).where(Indicator.kind == "query").order_by(Indicator.code)
    ):
        found = breakdown_of(definition)
        if found is not None and found.code == dim:
            return _members(found)
    raise NotFound(f"no dimension {dim[:40]!r}")


def _dimlevel(row: Indicator, text: str | None) -> tuple[Breakdown, list[str]] | None:
    """The members named in ``dimlevel`` (comma-separated member codes, or the dimension's
    code or ``all``: every member); None without ``dimlevel``."""
    if text is None or text.strip() == "":
        return None
    found = breakdown_of(row.definition)
    if found is None:
        raise NotFound(f"variable {row.code!r} has no dimensions")
    wanted = _codes(text, "dimlevel") or []
    if wanted in ([found.code], ["all"]):
        return found, list(found.codes)
    unknown = [w for w in wanted if w not in found.codes]
    if unknown:
        raise NotFound(f"dimension {found.code!r} has no member {unknown[0][:40]!r}")
    return found, list(dict.fromkeys(wanted))


def _shown(row: Any, decimals: int) -> float | int | str:
    """What is published of a value row (``geolevel, geoitem, period, value, missing,
    display``): its missing code, its protection text, or the rounded value."""
    value, missing, display = row[3], row[4], row[5]
    if missing is not None:
        return int(missing)
    if display is not None:
        return str(display)
    if value is None:
        return -99999
    rounded = round(value, decimals)
    return int(rounded) if decimals == 0 else rounded


def _codes(text: str | None, what: str) -> list[str] | None:
    if text is None or text == "":
        return None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) > MAX_ITEMS:
        raise InvalidRequest(f"{what}: at most {MAX_ITEMS} codes")
    return [_token(p, what) for p in parts]


def selection_table(
    geography: Geography,
    session: Session,
    params: dict[str, str | None],
) -> dict[str, Any]:
    """``jive/selectiontableasjson.ashx``: one variable for the areas of one level (or the
    ones named in ``geoitem``), for one period (``mrp``: the most recent), several
    (comma-separated) or ``all``; ``geocompare`` adds another level's areas (the city)."""
    var = params.get("var")
    if not var:
        raise InvalidRequest("var: required")
    row = indicator(session, var)
    level = params.get("geolevel") or row.geolevels[-1]
    level = level_of(geography, session, _token(level, "geolevel"), var)
    periodlevel = params.get("periodlevel") or row.period_type
    if periodlevel not in PERIOD_TYPES:
        raise InvalidRequest(f"periodlevel: one of {', '.join(PERIOD_TYPES)}")
    if periodlevel != row.period_type:
        raise NotFound(f"variable {var!r} has no {periodlevel} periods")
    areas = list(geography.items(level))
    wanted = _codes(params.get("geoitem"), "geoitem")
    if wanted is not None:
        known = {a.code: a for a in areas}
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise NotFound(f"no area {unknown[0]!r} at level {level}")
        areas = [known[w] for w in wanted]
    compare = params.get("geocompare")
    if compare:
        compare = level_of(geography, session, _token(compare, "geocompare"), var)
        areas += [a for a in geography.items(compare) if a not in areas]
    period_param = (params.get("period") or MOST_RECENT).strip()
    if period_param == MOST_RECENT:
        latest = session.scalar(
            select(func.max(IndicatorValue.period)).where(IndicatorValue.indicator == row.code)
        )
        wanted_periods = [latest] if latest else []
    elif period_param == "all":
        wanted_periods = [
            p["ExternalCode"] for p in periods(geography, session, periodlevel, var, None)
        ]
    else:
        wanted_periods = _codes(period_param, "period") or []
        bad = [p for p in wanted_periods if type_of(p) != periodlevel]
        if bad:
            raise InvalidRequest(f"period {bad[0]!r} is not a {periodlevel} period")
    levels = {a.level for a in areas}
    with_codes = (params.get("geoitem_codes") or "").lower() in ("1", "true", "yes")
    split = _dimlevel(row, params.get("dimlevel"))
    if split is not None:
        return _member_table(session, row, split, areas, wanted_periods, with_codes)
    columns = (
        IndicatorValue.geolevel,
        IndicatorValue.geoitem,
        IndicatorValue.period,
        IndicatorValue.value,
        IndicatorValue.missing,
        IndicatorValue.display,
    )
    values = {
        (r[0], r[1], r[2]): r
        for r in session.execute(
            select(*columns).where(
                IndicatorValue.indicator == row.code,
                IndicatorValue.geolevel.in_(levels),
                IndicatorValue.period.in_(wanted_periods),
            )
        )
    }
    rows = []
    for period in wanted_periods:
        for area in areas:
            found = values.get((area.level, area.code, period))
            shown = _shown(found, row.decimals) if found is not None else -99996
            rows.append([area.code if with_codes else area.name, period, shown])
    return {
        "headers": [
            {"name": "Geo", "type": "Text"},
            {"name": "Periode", "type": "Text"},
            {"name": row.name_nl, "type": "Numeric"},
        ],
        "rows": rows,
    }


def _member_table(
    session: Session,
    row: Indicator,
    split: tuple[Breakdown, list[str]],
    areas: list[Any],
    wanted_periods: list[str],
    with_codes: bool,
) -> dict[str, Any]:
    """The selection table per member (``dimlevel``): ``[area, period, value, member]``, the
    value third (where ``stadincijfers`` reads the numbers), protected as every value."""
    found, members = split
    values = {
        (r[0], r[1], r[2], r[6]): r
        for r in session.execute(
            select(
                MemberValue.geolevel,
                MemberValue.geoitem,
                MemberValue.period,
                MemberValue.value,
                MemberValue.missing,
                MemberValue.display,
                MemberValue.member,
            ).where(
                MemberValue.indicator == row.code,
                MemberValue.geolevel.in_({a.level for a in areas}),
                MemberValue.period.in_(wanted_periods),
                MemberValue.member.in_(members),
            )
        )
    }
    rows = []
    for period in wanted_periods:
        for area in areas:
            for code in members:
                cell = values.get((area.level, area.code, period, code))
                shown = _shown(cell, row.decimals) if cell is not None else -99996
                member = found.member(code)
                rows.append([
                    area.code if with_codes else area.name,
                    period,
                    shown,
                    code if with_codes or member is None else member.name_nl,
                ])
    return {
        "headers": [
            {"name": "Geo", "type": "Text"},
            {"name": "Periode", "type": "Text"},
            {"name": row.name_nl, "type": "Numeric"},
            {"name": found.name_nl, "type": "Text"},
        ],
        "rows": rows,
    }
