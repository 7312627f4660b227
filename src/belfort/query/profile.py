"""Profiling statements: many counts over one version in ONE scan (``belfort.quality``).

A profile is a list of ``Measure``s. Each becomes a boolean column of an inner SELECT over
``read_parquet($1)`` (a row *fails* when it is TRUE; NULL is not counted), and the outer
SELECT counts them (``count_if``) and keeps the first few failing rows (``arg_min`` over the
file's row number, a bounded heap per measure, never a list of all failures). Duplicates of a
key are ``count(key) - count(DISTINCT key)`` in the same scan; their examples come from a
second, grouped statement that runs only when there are duplicates.

As everywhere in the engine, field names are checked against the schema and quoted, and
every value (bounds, enum values, regular expressions) travels as a bound parameter.
Regular expressions are RE2 (DuckDB's ``regexp_full_match``): linear time, no backtracking,
so a "catastrophic" pattern costs what any pattern costs; ``check_pattern`` tries one on an
empty string in a throw-away in-memory database so that an unusable pattern is refused when
a rule is saved.
"""

from __future__ import annotations

import threading
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
class Measure:
    """One count of a profile. Exactly one of ``failing`` (a condition in the query model:
    rows where it is TRUE fail), ``missing`` (a field: null, or blank text, counts),
    ``pattern`` (field, RE2 expression: a value that does not match in full fails) or
    ``duplicates`` (key fields: rows beyond the first of each non-null key count)."""

    key: str
    failing: Expr | None = None
    missing: str | None = None
    pattern: tuple[str, str] | None = None
    duplicates: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()  # fields whose values an example shows


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
    statement: CompiledQuery
    layout: list[tuple[str, str]]  # (measure key, "count" | "examples") per output column
    duplicates: dict[str, CompiledQuery]  # measure key → the statement naming duplicate keys


def compile_profile(
    measures: list[Measure], schema: TableSchema, *, examples: int, timezone: str | None = None
) -> CompiledProfile:
    """The profiling statement of ``measures`` (QueryError naming the measure when one does
    not fit the schema: an unknown field, a condition that is not one, mismatched types)."""
    if len(measures) > MAX_MEASURES:
        raise QueryError(f"a profile takes at most {MAX_MEASURES} measures")
    c = _Compiler(schema, timezone)
    c.bind(SOURCE)
    inner: list[str] = ["file_row_number AS __row"]
    outer: list[str] = [f"count(*) AS {ROWS_COLUMN}"]
    layout: list[tuple[str, str]] = []
    duplicates: dict[str, CompiledQuery] = {}
    for number, m in enumerate(measures):
        flag = f"__m{number}"
        try:
            if m.duplicates:
                keys = [_field(c, name) for name in m.duplicates]
                inner.extend(keys)
                present = " AND ".join(f"{k} IS NOT NULL" for k in keys)
                key = keys[0] if len(keys) == 1 else f"row({', '.join(keys)})"
                outer.append(
                    f"count(*) FILTER (WHERE {present}) "
                    f"- count(DISTINCT {key}) FILTER (WHERE {present})"
                )
                layout.append((m.key, "count"))
                duplicates[m.key] = _duplicates_statement(schema, m.duplicates, examples)
                continue
            inner.append(f"{_flag(c, m)} AS {flag}")
        except QueryError as exc:
            raise QueryError(exc.message, details={**exc.details, "measure": m.key}) from None
        outer.append(f"count_if({flag})")
        layout.append((m.key, "count"))
        if examples > 0:
            shown = [_field(c, name) for name in m.shown]
            values = ", ".join(
                ["CAST(__row AS VARCHAR)", *(f"CAST({s} AS VARCHAR)" for s in shown)]
            )
            outer.append(f"arg_min([{values}], __row, {int(examples)}) FILTER (WHERE {flag})")
            layout.append((m.key, "examples"))
        inner.extend(_field(c, name) for name in m.shown)
    sql = (
        f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(dict.fromkeys(inner))} "
        "FROM read_parquet($1, file_row_number = true))"
    )
    return CompiledProfile(CompiledQuery(sql=sql, params=c.params, columns=[]), layout, duplicates)


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
            return f"({name} IS NULL OR trim({name}) = '')"
        return f"({name} IS NULL)"
    if m.pattern is not None:
        name = _field(c, m.pattern[0])
        check_pattern(m.pattern[1])
        pattern = c.bind(m.pattern[1])
        return f"coalesce(NOT regexp_full_match(CAST({name} AS VARCHAR), {pattern}), FALSE)"
    raise QueryError("a measure needs a condition, a field or a pattern")


def _duplicates_statement(
    schema: TableSchema, names: tuple[str, ...], examples: int
) -> CompiledQuery:
    c = _Compiler(schema)
    c.bind(SOURCE)
    keys = [_field(c, name) for name in names]
    present = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    values = ", ".join(f"CAST({k} AS VARCHAR)" for k in keys)
    sql = (
        f"SELECT [{values}], count(*) AS n FROM read_parquet($1) WHERE {present} "
        f"GROUP BY ALL HAVING count(*) > 1 ORDER BY n DESC, 1 LIMIT {max(1, int(examples))}"
    )
    return CompiledQuery(sql=sql, params=c.params, columns=[*names, "count"])


def read_profile(
    compiled: CompiledProfile,
    row: tuple[Any, ...],
    measures: list[Measure],
    duplicate_rows: dict[str, list[tuple[Any, ...]]],
    max_text: int = 200,
) -> Profile:
    """The counts and examples of one profiling statement's single answer row."""
    shown = {m.key: m for m in measures}
    results: dict[str, MeasureResult] = {}
    for (key, part), value in zip(compiled.layout, row[1:], strict=True):
        if part == "count":
            results[key] = MeasureResult(failing=int(value or 0))
            continue
        for values in value or []:
            example: dict[str, Any] = {"row": int(values[0]) + 1}
            example["values"] = {
                n: _short(v, max_text) for n, v in zip(shown[key].shown, values[1:], strict=True)
            }
            results[key].examples.append(example)
    for key, rows in duplicate_rows.items():
        names = shown[key].duplicates
        results[key].examples = [
            {
                "values": {n: _short(v, max_text) for n, v in zip(names, values, strict=True)},
                "count": int(n),
            }
            for values, n in rows
        ]
    return Profile(rows=int(row[0]), results=results)


def _short(value: Any, limit: int) -> Any:
    if value is None:
        return None
    return value if len(value) <= limit else value[:limit] + "…"


_PATTERN_DB = threading.local()


def check_pattern(pattern: str) -> None:
    """QueryError unless ``pattern`` is an RE2 expression DuckDB accepts (and short enough)."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise QueryError(f"a pattern is at most {MAX_PATTERN_LENGTH} characters")
    if "\x00" in pattern:
        raise QueryError("a pattern may not contain a NUL character")
    db = getattr(_PATTERN_DB, "db", None)
    if db is None:
        db = duckdb.connect(config={"enable_external_access": False, "threads": 1})
        _PATTERN_DB.db = db
    try:
        db.execute("SELECT regexp_full_match('', $1)", [pattern]).fetchall()
    except duckdb.Error as exc:
        raise QueryError(
            f"the pattern is not a valid regular expression: {clean_message(exc)[:200]}"
        ) from None
