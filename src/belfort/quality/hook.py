"""Quality after publication: each published version is measured in the background.

``after_publish`` hands the work to one worker thread per process (a platform component), so
publication is neither slowed nor failed by it; ``measure`` records a failing profile in the
report instead of raising. A short-lived process (the ``belfort`` command) calls ``wait``
before it exits so that its measurement is not lost.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from belfort.platform import Platform
from belfort.quality.run import measure

log = logging.getLogger("belfort.quality")


class QualityRunner:
    """One background worker measuring published versions in turn (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quality")
        self._lock = threading.Lock()
        self._pending: set[Future[int | None]] = set()

    def submit(self, dataset_id: str, version: int, trigger: str) -> Future[int | None]:
        future = self._pool.submit(self._measure, dataset_id, version, trigger)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _measure(self, dataset_id: str, version: int, trigger: str) -> int | None:
        try:
            return measure(self._platform, dataset_id, trigger=trigger, version=version)
        except Exception:  # the database went away meanwhile: logged, publication unaffected
            log.exception("measuring the quality of %s version %s failed", dataset_id, version)
            return None

    def _done(self, future: Future[int | None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def close(self) -> None:
        """Finish the measurement under way (the engine and database close after this);
        the ones still queued are dropped."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def wait(self, timeout: float | None = None) -> None:
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.exception(timeout=timeout)


def runner(platform: Platform) -> QualityRunner:
    return platform.component(QualityRunner, QualityRunner)


def after_publish(
    platform: Platform, dataset_id: str, version: int, trigger: str = "publish"
) -> None:
    """Measure a version just published, in the background (``BELFORT_QUALITY_ON_PUBLISH``)."""
    if not platform.settings.quality_on_publish:
        return
    try:
        runner(platform).submit(dataset_id, version, trigger)
    except RuntimeError:  # the process is shutting down: nothing measured, nothing failed
        log.warning("not measuring %s version %s: shutting down", dataset_id, version)


def wait(platform: Platform, timeout: float | None = None) -> None:
    """Wait for the measurements this process started (for the command line and tests)."""
    runner(platform).wait(timeout)
