"""Sending a replay: over HTTP to a server that answers in the documented shape (and is away,
fails, rate-limits, refuses), over MQTT to a real mosquitto broker, and into the write path."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from belfort.catalog.models import Observation
from belfort.errors import DeviceRefused
from belfort.platform import Platform
from belfort.streams.model import ObservationIn, now_us, parse_time, parse_value
from belfort.streams.replay import RecordedSeries, ReplayFeed
from belfort.streams.replay_send import (
    EndpointMissing,
    HttpSender,
    MqttSender,
    ReceiverAway,
    SendStats,
    native_item,
    run_replay,
)
from belfort.streams.sensors import SensorSpec, devices, register_sensor
from belfort.streams.write import write_observations

SECOND = 1_000_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeBelfort:
    """``POST /api/belfort/v1/observations`` as documented: a JSON array of native items, the
    device's credential as bearer, a ``BatchResult`` back; written through the real path.
    ``script`` holds answers to give instead, one per request, before behaving."""

    def __init__(self, platform: Platform, port: int) -> None:
        self.platform = platform
        self.port = port
        self.script: list[int] = []
        self.lose_ack: int = 0  # store, then answer 500 (the answer is lost)
        self.requests = 0
        self.bodies: list[Any] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                outer.requests += 1
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.path != "/api/belfort/v1/observations":
                    return self._answer(404, {"error": "not found"})
                if outer.script:
                    status = outer.script.pop(0)
                    headers = {"Retry-After": "1"} if status == 429 else {}
                    return self._answer(status, {"error": "scripted"}, headers)
                credential = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    device = devices(outer.platform).authenticate(credential, None, "http")
                except DeviceRefused:
                    return self._answer(401, {"error": "device refused"})
                items = json.loads(body)
                outer.bodies.append(items)
                parsed = [ObservationIn(
                    i["sensor_id"], i["property"],
                    parse_time(i.get("phenomenon_time", i.get("phenomenon_start"))),
                    parse_value(i["value"]),
                    phenomenon_end_us=(parse_time(i["phenomenon_end"])
                                       if "phenomenon_end" in i else None),
                ) for i in items]
                result = write_observations(outer.platform, device, parsed)
                if outer.lose_ack:
                    outer.lose_ack -= 1
                    return self._answer(500, {"error": "lost"})
                self._answer(200, result.to_dict())

            def _answer(self, status: int, data: object,
                        headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self._server: ThreadingHTTPServer | None = None
        self._handler = Handler

    def start(self) -> FakeBelfort:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _register(platform: Platform, sensor_id: str = "TP01") -> str:
    spec = SensorSpec(sensor_id, "Korenmarkt", "passantenteller", "count", min_value=0)
    with platform.db.session() as session:
        return register_sensor(session, spec).credential


def _series(sensor_id: str = "TP01", rate: float = 36_000.0) -> RecordedSeries:
    spec = SensorSpec(sensor_id, "Korenmarkt", "passantenteller", "count")
    import datetime as dt
    return RecordedSeries(spec, dt.datetime(2025, 1, 1), {"count": [rate] * (24 * 7 * 3)})


def _stored(platform: Platform, sensor_id: str = "TP01") -> int:
    with platform.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Observation).where(
            Observation.sensor_id == sensor_id)) or 0)


@pytest.fixture
def server(platform: Platform) -> Iterator[FakeBelfort]:
    fake = FakeBelfort(platform, _free_port())
    yield fake
    fake.stop()


def test_items_go_out_in_the_native_format() -> None:
    item = ObservationIn("TP01", "count", 0, 3.0, phenomenon_end_us=5 * SECOND)
    assert native_item(item) == {
        "sensor_id": "TP01", "property": "count", "phenomenon_start": "1970-01-01T00:00:00Z",
        "phenomenon_end": "1970-01-01T00:00:05Z", "value": 3.0}
    assert native_item(ObservationIn("TP01", "count", 0, 1.0))["phenomenon_time"] == (
        "1970-01-01T00:00:00Z")


def test_the_replay_waits_for_an_absent_server_and_then_delivers(
        platform: Platform, server: FakeBelfort) -> None:
    credential = _register(platform)
    feed = ReplayFeed([_series()], speed=60, start_us=now_us())
    sender = HttpSender(server.url, {"TP01": credential}, timeout=2)
    stop = threading.Event()
    outcome: dict[str, SendStats] = {}
    runner = threading.Thread(target=lambda: outcome.setdefault("stats", run_replay(
        feed, sender, stop=stop, duration=4.0, tick=0.2)))
    runner.start()
    time.sleep(1.2)  # nothing listens yet: connection refused, backoff
    assert _stored(platform) == 0
    server.start()
    runner.join(30)
    stats = outcome["stats"]
    assert stats.retries >= 1 and stats.errors.get("receiver_away", 0) >= 1
    stored = _stored(platform)
    assert stored > 5 and stats.stored == stored and stats.refused == 0
    # nothing lost while the server was away: the intervals follow each other
    with platform.db.session() as session:
        spans = session.execute(select(Observation.phenomenon_us, Observation.phenomenon_end_us)
                                .order_by(Observation.phenomenon_us)).all()
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert spans[0][0] == feed.start_us
    sender.close()


def test_a_resend_after_a_lost_answer_is_harmless(platform: Platform,
                                                  server: FakeBelfort) -> None:
    credential = _register(platform)
    server.start()
    server.lose_ack = 1
    sender = HttpSender(server.url, {"TP01": credential})
    base = now_us() - 60 * SECOND
    items = [ObservationIn("TP01", "count", base + i * SECOND, 1.0,
                           phenomenon_end_us=base + (i + 1) * SECOND) for i in range(10)]
    stats = SendStats()
    with pytest.raises(ReceiverAway):
        sender.send("TP01", items, stats)
    assert _stored(platform) == 10
    sender.send("TP01", items, stats)
    assert (stats.stored, stats.duplicates, _stored(platform)) == (0, 10, 10)
    sender.close()


def test_refusals_rate_limits_and_a_missing_route(platform: Platform,
                                                  server: FakeBelfort) -> None:
    server.start()
    items = [ObservationIn("TP01", "count", now_us() - SECOND, 1.0)]
    stats = SendStats()
    sender = HttpSender(server.url, {"TP01": "bfd_not-a-real-credential"})
    sender.send("TP01", items, stats)  # 401: counted, not retried for ever
    assert stats.refused == 1 and stats.errors == {"http_401": 1}
    server.script = [429]
    with pytest.raises(ReceiverAway) as away:
        sender.send("TP01", items, stats)
    assert away.value.retry_after == 1.0
    server.script = [503]
    with pytest.raises(ReceiverAway):
        sender.send("TP01", items, stats)
    no_key = SendStats()
    sender.send("TP99", items, no_key)
    assert no_key.errors == {"no_credential": 1}
    sender.close()
    missing = HttpSender(server.url + "/elsewhere", {"TP01": "x"})
    with pytest.raises(EndpointMissing):
        missing.send("TP01", items, SendStats())
    missing.close()


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[int]:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        pytest.fail("mosquitto is not installed (scripts/test installs it)")
    port = _free_port()
    config = tmp_path / "mosquitto.conf"
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    process = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def test_over_mqtt_the_fiware_attrs_topic_with_a_time_instant(mosquitto: int) -> None:
    import paho.mqtt.client as mqtt

    received: list[tuple[str, dict[str, Any]]] = []
    subscribed = threading.Event()
    listener = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-listener")
    listener.on_connect = lambda c, *_: c.subscribe("/json/#", qos=1)
    listener.on_subscribe = lambda *_: subscribed.set()
    listener.on_message = lambda c, u, m: received.append((m.topic, json.loads(m.payload)))
    listener.connect("127.0.0.1", mosquitto)
    listener.loop_start()
    assert subscribed.wait(10)
    sender = MqttSender(f"mqtt://127.0.0.1:{mosquitto}", {"fietstelpaal-x": "bfd_secret"})
    deadline = time.monotonic() + 10
    while not sender._client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.05)
    start = now_us() - 10 * SECOND
    items = [ObservationIn("fietstelpaal-x", prop, start, value,
                           phenomenon_end_us=start + 5 * SECOND)
             for prop, value in (("hoofdrichting", 2.0), ("tegenrichting", 1.0),
                                 ("count", 3.0))]
    stats = SendStats()
    sender.send("fietstelpaal-x", items, stats)
    assert stats.sent == 3
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    sender.close()
    listener.loop_stop()
    listener.disconnect()
    topic, payload = received[0]
    assert topic == "/json/bfd_secret/fietstelpaal-x/attrs"
    assert payload["count"] == 3 and payload["hoofdrichting"] == 2
    assert parse_time(payload["TimeInstant"]) == start + 5 * SECOND


def test_over_mqtt_an_absent_broker_is_a_retry_not_a_crash() -> None:
    sender = MqttSender(f"mqtt://127.0.0.1:{_free_port()}", {"TP01": "x"})
    with pytest.raises(ReceiverAway):
        sender.send("TP01", [ObservationIn("TP01", "count", now_us(), 1.0)], SendStats())
    sender.close()
    with pytest.raises(ValueError):
        MqttSender("http://example.invalid", {})
