"""Compile a ``Query`` to DuckDB SQL.

User values only ever travel as bound parameters; field names are checked against
the version's schema and then quoted. The FROM clause is always one Parquet file
named by the catalogue (also a parameter). Type mistakes are caught here with a
clear ``QueryError`` instead of surfacing as engine errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from belfort.errors import QueryError
from belfort.query.compiler_geo import EARTH_RADIUS_M as EARTH_RADIUS_M
from belfort.query.compiler_geo import MAX_POLYGON_POINTS as MAX_POLYGON_POINTS
from belfort.query.compiler_geo import MAX_SEARCH_WORDS as MAX_SEARCH_WORDS
from belfort.query.compiler_geo import TextAndGeography, _as_text, quote_identifier
from belfort.query.compiler_geo import like_escape as like_escape
from belfort.query.model import (
    RECORD_ID_COLUMN,
    ROW_NUMBER_COLUMN,
    Aggregate,
    And,
    Arithmetic,
    Compare,
    Expr,
    FieldRef,
    Function,
    In,
    InBBox,
    InPolygon,
    IsNull,
    Like,
    ListContains,
    ListValues,
    Literal,
    Not,
    Or,
    OrderItem,
    Query,
    RecordIdIs,
    Search,
    SelectItem,
    WithinDistance,
)
from belfort.schema import TableSchema

LOCAL_TIMEZONE = ZoneInfo("Europe/Brussels")
NUMERIC = {"integer", "number"}
ORDERABLE = NUMERIC | {"date", "datetime", "string", "boolean"}
COMPARE_OPS = {"=", "!=", "<", "<=", ">", ">="}
ARITHMETIC_OPS = {"+", "-", "*", "/", "%"}
MAX_IN_VALUES = 1000
MAX_EXPR_DEPTH = 64

# name → (DuckDB function, result type; None = type of the first argument)
SCALAR_FUNCTIONS: dict[str, tuple[str, str | None]] = {
    "lower": ("lower", "string"),
    "upper": ("upper", "string"),
    "length": ("length", "integer"),
    "abs": ("abs", None),
    "round": ("round", "number"),
    "floor": ("floor", "number"),
    "ceil": ("ceil", "number"),
    "year": ("year", "integer"),
    "month": ("month", "integer"),
    "day": ("day", "integer"),
    "hour": ("hour", "integer"),
    "minute": ("minute", "integer"),
    "second": ("second", "integer"),
    "weekday": ("isodow", "integer"),
    "ifnull": ("coalesce", None),
}
SOURCE = object()  # stands for the Parquet path until the engine binds it

# Opendatasoft date_format() patterns (Java style) → strftime
DATE_PATTERN_TOKENS = (
    ("yyyy", "%Y"), ("yy", "%y"), ("MMMM", "%B"), ("MMM", "%b"), ("MM", "%m"),
    ("dd", "%d"), ("EEEE", "%A"), ("EEE", "%a"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"),
    ("ww", "%V"), ("D", "%j"),
)
# special functions compiled by _Compiler.special_function, with their result types
SPECIAL_FUNCTIONS = {"date_format", "range", "distance", "now", "startswith"}

DATE_PARTS = {"year", "month", "day", "hour", "minute", "second", "weekday"}

AGGREGATES = {"count", "sum", "avg", "min", "max", "median", "stddev", "percentile"}


@dataclass
class CompiledQuery:
    sql: str
    params: list[Any]
    columns: list[str]


def label_of(expr: Expr) -> str:
    """The column name a selected expression gets when it has no alias (Opendatasoft style)."""
    if isinstance(expr, FieldRef):
        return expr.name
    if isinstance(expr, Aggregate):
        if expr.arg is None:
            return f"{expr.func}(*)"
        inner = label_of(expr.arg)
        if expr.func == "percentile":
            return f"percentile({inner}, {expr.param:g})"
        return f"{expr.func}({'distinct ' if expr.distinct else ''}{inner})"
    if isinstance(expr, Function):
        return f"{expr.name}({', '.join(label_of(a) for a in expr.args)})"
    if isinstance(expr, Literal):
        return repr(expr.value)
    if isinstance(expr, Arithmetic):
        return f"{label_of(expr.left)} {expr.op} {label_of(expr.right)}"
    return type(expr).__name__.lower()


class _Compiler(TextAndGeography):
    def __init__(self, schema: TableSchema, timezone: str | None = None) -> None:
        self.schema = schema
        self.params: list[Any] = []
        self.timezone = timezone or "Europe/Brussels"
        try:
            self.zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise QueryError(f"unknown timezone {self.timezone[:60]!r}") from None

    def bind(self, value: Any) -> str:
        """A numbered placeholder ($1, $2, …), so clause order does not matter."""
        self.params.append(value)
        return f"${len(self.params)}"

    # -- expressions ---------------------------------------------------------

    def expr(self, e: Expr, depth: int = 0, *, allow_aggregates: bool = False) -> tuple[str, str]:
        if depth > MAX_EXPR_DEPTH:
            raise QueryError("query expression is nested too deeply")
        sub = depth + 1
        if isinstance(e, FieldRef):
            f = self.schema.get(e.name)
            if f is None:
                raise QueryError(f"unknown field {e.name[:100]!r}", details={"field": e.name[:100]})
            return quote_identifier(f.name), f.type
        if isinstance(e, Literal):
            return self.literal(e.value)
        if isinstance(e, Arithmetic):
            if e.op not in ARITHMETIC_OPS:
                raise QueryError(f"unknown operator {e.op!r}")
            left, lt = self.expr(e.left, sub, allow_aggregates=allow_aggregates)
            right, rt = self.expr(e.right, sub, allow_aggregates=allow_aggregates)
            for t in (lt, rt):
                if t not in NUMERIC | {"null"}:
                    raise QueryError(f"arithmetic needs numbers, not {t}")
            result = "integer" if lt == rt == "integer" and e.op != "/" else "number"
            return f"({left} {e.op} {right})", result
        if isinstance(e, Function):
            return self.function(e, sub, allow_aggregates)
        if isinstance(e, Aggregate):
            if not allow_aggregates:
                raise QueryError(f"aggregate {e.func}() is not allowed here")
            return self.aggregate(e, sub)
        if isinstance(e, Compare):
            return self.compare(e, sub, allow_aggregates)
        if isinstance(e, In):
            if not e.values:
                raise QueryError("IN needs at least one value")
            if len(e.values) > MAX_IN_VALUES:
                raise QueryError(f"IN takes at most {MAX_IN_VALUES} values")
            left, lt = self.expr(e.expr, sub, allow_aggregates=allow_aggregates)
            items = [self.operand(v, lt, sub) for v in e.values]
            return f"({left} {'NOT ' if e.negated else ''}IN ({', '.join(items)}))", "boolean"
        if isinstance(e, IsNull):
            inner, _ = self.expr(e.expr, sub, allow_aggregates=allow_aggregates)
            return f"({inner} IS {'NOT ' if e.negated else ''}NULL)", "boolean"
        if isinstance(e, Like):
            inner, t = self.expr(e.expr, sub, allow_aggregates=allow_aggregates)
            if t != "string":
                inner = f"CAST({inner} AS VARCHAR)"
            op = ("NOT " if e.negated else "") + ("ILIKE" if e.ci else "LIKE")
            return f"({inner} {op} {self.bind(e.pattern)} ESCAPE '\\')", "boolean"
        if isinstance(e, Search):
            return self.search(e), "boolean"
        if isinstance(e, RecordIdIs):
            return f"({record_id_sql(self, e.fields)} = {self.bind(str(e.value)[:100])})", "boolean"
        if isinstance(e, WithinDistance | InBBox | InPolygon):
            return self.geo_filter(e), "boolean"
        if isinstance(e, ListValues | ListContains):
            return self.multivalued(e)
        if isinstance(e, And | Or):
            if not e.items:
                return ("TRUE" if isinstance(e, And) else "FALSE"), "boolean"
            joiner = " AND " if isinstance(e, And) else " OR "
            parts = [self.condition(item, sub, allow_aggregates) for item in e.items]
            return "(" + joiner.join(parts) + ")", "boolean"
        if isinstance(e, Not):
            return f"(NOT {self.condition(e.item, sub, allow_aggregates)})", "boolean"
        raise QueryError(f"unsupported expression {type(e).__name__}")

    def _multivalued_field(self, e: Expr) -> str | None:
        if isinstance(e, FieldRef):
            f = self.schema.get(e.name)
            if f is not None and f.type == "string" and f.separator:
                return f.name
        return None

    def multivalued(self, e: ListValues | ListContains) -> tuple[str, str]:
        """A multivalued text field (``Field.separator``) split into its values."""
        f = self.schema.get(e.field)
        if f is None or f.type != "string" or not f.separator:
            raise QueryError(f"{e.field[:100]!r} is not a multivalued text field")
        values = f"string_split({quote_identifier(f.name)}, {self.bind(f.separator)})"
        if isinstance(e, ListValues):
            return f"unnest({values})", "string"
        return f"list_contains({values}, {self.bind(e.value)})", "boolean"

    def condition(self, e: Expr, depth: int, allow_aggregates: bool = False) -> str:
        sql, t = self.expr(e, depth, allow_aggregates=allow_aggregates)
        if t not in {"boolean", "null"}:
            raise QueryError("a filter must be a condition (true or false)")
        return sql

    def literal(self, value: Any) -> tuple[str, str]:
        if value is None:
            return "NULL", "null"
        if isinstance(value, bool):
            return self.bind(value), "boolean"
        if isinstance(value, int):
            if not -(2**63) <= value < 2**63:
                raise QueryError("integer out of range")
            return self.bind(value), "integer"
        if isinstance(value, float):
            if not math.isfinite(value):
                raise QueryError("numbers must be finite")
            return self.bind(value), "number"
        if isinstance(value, datetime):
            return f"CAST({self.bind(value)} AS TIMESTAMPTZ)", "datetime"
        if isinstance(value, date):
            return f"CAST({self.bind(value)} AS DATE)", "date"
        if isinstance(value, str):
            return f"CAST({self.bind(value)} AS VARCHAR)", "string"
        raise QueryError(f"unsupported literal {type(value).__name__}")

    def operand(self, e: Expr, against: str, depth: int) -> str:
        """Compile ``e`` compared with a value of type ``against``, coercing literals."""
        if isinstance(e, Literal) and e.value is not None:
            return self.literal(coerce_literal(e.value, against, self.zone))[0]
        sql, t = self.expr(e, depth)
        check_comparable(against, t)
        return sql

    def compare(self, e: Compare, depth: int, allow_aggregates: bool) -> tuple[str, str]:
        if e.op not in COMPARE_OPS:
            raise QueryError(f"unknown comparison {e.op!r}")
        if isinstance(e.left, Literal) and not isinstance(e.right, Literal):
            flipped = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(e.op, e.op)
            e = Compare(flipped, e.right, e.left)
        multi = self._multivalued_field(e.left)
        if multi is not None and e.op in {"=", "!="} and isinstance(e.right, Literal) \
                and isinstance(e.right.value, str):  # any one of its values (Opendatasoft's rule)
            contains, _ = self.multivalued(ListContains(multi, e.right.value))
            return (contains if e.op == "=" else f"(NOT coalesce({contains}, FALSE))"), "boolean"
        left, lt = self.expr(e.left, depth, allow_aggregates=allow_aggregates)
        if lt in {"geopoint", "geometry"}:
            raise QueryError(f"a {lt} field cannot be compared; use a geographic filter")
        if e.op not in {"=", "!="} and lt not in ORDERABLE | {"null"}:
            raise QueryError(f"{lt} values cannot be ordered")
        right = self.operand(e.right, lt, depth)
        op = "<>" if e.op == "!=" else e.op
        return f"({left} {op} {right})", "boolean"

    def function(self, e: Function, depth: int, allow_aggregates: bool) -> tuple[str, str]:
        if e.name.lower() in SPECIAL_FUNCTIONS:
            return self.special_function(e, depth, allow_aggregates)
        spec = SCALAR_FUNCTIONS.get(e.name.lower())
        if spec is None:
            raise QueryError(f"unknown function {e.name[:50]!r}")
        sql_name, result = spec
        compiled = [self.expr(a, depth, allow_aggregates=allow_aggregates) for a in e.args]
        if not compiled:
            raise QueryError(f"{e.name}() needs an argument")
        if e.name.lower() in DATE_PARTS and compiled[0][1] == "datetime":
            # the hour of a moment depends on the zone: read it in the query's zone
            compiled[0] = (self.in_zone(compiled[0][0]), "datetime")
        return self.scalar_sql(e.name.lower(), [s for s, _ in compiled]), result or compiled[0][1]

    def in_zone(self, sql: str) -> str:
        """A moment as the wall-clock time of the query's zone."""
        return f"timezone({self.bind(self.timezone)}, {sql})"

    def scalar_sql(self, name: str, args: list[str]) -> str:
        """The dialect's SQL for the scalar function ``name`` (``SCALAR_FUNCTIONS``)."""
        return f"{SCALAR_FUNCTIONS[name][0]}({', '.join(args)})"

    def special_function(self, e: Function, depth: int, allow_aggregates: bool) -> tuple[str, str]:
        name = e.name.lower()
        args = e.args
        if name == "now":
            if args:
                raise QueryError("now() takes no arguments")
            return f"CAST({self.bind(datetime.now(LOCAL_TIMEZONE))} AS TIMESTAMPTZ)", "datetime"
        if name == "distance":
            if len(args) != 3 or not isinstance(args[0], FieldRef):
                raise QueryError("distance(field, lat, lon) needs a geopoint field and a point")
            lat, lon = self.geopoint(args[0].name)
            return self.haversine(lat, lon, _number_arg(args[1]), _number_arg(args[2])), "number"
        if name == "startswith":
            if len(args) != 2 or not isinstance(args[1], Literal) or not isinstance(args[1].value, str):
                raise QueryError('startswith(field, "text") needs a field and a text')
            inner, t = self.expr(args[0], depth, allow_aggregates=allow_aggregates)
            return f"starts_with({_as_text(inner, t)}, {self.bind(args[1].value)})", "boolean"
        if name == "range":
            if len(args) != 2:
                raise QueryError("range(field, step) needs a field and a step")
            inner, t = self.expr(args[0], depth, allow_aggregates=allow_aggregates)
            step = _number_arg(args[1])
            if t not in NUMERIC or step <= 0:
                raise QueryError("range() groups numbers by a positive step")
            return f"(floor({inner} / {self.bind(step)}) * {self.bind(step)})", "number"
        # date_format(field, 'yyyy-MM')
        if len(args) != 2 or not isinstance(args[1], Literal) or not isinstance(args[1].value, str):
            raise QueryError("date_format(field, 'pattern') needs a date field and a pattern")
        inner, t = self.expr(args[0], depth, allow_aggregates=allow_aggregates)
        if t not in {"date", "datetime"}:
            raise QueryError("date_format() needs a date or datetime field")
        if t == "datetime":  # read the calendar in the query's zone (Ghent's by default)
            inner = self.in_zone(inner)
        return f"strftime({inner}, {self.bind(strftime_pattern(args[1].value))})", "string"

    def aggregate(self, e: Aggregate, depth: int) -> tuple[str, str]:
        func = e.func.lower()
        if func not in AGGREGATES:
            raise QueryError(f"unknown aggregate {e.func[:50]!r}")
        if e.arg is None:
            if func != "count":
                raise QueryError(f"{func}() needs a field")
            return "count(*)", "integer"
        inner, t = self.expr(e.arg, depth)
        if func == "count":
            return f"count({'DISTINCT ' if e.distinct else ''}{inner})", "integer"
        if func in {"sum", "avg", "median", "stddev", "percentile"} and t not in NUMERIC:
            raise QueryError(f"{func}() needs a numeric field, not {t}")
        if func in {"min", "max"} and t not in ORDERABLE:
            raise QueryError(f"{func}() cannot order {t} values")
        distinct = "DISTINCT " if e.distinct else ""
        if func == "percentile":
            if e.param is None or not 0 <= e.param <= 100:
                raise QueryError("percentile() needs a percentage between 0 and 100")
            return self.percentile_sql(inner, e.param / 100), "number"
        if func == "median":
            return self.median_sql(inner, e.distinct), "number"
        if func == "stddev":
            return f"stddev_samp({distinct}{inner})", "number"
        if func == "sum":
            return f"sum({distinct}{inner})", t
        if func == "avg":
            return f"avg({distinct}{inner})", "number"
        return f"{func}({inner})", t

    def percentile_sql(self, inner: str, fraction: float) -> str:
        """The dialect's continuous percentile (``fraction`` 0–1) of ``inner``."""
        return f"quantile_cont({inner}, {self.bind(fraction)})"

    def median_sql(self, inner: str, distinct: bool) -> str:
        return f"median({'DISTINCT ' if distinct else ''}{inner})"


def _number_arg(e: Expr) -> float:
    if isinstance(e, Literal) and isinstance(e.value, int | float) and not isinstance(e.value, bool):
        if math.isfinite(e.value):
            return float(e.value)
    raise QueryError("expected a number")


def strftime_pattern(pattern: str) -> str:
    """An Opendatasoft (Java-style) date pattern as a strftime pattern; other letters are refused."""
    if len(pattern) > 50:
        raise QueryError("date pattern too long")
    out, i = [], 0
    while i < len(pattern):
        for token, replacement in DATE_PATTERN_TOKENS:
            if pattern.startswith(token, i):
                out.append(replacement)
                i += len(token)
                break
        else:
            char = pattern[i]
            if char.isalpha():
                raise QueryError(f"unsupported letter {char!r} in date pattern {pattern!r}")
            out.append("%%" if char == "%" else char)
            i += 1
    return "".join(out)


def check_comparable(left: str, right: str) -> None:
    if "null" in (left, right) or left == right:
        return
    if left in NUMERIC and right in NUMERIC:
        return
    if {left, right} <= {"date", "datetime"}:
        return
    raise QueryError(f"cannot compare {left} with {right}")


_TRUE = {"true", "1", "ja", "yes", "waar", "j", "y"}
_FALSE = {"false", "0", "nee", "no", "onwaar", "n"}


def coerce_literal(value: Any, target: str, zone: ZoneInfo = LOCAL_TIMEZONE) -> Any:
    """Convert a literal to the type of the field it is compared with, or raise QueryError.

    URL parameters arrive as text, so ``"10"`` compared with an integer field is 10; a
    date or datetime without an offset compared with a datetime field is read in ``zone``.
    """
    try:
        if target == "integer":
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float) and not value.is_integer():
                return value  # 2.5 compared with an integer field: compare as number
            if isinstance(value, str) and any(c in value for c in ".eE"):
                return _finite(float(value))
            return int(value)
        if target == "number":
            if isinstance(value, bool):
                raise ValueError
            return _finite(float(value))
        if target == "boolean":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError
        if target == "date":
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            return date.fromisoformat(str(value).strip())
        if target == "datetime":
            if isinstance(value, datetime):
                parsed = value
            elif isinstance(value, date):
                parsed = datetime(value.year, value.month, value.day)
            else:
                parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
            # Without an offset: the query's zone (Ghent's own unless a dialect says otherwise).
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
        if target == "string":
            return value if isinstance(value, str) else str(value)
    except (ValueError, TypeError, OverflowError):
        raise QueryError(
            f"value {str(value)[:60]!r} is not a valid {target}", details={"value": str(value)[:60]}
        ) from None
    raise QueryError(f"{target} values cannot be compared with a value")


def _finite(number: float) -> float:
    if not math.isfinite(number):
        raise ValueError
    return number


def compile_query(
    query: Query, schema: TableSchema, max_rows: int, *, count_groups: bool = False
) -> CompiledQuery:
    """SQL over ``read_parquet($1)``; the engine binds $1 to the version's file.

    ``count_groups`` (grouped queries): every row also carries the number of groups,
    ``count(*) OVER ()`` as a last value not named in ``columns``, so that the page and
    the total come from one aggregation."""
    c = _Compiler(schema, query.timezone)
    c.bind(SOURCE)
    grouped = bool(query.group_by)
    select_items = list(query.select)
    if not select_items:
        select_items = list(query.group_by) if grouped else [
            SelectItem(FieldRef(f.name)) for f in schema.fields
        ]
    group_sql: list[str] = []
    compiled_keys: dict[Expr, str] = {}  # a selected key reuses its GROUP BY text exactly
    for g in query.group_by:
        sql, t = c.expr(g.expr)
        if t in {"geopoint", "geometry"}:
            raise QueryError(f"cannot group by a {t} field")
        group_sql.append(sql)
        compiled_keys.setdefault(g.expr, sql)
    has_aggregate = any(isinstance(s.expr, Aggregate) for s in select_items)

    columns: list[str] = []
    parts: list[str] = []
    for item in select_items:
        if item.expr in compiled_keys:
            sql = compiled_keys[item.expr]
        else:
            sql, _ = c.expr(item.expr, allow_aggregates=True)
        if (grouped or has_aggregate) and not _is_aggregate(item.expr):
            if item.expr not in [g.expr for g in query.group_by]:
                raise QueryError(
                    f"{label_of(item.expr)!r} must be grouped by or aggregated"
                )
        name = item.alias or label_of(item.expr)
        if name in columns:
            raise QueryError(f"column {name!r} is selected twice; give it an alias")
        columns.append(name)
        parts.append(f"{sql} AS {quote_identifier(name)}")

    if count_groups and grouped:
        parts.append(f"count(*) OVER () AS {quote_identifier('__groups')}")
    source = "read_parquet($1)"
    # Records tied on the sort keys keep their file order, so every run (and every page
    # of a materialised result) gives the same order and paging never repeats a record.
    tie_break = bool(query.order_by) and not (grouped or has_aggregate)
    if tie_break:
        source = "read_parquet($1, file_row_number = true)"
    if query.with_row_number or query.record_id_fields is not None:
        if grouped or has_aggregate:
            raise QueryError("grouped results have no record identity")
        if query.with_row_number:
            source = "read_parquet($1, file_row_number = true)"
            parts.append(f"file_row_number AS {quote_identifier(ROW_NUMBER_COLUMN)}")
            columns.append(ROW_NUMBER_COLUMN)
        if query.record_id_fields is not None:
            parts.append(f"{record_id_sql(c, query.record_id_fields)} AS {quote_identifier(RECORD_ID_COLUMN)}")
            columns.append(RECORD_ID_COLUMN)
    sql = f"SELECT {', '.join(parts)} FROM {source}"
    if query.where is not None:
        sql += f" WHERE {c.condition(query.where, 0)}"
    if group_sql:
        sql += f" GROUP BY {', '.join(group_sql)}"
    if query.order_by:
        sql += " ORDER BY " + ", ".join(_order(c, o, columns, compiled_keys) for o in query.order_by)
        if tie_break:
            sql += ", file_row_number"
    limit = max_rows if query.limit is None else query.limit
    if limit < 0 or query.offset < 0:
        raise QueryError("limit and offset must not be negative")
    if limit > max_rows:
        raise QueryError(f"limit {limit} is above the maximum of {max_rows} rows")
    sql += f" LIMIT {c.bind(limit)} OFFSET {c.bind(query.offset)}"
    return CompiledQuery(sql=sql, params=c.params, columns=columns)


def record_id_sql(c: _Compiler, fields: tuple[str, ...]) -> str:
    """sha1 over the JSON of the key fields (all fields when ``fields`` is empty).

    The same values give the same id in every version, whatever the row order.
    """
    names = list(fields) or [f.name for f in c.schema.fields]
    for name in names:
        if c.schema.get(name) is None:
            raise QueryError(f"record key names unknown field {name[:100]!r}")
    members = ", ".join(f"{quote_identifier(n)} := {quote_identifier(n)}" for n in names)
    return f"sha1(CAST(to_json(struct_pack({members})) AS VARCHAR))"


def record_id_expression(schema: TableSchema, fields: tuple[str, ...]) -> str:
    """The SQL expression of a record's id over a version with ``schema`` (binds no
    parameters; for callers that compose their own statement, e.g. the event streams)."""
    return record_id_sql(_Compiler(schema), fields)


def compile_record_ids(schema: TableSchema, fields: tuple[str, ...]) -> CompiledQuery:
    """Every record id of a version, in file order (row n holds the id of record n)."""
    c = _Compiler(schema)
    c.bind(SOURCE)
    sql = (
        f"SELECT {record_id_sql(c, fields)} AS {quote_identifier(RECORD_ID_COLUMN)} "
        "FROM read_parquet($1, file_row_number = true) ORDER BY file_row_number"
    )
    return CompiledQuery(sql=sql, params=c.params, columns=[RECORD_ID_COLUMN])


def compile_count(query: Query, schema: TableSchema) -> CompiledQuery:
    """How many rows (or groups) the query matches, ignoring limit and offset."""
    c = _Compiler(schema, query.timezone)
    c.bind(SOURCE)
    where = f" WHERE {c.condition(query.where, 0)}" if query.where is not None else ""
    if query.group_by:
        keys = ", ".join(c.expr(g.expr)[0] for g in query.group_by)
        sql = f"SELECT count(*) FROM (SELECT 1 FROM read_parquet($1){where} GROUP BY {keys})"
    else:
        sql = f"SELECT count(*) FROM read_parquet($1){where}"
    return CompiledQuery(sql=sql, params=c.params, columns=["count"])


def _is_aggregate(expr: Expr) -> bool:
    return isinstance(expr, Aggregate)


def _order(
    c: _Compiler, item: OrderItem, columns: list[str], compiled_keys: dict[Expr, str]
) -> str:
    direction = "DESC" if item.descending else "ASC"
    if item.expr in compiled_keys:
        sql = compiled_keys[item.expr]  # a group key: the very same SQL text as in GROUP BY
    elif isinstance(item.expr, FieldRef) and item.expr.name in columns and c.schema.get(item.expr.name) is None:
        sql = quote_identifier(item.expr.name)  # an alias from the select list
    elif not isinstance(item.expr, FieldRef) and label_of(item.expr) in columns:
        sql = quote_identifier(label_of(item.expr))
    else:
        sql, t = c.expr(item.expr, allow_aggregates=True)
        if t in {"geopoint", "geometry"}:
            raise QueryError(f"cannot order by a {t} field")
    return f"{sql} {direction} NULLS LAST"
