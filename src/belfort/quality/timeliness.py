"""Timeliness: how old a dataset's data is against how often it says it is updated.

A dataset of files: the age of its newest version against its declared update frequency
(``Dataset.frequency``, the EU frequency vocabulary) plus a grace of half a period; a live
dataset (sensors, ``belfort.streams``): the age of the newest observation received for it
against ``LIVE_STALE_SECONDS``. Frequencies that promise nothing (irregular, never, unknown)
are reported without a verdict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from belfort.catalog.models import Dataset, Observation, Sensor, StreamPart
from belfort.streams.live_schema import live_datasets_of

HOUR = 3600
DAY = 24 * HOUR
PERIOD_SECONDS = {
    "continuous": HOUR,
    "hourly": HOUR,
    "daily": DAY,
    "weekly": 7 * DAY,
    "monthly": 31 * DAY,
    "quarterly": 92 * DAY,
    "annual": 366 * DAY,
}
GRACE = 1.5  # a version is late once 1.5 periods have passed
LIVE_STALE_SECONDS = 15 * 60  # a live feed with nothing received for 15 minutes is stale


def timeliness(session: Session, dataset: Dataset, now: datetime, live: bool) -> dict[str, Any]:
    """``{"frequency", "age_seconds", "expected_seconds", "on_time", "live", ...}``; on_time is
    None when nothing was promised or nothing is known."""
    if live:
        newest_us = _newest_observation_us(session, dataset.id)
        age = None if newest_us is None else max(0.0, now.timestamp() - newest_us / 1e6)
        return {
            "frequency": dataset.frequency,
            "live": True,
            "age_seconds": _round(age),
            "expected_seconds": LIVE_STALE_SECONDS,
            "on_time": None if age is None else age <= LIVE_STALE_SECONDS,
            "newest": None
            if newest_us is None
            else datetime.fromtimestamp(newest_us / 1e6, tz=now.tzinfo).isoformat(),
        }
    # the data readers see: the newest version up to the published one (a newer draft is not
    # an update yet); without a published version, the newest
    shown = dataset.published_version
    newest = max((v.created_at for v in dataset.versions if shown is None or v.number <= shown),
                 default=None)
    age = None if newest is None else max(0.0, (now - newest).total_seconds())
    period = PERIOD_SECONDS.get(dataset.frequency)
    expected = None if period is None else int(period * GRACE)
    return {
        "frequency": dataset.frequency,
        "live": False,
        "age_seconds": _round(age),
        "expected_seconds": expected,
        "on_time": None if expected is None or age is None else age <= expected,
        "newest": None if newest is None else newest.isoformat(),
    }


def _round(age: float | None) -> float | None:
    return None if age is None else round(age, 1)


def _source_of(session: Session, dataset_id: str) -> str | None:
    """The sensors' dataset id a live dataset (observations or one of its rollups) comes from."""
    sources = session.scalars(select(Sensor.dataset_id).distinct()).all()
    for source in sources:
        if any(d.id == dataset_id for d in live_datasets_of(source)):
            return source
    return None


def _newest_observation_us(session: Session, dataset_id: str) -> int | None:
    source = _source_of(session, dataset_id)
    if source is None:
        return None
    received = session.scalar(
        select(func.max(Observation.received_us))
        .join(Sensor, Sensor.id == Observation.sensor_id)
        .where(Sensor.dataset_id == source)
    )
    if received is not None:
        return int(received)
    compacted = session.scalar(
        select(func.max(StreamPart.last_us)).where(StreamPart.dataset_id == source)
    )
    return None if compacted is None else int(compacted)
