"""One sensor's observations over their whole life: the hot store and the compacted raw files
in the lake, read as one (``GET /api/belfort/v1/sensors/{id}/observations``).

The hot store is read first and the recorded files after it: compaction records a file and
deletes the rows it holds in one transaction, so a row is in what was read at least once, and
a row read twice (moved meanwhile, or resent after it was compacted) is returned once, as the
file holds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from belfort.platform import Platform
from belfort.streams.live_data import part_paths
from belfort.streams.live_schema import RAW
from belfort.streams.read import MAX_ROWS, StoredObservation, sensor_observations

_EARLIEST = -(2**62)
_LATEST = 2**62
_COLUMNS = ("id, sensor_id, property, phenomenon_us, phenomenon_end_us, result_us, value, "
            "quality, weight")


def sensor_history(
    platform: Platform, sensor_id: str, dataset_id: str, *, since_us: int | None = None,
    until_us: int | None = None, property: str | None = None, limit: int = 1000,
    newest_first: bool = False,
) -> list[StoredObservation]:
    """A sensor's observations in phenomenon-time order (at most ``limit``, ≤ MAX_ROWS)."""
    limit = max(0, min(limit, MAX_ROWS))
    hot = sensor_observations(platform, sensor_id, since_us=since_us, until_us=until_us,
                              property=property, limit=limit, newest_first=newest_first)
    low = _EARLIEST if since_us is None else since_us
    high = _LATEST if until_us is None else until_us - 1
    paths = [p for p in part_paths(platform, dataset_id, RAW, meeting=(low, high))
             if p.is_file()]
    if not paths or limit == 0:
        return hot
    lake = _from_files(paths, sensor_id, low, high, property, limit, newest_first)
    merged = {(o.property, o.phenomenon_us): o for o in hot}
    merged.update({(o.property, o.phenomenon_us): o for o in lake})
    ordered = sorted(merged.values(), key=lambda o: (
        -o.phenomenon_us if newest_first else o.phenomenon_us, o.property))
    return ordered[:limit]


def _from_files(paths: list[Path], sensor_id: str, low: int, high: int, prop: str | None,
                limit: int, newest_first: bool) -> list[StoredObservation]:
    files = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"
    order = "DESC" if newest_first else "ASC"
    sql = (f"SELECT {_COLUMNS} FROM read_parquet({files}) WHERE sensor_id = ? "
           "AND phenomenon_us BETWEEN ? AND ?")
    params: list[Any] = [sensor_id, low, high]
    if prop is not None:
        sql += " AND property = ?"
        params.append(prop)
    sql += f" ORDER BY phenomenon_us {order}, property LIMIT {int(limit)}"
    connection = duckdb.connect(config={"threads": 1})
    try:
        rows = connection.execute(sql, params).fetchall()
    finally:
        connection.close()
    return [StoredObservation(*row) for row in rows]
