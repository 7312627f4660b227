"""The MQTT bridge: messages from a broker, stored through the one write path, acknowledged
only once durable.

The bridge subscribes with QoS 1 and a persistent session (MQTT 5, clean start off, a session
expiry), so the broker keeps every message the bridge has not acknowledged — while it runs
and while it is down. Messages are acknowledged by hand (``manual_ack``): a writer thread
takes them in batches (``BELFORT_MQTT_BATCH_SIZE`` messages or ``BELFORT_MQTT_BATCH_MS``),
reads each (``belfort.streams.mqtt_topics``), authenticates its device, stores the batch with
``write_many`` in one transaction and sends the PUBACKs, in the order received, only after
the commit. Killed between the commit and the PUBACK, the broker sends the message again and
it is counted a duplicate (same sensor, property and phenomenon time).

A message that cannot be stored ever — not JSON, not an object, too large, an unknown topic,
an unknown or revoked device, over the device's rate — is recorded in ``device_refusals``
(one update per batch, device and reason) and acknowledged, so it is not sent again forever.

Several Belfort processes share the work through an MQTT 5 shared subscription
(``$share/<group>/<filter>``): each message goes to one of them. Each process takes a client
id slot (``<base>-<n>``, an advisory lock in the data directory), so a restarted process
resumes the session — and the queued messages — of the one it replaces.
"""

from __future__ import annotations

import fcntl
import logging
import queue
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from belfort.errors import DeviceRefused, MqttSettingsInvalid
from belfort.platform import Platform
from belfort.streams.fiware import PayloadInvalid
from belfort.streams.model import ItemProblem, ObservationIn, now_us
from belfort.streams.mqtt_topics import claimed_device, read_message
from belfort.streams.sensors import Device, devices, record_refusal
from belfort.streams.write import write_many

log = logging.getLogger("belfort.mqtt")
MAX_SLOTS = 64
CLIENT_BASE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None


@dataclass(frozen=True)
class _Message:
    mid: int
    qos: int
    topic: str
    payload: bytes
    received_us: int


@dataclass
class BridgeStats:
    """What the bridge did since it started (this process)."""

    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    refused_messages: int = 0
    item_problems: int = 0
    batches: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


def parse_broker_url(url: str) -> Broker:
    """``mqtt://[user:password@]host[:port]`` (``mqtts://`` for TLS)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise MqttSettingsInvalid(f"BELFORT_MQTT_URL is not a URL: {exc}") from None
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl") or not parts.hostname:
        raise MqttSettingsInvalid("BELFORT_MQTT_URL must look like mqtt://host:1883 "
                                  "(or mqtts://host:8883)")
    tls = parts.scheme in ("mqtts", "ssl")
    return Broker(parts.hostname, port or (8883 if tls else 1883), tls,
                  unquote(parts.username) if parts.username else None,
                  unquote(parts.password) if parts.password else None)


def shared_filters(topics: str, group: str) -> list[str]:
    filters = [t.strip() for t in topics.split(",") if t.strip()]
    if not filters:
        raise MqttSettingsInvalid("BELFORT_MQTT_TOPICS names no topic filter")
    return [f"$share/{group}/{f}" if group else f for f in filters]


def default_client_base() -> str:
    """``belfort-<host name>``, with anything but letters, digits, '.', '_', '-' dropped."""
    host = re.sub(r"[^A-Za-z0-9._-]", "", socket.gethostname())[:32]
    return f"belfort-{host}" if host else "belfort"


def claim_client_id(data_dir: Path, base: str) -> tuple[str, IO[str]]:
    """The first free ``<base>-<n>`` in this data directory, held by an advisory lock for
    as long as the returned file stays open (the operating system drops it when the process
    dies, so a restarted process takes the same id)."""
    folder = data_dir / "mqtt"
    folder.mkdir(parents=True, exist_ok=True)
    for slot in range(MAX_SLOTS):
        handle = open(folder / f"{base}-{slot}.lock", "a+", encoding="utf-8")  # noqa: SIM115
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return f"{base}-{slot}", handle
    raise MqttSettingsInvalid(f"more than {MAX_SLOTS} bridges run on {data_dir}")


class MqttBridge:
    """One process's bridge: ``start()``, then ``stop()``."""

    def __init__(self, platform: Platform, *, url: str | None = None,
                 client_id: str | None = None) -> None:
        settings = platform.settings
        self.platform = platform
        self.broker = parse_broker_url(url or settings.mqtt_url or "")
        self.filters = shared_filters(settings.mqtt_topics, settings.mqtt_share_group)
        self.batch_size = settings.mqtt_batch_size
        self.batch_seconds = settings.mqtt_batch_ms / 1000
        self.max_bytes = int(settings.stream_max_body_mb * 1024 * 1024)
        self.max_items = settings.stream_max_batch
        self.session_expiry = settings.mqtt_session_expiry_seconds
        base = client_id or settings.mqtt_client_id or default_client_base()
        if not CLIENT_BASE.fullmatch(base):
            raise MqttSettingsInvalid("the MQTT client id base must be 1-40 letters, digits, "
                                      "'.', '_' or '-'")
        self.client_id, self._slot = claim_client_id(settings.data_dir, base)
        self.stats = BridgeStats()
        self.subscribed = threading.Event()
        self._inbox: queue.SimpleQueue[_Message] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._client = paho.Client(CallbackAPIVersion.VERSION2, client_id=self.client_id,
                                   protocol=paho.MQTTv5, manual_ack=True)
        if self.broker.username:
            self._client.username_pw_set(self.broker.username, self.broker.password)
        if self.broker.tls:
            self._client.tls_set()
        self._client.reconnect_delay_set(1, 10)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message
        self._client.on_disconnect = self._on_disconnect
        self._writer = threading.Thread(target=self._write_loop, name=f"mqtt-{self.client_id}",
                                        daemon=True)

    @property
    def waiting(self) -> int:
        """Messages received and not yet written (a queue depth in ``/metrics``)."""
        return self._inbox.qsize()

    # --- life cycle ---
    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = min(65_535, 2 * self.batch_size)
        self._client.connect_async(self.broker.host, self.broker.port, keepalive=30,
                                   clean_start=False, properties=properties)
        self._writer.start()
        self._client.loop_start()
        log.info("MQTT bridge %s connecting to %s:%s", self.client_id, self.broker.host,
                 self.broker.port)

    def stop(self, timeout: float = 10.0) -> None:
        """Store and acknowledge the batch under way, then disconnect (the session and
        whatever was not acknowledged stay with the broker)."""
        self._stopping.set()
        if self._writer.is_alive():
            self._writer.join(timeout)
        try:
            self._client.disconnect()
        finally:
            self._client.loop_stop()
            self._slot.close()

    def close(self) -> None:  # a platform component is closed with the platform
        if not self._stopping.is_set():
            self.stop()

    # --- paho callbacks (its network thread) ---
    def _on_connect(self, client: paho.Client, userdata: Any, flags: Any, reason: Any,
                    properties: Any) -> None:
        if reason.is_failure:
            log.warning("MQTT broker refused the bridge: %s", reason)
            return
        client.subscribe([(f, SubscribeOptions(qos=1)) for f in self.filters])

    def _on_subscribe(self, client: paho.Client, userdata: Any, mid: int, reasons: Any,
                      properties: Any) -> None:
        failed = [str(r) for r in reasons if r.is_failure]
        if failed:
            log.error("MQTT subscription refused: %s", ", ".join(failed))
            return
        log.info("MQTT bridge %s subscribed to %s", self.client_id, ", ".join(self.filters))
        self.subscribed.set()

    def _on_disconnect(self, client: paho.Client, userdata: Any, flags: Any, reason: Any,
                       properties: Any) -> None:
        self.subscribed.clear()
        if not self._stopping.is_set():
            log.warning("MQTT bridge disconnected (%s); reconnecting", reason)

    def _on_message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        try:
            topic = message.topic
        except UnicodeDecodeError:
            topic = ""
        self._inbox.put(_Message(message.mid, message.qos, topic, bytes(message.payload),
                                 now_us()))

    # --- the writer thread ---
    def _write_loop(self) -> None:
        while not self._stopping.is_set():
            batch = self._collect()
            if batch and self._store(batch):
                for message in batch:
                    if message.qos > 0:
                        self._client.ack(message.mid, message.qos)

    def _collect(self) -> list[_Message]:
        try:
            first = self._inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.batch_seconds
        while len(batch) < self.batch_size:
            left = deadline - time.monotonic()
            try:
                batch.append(self._inbox.get_nowait() if left <= 0 else
                             self._inbox.get(timeout=left))
            except queue.Empty:
                break
        return batch

    def _store(self, batch: list[_Message]) -> bool:
        """Store the batch; True once durable. A database that fails is tried again until
        it answers or the bridge stops (then nothing is acknowledged)."""
        attempt = 0
        while True:
            try:
                self._store_once(batch)
                return True
            except Exception:
                if self._stopping.is_set():
                    return False
                wait = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                log.exception("MQTT bridge could not store a batch; trying again in %ss", wait)
                attempt += 1
                if self._stopping.wait(wait):
                    return False

    def _store_once(self, batch: list[_Message]) -> None:
        directory = devices(self.platform)
        refusals: Counter[tuple[str, str, str]] = Counter()
        groups: list[tuple[Device, list[ObservationIn | ItemProblem]]] = []
        channels: list[str] = []
        for message in batch:
            try:
                incoming = read_message(message.topic, message.payload, message.received_us,
                                        max_bytes=self.max_bytes, max_items=self.max_items)
            except PayloadInvalid as exc:
                refusals[(claimed_device(message.topic), "mqtt", exc.reason)] += 1
                continue
            try:
                device = directory.authenticate(incoming.credential, incoming.device_id,
                                                incoming.channel)  # records its refusals
            except DeviceRefused as exc:
                self.stats.reasons[str(exc.details.get("reason", "refused"))] += 1
                self.stats.refused_messages += 1
                continue
            groups.append((device, incoming.items(device)))
            channels.append(incoming.channel)
        results = write_many(self.platform, groups) if groups else []
        for (device, _), channel, result in zip(groups, channels, results, strict=True):
            self.stats.stored += result.stored
            self.stats.duplicates += result.duplicates
            self.stats.item_problems += len(result.problems)
            if result.problems and all(p.code == "rate_limited" for p in result.problems):
                refusals[(device.id, channel, "rate_limited")] += 1
        for (device_id, channel, reason), count in refusals.items():
            record_refusal(self.platform, device_id, channel, reason, count)
            self.stats.reasons[reason] += count
            self.stats.refused_messages += count
        self.stats.messages += len(batch)
        self.stats.batches += 1


class MqttBridgeSlot:
    """The process's bridge as a platform component (closed with the platform), or none."""

    def __init__(self, bridge: MqttBridge | None) -> None:
        self.bridge = bridge

    def close(self) -> None:
        if self.bridge is not None:
            self.bridge.close()


def start_mqtt_bridge(platform: Platform) -> MqttBridgeSlot:
    """Start this process's bridge when ``BELFORT_MQTT_URL`` is set (``belfort serve``)."""
    if not platform.settings.mqtt_url:
        return MqttBridgeSlot(None)
    bridge = MqttBridge(platform)
    bridge.start()
    return MqttBridgeSlot(bridge)
