"""The one place crowding reads observations from.

Today that is the hot store (the ``observations`` table, the same in every process). When
older observations are compacted into the lake, this function reads both and the rest of
``belfort.twin`` does not change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import select

from belfort.catalog.models import Observation, Sensor
from belfort.platform import Platform

MAX_ROWS = 5_000_000  # a year of quarter-hours for ~140 sensors


def zone_sensors(platform: Platform) -> list[tuple[str, str, str]]:
    """(sensor id, zone id, counting) of every active sensor linked to a zone."""
    query = (select(Sensor.id, Sensor.zone_id, Sensor.counting)
             .where(Sensor.active.is_(True), Sensor.zone_id.is_not(None),
                    Sensor.counting.is_not(None))
             .order_by(Sensor.id))
    with platform.db.session() as session:
        return [(str(s), str(z), str(c)) for s, z, c in session.execute(query)]


def read_counts(platform: Platform, sensor_ids: Sequence[str], since_us: int,
                until_us: int) -> dict[str, np.ndarray]:
    """Observations (of each sensor's own observed property) of these sensors with a
    phenomenon time in [since, until), as arrays: ``sensor`` (index into ``sensor_ids``),
    ``start`` and ``end`` (µs; end = start for an instant) and ``value``; sorted by start."""
    empty: dict[str, np.ndarray] = {k: np.zeros(0, dtype=np.int64)
                                    for k in ("sensor", "start", "end")}
    empty["value"] = np.zeros(0)
    if not sensor_ids:
        return empty
    position = {s: i for i, s in enumerate(sensor_ids)}
    query = (select(Observation.sensor_id, Observation.phenomenon_us,
                    Observation.phenomenon_end_us, Observation.value)
             .join(Sensor, (Sensor.id == Observation.sensor_id)
                   & (Sensor.observed_property == Observation.property))
             .where(Observation.sensor_id.in_(list(sensor_ids)),
                    Observation.phenomenon_us >= since_us, Observation.phenomenon_us < until_us)
             .order_by(Observation.phenomenon_us).limit(MAX_ROWS))
    with platform.db.engine.connect() as connection:  # Core rows: no ORM bookkeeping
        columns = list(zip(*connection.execute(query).all(), strict=True))
    if not columns:
        return empty
    count = len(columns[0])
    sensor = np.fromiter(map(position.__getitem__, columns[0]), dtype=np.int64, count=count)
    start = np.fromiter(columns[1], dtype=np.int64, count=count)
    end = np.fromiter((e if e is not None else s for s, e in zip(columns[1], columns[2],
                                                                   strict=True)),
                      dtype=np.int64, count=count)
    value = np.fromiter(columns[3], dtype=float, count=count)
    return {"sensor": sensor, "start": start, "end": end, "value": value}
