"""The background jobs of a Belfort node, and the process that runs them.

The jobs: compacting the hot store into the lake (``belfort.streams.compaction``), evaluating
the crowding alert rules (``belfort.twin.alerts``), refreshing forecasts and training models
(``belfort.twin.forecasting``), measuring the live datasets' data quality
(``belfort.quality.scheduler``) and sending the stewards' reminders
(``belfort.governance.scheduler``). Each takes a lease in the database, so any number of
processes and machines may run them and one works at a time.

Where they run is ``BELFORT_UPKEEP``:

- ``process`` (the default): ``belfort serve`` starts ONE upkeep process beside its server
  workers (``start_process``; ``belfort upkeep`` runs one by hand, e.g. beside another ASGI
  server). A job's work — a compaction reads and writes Parquet files for seconds — then never
  holds a serving process's interpreter while requests wait (in the hostile soak, the first
  compaction in the serving process stalled the answers for over a second).
- ``serving``: a thread in every serving process (``BackgroundJobs``), as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
from typing import Protocol

from belfort.api.alerts import webhook_secret
from belfort.governance.scheduler import ReminderScheduler
from belfort.mqa.service import points_of
from belfort.platform import Platform
from belfort.quality.scheduler import QualityScheduler
from belfort.settings import Settings
from belfort.streams import compaction
from belfort.twin.alerts.scheduler import AlertScheduler
from belfort.twin.forecasting.scheduler import ForecastScheduler

logger = logging.getLogger(__name__)
STOP_SECONDS = 30  # how long a stopping upkeep process may take to end its jobs


class _Job(Protocol):
    def stop(self) -> None: ...


class BackgroundJobs:
    """The jobs of one process, each a daemon thread (a job switched off by its setting
    starts no thread)."""

    def __init__(self, platform: Platform) -> None:
        self._jobs: list[_Job] = [
            compaction.start_compactor(platform),
            AlertScheduler(platform, webhook_secret(platform)).start(),
            ForecastScheduler(platform).start(),
            QualityScheduler(platform).start(),  # the live datasets' data quality
            ReminderScheduler(platform, webhook_secret(platform),  # the stewards' digests
                              lambda ids: points_of(platform, ids)).start(),
        ]

    def stop(self) -> None:
        for job in reversed(self._jobs):
            job.stop()


def run(settings: Settings) -> None:
    """Run the jobs in this process until SIGTERM or SIGINT (``belfort upkeep``), at the lower
    CPU priority ``BELFORT_UPKEEP_NICE``."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    if settings.upkeep_nice:  # before any thread starts: the jobs' threads inherit it
        os.nice(settings.upkeep_nice)
    platform = Platform(settings)
    jobs = BackgroundJobs(platform)
    logger.info("upkeep process %d running the background jobs", os.getpid())
    try:
        stopping.wait()
    finally:
        jobs.stop()
        platform.close()


def _end_with(parent: int) -> None:
    """In the upkeep process: a SIGTERM when the server that started it dies, even by
    SIGKILL (Linux's parent-death signal), so no upkeep process outlives its server."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the signal was asked for
        sys.exit(0)


class UpkeepProcess:
    """The upkeep process of ``belfort serve``; restarted when it ends by itself."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="upkeep-watcher", daemon=True)

    def start(self) -> UpkeepProcess:
        self._spawn()
        self._watcher.start()
        return self

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _spawn(self) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "belfort.upkeep", "--parent", str(os.getpid())])

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self._process
            assert process is not None
            status = process.wait()
            if self._stopping.wait(5):  # a crash loop restarts at most every 5 s
                return
            logger.warning("the upkeep process ended (status %s); starting a new one", status)
            self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_process(settings: Settings) -> UpkeepProcess | None:
    """``belfort serve``'s upkeep process (None with ``BELFORT_UPKEEP=serving``). The process
    reads its settings from the environment ``belfort serve`` prepared for its workers."""
    if settings.upkeep != "process":
        return None
    return UpkeepProcess().start()


if __name__ == "__main__":  # python -m belfort.upkeep: the process start_process starts
    import logging.config

    from belfort.logs import uvicorn_log_config
    from belfort.settings import load_settings

    if sys.argv[1:2] == ["--parent"]:
        _end_with(int(sys.argv[2]))
    loaded = load_settings()
    logging.config.dictConfig(uvicorn_log_config(loaded.log_format))  # the server's log lines
    run(loaded)
