"""The server's alert evaluator: a daemon thread that evaluates the rules every
``BELFORT_ALERTS_EVALUATE_SECONDS`` (every serving process runs one; the lease lets one
evaluate at a time)."""

from __future__ import annotations

import logging
import threading

from belfort.platform import Platform
from belfort.twin.alerts.evaluate import evaluate

log = logging.getLogger("belfort.alerts")

FIRST_SECONDS = 10.0


class AlertScheduler:
    def __init__(self, platform: Platform, secret: bytes) -> None:
        self._platform = platform
        self._secret = secret
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alert-evaluator", daemon=True)

    def start(self) -> AlertScheduler:
        if self._platform.settings.alerts_evaluate_seconds > 0:
            self._thread.start()
        return self

    def _run(self) -> None:
        every = self._platform.settings.alerts_evaluate_seconds
        wait = min(every, FIRST_SECONDS)  # soon after start-up, then every ``every`` seconds
        while not self._stop.wait(wait):
            wait = every
            try:
                evaluate(self._platform, self._secret)
            except Exception:  # the database is away: the next round retries
                log.exception("evaluating the alert rules failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
