"""The server's quality thread: the live (real-time) datasets measured every
``BELFORT_QUALITY_LIVE_SECONDS``. Every serving process runs one; the twin's lease
(``belfort.twin.lease``, row ``quality``) lets one process measure at a time, so N workers
do not measure N times. Datasets of files are measured after each publication instead
(``belfort.quality.hook``)."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from belfort.catalog.models import Dataset, Version
from belfort.platform import Platform
from belfort.quality.run import measure
from belfort.streams.live_catalog import LIVE_FORMAT
from belfort.twin import lease

log = logging.getLogger("belfort.quality")

LEASE = "quality"
FIRST_SECONDS = 30.0


def live_dataset_ids(platform: Platform) -> list[str]:
    """The published datasets whose published version is a live one."""
    with platform.db.session() as session:
        return list(
            session.scalars(
                select(Dataset.id)
                .join(
                    Version,
                    (Version.dataset_id == Dataset.id)
                    & (Version.number == Dataset.published_version),
                )
                .where(Version.source_format == LIVE_FORMAT)
                .order_by(Dataset.id)
            )
        )


def measure_live(platform: Platform, holder: str) -> list[str]:
    """Measure every live dataset if this process holds the lease; the ids measured."""
    every = platform.settings.quality_live_seconds
    seconds = max(every, platform.settings.quality_timeout_seconds) * 2
    if not lease.take(platform, LEASE, holder, seconds):
        return []
    # the lease is kept (renewed each round): another process takes over only when this one
    # stops renewing it, so the live datasets are measured once per round, not once per worker
    return [
        dataset_id
        for dataset_id in live_dataset_ids(platform)
        if measure(platform, dataset_id, trigger="schedule") is not None
    ]


class QualityScheduler:
    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._stop = threading.Event()
        self._holder = lease.holder_name()
        self._thread = threading.Thread(target=self._run, name="quality-live", daemon=True)

    def start(self) -> QualityScheduler:
        if self._platform.settings.quality_live_seconds > 0:
            self._thread.start()
        return self

    def _run(self) -> None:
        every = self._platform.settings.quality_live_seconds
        wait = min(every, FIRST_SECONDS)
        while not self._stop.wait(wait):
            wait = every
            try:
                measure_live(self._platform, self._holder)
            except Exception:  # the database is away: the next round retries
                log.exception("measuring the live datasets' quality failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
