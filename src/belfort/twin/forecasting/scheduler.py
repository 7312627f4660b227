"""The server's forecast jobs: a daemon thread that refreshes the forecasts every
``BELFORT_TWIN_FORECAST_REFRESH_SECONDS`` and, with ``BELFORT_TWIN_FORECAST_TRAIN_HOURS``,
trains a new model when the newest is that old. Every serving process runs one; leases in
the database let one process at a time do either."""

from __future__ import annotations

import logging
import threading
import time

from belfort.errors import ForecastHistoryTooShort
from belfort.platform import Platform
from belfort.twin import lease

log = logging.getLogger("belfort.forecasts")

FIRST_SECONDS = 15.0
TRAIN_CHECK_SECONDS = 600.0


class ForecastScheduler:
    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._holder = lease.holder_name()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="forecasts", daemon=True)

    def start(self) -> ForecastScheduler:
        settings = self._platform.settings
        if settings.twin_forecast_refresh_seconds > 0 or settings.twin_forecast_train_hours > 0:
            self._thread.start()
        return self

    def _run(self) -> None:
        settings = self._platform.settings
        refresh = settings.twin_forecast_refresh_seconds
        tick = min(p for p in (refresh, TRAIN_CHECK_SECONDS if settings.twin_forecast_train_hours
                               else 0.0) if p > 0)
        wait, last_refresh = min(tick, FIRST_SECONDS), float("-inf")
        while not self._stop.wait(wait):
            wait = tick
            due = refresh > 0 and time.monotonic() - last_refresh >= refresh - 1
            self.once(refresh=due)
            if due:
                last_refresh = time.monotonic()

    def once(self, *, refresh: bool = True) -> None:
        """One round: train when due, then refresh (each under its lease)."""
        from belfort.twin.forecasting import serving, training  # LightGBM: only when used

        settings = self._platform.settings
        try:
            if settings.twin_forecast_train_hours > 0:
                made = training.train_if_due(self._platform, self._holder)
                if made is not None:
                    log.info("forecast model %s trained and registered", made["version"])
        except ForecastHistoryTooShort as exc:
            log.info("no forecast model trained: %s", exc.message)
        except Exception:  # the database is away: the next round retries
            log.exception("training the forecast model failed")
        try:
            if refresh and settings.twin_forecast_refresh_seconds > 0:
                serving.refresh_under_lease(self._platform, self._holder)
        except Exception:
            log.exception("refreshing the forecasts failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
