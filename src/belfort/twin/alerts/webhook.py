"""Alert webhooks: which URLs may be called, and the delivery (a signed JSON POST, a timeout,
retries with backoff).

Policy: http(s) only, no user name or password in the URL, and the host must resolve to
public addresses only — loopback, private, link-local, multicast and reserved ones (the
server's own network, cloud metadata services) are refused unless the host is named in
``BELFORT_ALERTS_WEBHOOK_ALLOW_HOSTS``. Checked when a rule is saved and again before every
delivery (an address may have changed since).

Every delivery carries ``X-Belfort-Signature: sha256=<hex>``, the HMAC-SHA256 of the body
with the webhook secret, and ``X-Belfort-Delivery`` (unique per alert and event, the same
on every retry).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from belfort.errors import WebhookRefused
from belfort.settings import Settings

RETRY_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))


def allowed_hosts(settings: Settings) -> frozenset[str]:
    return frozenset(h.strip().lower().strip("[]") for h in
                     settings.alerts_webhook_allow_hosts.split(",") if h.strip())


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_webhook_url(url: str, settings: Settings,
                      resolve: Callable[[str], list[str]] | None = None) -> None:
    """``WebhookRefused`` (400) unless ``url`` may be called (see the module's policy)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  # a bad port raises here
    except ValueError as exc:
        raise WebhookRefused("the webhook URL is malformed") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise WebhookRefused("a webhook URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise WebhookRefused("a webhook URL may not carry a user name or password")
    if any(c in url for c in "\x00\r\n\t ") or not url.isprintable():
        raise WebhookRefused("a webhook URL may not hold spaces or control characters")
    if host in allowed_hosts(settings):
        return
    try:
        addresses = (resolve or _resolve)(host)
    except OSError as exc:
        raise WebhookRefused(f"the webhook's host {host[:100]!r} does not resolve") from exc
    if not addresses or any(_internal(a) for a in addresses):
        raise WebhookRefused(
            f"the webhook's host {host[:100]!r} is an internal address; an administrator may "
            "allow it with BELFORT_ALERTS_WEBHOOK_ALLOW_HOSTS")


def _resolve(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})


def signature(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Delivery:
    ok: bool
    attempts: int
    status: int | None  # the last answer's HTTP status
    error: str | None  # why it failed, in a few words


def deliver(url: str, body: bytes, delivery_id: str, secret: bytes, settings: Settings,
            sleep: Callable[[float], None] = time.sleep) -> Delivery:
    """POST ``body`` (JSON) to ``url``: one attempt plus ``alerts_webhook_retries`` more
    on no answer or a 5xx/408/425/429, waiting ``alerts_webhook_backoff_seconds``, doubled
    each time. Never raises."""
    try:
        check_webhook_url(url, settings)
    except WebhookRefused as exc:
        return Delivery(False, 0, None, exc.message)
    headers = {"Content-Type": "application/json", "User-Agent": "Belfort-alerts",
               "X-Belfort-Signature": signature(secret, body),
               "X-Belfort-Delivery": delivery_id}
    wait = settings.alerts_webhook_backoff_seconds
    status: int | None = None
    error: str | None = None
    attempts = 0
    with httpx.Client(timeout=settings.alerts_webhook_timeout_seconds,
                      follow_redirects=False, trust_env=False) as client:
        for attempt in range(settings.alerts_webhook_retries + 1):
            if attempt:
                sleep(wait)
                wait *= 2
            attempts += 1
            try:
                answer = client.post(url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                status, error = None, f"{type(exc).__name__}: no answer"
                continue
            status = answer.status_code
            if 200 <= status < 300:
                return Delivery(True, attempts, status, None)
            error = f"answered {status}"
            if status not in RETRY_STATUSES:
                break
    return Delivery(False, attempts, status, error)
