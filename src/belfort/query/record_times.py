"""When did each record last change? Computed once per version, at ingest.

A record of the new version is *unchanged* when the previous version held a record
with the same key values and the same content; it then keeps its previous
timestamp, otherwise it gets the new version's time. The result is a one-column
Parquet file (``_record_timestamp``) aligned row by row with the version file.

The first version of a dataset needs no file: every record's time is the version's
creation time. Hashes are DuckDB's fast 64-bit ``hash()`` of the values, computed
for both versions in the same process, so they always agree with each other.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from belfort.query.compiler import quote_identifier

COLUMN = "_record_timestamp"


def _hash(columns: list[str]) -> str:
    return "hash(" + ", ".join(quote_identifier(c) for c in columns) + ")"


def write_record_times(
    new_file: Path,
    new_fields: list[str],
    key: list[str],
    previous_file: Path,
    previous_fields: list[str],
    previous_times: Path | None,
    previous_created: datetime,
    now: datetime,
    out: Path,
) -> int:
    """Write ``out``; return how many records are new or changed."""
    key = key or new_fields
    con = duckdb.connect(config={"threads": 2, "memory_limit": "1GB"})
    try:
        con.execute("SET TimeZone='UTC'")
        if not set(key) <= set(previous_fields) or sorted(new_fields) != sorted(previous_fields):
            # a changed schema: every record counts as changed
            con.execute(
                f"COPY (SELECT CAST($1 AS TIMESTAMPTZ) AS {COLUMN} FROM read_parquet($2)) "
                f"TO '{_literal(out)}' (FORMAT parquet)",
                [now, str(new_file)],
            )
            return _count(con, "SELECT count(*) FROM read_parquet($1)", [str(new_file)])
        fields = sorted(new_fields)
        if previous_times is not None:
            previous = (
                f"SELECT {_hash(key)} AS k, {_hash(fields)} AS c, t.{COLUMN} AS ts "
                f"FROM read_parquet($2) POSITIONAL JOIN read_parquet($3) t"
            )
            params: list[object] = [str(new_file), str(previous_file), str(previous_times), now]
        else:
            previous = (
                f"SELECT {_hash(key)} AS k, {_hash(fields)} AS c, CAST($3 AS TIMESTAMPTZ) AS ts "
                f"FROM read_parquet($2)"
            )
            params = [str(new_file), str(previous_file), previous_created, now]
        con.execute(
            f"""
            CREATE TEMP TABLE times AS
            WITH n AS (
                SELECT file_row_number AS r, {_hash(key)} AS k, {_hash(fields)} AS c
                FROM read_parquet($1, file_row_number = true)
            ),
            p AS (SELECT k, c, min(ts) AS ts FROM ({previous}) GROUP BY k, c)
            SELECT n.r, p.ts IS NULL AS changed, coalesce(p.ts, CAST($4 AS TIMESTAMPTZ)) AS {COLUMN}
            FROM n LEFT JOIN p ON n.k = p.k AND n.c = p.c
            """,
            params,
        )
        con.execute(f"COPY (SELECT {COLUMN} FROM times ORDER BY r) TO '{_literal(out)}' (FORMAT parquet)")
        return _count(con, "SELECT count(*) FROM times WHERE changed")
    finally:
        con.close()


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    row = con.execute(sql, params).fetchone()
    return int(row[0]) if row is not None else 0  # a count(*) always has its one row
