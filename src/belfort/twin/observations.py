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
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import select

from belfort.catalog.models import Observation, Sensor
from belfort.platform import Platform
from belfort.streams.live_data import part_paths
from belfort.streams.live_schema import RAW

MAX_ROWS = 5_000_000  # a year of quarter-hours for ~140 sensors
HOT = pa.schema([("sensor_id", pa.string()), ("property", pa.string()),
                 ("phenomenon_us", pa.int64()), ("phenomenon_end_us", pa.int64()),
                 ("value", pa.float64())])


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


def _hot(platform: Platform, sensor_ids: Sequence[str], since_us: int,
         until_us: int) -> pa.Table:
    """The hot store's rows of these sensors in [since, until) (Core rows, no ORM)."""
    query = (select(Observation.sensor_id, Observation.property, Observation.phenomenon_us,
                    Observation.phenomenon_end_us, Observation.value)
             .where(Observation.sensor_id.in_(list(sensor_ids)),
                    Observation.phenomenon_us >= since_us, Observation.phenomenon_us < until_us))
    with platform.db.engine.connect() as connection:
        rows = connection.execute(query).all()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in HOT.names]
    return pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in
                                 zip(columns, HOT, strict=True)], schema=HOT)


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
    paths = sorted({str(p) for dataset in {w[2] for w in wanted}
                    for p in part_paths(platform, dataset, RAW,
                                        meeting=(since_us, until_us - 1))})
    tables = [_hot(platform, sensor_ids, since_us, until_us)]  # first: kept on a tie
    if paths:
        tables.append(pq.read_table(paths, columns=HOT.names, filters=[
            ("phenomenon_us", ">=", since_us), ("phenomenon_us", "<", until_us),
            ("sensor_id", "in", list(sensor_ids))]).cast(HOT))
    rows = pa.concat_tables(tables)
    own = {w[0]: w[1] for w in wanted}
    keep = pc.equal(rows.column("property"),
                    pa.array([own.get(s) for s in rows.column("sensor_id").to_pylist()],
                             pa.string()))
    rows = rows.filter(pc.fill_null(keep, False))
    if not rows.num_rows:
        return _empty()
    position = {s: i for i, s in enumerate(sensor_ids)}
    sensor = np.fromiter(map(position.__getitem__, rows.column("sensor_id").to_pylist()),
                         dtype=np.int64, count=rows.num_rows)
    start = rows.column("phenomenon_us").to_numpy()
    _, first = np.unique(np.column_stack([sensor, start]), axis=0, return_index=True)
    first = first[np.argsort(start[first], kind="stable")][:MAX_ROWS]
    end = pc.fill_null(rows.column("phenomenon_end_us"), rows.column("phenomenon_us"))
    return {"sensor": sensor[first], "start": start[first].astype(np.int64),
            "end": end.to_numpy()[first].astype(np.int64),
            "value": rows.column("value").to_numpy(zero_copy_only=False)[first].astype(float)}
