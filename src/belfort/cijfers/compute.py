"""Computing query indicators through the one engine (``belfort.query``), and keeping them
in step with their sources.

One grouped query per indicator (two for a share): rows per period (year, month; day too
for ``per_day``) and place (a join key or an area field; a geopoint, which the engine does
not group by, is read row by row, in pages, and added up here), with their count and sum.
The places are then assigned to wijken in Python (``Geography.assign``: vectorised
point-in-polygon), the groups added up per wijk and period, and the city figure is the sum
of its wijken. The sources are read as the public reads them (``_open``): an indicator is
never computed from data the public may not see, and when a source stops being open its
indicators' values are withdrawn (``IndicatorSourceClosed``).

``recompute_for_dataset`` is what ``belfort.publishing`` calls after a new version of a
dataset is published, or its state or classification changes (``hooks``,
``publishing.after_publish``): failures are recorded on the indicator (``last_error``),
never raised into the write path.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select

from belfort.cijfers.breakdown import breakdown_of
from belfort.cijfers.geography import CITY_LEVEL, SECTOR_LEVEL, WIJK_LEVEL, Geography
from belfort.cijfers.models import UNKNOWN, Indicator, IndicatorValue
from belfort.cijfers.periods import period_of
from belfort.cijfers.store import Value, get_indicator, spec_of, write_values
from belfort.errors import (
    BelfortError,
    Forbidden,
    IndicatorInvalid,
    IndicatorSourceClosed,
    NotFound,
)
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS
from belfort.policy.reading import ReadableVersion, readable
from belfort.query.model import (
    Aggregate,
    And,
    Expr,
    FieldRef,
    Function,
    OrderItem,
    Query,
    SelectItem,
)
from belfort.query.odsql import parse_where

log = logging.getLogger(__name__)
MAX_GROUP_ROWS = 2_000_000  # groups read for one indicator (pages of the engine's max rows)


@dataclass
class _Totals:
    n: int = 0
    s: float = 0.0
    num: int = 0
    days: set[tuple[int, int, int]] = field(default_factory=set)


def _open(platform: Platform, dataset_id: str) -> ReadableVersion:
    try:
        found = readable(platform, ANONYMOUS, dataset_id, count_use=False, audit=False)
    except (NotFound, Forbidden):  # gone, hidden, or only for some under a policy
        found = None
    if (
        found is None
        or not found.public
        or found.grant.min_group_size
        or (found.grant.row_filter is not None)
    ):
        raise IndicatorSourceClosed(
            f"{dataset_id!r} is not open to everyone and published: indicators are public"
        )
    return found


def _grouped(
    platform: Platform,
    source: ReadableVersion,
    d: dict[str, Any],
    where: Expr | None,
    with_days: bool,
) -> list[tuple[Any, ...]]:
    """Rows ``(year, month[, day][, member], place, n[, sum])``: grouped by the engine, or —
    for a geopoint place, which the engine does not group by — its rows' points added up
    here (``member``: the breakdown field's value, when the definition has a breakdown)."""
    time = FieldRef(d["time"])
    place = FieldRef(d.get("location") or d.get("area") or d["location_from"]["join"])
    keys = [SelectItem(Function("year", (time,)), "y"), SelectItem(Function("month", (time,)), "m")]
    if with_days:
        keys.append(SelectItem(Function("day", (time,)), "d"))
    if d.get("breakdown"):
        keys.append(SelectItem(FieldRef(d["breakdown"]["field"]), "b"))
    keys.append(SelectItem(place, "p"))
    by_point = "location" in d
    if by_point:
        measures = [SelectItem(FieldRef(d["field"]), "s")] if "field" in d else []
    else:
        measures = [SelectItem(Aggregate("count"), "n")]
        if "field" in d:
            measures.append(SelectItem(Aggregate("sum", FieldRef(d["field"])), "s"))
    page = platform.engine.max_rows
    rows: list[tuple[Any, ...]] = []
    while True:
        query = Query(
            select=tuple(keys + measures),
            where=where,
            group_by=() if by_point else tuple(keys),
            order_by=() if by_point else tuple(OrderItem(FieldRef(k.alias or "")) for k in keys),
            limit=page,
            offset=len(rows),
            with_row_number=by_point,
        )
        found = platform.engine.execute(query, source.schema, source.path).rows
        rows.extend(found)
        if len(found) < page or len(rows) >= MAX_GROUP_ROWS:
            break
    if not by_point:
        return rows
    width = len(keys)
    added: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0, 0.0])
    for row in rows:
        cell = added[_key(row, width)]
        cell[0] += 1
        if "field" in d:
            cell[1] += float(row[width] or 0)
    return [key + tuple(cell if "field" in d else cell[:1]) for key, cell in added.items()]


def _places(
    platform: Platform, geography: Geography, d: dict[str, Any], keys: set[Any]
) -> dict[Any, tuple[str, str]]:
    """Each place key's wijk and sector codes ("" outside every wijk or sector)."""
    if "area" in d:
        by_name = {a.name.lower(): a.code for a in geography.wijken}
        codes = {a.code for a in geography.wijken}
        return {
            k: (str(k) if str(k) in codes else by_name.get(str(k).lower(), ""), "") for k in keys
        }
    points: dict[Any, Any] = {}
    if "location" in d:
        points = {k: {"lat": k[0], "lon": k[1]} for k in keys if isinstance(k, tuple)}
    else:
        joined = d["location_from"]
        lookup = _open(platform, joined["dataset"])
        query = Query(
            select=(
                SelectItem(FieldRef(joined["key"]), "k"),
                SelectItem(FieldRef(joined["location"]), "l"),
            ),
            limit=platform.engine.max_rows,
        )
        found = dict(platform.engine.execute(query, lookup.schema, lookup.path).rows)
        points = {k: found.get(k) for k in keys}
    located = [
        (k, p) for k, p in points.items() if isinstance(p, dict) and p.get("lat") is not None
    ]
    lat = np.array([p["lat"] for _, p in located], dtype=float)
    lon = np.array([p["lon"] for _, p in located], dtype=float)
    wijken = geography.assign(lat, lon)
    sectors = geography.assign_sectors(lat, lon)
    parents = {s.code: s.parent or "" for s in geography.sectors}
    assigned = {  # a point in a sector belongs to the sector's wijk (the levels nest)
        _hashable(k): (parents[str(s)] if s else str(c), str(s))
        for (k, _), c, s in zip(located, wijken, sectors, strict=True)
    }
    return {_hashable(k): assigned.get(_hashable(k), ("", "")) for k in keys}


def _key(row: tuple[Any, ...], width: int) -> tuple[Any, ...]:
    return tuple(_hashable(v) for v in row[:width])


def _hashable(key: Any) -> Any:
    return (key.get("lat"), key.get("lon")) if isinstance(key, dict) else key


def compute_values(platform: Platform, geography: Geography, indicator: Indicator) -> list[Value]:
    """The values of a query indicator, per wijk and for the city, per period."""
    spec = spec_of(indicator)
    d = spec.definition
    if d is None:
        raise IndicatorInvalid(f"{spec.code!r} is an imported table")
    source = _open(platform, d["dataset"])
    version = f"{source.dataset_id}@{source.number}"
    where = parse_where(d["where"]) if d.get("where") else None
    per_day = bool(d.get("per_day"))
    rows = _grouped(platform, source, d, where, per_day)
    breakdown = breakdown_of(d)
    width = (4 if per_day else 3) + (1 if breakdown else 0)
    numerators: dict[tuple[Any, ...], int] = {}
    if d["measure"] == "share":
        condition = parse_where(d["share_where"])
        both = condition if where is None else And((where, condition))
        numerators = {
            _key(r, width): r[width] for r in _grouped(platform, source, d, both, per_day)
        }
    places = _places(
        platform, geography, d, {_hashable(r[width - 1]) for r in rows} if rows else set()
    )
    # (area, period, member): member "" is the area's total
    totals: dict[tuple[tuple[str, str], str, str], _Totals] = defaultdict(_Totals)
    city = (CITY_LEVEL, geography.city.code)
    with_sectors = SECTOR_LEVEL in spec.geolevels and bool(geography.sectors)
    for row in rows:
        year, month = row[0], row[1]
        if year is None or month is None:
            continue
        wijk, sector = places.get(_hashable(row[width - 1]), ("", ""))
        if not wijk:
            continue
        period = period_of(spec.period_type, int(year), int(month))
        if (spec.first_period and period < spec.first_period) or (
            spec.last_period and period > spec.last_period
        ):
            continue
        areas = [(WIJK_LEVEL, wijk), city]
        if with_sectors and sector:
            areas.append((SECTOR_LEVEL, sector))
        members = [""] + ([breakdown.member_of(row[width - 2])] if breakdown else [])
        for place in areas:
            for member in members:
                if member and place[0] == SECTOR_LEVEL:
                    continue  # breakdowns are for the city and the wijken
                cell = totals[(place, period, member)]
                cell.n += int(row[width])
                cell.s += float(row[width + 1] or 0) if "field" in d else 0.0
                cell.num += int(numerators.get(_key(row, width), 0) or 0)
                if per_day:
                    cell.days.add((int(year), int(month), int(row[2])))
    if d["measure"] in ("count", "sum") and not per_day:  # no records in a wijk: 0, not empty
        codes = ("",) + (breakdown.codes if breakdown else ())
        for period in {p for _, p, _ in totals}:
            for each in (geography.city, *geography.wijken):
                for member in codes:
                    totals[((each.level, each.code), period, member)]  # noqa: B018 — zero
            for each in geography.sectors if with_sectors else ():
                totals[((each.level, each.code), period, "")]  # noqa: B018 — the default: zero
    population = _population(platform, d) if d["measure"] == "rate" else {}
    values = []
    for ((level, area), period, member), cell in sorted(totals.items()):
        value, contributors = _measure(d, cell, population.get((level, area, period)), period)
        values.append(
            Value(
                level,
                area,
                period,
                None if value is None else round(value, spec.decimals),
                UNKNOWN if value is None else None,
                contributors,
                version,
                member or None,
            )
        )
    return values


def _measure(
    d: dict[str, Any], cell: _Totals, inhabitants: float | None, period: str
) -> tuple[float | None, int]:
    measure = d["measure"]
    amount = cell.s if "field" in d else float(cell.n)
    if measure in ("count", "sum"):
        if d.get("per_day"):
            return amount / max(len(cell.days), 1), cell.n
        return amount, cell.n
    if measure == "mean":
        return (cell.s / cell.n if cell.n else None), cell.n
    if measure == "share":
        return (100.0 * cell.num / cell.n if cell.n else None), cell.num
    if not inhabitants or inhabitants <= 0:  # rate per 1,000 inhabitants
        return None, cell.n
    return 1000.0 * amount / inhabitants, cell.n


def _population(platform: Platform, d: dict[str, Any]) -> dict[tuple[str, str, str], float]:
    with platform.db.session() as session:
        rows = session.execute(
            select(
                IndicatorValue.geolevel,
                IndicatorValue.geoitem,
                IndicatorValue.period,
                IndicatorValue.value,
            ).where(IndicatorValue.indicator == d["population"])
        )
        return {(r[0], r[1], r[2]): r[3] for r in rows if r[3] is not None}


def compute_indicator(platform: Platform, geography: Geography, code: str) -> int:
    """Compute and store one query indicator; the number of values. Raises on failure."""
    with platform.db.session() as session:
        indicator = get_indicator(session, code)
    try:
        values = compute_values(platform, geography, indicator)
    except IndicatorSourceClosed as exc:
        write_values(platform, code, [], error=exc.message)  # withdrawn: nothing stays public
        raise
    write_values(platform, code, values)
    return len(values)


def _record_failure(platform: Platform, code: str, message: str) -> None:
    with platform.db.session() as session:
        row = session.get(Indicator, code)
        if row is not None:
            row.last_error = message[:2000]


def recompute(platform: Platform, geography: Geography, codes: list[str]) -> dict[str, str | None]:
    """Compute each indicator (population indicators before the rates that use them);
    code → None when it worked, else the recorded error."""
    with platform.db.session() as session:
        rows = {
            r.code: spec_of(r)
            for r in session.scalars(
                select(Indicator).where(Indicator.code.in_(codes), Indicator.kind == "query")
            )
        }
    ordered = sorted(rows, key=lambda c: (rows[c].definition or {}).get("measure") == "rate")
    outcome: dict[str, str | None] = {}
    for code in ordered:
        try:
            compute_indicator(platform, geography, code)
            outcome[code] = None
        except BelfortError as exc:
            outcome[code] = exc.message
            _record_failure(platform, code, exc.message)
        except Exception as exc:  # noqa: BLE001 — recorded, never raised into the write path
            log.exception("indicator %s failed", code)
            outcome[code] = f"{type(exc).__name__}: {exc}"[:500]
            _record_failure(platform, code, outcome[code] or "")
    return outcome


def recompute_all(platform: Platform, geography: Geography) -> dict[str, str | None]:
    with platform.db.session() as session:
        codes = list(session.scalars(select(Indicator.code).where(Indicator.kind == "query")))
    return recompute(platform, geography, codes)


def recompute_for_dataset(
    platform: Platform, geography: Geography, dataset_id: str
) -> dict[str, str | None]:
    """The indicators computed from ``dataset_id`` (and the rates over them), recomputed."""
    with platform.db.session() as session:
        rows = list(session.scalars(select(Indicator).where(Indicator.kind == "query")))
    direct = {r.code for r in rows if dataset_id in (r.sources or [])}
    rates = {r.code for r in rows if (r.definition or {}).get("population") in direct}
    if not direct:
        return {}
    return recompute(platform, geography, sorted(direct | rates))
