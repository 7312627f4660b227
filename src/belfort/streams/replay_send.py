"""Sending a replay's observations: over HTTP, over MQTT, or straight into the write path,
with retries and backoff when the receiver is away.

- ``HttpSender``: ``POST {url}/api/belfort/v1/observations``, a JSON array of native items,
  each sensor's credential as its bearer token; a 2xx answer is a ``BatchResult``.
- ``MqttSender``: the FIWARE IoT Agent topic ``/json/<credential>/<sensor_id>/attrs`` with
  ``{"<property>": n, …, "TimeInstant": <end of the tick>}``, QoS 1, each message waited for
  until the broker acknowledged it (PUBACK).
- ``DirectSender``: ``write_many`` in this process (the demo's backfill, and the demo's feed
  while its own server has no HTTP observations route).

A batch that could not be delivered stays pending and is sent again on the next try; a resend
is harmless, since the platform ignores an observation it already holds. ``run_replay`` is the
loop: tick, send, wait, until stopped.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from belfort.platform import Platform
from belfort.streams.model import ObservationIn, from_us, now_us
from belfort.streams.replay import ReplayFeed
from belfort.streams.sensors import Device

log = logging.getLogger("belfort.replay")

OBSERVATIONS_PATH = "/api/belfort/v1/observations"
MAX_PENDING = 200_000  # observations kept for resending; the oldest are dropped beyond it


class ReceiverAway(Exception):
    """The receiver did not take the batch (down, timing out, 5xx, 429): try again later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class EndpointMissing(Exception):
    """The server answers, but has no observations route (404)."""


@dataclass
class SendStats:
    sent: int = 0  # observations delivered (acknowledged)
    stored: int = 0
    duplicates: int = 0
    refused: int = 0  # items the receiver refused (bad credential, per-item errors)
    retries: int = 0
    dropped: int = 0  # pending observations given up (MAX_PENDING)
    errors: dict[str, int] = field(default_factory=dict)

    def count_error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "stored": self.stored, "duplicates": self.duplicates,
                "refused": self.refused, "retries": self.retries, "dropped": self.dropped,
                "errors": dict(self.errors)}


class Sender(Protocol):
    def send(self, sensor_id: str, items: Sequence[ObservationIn], stats: SendStats) -> None:
        """Deliver one sensor's items or raise ``ReceiverAway`` (nothing taken for sure)."""
        ...

    def close(self) -> None:
        ...


def _iso(us: int) -> str:
    return from_us(us).isoformat().replace("+00:00", "Z")


def native_item(item: ObservationIn) -> dict[str, Any]:
    """An observation in the native batch format."""
    out: dict[str, Any] = {"sensor_id": item.sensor_id, "property": item.property}
    if item.phenomenon_end_us is None:
        out["phenomenon_time"] = _iso(item.phenomenon_us)
    else:
        out["phenomenon_start"] = _iso(item.phenomenon_us)
        out["phenomenon_end"] = _iso(item.phenomenon_end_us)
    out["value"] = item.value
    return out


class HttpSender:
    """The native HTTP batch route of a Belfort server."""

    def __init__(self, url: str, credentials: Mapping[str, str], *, timeout: float = 10.0,
                 client: httpx.Client | None = None) -> None:
        self.endpoint = url.rstrip("/") + OBSERVATIONS_PATH
        self.credentials = dict(credentials)
        self._client = client or httpx.Client(timeout=timeout)

    def send(self, sensor_id: str, items: Sequence[ObservationIn], stats: SendStats) -> None:
        credential = self.credentials.get(sensor_id)
        if credential is None:
            stats.refused += len(items)
            stats.count_error("no_credential")
            return
        body = json.dumps([native_item(i) for i in items])
        try:
            answer = self._client.post(self.endpoint, content=body, headers={
                "Authorization": f"Bearer {credential}", "Content-Type": "application/json"})
        except httpx.HTTPError as exc:
            raise ReceiverAway(f"{type(exc).__name__}: {exc}") from None
        status = answer.status_code
        if status == 404:
            raise EndpointMissing(f"{self.endpoint} answered 404")
        if status == 429:
            raise ReceiverAway("429 rate limited", _retry_after(answer))
        if status >= 500 or status == 408:
            raise ReceiverAway(f"HTTP {status}", _retry_after(answer))
        if status >= 400:  # the server refused the batch: resending would not help
            stats.refused += len(items)
            stats.count_error(f"http_{status}")
            log.warning("replay: %s refused %s's batch: HTTP %s %s", self.endpoint, sensor_id,
                        status, answer.text[:200])
            return
        stats.sent += len(items)
        try:
            result = answer.json()
            stats.stored += int(result.get("stored", 0))
            stats.duplicates += int(result.get("duplicates", 0))
            stats.refused += int(result.get("refused", 0))
        except (ValueError, AttributeError, TypeError):
            stats.count_error("unreadable_answer")

    def close(self) -> None:
        self._client.close()


def _retry_after(answer: httpx.Response) -> float | None:
    try:
        return max(0.0, float(answer.headers.get("Retry-After", "")))
    except ValueError:
        return None


class MqttSender:
    """FIWARE IoT Agent JSON measures over MQTT (paho-mqtt), QoS 1."""

    def __init__(self, url: str, credentials: Mapping[str, str], *, timeout: float = 10.0,
                 client_id: str = "belfort-replay") -> None:
        import paho.mqtt.client as mqtt

        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise ValueError("the MQTT broker's URL must look like mqtt://HOST:PORT")
        self.credentials = dict(credentials)
        self.timeout = timeout
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                   clean_session=True)
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._client.connect_async(parts.hostname, parts.port or 1883, keepalive=30)
        self._client.loop_start()

    @staticmethod
    def payload(items: Sequence[ObservationIn]) -> dict[str, dict[str, Any]]:
        """Per moment (a tick's end), the attrs object of its properties."""
        out: dict[str, dict[str, Any]] = {}
        for item in items:
            moment = item.phenomenon_end_us or item.phenomenon_us
            attrs = out.setdefault(_iso(moment), {})
            attrs[item.property] = item.value
        return out

    def send(self, sensor_id: str, items: Sequence[ObservationIn], stats: SendStats) -> None:
        credential = self.credentials.get(sensor_id)
        if credential is None:
            stats.refused += len(items)
            stats.count_error("no_credential")
            return
        if not self._client.is_connected():
            raise ReceiverAway("not connected to the MQTT broker")
        topic = f"/json/{credential}/{sensor_id}/attrs"
        for moment, attrs in self.payload(items).items():
            info = self._client.publish(topic, json.dumps({**attrs, "TimeInstant": moment}),
                                        qos=1)
            try:
                info.wait_for_publish(self.timeout)
            except (RuntimeError, ValueError) as exc:
                raise ReceiverAway(f"publish failed: {exc}") from None
            if not info.is_published():
                raise ReceiverAway("the broker did not acknowledge in time")
            stats.sent += len(attrs)

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


class DirectSender:
    """The write path in this process (no network): what the demo's backfill uses."""

    def __init__(self, platform: Platform, devices: Mapping[str, Device]) -> None:
        self.platform = platform
        self.devices = dict(devices)

    def send(self, sensor_id: str, items: Sequence[ObservationIn], stats: SendStats) -> None:
        self.send_many({sensor_id: list(items)}, stats)

    def send_many(self, batches: Mapping[str, Sequence[ObservationIn]], stats: SendStats) -> None:
        from belfort.streams.write import write_many

        groups = [(self.devices[s], items) for s, items in batches.items() if s in self.devices]
        for sensor_id, items in batches.items():
            if sensor_id not in self.devices:
                stats.refused += len(items)
                stats.count_error("unknown_sensor")
        if not groups:
            return
        try:
            results = write_many(self.platform, groups)
        except Exception as exc:  # the database away: keep them pending
            raise ReceiverAway(f"{type(exc).__name__}: {exc}") from None
        for result in results:
            stats.sent += result.received
            stats.stored += result.stored
            stats.duplicates += result.duplicates
            stats.refused += len(result.problems)

    def close(self) -> None:
        pass


@dataclass
class Backoff:
    first: float = 0.5
    most: float = 30.0
    current: float = 0.0

    def failed(self, hint: float | None = None) -> float:
        self.current = min(self.most, self.current * 2 if self.current else self.first)
        return max(self.current, hint or 0.0)

    def succeeded(self) -> None:
        self.current = 0.0


def tick_seconds(speed: float) -> float:
    """A tick per twelfth of a recorded hour, between one second and one minute."""
    return min(60.0, max(1.0, 3600.0 / speed / 12))


def run_replay(feed: ReplayFeed, sender: Sender, *, stop: threading.Event,
               duration: float | None = None, tick: float | None = None,
               clock: Callable[[], int] = now_us,
               report: Callable[[SendStats], None] | None = None) -> SendStats:
    """Tick, send and wait until ``stop`` is set or ``duration`` seconds have passed.

    Undelivered batches stay pending (at most ``MAX_PENDING`` observations) and are resent
    after a backoff; ``EndpointMissing`` is raised to the caller."""
    stats = SendStats()
    pending: dict[str, list[ObservationIn]] = {}
    backoff = Backoff()
    interval = tick if tick is not None else tick_seconds(feed.speed)
    began = time.monotonic()
    wait_until = 0.0
    while not stop.wait(interval):
        for sensor_id, items in feed.tick(clock()).items():
            pending.setdefault(sensor_id, []).extend(items)
        _bound(pending, stats)
        if time.monotonic() >= wait_until:
            try:
                _flush(sender, pending, stats)
                backoff.succeeded()
            except ReceiverAway as exc:
                stats.retries += 1
                stats.count_error("receiver_away")
                delay = backoff.failed(exc.retry_after)
                wait_until = time.monotonic() + delay
                log.warning("replay: receiver away (%s); trying again in %.1f s", exc, delay)
        if report is not None:
            report(stats)
        if duration is not None and time.monotonic() - began >= duration:
            break
    if pending and not stop.is_set():
        try:
            _flush(sender, pending, stats)
        except ReceiverAway:
            pass
    return stats


def _flush(sender: Sender, pending: dict[str, list[ObservationIn]], stats: SendStats) -> None:
    if isinstance(sender, DirectSender):
        sender.send_many(pending, stats)
        pending.clear()
        return
    for sensor_id in list(pending):
        sender.send(sensor_id, pending[sensor_id], stats)
        del pending[sensor_id]


def _bound(pending: dict[str, list[ObservationIn]], stats: SendStats) -> None:
    total = sum(len(v) for v in pending.values())
    while total > MAX_PENDING:
        largest = max(pending, key=lambda s: len(pending[s]))
        drop = min(len(pending[largest]), total - MAX_PENDING)
        del pending[largest][:drop]
        stats.dropped += drop
        total -= drop
