"""Reminders: one digest per steward by e-mail (a local aiosmtpd server, as the alerts'
tests) and webhook (a local receiver), at most once per interval, not resent unchanged; the
upkeep thread's lease lets one process send."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path

import pytest

from belfort.catalog.models import utcnow
from belfort.governance import review, roles
from belfort.governance.reminders import send_reminders
from belfort.governance.scheduler import remind_once
from belfort.platform import Platform
from belfort.settings import Settings
from tests.conftest import TEST_BASE
from tests.twin.alerts.conftest import Receiver, receiver  # noqa: F401  # the fixture
from tests.twin.alerts.test_channels import Inbox, smtp  # noqa: F401  # the fixture

SECRET = b"s3cret"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, smtp: tuple[Inbox, int],  # noqa: F811
             receiver: Receiver) -> Settings:  # noqa: F811
    return Settings(data_dir=tmp_path / "data", database_url=database_url, public_url=TEST_BASE,
                    alerts_smtp_host="127.0.0.1", alerts_smtp_port=smtp[1],
                    alerts_webhook_allow_hosts="127.0.0.1", alerts_webhook_backoff_seconds=0.01,
                    alerts_webhook_retries=0, governance_webhook_url=receiver.url,
                    governance_reminder_hours=24)


def _stewards(platform: Platform) -> None:
    with platform.db.session() as session:
        roles.set_role(session, "admin", "organisation", "mobiliteit", "steward",
                       {"name": "An Steward", "email": "an@stad.gent"})
        roles.set_role(session, "admin", "dataset", "archief", "steward",
                       {"name": "Cas Archief", "email": "cas@stad.gent"})


def test_each_steward_gets_one_digest_by_mail_and_webhook_and_no_repeat(
        governed: Platform, smtp: tuple[Inbox, int], receiver: Receiver) -> None:  # noqa: F811
    _stewards(governed)
    now = utcnow()
    sent = send_reminders(governed, now, SECRET)
    assert [(o.recipient, o.reason) for o in sent] == [("an@stad.gent", "sent")]
    inbox = smtp[0]
    (message,) = inbox.messages
    assert message["To"] == "an@stad.gent"
    assert message["Subject"].startswith("Belfort: 1 punten")
    text = message.get_payload(decode=True).decode("utf-8")
    assert f"{TEST_BASE.rstrip('/')}/api/belfort/v1/datasets/parkings/quality" in text
    (headers, body), = receiver.received
    assert headers["x-belfort-signature"] == \
        "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    digest = json.loads(body)
    assert digest["steward"] == {"name": "An Steward", "email": "an@stad.gent"}
    assert [i["kind"] for i in digest["items"]] == ["failing_rules"]
    # unchanged: not sent again, even after the interval
    again = send_reminders(governed, now + timedelta(hours=30), SECRET)
    assert [o.reason for o in again] == ["unchanged"]
    # a week later the daily dataset is overdue: a changed worklist, sent
    week = send_reminders(governed, now + timedelta(days=7), SECRET)
    assert [o.reason for o in week] == ["sent"]
    # a year later the metadata of both datasets is stale: a changed worklist, sent to both
    later = now + timedelta(days=400)
    both = send_reminders(governed, later, SECRET)
    assert [(o.recipient, o.sent) for o in both] == [("an@stad.gent", True),
                                                      ("cas@stad.gent", True)]
    assert len(inbox.messages) == 4 and len(receiver.received) == 4
    # changed again an hour later (a review): at most one digest per interval
    with governed.db.session() as session:
        review.mark_reviewed(session, "an", "archief")
        review.mark_reviewed(session, "an", "parkings")
    soon = send_reminders(governed, later + timedelta(hours=1), SECRET)
    assert [o.reason for o in soon] == ["too soon", "too soon"]
    assert len(inbox.messages) == 4


def test_a_digest_no_channel_delivered_is_tried_again(governed: Platform,
                                                      receiver: Receiver) -> None:  # noqa: F811
    _stewards(governed)
    governed.settings = governed.settings.model_copy(update={
        "alerts_smtp_host": None, "governance_webhook_url": receiver.url})
    receiver.statuses = [500]
    failed = send_reminders(governed, utcnow(), SECRET)
    assert [o.sent for o in failed] == [False] and failed[0].reason.startswith("failed: webhook")
    retried = send_reminders(governed, utcnow(), SECRET)
    assert [o.reason for o in retried] == ["sent"]


def test_one_process_holds_the_lease(governed: Platform, smtp: tuple[Inbox, int]) -> None:  # noqa: F811
    _stewards(governed)
    assert remind_once(governed, "node-a", SECRET) is not None
    assert remind_once(governed, "node-b", SECRET) is None  # node a holds it
    assert len(smtp[0].messages) == 1
