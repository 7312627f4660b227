"""Indicator specs and their checks: everything is refused when saved, with every problem
named (``IndicatorInvalid``, HTTP 422), never when it is computed.

A spec is a mapping (JSON or YAML)::

    code, name_nl, name_en, description_nl, description_en, theme, unit, decimals,
    threshold (default 5), period_type, first_period, last_period, geolevels,
    definition: {dataset, measure, field, where, share_where, time, location |
                 location_from: {dataset, key, location, join} | area, population, per_day,
                 breakdown: {field, code, name_nl, name_en, members, other}}

``measure``: ``count`` (records), ``sum`` (of ``field``), ``mean`` (of ``field``), ``share``
(per cent of the records that also match ``share_where``) or ``rate`` (records, or the sum of
``field``, per 1,000 inhabitants: ``population`` names the indicator holding them, which must
have the same period type). ``per_day``: a sum or count divided by the days with data.
``where``/``share_where`` are Opendatasoft ODSQL conditions over the dataset's fields.
``breakdown``: values per member of a dimension as well (``belfort.cijfers.breakdown``).
Without a ``definition`` the indicator is an imported table (``kind='table'``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from belfort.cijfers.breakdown import breakdown_shape
from belfort.cijfers.geography import CITY_LEVEL, LEVELS, WIJK_LEVEL
from belfort.cijfers.periods import PERIOD_TYPES, check_period
from belfort.errors import BelfortError, IndicatorInvalid
from belfort.query.compiler import compile_query
from belfort.query.model import FieldRef, Query, SelectItem
from belfort.query.odsql import parse_where
from belfort.schema import TableSchema

MEASURES = ("count", "sum", "mean", "share", "rate")
CODE = re.compile(r"^[a-z0-9][a-z0-9_]{0,59}$")
MAX_TEXT = 2000
MAX_WHERE = 2000
TIME_TYPES = ("date", "datetime")
NUMBER_TYPES = ("integer", "number")
SPEC_KEYS = {
    "code",
    "name_nl",
    "name_en",
    "description_nl",
    "description_en",
    "theme",
    "unit",
    "decimals",
    "threshold",
    "period_type",
    "first_period",
    "last_period",
    "geolevels",
    "definition",
    "modelled",
}
DEFINITION_KEYS = {
    "dataset",
    "measure",
    "field",
    "where",
    "share_where",
    "time",
    "location",
    "location_from",
    "area",
    "population",
    "per_day",
    "breakdown",
}


@dataclass
class IndicatorSpec:
    code: str
    name_nl: str
    name_en: str
    description_nl: str = ""
    description_en: str = ""
    theme: str = ""
    unit: str = ""
    decimals: int = 0
    threshold: int = 5
    period_type: str = "year"
    first_period: str | None = None
    last_period: str | None = None
    geolevels: list[str] = field(default_factory=lambda: [CITY_LEVEL, WIJK_LEVEL])
    definition: dict[str, Any] | None = None
    modelled: bool = False

    @property
    def kind(self) -> str:
        return "table" if self.definition is None else "query"

    @property
    def sources(self) -> list[str]:
        if self.definition is None:
            return []
        found = [self.definition["dataset"]]
        joined = self.definition.get("location_from")
        if joined:
            found.append(joined["dataset"])
        return found


def _text(
    data: dict[str, Any],
    key: str,
    problems: list[str],
    *,
    required: bool = False,
    limit: int = MAX_TEXT,
) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(f"{key}: must be text")
        return ""
    if required and not value.strip():
        problems.append(f"{key}: required")
    if len(value) > limit:
        problems.append(f"{key}: longer than {limit} characters")
    return value.strip()[:limit]


def _integer(
    data: dict[str, Any], key: str, default: int, low: int, high: int, problems: list[str]
) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(f"{key}: a whole number from {low} to {high}")
        return default
    return value


def spec_from_mapping(data: Any) -> IndicatorSpec:
    """Check the shape of an indicator spec (the definition's fields are checked against
    its dataset by ``check_definition``)."""
    if not isinstance(data, dict):
        raise IndicatorInvalid("an indicator is a JSON object")
    problems = [f"unknown key {str(k)[:40]!r}" for k in data if k not in SPEC_KEYS]
    code = _text(data, "code", problems, required=True, limit=60)
    if code and not CODE.match(code):
        problems.append("code: lower-case letters, digits and _ (at most 60)")
    period_type = data.get("period_type", "year")
    if period_type not in PERIOD_TYPES:
        problems.append(f"period_type: one of {', '.join(PERIOD_TYPES)}")
        period_type = "year"
    spec = IndicatorSpec(
        code=code,
        name_nl=_text(data, "name_nl", problems, required=True, limit=200),
        name_en=_text(data, "name_en", problems, required=True, limit=200),
        description_nl=_text(data, "description_nl", problems),
        description_en=_text(data, "description_en", problems),
        theme=_text(data, "theme", problems, limit=60),
        unit=_text(data, "unit", problems, limit=40),
        decimals=_integer(data, "decimals", 0, 0, 6, problems),
        threshold=_integer(data, "threshold", 5, 0, 1000, problems),
        period_type=str(period_type),
        modelled=bool(data.get("modelled", False)),
    )
    if spec.threshold in (1, 2):
        problems.append("threshold: 0 (no protection) or 3 or more ('< 2' could only mean 1)")
    for key in ("first_period", "last_period"):
        value = data.get(key)
        if value is not None:
            try:
                setattr(spec, key, check_period(value, spec.period_type))
            except IndicatorInvalid as exc:
                problems.append(f"{key}: {exc.message}")
    if spec.first_period and spec.last_period and spec.first_period > spec.last_period:
        problems.append("first_period: after last_period")
    levels = data.get("geolevels", [CITY_LEVEL, WIJK_LEVEL])
    if not isinstance(levels, list) or not levels or any(v not in LEVELS for v in levels):
        problems.append(f"geolevels: a list of {', '.join(LEVELS)}")
    else:
        spec.geolevels = sorted(set(levels), key=LEVELS.index)
    definition = data.get("definition")
    if definition is not None:
        spec.definition = _definition_shape(definition, problems)
    if problems:
        raise IndicatorInvalid(
            f"indicator {code[:60]!r} refused: {problems[0]}", details={"problems": problems[:100]}
        )
    return spec


def _definition_shape(data: Any, problems: list[str]) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        problems.append("definition: a JSON object")
        return None
    problems.extend(
        f"definition: unknown key {str(k)[:40]!r}" for k in data if k not in DEFINITION_KEYS
    )
    found: dict[str, Any] = {}
    for key in (
        "dataset",
        "measure",
        "field",
        "where",
        "share_where",
        "time",
        "location",
        "area",
        "population",
    ):
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > MAX_WHERE:
            problems.append(f"definition.{key}: text of at most {MAX_WHERE} characters")
            continue
        found[key] = value
    if "dataset" not in found:
        problems.append("definition.dataset: required")
    measure = found.get("measure", "count")
    if measure not in MEASURES:
        problems.append(f"definition.measure: one of {', '.join(MEASURES)}")
    found["measure"] = measure
    if measure in ("sum", "mean") and "field" not in found:
        problems.append(f"definition.field: required for {measure}")
    if measure == "share" and "share_where" not in found:
        problems.append("definition.share_where: required for share")
    if measure == "rate" and "population" not in found:
        problems.append("definition.population: required for rate (the inhabitants' indicator)")
    if "time" not in found:
        problems.append("definition.time: required (a date or datetime field)")
    joined = data.get("location_from")
    places = [k for k in ("location", "area") if k in found] + (["location_from"] if joined else [])
    if len(places) != 1:
        problems.append("definition: exactly one of location, location_from, area")
    if joined is not None:
        if (
            not isinstance(joined, dict)
            or set(joined) != {"dataset", "key", "location", "join"}
            or not all(isinstance(v, str) and 0 < len(v) <= 200 for v in joined.values())
        ):
            problems.append("definition.location_from: {dataset, key, location, join} as text")
        else:
            found["location_from"] = dict(joined)
    found["per_day"] = bool(data.get("per_day", False))
    if data.get("breakdown") is not None:
        found["breakdown"] = breakdown_shape(data["breakdown"], measure, problems)
    return found


def _field(
    schema: TableSchema, name: str, types: tuple[str, ...], what: str, problems: list[str]
) -> None:
    found = schema.get(name)
    if found is None:
        problems.append(f"{what}: unknown field {name[:100]!r}")
    elif found.type not in types:
        problems.append(f"{what}: {name!r} is a {found.type} field, not {' or '.join(types)}")


def _condition(schema: TableSchema, text: str, what: str, problems: list[str]) -> None:
    try:
        where = parse_where(text)
        compile_query(
            Query(select=(SelectItem(FieldRef(schema.fields[0].name)),), where=where), schema, 1
        )
    except BelfortError as exc:
        problems.append(f"{what}: {exc.message}")


def check_definition(
    spec: IndicatorSpec,
    schemas: dict[str, TableSchema],
    population: IndicatorSpec | None,
) -> None:
    """The definition against its datasets' schemas (``schemas``: dataset → schema of the
    version indicators read; a dataset missing there is not an open, published one)."""
    d = spec.definition
    if d is None:
        return
    problems: list[str] = []
    schema = schemas.get(d["dataset"])
    if schema is None:
        problems.append(f"definition.dataset: no open, published dataset {d['dataset'][:100]!r}")
    else:
        _field(schema, d["time"], TIME_TYPES, "definition.time", problems)
        if "field" in d:
            _field(schema, d["field"], NUMBER_TYPES, "definition.field", problems)
        if "location" in d:
            _field(schema, d["location"], ("geopoint",), "definition.location", problems)
        if "area" in d:
            _field(schema, d["area"], ("string", "integer"), "definition.area", problems)
        if d.get("breakdown"):
            _field(
                schema,
                d["breakdown"]["field"],
                ("string", "integer"),
                "definition.breakdown.field",
                problems,
            )
        for key in ("where", "share_where"):
            if key in d:
                _condition(schema, d[key], f"definition.{key}", problems)
        joined = d.get("location_from")
        if joined:
            _field(
                schema,
                joined["join"],
                ("string", "integer"),
                "definition.location_from.join",
                problems,
            )
            other = schemas.get(joined["dataset"])
            if other is None:
                problems.append(
                    f"definition.location_from.dataset: no open, published dataset "
                    f"{joined['dataset'][:100]!r}"
                )
            else:
                _field(
                    other,
                    joined["key"],
                    ("string", "integer"),
                    "definition.location_from.key",
                    problems,
                )
                _field(
                    other,
                    joined["location"],
                    ("geopoint",),
                    "definition.location_from.location",
                    problems,
                )
    if d["measure"] == "rate":
        if population is None:
            problems.append(f"definition.population: no indicator {d['population'][:60]!r}")
        elif population.period_type != spec.period_type:
            problems.append(
                f"incompatible periods: {spec.code} has {spec.period_type} periods, its population "
                f"indicator {population.code} has {population.period_type} periods"
            )
    if d.get("per_day") and d["measure"] not in ("count", "sum"):
        problems.append("definition.per_day: only for count and sum")
    if problems:
        raise IndicatorInvalid(
            f"indicator {spec.code!r} refused: {problems[0]}", details={"problems": problems[:100]}
        )
