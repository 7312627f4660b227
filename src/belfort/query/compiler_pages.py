"""Compile the statements of a filtered page over a small version (see
``QueryEngine._filtered_page``): the page's row numbers (over the version's Parquet file,
or over its in-memory table when the engine holds one: ``version_tables``), and a
version's values in file order."""

from __future__ import annotations

from belfort.errors import QueryError
from belfort.query.compiler import SOURCE, CompiledQuery, _Compiler, _order
from belfort.query.compiler_geo import quote_identifier
from belfort.query.model import ROW_NUMBER_COLUMN, Query
from belfort.schema import TableSchema

MATCH_COLUMN = "__match"


def _source(c: _Compiler, table: str | None) -> str:
    """The version's rows with their ``file_row_number``: its in-memory table, or its file
    (bound as $1)."""
    if table is not None:
        return quote_identifier(table)
    c.bind(SOURCE)
    return "read_parquet($1, file_row_number = true)"


def compile_page_rows(
    query: Query, schema: TableSchema, max_rows: int, table: str | None = None
) -> CompiledQuery:
    """The file row numbers of one page of a record listing, in the listing's order (ties
    in file order, as in ``compile_query``). Only the filter and sort columns are read; the
    engine takes the page's values from the version by row number."""
    c = _Compiler(schema, query.timezone)
    row = quote_identifier(ROW_NUMBER_COLUMN)
    sql = f"SELECT file_row_number AS {row} FROM {_source(c, table)}"
    if query.where is not None:
        sql += f" WHERE {c.condition(query.where, 0)}"
    order = [_order(c, o, [], {}) for o in query.order_by]
    sql += " ORDER BY " + ", ".join([*order, "file_row_number"])
    limit = max_rows if query.limit is None else query.limit
    if limit < 0 or query.offset < 0:
        raise QueryError("limit and offset must not be negative")
    if limit > max_rows:
        raise QueryError(f"limit {limit} is above the maximum of {max_rows} rows")
    sql += f" LIMIT {c.bind(limit)} OFFSET {c.bind(query.offset)}"
    return CompiledQuery(sql=sql, params=c.params, columns=[ROW_NUMBER_COLUMN])


def compile_match_mask(
    query: Query, schema: TableSchema, max_rows: int, table: str | None = None
) -> CompiledQuery:
    """For a listing in file order (no ``order_by``): whether each record of the version
    matches the filter, one boolean per record in file order (DuckDB keeps the insertion
    order of a statement without ORDER BY: ``preserve_insertion_order``, on by default
    and locked by the engine). The engine counts the matches and takes the page's row
    numbers from it: one scan with no aggregation (a ``count(*)`` and ``min_by`` top-n in
    one statement cost ~25 % more). A NULL condition does not match, as in WHERE."""
    check_window(query, max_rows)
    c = _Compiler(schema, query.timezone)
    source = _source(c, table)
    condition = "true" if query.where is None else f"coalesce({c.condition(query.where, 0)}, false)"
    sql = f"SELECT {condition} AS {quote_identifier(MATCH_COLUMN)} FROM {source}"
    return CompiledQuery(sql=sql, params=c.params, columns=[MATCH_COLUMN])


def check_window(query: Query, max_rows: int) -> None:
    """The limit and offset of a listing are allowed (as ``compile_query`` checks them)."""
    limit = max_rows if query.limit is None else query.limit
    if limit < 0 or query.offset < 0:
        raise QueryError("limit and offset must not be negative")
    if limit > max_rows:
        raise QueryError(f"limit {limit} is above the maximum of {max_rows} rows")


def compile_matches(query: Query, schema: TableSchema, table: str | None = None) -> CompiledQuery:
    """How many records of a listing match its filter (ignoring limit and offset)."""
    c = _Compiler(schema, query.timezone)
    sql = f"SELECT count(*) FROM {_source(c, table)}"
    if query.where is not None:
        sql += f" WHERE {c.condition(query.where, 0)}"
    return CompiledQuery(sql=sql, params=c.params, columns=["count"])


def compile_version_table(schema: TableSchema, table: str) -> CompiledQuery:
    """Create ``table`` holding a version's rows in file order with their
    ``file_row_number`` (what ``_source`` reads instead of the file)."""
    c = _Compiler(schema)
    c.bind(SOURCE)
    names = ", ".join(quote_identifier(f.name) for f in schema.fields)
    sql = (
        f"CREATE TABLE {quote_identifier(table)} AS SELECT file_row_number, {names} "
        "FROM read_parquet($1, file_row_number = true) ORDER BY file_row_number"
    )
    return CompiledQuery(sql=sql, params=c.params, columns=[])


def compile_version_rows(schema: TableSchema) -> CompiledQuery:
    """Every value of a version, in file order (row n is record n)."""
    c = _Compiler(schema)
    c.bind(SOURCE)
    names = [f.name for f in schema.fields]
    columns = ", ".join(f"{quote_identifier(n)} AS {quote_identifier(n)}" for n in names)
    sql = f"SELECT {columns} FROM read_parquet($1, file_row_number = true) ORDER BY file_row_number"
    return CompiledQuery(sql=sql, params=c.params, columns=names)
