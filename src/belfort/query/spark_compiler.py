"""Compile a ``Query`` to Spark SQL: the engine's second dialect of the same model.

The checks (fields, types, limits, nesting) are the DuckDB compiler's own
(``belfort.query.compiler._Compiler``, subclassed here); only the SQL text differs:
backquoted identifiers, named parameter markers (``:p1``; Spark binds them as literals),
Spark's function names, ``LATERAL VIEW explode`` for multivalued facets and
``_metadata.row_index`` for the file order. The FROM clause is ``SPARK_SOURCE``, replaced
by the engine with the version's file.

What has no exact Spark equivalent raises ``NotOnSpark`` (docs/spark.md): record ids
(DuckDB's JSON text of a record is hashed; Spark writes other JSON) and the ``ww`` (ISO
week) date pattern letter.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from belfort.errors import NotOnSpark, QueryError
from belfort.query.compiler import (
    LOCAL_TIMEZONE,
    NUMERIC,
    CompiledQuery,
    _Compiler,
    _number_arg,
    label_of,
    strftime_pattern,
)
from belfort.query.model import (
    ROW_NUMBER_COLUMN,
    Aggregate,
    Expr,
    FieldRef,
    Function,
    Like,
    ListContains,
    ListValues,
    Literal,
    OrderItem,
    Query,
    RecordIdIs,
    SelectItem,
)
from belfort.schema import Field, TableSchema

SPARK_SOURCE = "__belfort_source__"  # the engine puts the version's file here
ROW_INDEX = "_metadata.row_index"  # the row's position in its Parquet file (Spark ≥ 3.5)

# name → Spark function (the DuckDB compiler's SCALAR_FUNCTIONS, same result types)
SPARK_FUNCTIONS: dict[str, str] = {
    "lower": "lower",
    "upper": "upper",
    "length": "char_length",
    "abs": "abs",
    "round": "round",
    "floor": "floor",
    "ceil": "ceil",
    "year": "year",
    "month": "month",
    "day": "dayofmonth",
    "hour": "hour",
    "minute": "minute",
    "second": "second",
    "ifnull": "coalesce",
}
# Opendatasoft date_format() tokens → Spark (java.time) pattern letters; None: none exists
SPARK_DATE_TOKENS: tuple[tuple[str, str | None], ...] = (
    ("yyyy", "yyyy"),
    ("yy", "yy"),
    ("MMMM", "MMMM"),
    ("MMM", "MMM"),
    ("MM", "MM"),
    ("dd", "dd"),
    ("EEEE", "EEEE"),
    ("EEE", "EEE"),
    ("HH", "HH"),
    ("mm", "mm"),
    ("ss", "ss"),
    ("ww", None),
    ("D", "DDD"),
)


def spark_identifier(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def spark_date_pattern(pattern: str) -> str:
    """An Opendatasoft date pattern as a Spark one; text between letters is quoted."""
    strftime_pattern(pattern)  # the same letters are refused as on DuckDB
    out, text, i = [], "", 0
    while i < len(pattern):
        for token, replacement in SPARK_DATE_TOKENS:
            if pattern.startswith(token, i):
                if replacement is None:
                    raise NotOnSpark(f"the date pattern letters {token!r} have no Spark equivalent")
                if text:
                    out.append("'" + text.replace("'", "''") + "'")
                    text = ""
                out.append(replacement)
                i += len(token)
                break
        else:
            text += pattern[i]
            i += 1
    if text:
        out.append("'" + text.replace("'", "''") + "'")
    return "".join(out)


def _as_text(sql: str, type_: str) -> str:
    return sql if type_ == "string" else f"CAST({sql} AS STRING)"


class SparkCompiler(_Compiler):
    """``_Compiler`` writing Spark SQL; ``params`` maps marker names to values."""

    def __init__(self, schema: TableSchema, timezone: str | None = None) -> None:
        super().__init__(schema, timezone)
        self.named: dict[str, Any] = {}
        self.exploded: dict[str, str] = {}  # multivalued field → its LATERAL VIEW column

    def bind(self, value: Any) -> str:
        name = f"p{len(self.named) + 1}"
        self.named[name] = value
        return f":{name}"

    def expr(self, e: Expr, depth: int = 0, *, allow_aggregates: bool = False) -> tuple[str, str]:
        if isinstance(e, FieldRef):
            f = self.schema.get(e.name)
            if f is None:
                raise QueryError(f"unknown field {e.name[:100]!r}", details={"field": e.name[:100]})
            return spark_identifier(f.name), f.type
        if isinstance(e, Like):
            inner, t = self.expr(e.expr, depth + 1, allow_aggregates=allow_aggregates)
            op = ("NOT " if e.negated else "") + ("ILIKE" if e.ci else "LIKE")
            return f"({_as_text(inner, t)} {op} {self.bind(e.pattern)} ESCAPE '\\\\')", "boolean"
        if isinstance(e, RecordIdIs):
            raise NotOnSpark("record ids are computed by the embedded engine only")
        return super().expr(e, depth, allow_aggregates=allow_aggregates)

    def literal(self, value: Any) -> tuple[str, str]:
        if isinstance(value, bool) or value is None:
            return super().literal(value)
        if isinstance(value, int):
            if not -(2**63) <= value < 2**63:
                raise QueryError("integer out of range")
            return f"CAST({self.bind(value)} AS BIGINT)", "integer"
        if isinstance(value, float):
            if not math.isfinite(value):
                raise QueryError("numbers must be finite")
            return f"CAST({self.bind(value)} AS DOUBLE)", "number"
        if isinstance(value, datetime):
            return f"CAST({self.bind(value)} AS TIMESTAMP)", "datetime"
        if isinstance(value, date):
            return f"CAST({self.bind(value)} AS DATE)", "date"
        if isinstance(value, str):
            return f"CAST({self.bind(value)} AS STRING)", "string"
        raise QueryError(f"unsupported literal {type(value).__name__}")

    def multivalued(self, e: ListValues | ListContains) -> tuple[str, str]:
        f = self.schema.get(e.field)
        if f is None or f.type != "string" or not f.separator:
            raise QueryError(f"{e.field[:100]!r} is not a multivalued text field")
        if "\\E" in f.separator:
            raise NotOnSpark("this field's separator cannot be quoted for Spark")
        # split() takes a Java regular expression: the separator quoted literally
        if isinstance(e, ListValues):
            column = self.exploded.setdefault(f.name, f"__values_{len(self.exploded)}")
            return spark_identifier(column), "string"
        quoted = self.bind("\\Q" + f.separator + "\\E")
        values = f"split({spark_identifier(f.name)}, {quoted}, -1)"
        return f"array_contains({values}, {self.bind(e.value)})", "boolean"

    def lateral_views(self) -> str:
        out = []
        for i, (name, column) in enumerate(self.exploded.items()):
            f = self.schema.get(name)
            assert f is not None and f.separator is not None
            sep = self.bind("\\Q" + f.separator + "\\E")
            out.append(
                f" LATERAL VIEW explode(split({spark_identifier(name)}, {sep}, -1)) "
                f"__lv{i} AS {spark_identifier(column)}"
            )
        return "".join(out)

    def in_zone(self, sql: str) -> str:
        """A moment as the wall-clock time of the query's zone (the session runs in UTC)."""
        return f"from_utc_timestamp({sql}, {self.bind(self.timezone)})"

    def scalar_sql(self, name: str, args: list[str]) -> str:
        if name == "weekday":  # ISO: Monday 1 … Sunday 7
            return f"(weekday({args[0]}) + 1)"
        return f"{SPARK_FUNCTIONS[name]}({', '.join(args)})"

    def special_function(self, e: Function, depth: int, allow_aggregates: bool) -> tuple[str, str]:
        name = e.name.lower()
        args = e.args
        if name == "now":
            if args:
                raise QueryError("now() takes no arguments")
            return f"CAST({self.bind(datetime.now(LOCAL_TIMEZONE))} AS TIMESTAMP)", "datetime"
        if name == "startswith":
            if (
                len(args) != 2
                or not isinstance(args[1], Literal)
                or not isinstance(args[1].value, str)
            ):
                raise QueryError('startswith(field, "text") needs a field and a text')
            inner, t = self.expr(args[0], depth, allow_aggregates=allow_aggregates)
            return f"startswith({_as_text(inner, t)}, {self.bind(args[1].value)})", "boolean"
        if name == "range":
            if len(args) != 2:
                raise QueryError("range(field, step) needs a field and a step")
            inner, t = self.expr(args[0], depth, allow_aggregates=allow_aggregates)
            step = _number_arg(args[1])
            if t not in NUMERIC or step <= 0:
                raise QueryError("range() groups numbers by a positive step")
            return (
                f"(CAST(floor({inner} / {self.bind(step)}) AS DOUBLE) * {self.bind(step)})",
                "number",
            )
        if name == "date_format":
            if (
                len(args) != 2
                or not isinstance(args[1], Literal)
                or not isinstance(args[1].value, str)
            ):
                raise QueryError("date_format(field, 'pattern') needs a date field and a pattern")
            inner, t = self.expr(args[0], depth, allow_aggregates=allow_aggregates)
            if t not in {"date", "datetime"}:
                raise QueryError("date_format() needs a date or datetime field")
            if t == "datetime":
                inner = self.in_zone(inner)
            return f"date_format({inner}, {self.bind(spark_date_pattern(args[1].value))})", "string"
        return super().special_function(e, depth, allow_aggregates)  # distance: plain arithmetic

    def percentile_sql(self, inner: str, fraction: float) -> str:
        return f"percentile({inner}, {self.bind(fraction)})"

    def median_sql(self, inner: str, distinct: bool) -> str:
        if distinct:
            raise NotOnSpark("median(distinct …) has no Spark equivalent")
        return f"percentile({inner}, {self.bind(0.5)})"

    def contains_sql(self, f: Field, pattern: str) -> str:
        return f"({_as_text(spark_identifier(f.name), f.type)} ILIKE {pattern} ESCAPE '\\\\')"

    def geopoint(self, name: str) -> tuple[str, str]:
        lat, lon = super().geopoint(name)
        column = spark_identifier(name)
        return f"{column}.lat", f"{column}.lon"


def compile_spark_query(query: Query, schema: TableSchema, max_rows: int) -> CompiledQuery:
    """Spark SQL over ``SPARK_SOURCE``; ``params`` holds one dict of marker → value.

    The same rules as ``compile_query``: records tied on the sort keys keep their file
    order, and a limit above ``max_rows`` is refused."""
    c = SparkCompiler(schema, query.timezone)
    grouped = bool(query.group_by)
    select_items = list(query.select) or (
        list(query.group_by) if grouped else [SelectItem(FieldRef(f.name)) for f in schema.fields]
    )
    group_sql: list[str] = []
    compiled_keys: dict[Expr, str] = {}
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
        sql = (
            compiled_keys[item.expr]
            if item.expr in compiled_keys
            else c.expr(item.expr, allow_aggregates=True)[0]
        )
        if (
            (grouped or has_aggregate)
            and not isinstance(item.expr, Aggregate)
            and item.expr not in [g.expr for g in query.group_by]
        ):
            raise QueryError(f"{label_of(item.expr)!r} must be grouped by or aggregated")
        name = item.alias or label_of(item.expr)
        if name in columns:
            raise QueryError(f"column {name!r} is selected twice; give it an alias")
        columns.append(name)
        parts.append(f"{sql} AS {spark_identifier(name)}")
    tie_break = bool(query.order_by) and not (grouped or has_aggregate)
    if query.with_row_number or query.record_id_fields is not None:
        if grouped or has_aggregate:
            raise QueryError("grouped results have no record identity")
        if query.record_id_fields is not None:
            raise NotOnSpark("record ids are computed by the embedded engine only")
        parts.append(f"{ROW_INDEX} AS {spark_identifier(ROW_NUMBER_COLUMN)}")
        columns.append(ROW_NUMBER_COLUMN)
    where = f" WHERE {c.condition(query.where, 0)}" if query.where is not None else ""
    order = ""
    if query.order_by:
        order = " ORDER BY " + ", ".join(
            _order(c, o, columns, compiled_keys) for o in query.order_by
        )
        if tie_break:
            order += f", {ROW_INDEX}"
    sql = f"SELECT {', '.join(parts)} FROM {SPARK_SOURCE}{c.lateral_views()}{where}"
    if group_sql:
        sql += f" GROUP BY {', '.join(group_sql)}"
    limit = max_rows if query.limit is None else query.limit
    if (
        not isinstance(limit, int)
        or not isinstance(query.offset, int)
        or limit < 0
        or query.offset < 0
    ):
        raise QueryError("limit and offset must not be negative")
    if limit > max_rows:
        raise QueryError(f"limit {limit} is above the maximum of {max_rows} rows")
    sql += f"{order} LIMIT {int(limit)} OFFSET {int(query.offset)}"
    return CompiledQuery(sql=sql, params=[c.named], columns=columns)


def compile_spark_count(query: Query, schema: TableSchema) -> CompiledQuery:
    """How many rows (or groups) the query matches, ignoring limit and offset."""
    c = SparkCompiler(schema, query.timezone)
    where = f" WHERE {c.condition(query.where, 0)}" if query.where is not None else ""
    if query.group_by:
        keys = ", ".join(c.expr(g.expr)[0] for g in query.group_by)
        sql = (
            f"SELECT count(*) FROM (SELECT 1 FROM {SPARK_SOURCE}{c.lateral_views()}{where} "
            f"GROUP BY {keys}) AS groups"
        )
    else:
        sql = f"SELECT count(*) FROM {SPARK_SOURCE}{where}"
    return CompiledQuery(sql=sql, params=[c.named], columns=["count"])


def _order(
    c: SparkCompiler, item: OrderItem, columns: list[str], compiled_keys: dict[Expr, str]
) -> str:
    direction = "DESC" if item.descending else "ASC"
    if item.expr in compiled_keys:
        sql = compiled_keys[item.expr]
    elif (
        isinstance(item.expr, FieldRef)
        and item.expr.name in columns
        and c.schema.get(item.expr.name) is None
    ):
        sql = spark_identifier(item.expr.name)
    elif not isinstance(item.expr, FieldRef) and label_of(item.expr) in columns:
        sql = spark_identifier(label_of(item.expr))
    else:
        sql, t = c.expr(item.expr, allow_aggregates=True)
        if t in {"geopoint", "geometry"}:
            raise QueryError(f"cannot order by a {t} field")
    return f"{sql} {direction} NULLS LAST"
