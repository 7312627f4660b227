"""Reading observations back from the hot store: per sensor, and what is new since a mark.

``high_water`` is the largest observation id stored; every process (and machine) sees the
same one in the database, so a live view keyed by it is the same whichever process serves
it. ``since`` returns what arrived after a mark: the server push of live tiles and the live
datasets are built on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from belfort.catalog.models import Observation
from belfort.platform import Platform
from belfort.streams.model import from_us

MAX_ROWS = 10_000


@dataclass(frozen=True)
class StoredObservation:
    id: int
    sensor_id: str
    property: str
    phenomenon_us: int
    phenomenon_end_us: int | None
    result_us: int
    value: float
    quality: str
    weight: float | None

    def to_dict(self) -> dict[str, Any]:
        """As the native API returns it (SOSA names in the documentation)."""
        return {
            "sensor_id": self.sensor_id,
            "property": self.property,
            "phenomenon_time": from_us(self.phenomenon_us).isoformat().replace("+00:00", "Z"),
            "phenomenon_end": (None if self.phenomenon_end_us is None else
                               from_us(self.phenomenon_end_us).isoformat().replace("+00:00", "Z")),
            "result_time": from_us(self.result_us).isoformat().replace("+00:00", "Z"),
            "value": self.value,
            "quality": self.quality,
            "weight": self.weight,
        }


_COLUMNS = (Observation.id, Observation.sensor_id, Observation.property,
            Observation.phenomenon_us, Observation.phenomenon_end_us, Observation.result_us,
            Observation.value, Observation.quality, Observation.weight)


def high_water(platform: Platform) -> int:
    """The largest observation id stored (0: none)."""
    with platform.db.session() as session:
        return int(session.scalar(select(func.max(Observation.id))) or 0)


def sensor_observations(
    platform: Platform, sensor_id: str, *, since_us: int | None = None,
    until_us: int | None = None, property: str | None = None, limit: int = 1000,
    newest_first: bool = False,
) -> list[StoredObservation]:
    """A sensor's observations in phenomenon-time order (at most ``limit``, ≤ MAX_ROWS)."""
    query = select(*_COLUMNS).where(Observation.sensor_id == sensor_id)
    if since_us is not None:
        query = query.where(Observation.phenomenon_us >= since_us)
    if until_us is not None:
        query = query.where(Observation.phenomenon_us < until_us)
    if property is not None:
        query = query.where(Observation.property == property)
    order = Observation.phenomenon_us.desc() if newest_first else Observation.phenomenon_us
    query = query.order_by(order, Observation.property).limit(max(0, min(limit, MAX_ROWS)))
    with platform.db.session() as session:
        return [StoredObservation(*row) for row in session.execute(query)]


def since(platform: Platform, mark: int, *, limit: int = MAX_ROWS) -> list[StoredObservation]:
    """Observations stored after id ``mark``, oldest first (at most ``limit``)."""
    query = (select(*_COLUMNS).where(Observation.id > mark).order_by(Observation.id)
             .limit(max(0, min(limit, MAX_ROWS))))
    with platform.db.session() as session:
        return [StoredObservation(*row) for row in session.execute(query)]
