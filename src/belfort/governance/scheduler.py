"""The upkeep process's reminder thread: every ``BELFORT_GOVERNANCE_REMINDER_CHECK_SECONDS``
it sends the stewards' due digests (``belfort.governance.reminders``), under the twin's lease
``governance-reminders`` so that one process on one node sends them."""

from __future__ import annotations

import logging
import threading

from belfort.catalog.models import utcnow
from belfort.governance.reminders import Outcome, send_reminders
from belfort.governance.worklist import MqaScores
from belfort.platform import Platform
from belfort.twin import lease

log = logging.getLogger("belfort.governance")

LEASE = "governance-reminders"
FIRST_SECONDS = 60.0


def remind_once(platform: Platform, holder: str, secret: bytes,
                mqa_scores: MqaScores | None = None) -> list[Outcome] | None:
    """One round if this process holds the lease (None otherwise)."""
    every = platform.settings.governance_reminder_check_seconds
    if not lease.take(platform, LEASE, holder, max(every, 60.0) * 2):
        return None
    outcomes = send_reminders(platform, utcnow(), secret, mqa_scores)
    for outcome in outcomes:
        if outcome.reason.startswith("failed"):
            log.warning("a governance reminder was not delivered: %s", outcome.reason)
    return outcomes


class ReminderScheduler:
    def __init__(self, platform: Platform, secret: bytes,
                 mqa_scores: MqaScores | None = None) -> None:
        self._platform = platform
        self._secret = secret
        self._mqa_scores = mqa_scores
        self._stop = threading.Event()
        self._holder = lease.holder_name()
        self._thread = threading.Thread(target=self._run, name="governance-reminders",
                                        daemon=True)

    def start(self) -> ReminderScheduler:
        if self._platform.settings.governance_reminder_check_seconds > 0:
            self._thread.start()
        return self

    def _run(self) -> None:
        every = self._platform.settings.governance_reminder_check_seconds
        wait = min(every, FIRST_SECONDS)
        while not self._stop.wait(wait):
            wait = every
            try:
                remind_once(self._platform, self._holder, self._secret, self._mqa_scores)
            except Exception:  # the database or a channel is away: the next round retries
                log.exception("sending the governance reminders failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
