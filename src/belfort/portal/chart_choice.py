"""The default chart of a dataset: chosen from its schema and its content so that it
answers an obvious question (docs/portal.md, "The default chart").

1. **A time series** (a date or time at which something was measured or happened, with
   at least ``MIN_TIME_VALUES`` distinct values): the mean or the sum of the best measure
   over time (``aggregate_for``), or the number of records when there is no measure (an
   event log), split by a text field with 2–``MAX_SPLIT`` values when the rows are one per
   such entity and time, at the finest time unit that keeps the chart at most
   ``MAX_POINTS`` points in all.
2. **Categorical data** (no time series; a date that only dates objects, such as a
   commissioning date, is not one): the number of records per value of a text field with
   few values that repeat.
3. **Nothing** otherwise, and for fewer than ``MIN_RECORDS`` records: the table says it.

Everything here is read through the one query engine, a few aggregate queries per
version; ``belfort.portal.visuals`` keeps the answer per version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from belfort.platform import Platform
from belfort.policy.reading import ReadableVersion
from belfort.portal.charts import TIME_TYPES, Y_TYPES, ChartRequest, not_a_measure
from belfort.query.model import Aggregate, FieldRef, Function, Query, SelectItem
from belfort.schema import Field

MIN_RECORDS = 10
MIN_TIME_VALUES = 20
MAX_SPLIT = 8
MAX_BAR_CATEGORIES = 12
MAX_LABEL = 60
MAX_POINTS = 400
MIN_PER_BUCKET = {True: 1.0, False: 3.0}  # rows per point: a measure, or counted records
MAX_ENTITIES = 1000

# A date that dates an object (its start, construction, commissioning, reference date)
# rather than a moment of measurement.
_OBJECT_DATE = re.compile(
    r"begin|start|sinds|since|eerste|first|in_dienst|ingebruik|bouw|aanleg|plant|install|"
    r"commission|opening|opgericht|oprichting|geboorte|birth|peil|erkend|erkenning|vanaf|"
    r"geldig|valid|aangemaakt|created|gewijzigd|modified|updated"
)
# Levels and states: their mean is what people read (occupancy, concentrations, ...).
_LEVEL = re.compile(
    r"bezet|graad|capacit|vrij|free|beschikbaar|availab|occupan|temperat|temp($|_)|concentr|"
    r"niveau|level|snelheid|speed|gemiddeld|average|mean|avg|pct|percent|procent|ratio|rate|"
    r"index|druk|pressure|vochtig|humid|no2|pm10|pm25|pm2_5|o3|co2|ugm3|ppm|db($|_)|lden|"
    r"prijs|price|hoogte|height|breedte|width|lengte|length|diepte|depth|gewicht|weight"
)
# Counts and other quantities that add up over time and over entities.
_ADDITIVE = re.compile(
    r"aantal|totaal|total|count|som($|_)|sum($|_)|telling|passant|fietser|voetganger|voertuig|"
    r"wagens|bezoek|visit|neerslag|regen|rain|precip|verbruik|consum|kwh|volume|ritten|trips|"
    r"inschrijving|meldingen|ongeval"
)
_LEVEL_UNITS = re.compile(r"%|°|µg|ug/|mg/|ppm|db|km/h|m/s|/m", re.I)
_TOTAL = re.compile(r"totaal|total|(^|_)som($|_)|(^|_)sum($|_)")


def is_measure(field: Field) -> bool:
    """A number that measures something: not an identifier, code, year or coordinate."""
    return field.type in Y_TYPES and not not_a_measure(field.name)


def dates_objects(field: Field) -> bool:
    """Whether the name says this date dates an object (a start or reference date)."""
    return bool(_OBJECT_DATE.search(field.name.lower()))


def aggregate_for(field: Field, *, constant_per_entity: bool) -> str:
    """``sum`` for counts and quantities that add up, ``avg`` for levels and states:
    from the name, then the unit and description, then the data (a value that stays
    the same for an entity over time is a level), then the type (whole numbers add up)."""
    name = field.name.lower()
    if _LEVEL.search(name):
        return "avg"
    if _ADDITIVE.search(name):
        return "sum"
    if field.unit and _LEVEL_UNITS.search(field.unit):
        return "avg"
    words = f"{field.unit or ''} {field.description or ''}".lower()
    if _ADDITIVE.search(words):
        return "sum"
    if _LEVEL.search(words) or constant_per_entity:
        return "avg"
    return "sum" if field.type == "integer" else "avg"


@dataclass(frozen=True)
class _Profile:
    rows: int
    distinct: dict[str, int]
    longest: dict[str, int]
    span: dict[str, tuple[object, object]]


def _profile(platform: Platform, rv: ReadableVersion) -> _Profile:
    """The number of records; per field its distinct values (texts: the longest one;
    dates and times: the first and last), in one query."""
    fields = [f for f in rv.schema.fields if f.type in (*TIME_TYPES, *Y_TYPES, "string", "boolean")]
    select = [SelectItem(Aggregate("count"), "n")]
    for i, f in enumerate(fields):
        ref = FieldRef(f.name)
        select.append(SelectItem(Aggregate("count", ref, distinct=True), f"d{i}"))
        if f.type == "string":
            select.append(SelectItem(Aggregate("max", Function("length", (ref,))), f"l{i}"))
        if f.type in TIME_TYPES:
            select.append(SelectItem(Aggregate("min", ref), f"a{i}"))
            select.append(SelectItem(Aggregate("max", ref), f"b{i}"))
    result = platform.engine.execute(Query(select=tuple(select)), rv.schema, rv.path)
    row = dict(zip(result.columns, result.rows[0], strict=True))
    return _Profile(
        rows=int(row["n"]),
        distinct={f.name: int(row[f"d{i}"]) for i, f in enumerate(fields)},
        longest={
            f.name: int(row[f"l{i}"] or 0) for i, f in enumerate(fields) if f.type == "string"
        },
        span={
            f.name: (row[f"a{i}"], row[f"b{i}"])
            for i, f in enumerate(fields)
            if f.type in TIME_TYPES
        },
    )


def default_chart(platform: Platform, rv: ReadableVersion) -> ChartRequest | None:
    """The chart a visitor sees first (see the module's description), or None."""
    profile = _profile(platform, rv)
    if profile.rows < MIN_RECORDS:
        return None
    time = next(
        (
            f
            for f in rv.schema.fields
            if f.type in TIME_TYPES
            and not dates_objects(f)
            and profile.distinct.get(f.name, 0) >= MIN_TIME_VALUES
        ),
        None,
    )
    if time is not None:
        return _time_series(platform, rv, profile, time)
    return _categories(rv, profile)


def _labels(rv: ReadableVersion, profile: _Profile, most: int) -> list[Field]:
    """Text fields with 2–``most`` short values that repeat; names before identifiers."""
    found = [
        f
        for f in rv.schema.fields
        if f.type == "string"
        and 2 <= profile.distinct[f.name] <= most
        and profile.distinct[f.name] < profile.rows
        and profile.longest[f.name] <= MAX_LABEL
        and not f.name.lower().endswith("_codedvalue")
    ]
    return sorted(found, key=lambda f: not_a_measure(f.name))  # stable: schema order otherwise


def _categories(rv: ReadableVersion, profile: _Profile) -> ChartRequest | None:
    repeated = [f for f in _labels(rv, profile, MAX_BAR_CATEGORIES) if not not_a_measure(f.name)]
    if not repeated:
        return None
    return ChartRequest("bar", repeated[0].name, None, "count", None, "string")


def _time_series(
    platform: Platform, rv: ReadableVersion, profile: _Profile, time: Field
) -> ChartRequest:
    per_time = profile.rows / max(profile.distinct[time.name], 1)
    # entities measured at the same times: a text whose values share each time
    entities = [
        f
        for f in rv.schema.fields
        if f.type == "string"
        and f.name != time.name
        and 2 <= profile.distinct[f.name] <= min(per_time, MAX_ENTITIES)
        and profile.longest[f.name] <= MAX_LABEL
    ]
    split = next((f for f in _labels(rv, profile, MAX_SPLIT) if f in entities), None)
    measures = [f for f in rv.schema.fields if is_measure(f) and profile.distinct[f.name] >= 2]
    # the entity: the split field, else the text with the most values that share each time
    entity = split or max(entities, key=lambda f: profile.distinct[f.name], default=None)
    constant = (
        _constant_per_entity(platform, rv, entity, measures) if entity and measures else set()
    )
    measure = min(measures, key=lambda f: _rank(f, f.name in constant), default=None)
    series = profile.distinct[split.name] if split else 1
    unit = _time_unit(time, profile, series, measured=measure is not None)
    if measure is None:
        return ChartRequest(
            "line", time.name, None, "count", unit, time.type, split.name if split else None
        )
    aggregate = aggregate_for(measure, constant_per_entity=measure.name in constant)
    return ChartRequest(
        "line", time.name, measure.name, aggregate, unit, time.type, split.name if split else None
    )


def _rank(field: Field, constant: bool) -> int:
    """Totals first, then counts and rates, then other measures; a property that stays
    the same per entity (a garage's capacity) last."""
    if constant:
        return 3
    name = field.name.lower()
    if _TOTAL.search(name):
        return 0
    if re.search(r"aantal|count|graad|rate|pct|percent|procent|ratio", name):
        return 1
    return 2


def _constant_per_entity(
    platform: Platform, rv: ReadableVersion, entity: Field, measures: list[Field]
) -> set[str]:
    """The measures that never change for any one entity (properties, not measurements)."""
    select = [SelectItem(FieldRef(entity.name), "e")]
    select += [
        SelectItem(Aggregate("count", FieldRef(f.name), distinct=True), f"m{i}")
        for i, f in enumerate(measures)
    ]
    rows = platform.engine.execute(
        Query(
            select=tuple(select), group_by=(SelectItem(FieldRef(entity.name)),), limit=MAX_ENTITIES
        ),
        rv.schema,
        rv.path,
    ).rows
    return {f.name for i, f in enumerate(measures) if rows and max(r[i + 1] for r in rows) <= 1}


_UNITS_FINE_TO_COARSE = ("hour", "day", "week", "month", "year")
_UNIT_HOURS = {"hour": 1, "day": 24, "week": 24 * 7, "month": 24 * 30.44, "year": 24 * 365.25}


def _time_unit(time: Field, profile: _Profile, series: int, *, measured: bool) -> str:
    """The finest unit whose points (for all series) stay within ``MAX_POINTS``, with
    enough records per point to be more than noise."""
    low, high = profile.span[time.name]
    hours = 0.0
    if isinstance(low, datetime) and isinstance(high, datetime):
        hours = (high - low).total_seconds() / 3600
    elif low is not None and high is not None:
        hours = (high - low).days * 24.0  # type: ignore[operator]
    for unit in _UNITS_FINE_TO_COARSE:
        if unit == "hour" and time.type == "date":
            continue
        buckets = int(hours // _UNIT_HOURS[unit]) + 1
        dense = profile.rows / (buckets * series) >= MIN_PER_BUCKET[measured]
        if buckets * series <= MAX_POINTS and dense:
            return unit
    return "year"
