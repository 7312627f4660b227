"""Indicators and values in the catalogue database: saving a checked spec, importing a
table, writing computed values with their protection, reading them back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from belfort.catalog import store as catalog_store
from belfort.catalog.models import utcnow
from belfort.cijfers.breakdown import breakdown_of
from belfort.cijfers.dataset import ensure as ensure_dataset
from belfort.cijfers.definitions import (
    SPEC_KEYS,
    IndicatorSpec,
    check_definition,
    spec_from_mapping,
)
from belfort.cijfers.geography import (
    CITY_LEVEL,
    SECTOR_LEVEL,
    WIJK_LEVEL,
    Geography,
    geography_of,
)
from belfort.cijfers.models import (
    MISSING_CODES,
    SUPPRESSED_BY_SUPPLIER,
    Indicator,
    IndicatorValue,
    MemberValue,
)
from belfort.cijfers.periods import check_period
from belfort.cijfers.protection import HIDDEN, Cell, protect, protect_table
from belfort.errors import BelfortError, IndicatorInvalid, IndicatorNotFound
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import ANONYMOUS, Principal
from belfort.policy.reading import readable
from belfort.schema import TableSchema

MAX_TABLE_ROWS = 200_000
MAX_REPORTED = 100


@dataclass(frozen=True)
class Value:
    """A value to store: ``value`` or a ``missing`` code, with its contributors and source."""

    geolevel: str
    geoitem: str
    period: str
    value: float | None
    missing: int | None = None
    contributors: int | None = None
    source_version: str | None = None
    member: str | None = None  # a member of the indicator's breakdown; None: the total


def spec_of(row: Indicator) -> IndicatorSpec:
    return IndicatorSpec(
        code=row.code,
        name_nl=row.name_nl,
        name_en=row.name_en,
        description_nl=row.description_nl,
        description_en=row.description_en,
        theme=row.theme,
        unit=row.unit,
        decimals=row.decimals,
        threshold=row.threshold,
        period_type=row.period_type,
        first_period=row.first_period,
        last_period=row.last_period,
        geolevels=list(row.geolevels),
        definition=row.definition,
        modelled=row.modelled,
    )


def open_schema(platform: Platform, dataset_id: str) -> tuple[TableSchema, str] | None:
    """The schema and ``dataset@version`` of what anyone may read of a dataset (indicators
    are public: they are computed only from open, published data read as the public)."""
    try:
        found = readable(platform, ANONYMOUS, dataset_id, count_use=False, audit=False)
    except BelfortError:
        return None
    if not found.public or found.grant.min_group_size or found.grant.row_filter is not None:
        return None
    return found.schema, f"{found.dataset_id}@{found.number}"


def save_indicator(platform: Platform, principal: Principal, data: Any) -> dict[str, Any]:
    """Check and save (create or replace) an indicator; IndicatorInvalid when refused."""
    gate.require_admin(principal, "defining indicators")
    spec = spec_from_mapping(data)
    schemas: dict[str, TableSchema] = {}
    for dataset_id in spec.sources:
        found = open_schema(platform, dataset_id)
        if found is not None:
            schemas[dataset_id] = found[0]
    population = None
    if spec.definition and spec.definition["measure"] == "rate":
        with platform.db.session() as session:
            row = session.get(Indicator, spec.definition["population"])
            population = spec_of(row) if row is not None else None
    check_definition(spec, schemas, population)
    with platform.db.session() as session:
        row = _store(session, spec)
        catalog_store.record_audit(
            session, principal.actor, "save_indicator", None, indicator=spec.code
        )
    return indicator_dict(row)


def save_tables(platform: Platform, principal: Principal, specs: Sequence[Any]) -> int:
    """Several imported-table indicators (no definition to check against a dataset) in one
    transaction with one audit entry: the demo's modelled profile."""
    gate.require_admin(principal, "defining indicators")
    checked = [spec_from_mapping(data) for data in specs]
    if any(spec.definition is not None for spec in checked):
        raise IndicatorInvalid("save_tables takes imported tables only")
    with platform.db.session() as session:
        for spec in checked:
            _store(session, spec)
        catalog_store.record_audit(
            session,
            principal.actor,
            "save_indicator",
            None,
            indicators=[spec.code for spec in checked],
        )
    return len(checked)


def _store(session: Session, spec: IndicatorSpec) -> Indicator:
    row = session.get(Indicator, spec.code)
    if row is None:
        row = Indicator(code=spec.code)
        session.add(row)
    for key in sorted(SPEC_KEYS - {"code"}):  # the stored texts and settings of the spec
        setattr(row, key, getattr(spec, key))
    row.sources = spec.sources
    row.kind = spec.kind
    row.updated_at = utcnow()
    return row


def indicator_dict(row: Indicator) -> dict[str, Any]:
    return {
        "code": row.code,
        "name_nl": row.name_nl,
        "name_en": row.name_en,
        "description_nl": row.description_nl,
        "description_en": row.description_en,
        "theme": row.theme,
        "unit": row.unit,
        "decimals": row.decimals,
        "threshold": row.threshold,
        "period_type": row.period_type,
        "first_period": row.first_period,
        "last_period": row.last_period,
        "geolevels": list(row.geolevels),
        "sources": list(row.sources),
        "kind": row.kind,
        "definition": row.definition,
        "modelled": row.modelled,
        "computed_at": row.computed_at.isoformat() if row.computed_at else None,
        "last_error": row.last_error,
    }


def get_indicator(session: Session, code: str) -> Indicator:
    row = session.get(Indicator, code[:60]) if isinstance(code, str) else None
    if row is None:
        raise IndicatorNotFound(f"no indicator {str(code)[:60]!r}")
    return row


def list_indicators(session: Session) -> list[Indicator]:
    return list(session.scalars(select(Indicator).order_by(Indicator.code)))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) < 1e15 else None


def import_table(
    platform: Platform,
    principal: Principal,
    code: str,
    rows: Sequence[Mapping[str, Any]],
    geography: Geography,
    *,
    source_version: str | None = None,
) -> int:
    """Values of a ``table`` indicator: rows of ``geolevel`` (default wijk), ``geoitem``,
    ``period``, ``value`` (a number or a missing code) and optionally ``contributors``.
    Every row is checked first; unknown area codes, bad periods and values are reported per
    row (IndicatorInvalid) and nothing is written then."""
    gate.require_admin(principal, "importing indicator values")
    if len(rows) > MAX_TABLE_ROWS:
        raise IndicatorInvalid(f"at most {MAX_TABLE_ROWS:,} rows per import")
    with platform.db.session() as session:
        spec = spec_of(get_indicator(session, code))
    if spec.kind != "table":
        raise IndicatorInvalid(f"{code!r} is computed from its definition; it takes no table")
    known = {level: {a.code for a in geography.items(level)} for level in geography.levels()}
    problems: list[str] = []
    values: list[Value] = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            problems.append(f"row {number}: not an object")
            continue
        level = str(row.get("geolevel") or WIJK_LEVEL)[:20]
        item = str(row.get("geoitem", "")).strip()[:60]
        if level not in spec.geolevels or level not in known:
            problems.append(f"row {number}: unknown geographic level {level!r}")
            continue
        if item not in known[level]:
            problems.append(f"row {number}: unknown area code {item!r} at level {level}")
            continue
        try:
            period = check_period(row.get("period", ""), spec.period_type)
        except IndicatorInvalid as exc:
            problems.append(f"row {number}: {exc.message}")
            continue
        value = _number(row.get("value"))
        if value is None:
            problems.append(f"row {number}: value is not a number")
            continue
        contributors = row.get("contributors")
        if contributors is not None and (
            isinstance(contributors, bool) or not isinstance(contributors, int) or contributors < 0
        ):
            problems.append(f"row {number}: contributors must be a whole number of 0 or more")
            continue
        missing = int(value) if value in MISSING_CODES else None
        values.append(
            Value(
                level,
                item,
                period,
                None if missing else value,
                missing,
                contributors,
                source_version,
            )
        )
    if problems:
        raise IndicatorInvalid(
            f"{len(problems)} rows refused; first: {problems[0]}",
            details={"problems": problems[:MAX_REPORTED], "refused": len(problems)},
        )
    write_values(platform, code, values, replace=False)
    return len(values)


def write_values(
    platform: Platform,
    code: str,
    values: Iterable[Value],
    *,
    replace: bool = True,
    error: str | None = None,
) -> None:
    """Store the values of an indicator (all of them when ``replace``), protecting small
    numbers again for every period written."""
    write_many(platform, {code: list(values)}, replace=replace, error=error)


def write_many(
    platform: Platform,
    tables: Mapping[str, Sequence[Value]],
    *,
    replace: bool = True,
    error: str | None = None,
) -> None:
    """``write_values`` for several indicators in one transaction."""
    parents = {s.code: s.parent or "" for s in geography_of(platform).sectors}
    with platform.db.session() as session:
        for code, values in tables.items():
            _write(session, code, values, replace=replace, error=error, parents=parents)
    platform.generation.bump()
    ensure_dataset(platform)  # gent-in-cijfers: the catalogue entry with the first values


def _write(
    session: Session,
    code: str,
    values: Sequence[Value],
    *,
    replace: bool,
    error: str | None,
    parents: Mapping[str, str],
) -> None:
    """Bulk statements (an ORM object per value is ~10× slower): the indicator's values
    (merged with the ones kept unless ``replace``) protected, then written anew."""
    indicator = get_indicator(session, code)
    table = IndicatorValue.__table__
    assert isinstance(table, Table)
    merged: dict[tuple[str, str, str], Value] = {}
    if not replace:
        for r in session.execute(select(table).where(table.c.indicator == code)).mappings():
            merged[(r["geolevel"], r["geoitem"], r["period"])] = Value(
                r["geolevel"],
                r["geoitem"],
                r["period"],
                r["value"],
                r["missing"],
                r["contributors"],
                r["source_version"],
            )
    members = [v for v in values if v.member is not None]
    for v in values:
        if v.member is None:
            merged[(v.geolevel, v.geoitem, v.period)] = v
    rows = [
        {
            "indicator": code,
            "geolevel": v.geolevel,
            "geoitem": v.geoitem,
            "period": v.period,
            "value": v.value,
            "missing": v.missing,
            "contributors": v.contributors,
            "source_version": v.source_version,
            "display": None,
        }
        for v in merged.values()
    ]
    member_rows = [
        {
            "indicator": code,
            "geolevel": v.geolevel,
            "geoitem": v.geoitem,
            "period": v.period,
            "member": v.member,
            "value": v.value,
            "missing": v.missing,
            "contributors": v.contributors,
            "source_version": v.source_version,
            "display": None,
        }
        for v in members
    ]
    breakdown = breakdown_of(indicator.definition)
    _protect(rows, indicator.threshold, parents, member_rows,
             breakdown.codes if breakdown is not None else ())
    session.execute(delete(IndicatorValue).where(IndicatorValue.indicator == code))
    session.execute(delete(MemberValue).where(MemberValue.indicator == code))
    if rows:
        session.execute(insert(table), rows)
    if member_rows and breakdown is not None:
        session.execute(insert(MemberValue), member_rows)
    indicator.computed_at = utcnow()
    indicator.last_error = error


def _protect(
    rows: list[dict[str, Any]],
    threshold: int,
    parents: Mapping[str, str],
    member_rows: list[dict[str, Any]] | None = None,
    codes: Sequence[str] = (),
) -> None:
    """Set each row's ``display`` (``protection.protect`` per period) and propagate the
    supplier's suppression (−99997) from a wijk to the city; then a breakdown's members
    (``_protect_members``); then the sectors (``parents``: each sector's wijk) per wijk and
    period (``_protect_sectors``)."""
    _protect_wijken(rows, threshold)
    if codes:
        _protect_members(rows, member_rows or [], codes, threshold)
    _protect_sectors(rows, threshold, parents)


def _protect_members(
    rows: list[dict[str, Any]],
    member_rows: list[dict[str, Any]],
    codes: Sequence[str],
    threshold: int,
) -> None:
    """Per period, the wijken × members table with its margins (each wijk's total, the city's
    members and total: ``protection.protect_table``), after the totals' own protection; it may
    hide a total as well (before the sectors are protected against the wijken)."""
    if threshold <= 0:
        return
    by_period: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["geolevel"] in (CITY_LEVEL, WIJK_LEVEL):
            by_period[row["period"]].append(row)
    members_by_period: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in member_rows:
        if row["geolevel"] in (CITY_LEVEL, WIJK_LEVEL):
            members_by_period[row["period"]].append(row)
        else:
            row["display"] = HIDDEN  # breakdowns are published for the city and wijken only
    column = {code: i for i, code in enumerate(codes)}
    for period, found in members_by_period.items():
        totals = by_period.get(period, [])
        wijken = sorted({r["geoitem"] for r in totals + found if r["geolevel"] == WIJK_LEVEL})
        index = {(WIJK_LEVEL, w): i for i, w in enumerate(wijken)}
        city_row = len(wijken)
        table: dict[tuple[int, int], Cell | None] = {}
        linked: list[tuple[dict[str, Any], Cell]] = []
        for row in totals + found:
            r = city_row if row["geolevel"] == CITY_LEVEL else index[(WIJK_LEVEL, row["geoitem"])]
            c = column.get(row["member"], -1) if "member" in row else len(codes)
            if c < 0:
                row["display"] = HIDDEN  # not a member of the breakdown (any more)
                continue
            cell = Cell(row["geoitem"], None if row["missing"] is not None else row["contributors"],
                        row["display"])
            table[(r, c)] = cell
            linked.append((row, cell))
        protect_table(table, len(wijken) + 1, len(codes) + 1, threshold)
        for row, cell in linked:
            row["display"] = cell.display


def _protect_sectors(
    rows: list[dict[str, Any]], threshold: int, parents: Mapping[str, str]
) -> None:
    """The sectors of a published wijk are protected against the wijk's figure as the wijken
    are against the city's; the sectors of a wijk that is not published (hidden, missing)
    are all hidden, 0 included, so they say nothing about it. A sector of no known wijk is
    hidden too."""
    if threshold <= 0:
        return
    wijk_rows = {(r["period"], r["geoitem"]): r for r in rows if r["geolevel"] == WIJK_LEVEL}
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["geolevel"] == SECTOR_LEVEL:
            groups[(row["period"], parents.get(row["geoitem"], ""))].append(row)
    for key, sector_rows in groups.items():
        wijk = wijk_rows.get(key)
        if wijk is None or wijk["display"] is not None or wijk["missing"] is not None:
            for row in sector_rows:
                row["display"] = HIDDEN
            continue
        shown = [r for r in sector_rows if r["missing"] is None]
        total = Cell(wijk["geoitem"], wijk["contributors"])
        cells = [Cell(r["geoitem"], r["contributors"]) for r in shown]
        protect(total, cells, threshold)
        for row, cell in zip(shown, cells, strict=True):
            row["display"] = HIDDEN if total.display is not None else cell.display


def _protect_wijken(rows: list[dict[str, Any]], threshold: int) -> None:
    by_period: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["geolevel"] in (CITY_LEVEL, WIJK_LEVEL):
            by_period[row["period"]].append(row)
    for found in by_period.values():
        city_rows = [r for r in found if r["geolevel"] == CITY_LEVEL]
        wijk_rows = [r for r in found if r["geolevel"] == WIJK_LEVEL and r["missing"] is None]
        city = Cell(city_rows[0]["geoitem"], city_rows[0]["contributors"]) if city_rows else None
        cells = [Cell(r["geoitem"], r["contributors"]) for r in wijk_rows]
        protect(city, cells, threshold)
        for row, cell in zip(wijk_rows, cells, strict=True):
            row["display"] = cell.display
        if city_rows and city is not None:
            city_rows[0]["display"] = city.display
            if any(
                r["missing"] == SUPPRESSED_BY_SUPPLIER for r in found if r["geolevel"] == WIJK_LEVEL
            ):
                city_rows[0]["missing"] = SUPPRESSED_BY_SUPPLIER  # propagates to the aggregate
                city_rows[0]["value"] = None
