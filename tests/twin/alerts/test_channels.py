"""The channels: a signed webhook POST with retries and backoff (a local HTTP server), an
e-mail over SMTP (a local aiosmtpd server), the webhook URL policy, and a failing channel
that neither blocks the others nor goes unreported."""

from __future__ import annotations

import hashlib
import hmac
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import orjson
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from belfort.catalog.models import Alert
from belfort.errors import WebhookRefused
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import now_us
from belfort.twin.alerts import mail, rules
from belfort.twin.alerts.evaluate import evaluate
from belfort.twin.alerts.webhook import check_webhook_url, deliver
from belfort.twin.occupancy import Estimate
from belfort.twin.score import Crowding, ZoneCrowding
from tests.twin.alerts.conftest import Receiver
from tests.twin.conftest import make_zone


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks it by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _busy(at: int) -> Crowding:
    zone = ZoneCrowding("korenmarkt", "Korenmarkt", True, 1000, 2000, "{}",
                        Estimate(1800, "passages", 3, at), None, 90)
    return Crowding(at, [zone], 90, 90, zone, {})


def test_the_webhook_is_signed_and_retried_with_backoff(receiver: Receiver,
                                                        settings: Settings) -> None:
    receiver.statuses = [503, 500]
    waits: list[float] = []
    body = b'{"event":"raised"}'
    found = deliver(receiver.url, body, "7-raised", b"s3cret", settings, sleep=waits.append)
    assert found.ok and found.attempts == 3 and found.status == 200
    assert waits == [0.01, 0.02]  # backoff doubles
    assert len(receiver.received) == 3
    for headers, received in receiver.received:
        assert received == body
        expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert headers["x-belfort-signature"] == expected
        assert headers["x-belfort-delivery"] == "7-raised"
        assert headers["content-type"] == "application/json"


def test_a_webhook_that_keeps_failing_gives_up_and_says_why(receiver: Receiver,
                                                            settings: Settings) -> None:
    receiver.statuses = [500] * 10
    found = deliver(receiver.url, b"{}", "1-raised", b"k", settings, sleep=lambda _: None)
    assert not found.ok and found.attempts == 4 and found.error == "answered 500"
    receiver.statuses = [404]  # a client error is not retried
    found = deliver(receiver.url, b"{}", "1-raised", b"k", settings, sleep=lambda _: None)
    assert not found.ok and found.attempts == 1 and found.status == 404


def test_a_slow_webhook_times_out(receiver: Receiver, settings: Settings) -> None:
    receiver.delay = 1.5
    quick = settings.model_copy(update={"alerts_webhook_timeout_seconds": 0.2,
                                        "alerts_webhook_retries": 1})
    started = time.monotonic()
    found = deliver(receiver.url, b"{}", "1-raised", b"k", quick, sleep=lambda _: None)
    assert not found.ok and found.attempts == 2 and "no answer" in (found.error or "")
    assert time.monotonic() - started < 1.4


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.0.0.5/x",
    "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://192.168.1.1/",
    "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "ftp://example.org/x", "file:///etc/passwd",
    "http://user:pw@example.org/", "http:///nohost", "http://exa mple.org/", "http://a\x00b/",
    "http://example.org:99999/", "javascript:alert(1)",
])
def test_webhooks_to_internal_or_odd_addresses_are_refused(url: str) -> None:
    strict = Settings(alerts_webhook_allow_hosts="")
    with pytest.raises(WebhookRefused):
        check_webhook_url(url, strict, resolve=lambda host: ["127.0.0.1"]
                          if host == "localhost" else [host.strip("[]")])


def test_allowed_and_public_hosts_pass() -> None:
    allowing = Settings(alerts_webhook_allow_hosts="hooks.internal, 10.0.0.5")
    check_webhook_url("https://hooks.internal/x", allowing, resolve=lambda h: ["10.1.1.1"])
    check_webhook_url("http://10.0.0.5:8080/x", allowing)
    check_webhook_url("https://example.org/x", allowing, resolve=lambda h: ["93.184.215.14"])
    with pytest.raises(WebhookRefused):  # one internal address among several is enough
        check_webhook_url("https://example.org/x", allowing,
                          resolve=lambda h: ["93.184.215.14", "10.9.9.9"])


def test_an_email_reaches_a_local_smtp_server(smtp: tuple[Inbox, int],
                                              settings: Settings) -> None:
    inbox, port = smtp
    configured = settings.model_copy(update={"alerts_smtp_host": "127.0.0.1",
                                             "alerts_smtp_port": port,
                                             "alerts_smtp_from": "belfort@gent.invalid"})
    sent = mail.send(configured, ["ops@gent.invalid"], "Alarm\r\nBcc: x@y", "Advies: omleiden")
    assert sent.ok, sent.error
    [message] = inbox.messages
    assert message["From"] == "belfort@gent.invalid" and message["To"] == "ops@gent.invalid"
    assert message["Bcc"] is None  # no header injection through the subject
    assert "Advies: omleiden" in message.get_payload(decode=True).decode()


def test_a_failing_channel_does_not_block_the_others_and_is_reported(
        platform: Platform, smtp: tuple[Inbox, int], receiver: Receiver) -> None:
    inbox, port = smtp
    platform.settings = replace_settings(platform.settings, alerts_smtp_host="127.0.0.1",
                                         alerts_smtp_port=port)
    make_zone(platform, "korenmarkt")
    receiver.statuses = [500] * 10  # the webhook fails on every attempt
    spec = rules.spec_from_mapping({"zone": "korenmarkt", "kind": "score_above",
                                    "level": "critical", "threshold": 80,
                                    "webhook_url": receiver.url,
                                    "emails": ["ops@gent.invalid"]}, platform.settings)
    with platform.db.session() as session:
        rules.add_rule(session, spec, "key:test")
        rules.set_advice(session, "korenmarkt", "critical",
                         {"nl": "Sluit de Korenmarkt af.", "en": "Close the Korenmarkt."},
                         "key:test")
    at = now_us()
    report = evaluate(platform, b"s3cret", now_us=at, crowding=_busy(at))
    assert len(report.raised) == 1
    assert [(f["channel"], f["ok"]) for f in report.failures] == [("webhook", False)]
    assert len(receiver.received) == 4  # tried, retried
    [message] = inbox.messages  # the e-mail went out all the same
    body = message.get_payload(decode=True).decode()
    assert "Sluit de Korenmarkt af." in body and "Close the Korenmarkt." in body
    assert "critical" in message["Subject"] and "Korenmarkt" in message["Subject"]
    payload = orjson.loads(receiver.received[0][1])
    assert payload["event"] == "raised" and payload["alert"]["advice"]["nl"] == \
        "Sluit de Korenmarkt af."
    with platform.db.session() as session:
        alert = session.scalars(select(Alert)).one()
        kinds = {d["channel"]: d for d in alert.deliveries}
    assert kinds["webhook"]["ok"] is False and kinds["webhook"]["attempts"] == 4
    assert kinds["email"]["ok"] is True


def test_an_unreachable_smtp_server_is_reported_not_raised(settings: Settings) -> None:
    closed = settings.model_copy(update={"alerts_smtp_host": "127.0.0.1",
                                         "alerts_smtp_port": 9, "alerts_smtp_timeout_seconds": 2})
    sent = mail.send(closed, ["ops@gent.invalid"], "x", "y")
    assert not sent.ok and sent.error


def replace_settings(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update=changes)

