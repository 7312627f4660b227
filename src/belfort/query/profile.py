"""Profiling statements: many counts over one version in ONE scan (``belfort.quality``).

A profile is a list of ``Measure``s. Each becomes one aggregate of a single SELECT over
``read_parquet($1)``: ``count_if`` of its failing condition (a row *fails* when it is TRUE;
NULL is not counted), ``count(*) - count(field)`` for missing values. Examples are fetched
afterwards, only for the measures with failing rows: ``SELECT … WHERE failing LIMIT n`` per
measure (it stops at the n-th failing row; never a list of all failures). Duplicates of a key
are one grouping of their own: the rows beyond the first of each key and the most repeated
keys come from the same statement.

As everywhere in the engine, field names are checked against the schema and quoted, and
every value (bounds, enum values, regular expressions) travels as a bound parameter.
Regular expressions are RE2 (DuckDB's ``regexp_full_match``): linear time, no backtracking,
so a "catastrophic" pattern costs what any pattern costs; ``check_pattern`` tries one on an
empty string in a throw-away in-memory database so that an unusable pattern is refused when
a rule is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import duckdb

from belfort.errors import QueryError
from belfort.query.compiler import SOURCE, CompiledQuery, _Compiler
from belfort.query.compiler_geo import quote_identifier
from belfort.query.model import Expr
from belfort.query.streams import clean_message
from belfort.schema import TableSchema

ROWS_COLUMN = "__rows"
MAX_MEASURES = 2000  # a statement with more columns is refused (the quality limits are lower)
MAX_PATTERN_LENGTH = 1000


@dataclass(frozen=True)
class Lookup:
    """``field``'s values must occur in the ``key`` column (of type ``key_type``) of another
    version's file, ``path``: a reference between datasets."""

    field: str
    path: str
    key: str
    key_type: str


@dataclass(frozen=True)
class Measure:
    """One count of a profile. Exactly one of ``failing`` (a condition in the query model:
    rows where it is TRUE fail), ``missing`` (a field: null, or blank text, counts),
    ``pattern`` (field, RE2 expression: a value that does not match in full fails),
    ``duplicates`` (key fields: rows beyond the first of each non-null key count) or ``lookup``
    (a non-null value missing from another dataset's key fails)."""

    key: str
    failing: Expr | None = None
    missing: str | None = None
    pattern: tuple[str, str] | None = None
    duplicates: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()  # fields whose values an example shows
    lookup: Lookup | None = None


@dataclass
class MeasureResult:
    failing: int
    examples: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Profile:
    rows: int
    results: dict[str, MeasureResult]


@dataclass
class CompiledProfile:
    statement: CompiledQuery  # every count, one scan
    keys: list[str]  # the measure of each count, in order (after the row count)
    examples: dict[str, CompiledQuery]  # measure key → its failing rows, LIMIT examples
    duplicates: dict[str, CompiledQuery]  # measure key → the statement naming duplicate keys


def compile_profile(
    measures: list[Measure], schema: TableSchema, *, examples: int, timezone: str | None = None
) -> CompiledProfile:
    """The profiling statements of ``measures`` (QueryError naming the measure when one does
    not fit the schema: an unknown field, a condition that is not one, mismatched types).

    The counts are one aggregate scan; a measure's examples are a statement of their own
    (``SELECT … WHERE failing LIMIT n``), run only when it has failing rows: it stops at the
    n-th failing row, whereas collecting examples inside the scan costs several times the
    counts themselves (bench/quality_profile.py)."""
    if len(measures) > MAX_MEASURES:
        raise QueryError(f"a profile takes at most {MAX_MEASURES} measures")
    c = _Compiler(schema, timezone)
    c.bind(SOURCE)
    outer: list[str] = [f"count(*) AS {ROWS_COLUMN}"]
    keys: list[str] = []
    examples_of: dict[str, CompiledQuery] = {}
    duplicates: dict[str, CompiledQuery] = {}
    for m in measures:
        try:
            if m.duplicates:
                duplicates[m.key] = _duplicates_statement(schema, m.duplicates, examples)
                continue
            outer.append(_count(c, m))
            if examples > 0:
                examples_of[m.key] = _examples_statement(schema, m, examples, timezone)
        except QueryError as exc:
            raise QueryError(exc.message, details={**exc.details, "measure": m.key}) from None
        keys.append(m.key)
    sql = f"SELECT {', '.join(outer)} FROM read_parquet($1)"
    return CompiledProfile(
        CompiledQuery(sql=sql, params=c.params, columns=[]), keys, examples_of, duplicates
    )


def _count(c: _Compiler, m: Measure) -> str:
    """The SQL counting a measure's failing rows (a missing value: ``count`` reads the
    validity mask only, cheaper than a condition per row)."""
    if m.missing is not None:
        name = _field(c, m.missing)
        if c.schema.get(m.missing).type == "string":  # type: ignore[union-attr]
            return f"count(*) - count({name}) + count_if({_blank(name)})"
        return f"count(*) - count({name})"
    return f"count_if({_flag(c, m)})"


def _blank(name: str) -> str:
    """Blank text: empty, or a few spaces (``strlen`` is the byte length, free in DuckDB)."""
    return f"({name} = '' OR (strlen({name}) <= 16 AND trim({name}) = ''))"


def _examples_statement(
    schema: TableSchema, m: Measure, examples: int, timezone: str | None
) -> CompiledQuery:
    c = _Compiler(schema, timezone)
    c.bind(SOURCE)
    shown = ", ".join(f"CAST({_field(c, name)} AS VARCHAR)" for name in m.shown)
    sql = (
        f"SELECT file_row_number{', ' + shown if shown else ''} "
        f"FROM read_parquet($1, file_row_number = true) WHERE {_flag(c, m)} "
        f"LIMIT {int(examples)}"
    )
    return CompiledQuery(sql=sql, params=c.params, columns=[])


def _field(c: _Compiler, name: str) -> str:
    f = c.schema.get(name)
    if f is None:
        raise QueryError(f"unknown field {name[:100]!r}", details={"field": name[:100]})
    return quote_identifier(f.name)


def _flag(c: _Compiler, m: Measure) -> str:
    """The SQL of a measure's failing condition."""
    if m.failing is not None:
        return f"coalesce({c.condition(m.failing, 0)}, FALSE)"
    if m.missing is not None:
        name = _field(c, m.missing)
        if c.schema.get(m.missing).type == "string":  # type: ignore[union-attr]
            return f"({name} IS NULL OR {_blank(name)})"
        return f"({name} IS NULL)"
    if m.pattern is not None:
        name = _field(c, m.pattern[0])
        check_pattern(m.pattern[1])
        pattern = c.bind(m.pattern[1])
        return f"coalesce(NOT regexp_full_match(CAST({name} AS VARCHAR), {pattern}), FALSE)"
    if m.lookup is not None:
        return _missing_from(c, m.lookup)
    raise QueryError("a measure needs a condition, a field or a pattern")


def _missing_from(c: _Compiler, lookup: Lookup) -> str:
    """A value of ``lookup.field`` that the other file's key does not hold (numbers compare
    as numbers, other mixed types as text; a missing or blank value is completeness's
    business, not a failed reference)."""
    name = _field(c, lookup.field)
    own = c.schema.get(lookup.field).type  # type: ignore[union-attr]
    key = quote_identifier(lookup.key)
    alike = own == lookup.key_type or {own, lookup.key_type} <= {"integer", "number"}
    left, right = (name, key) if alike else (f"CAST({name} AS VARCHAR)", f"CAST({key} AS VARCHAR)")
    other = c.bind(lookup.path)
    present = f"{name} IS NOT NULL" + (f" AND NOT {_blank(name)}" if own == "string" else "")
    return (f"({present} AND {left} NOT IN "
            f"(SELECT {right} FROM read_parquet({other}) WHERE {key} IS NOT NULL))")


def _duplicates_statement(
    schema: TableSchema, names: tuple[str, ...], examples: int
) -> CompiledQuery:
    """One grouping of the key: the rows beyond the first of each key (the failing count) and
    the most repeated keys (examples), in one statement."""
    c = _Compiler(schema)
    c.bind(SOURCE)
    keys = [_field(c, name) for name in names]
    present = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    values = ", ".join(f"CAST({k} AS VARCHAR)" for k in keys)
    top = (
        f"arg_max(struct_pack(k := [{values}], n := n), n, {int(examples)})"
        if examples > 0
        else "[]"
    )
    sql = (
        f"SELECT coalesce(sum(n - 1), 0), {top} FROM (SELECT {', '.join(keys)}, count(*) AS n "
        f"FROM read_parquet($1) WHERE {present} GROUP BY ALL HAVING count(*) > 1)"
    )
    return CompiledQuery(sql=sql, params=c.params, columns=[])


def read_profile(
    compiled: CompiledProfile,
    row: tuple[Any, ...],
    measures: list[Measure],
    example_rows: dict[str, list[tuple[Any, ...]]],
    duplicate_rows: dict[str, list[tuple[Any, ...]]],
    max_text: int = 200,
) -> Profile:
    """The counts of the profiling scan's one answer row, with the examples fetched after it."""
    shown = {m.key: m for m in measures}
    results = {
        key: MeasureResult(failing=int(value or 0))
        for key, value in zip(compiled.keys, row[1:], strict=True)
    }
    for key, rows in example_rows.items():
        names = shown[key].shown
        results[key].examples = [
            {
                "row": int(values[0]) + 1,
                "values": {n: _short(v, max_text) for n, v in zip(names, values[1:], strict=True)},
            }
            for values in sorted(rows, key=lambda r: int(r[0]))
        ]
    for key, rows in duplicate_rows.items():
        names = shown[key].duplicates
        duplicates, top = rows[0]
        results[key] = MeasureResult(
            failing=int(duplicates or 0),
            examples=[
                {
                    "values": {n: _short(v, max_text) for n, v in zip(names, t["k"], strict=True)},
                    "count": int(t["n"]),
                }
                for t in sorted(top or [], key=lambda t: (-int(t["n"]), t["k"]))
            ],
        )
    return Profile(rows=int(row[0]), results=results)


def _short(value: Any, limit: int) -> Any:
    if value is None:
        return None
    return value if len(value) <= limit else value[:limit] + "…"


def check_pattern(pattern: str) -> None:
    """QueryError unless ``pattern`` is an RE2 expression DuckDB accepts (and short enough)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise QueryError(f"a pattern is at most {MAX_PATTERN_LENGTH} characters")
    if "\x00" in pattern:
        raise QueryError("a pattern may not contain a NUL character")
    # a connection of its own, closed at once: a DuckDB database left open in the server
    # process made the SPARQL workers it forks later crash (a segmentation fault in the child)
    try:
        with duckdb.connect(config={"enable_external_access": False, "threads": 1}) as db:
            db.execute("SELECT regexp_full_match('', $1)", [pattern]).fetchall()
    except duckdb.Error as exc:
        raise QueryError(
            f"the pattern is not a valid regular expression: {clean_message(exc)[:200]}"
        ) from None
