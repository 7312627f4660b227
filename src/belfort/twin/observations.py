"""The one place crowding reads observations from: the hot store and the compacted files in
the lake, read as one.

Compaction (``belfort.streams.compaction``) moves observations older than
``BELFORT_STREAM_HOT_HOURS`` from the hot store into Parquet files per dataset and day, and
drops raw observations after ``BELFORT_STREAM_RETENTION_DAYS`` (their rollups are kept): so
"normal for this moment" covers at most that many days of raw counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
from sqlalchemy import select

from belfort.catalog.models import Sensor
from belfort.platform import Platform
from belfort.streams.live_data import hot_table, part_paths, run
from belfort.streams.live_schema import RAW

MAX_ROWS = 5_000_000  # a year of quarter-hours for ~140 sensors


def zone_sensors(platform: Platform) -> list[tuple[str, str, str]]:
    """(sensor id, zone id, counting) of every active sensor linked to a zone."""
    query = (select(Sensor.id, Sensor.zone_id, Sensor.counting)
             .where(Sensor.active.is_(True), Sensor.zone_id.is_not(None),
                    Sensor.counting.is_not(None))
             .order_by(Sensor.id))
    with platform.db.session() as session:
        return [(str(s), str(z), str(c)) for s, z, c in session.execute(query)]


def _empty() -> dict[str, np.ndarray]:
    empty: dict[str, np.ndarray] = {k: np.zeros(0, dtype=np.int64)
                                    for k in ("sensor", "start", "end")}
    empty["value"] = np.zeros(0)
    return empty


def _quoted(paths: list[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def read_counts(platform: Platform, sensor_ids: Sequence[str], since_us: int,
                until_us: int) -> dict[str, np.ndarray]:
    """Observations (of each sensor's own observed property) of these sensors with a
    phenomenon time in [since, until), as arrays: ``sensor`` (index into ``sensor_ids``),
    ``start`` and ``end`` (µs; end = start for an instant) and ``value``; sorted by start.
    An observation in both the hot store and a compacted file (resent after compaction)
    counts once."""
    if not sensor_ids:
        return _empty()
    with platform.db.session() as session:
        wanted = session.execute(
            select(Sensor.id, Sensor.observed_property, Sensor.dataset_id)
            .where(Sensor.id.in_(list(sensor_ids)))).all()
    position = {s: i for i, s in enumerate(sensor_ids)}
    paths = sorted({str(p) for dataset in {w[2] for w in wanted}
                    for p in part_paths(platform, dataset, RAW, since_us=since_us)})
    keys = pa.table({"sensor_id": [w[0] for w in wanted], "property": [w[1] for w in wanted],
                     "position": [position[w[0]] for w in wanted]})
    rows = "SELECT * FROM hot"
    if paths:
        rows = (f"SELECT sensor_id, property, phenomenon_us, phenomenon_end_us, value FROM "
                f"read_parquet({_quoted(paths)}) UNION ALL " + rows)
    sql = (
        "SELECT any_value(k.position) AS sensor, o.phenomenon_us AS start, "
        "any_value(coalesce(o.phenomenon_end_us, o.phenomenon_us)) AS finish, "
        f"any_value(o.value) AS value FROM (SELECT sensor_id, property, phenomenon_us, "
        f"phenomenon_end_us, value FROM ({rows})) o "
        "JOIN keys k ON k.sensor_id = o.sensor_id AND k.property = o.property "
        f"WHERE o.phenomenon_us >= {int(since_us)} AND o.phenomenon_us < {int(until_us)} "
        f"GROUP BY o.sensor_id, o.property, o.phenomenon_us ORDER BY start LIMIT {MAX_ROWS}"
    )
    hot = hot_table(platform, list(sensor_ids)).select(
        ["sensor_id", "property", "phenomenon_us", "phenomenon_end_us", "value"])
    table = run(sql, {"hot": hot, "keys": keys})
    assert table is not None
    return {
        "sensor": table.column("sensor").to_numpy().astype(np.int64),
        "start": table.column("start").to_numpy().astype(np.int64),
        "end": table.column("finish").to_numpy().astype(np.int64),
        "value": table.column("value").to_numpy().astype(float),
    }
