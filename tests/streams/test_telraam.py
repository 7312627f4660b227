"""The Telraam poller against a local server answering in the Telraam API v1 shape, with its
errors, timeouts and malformed answers."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from belfort.catalog.models import Observation, Sensor
from belfort.cli import main
from belfort.platform import Platform
from belfort.streams.model import from_us, to_us
from belfort.streams.sensors import revoke_sensor
from belfort.streams.telraam import (
    PollStats,
    TelraamClient,
    TelraamPoller,
    poll_once,
    segments_setting,
)

SEGMENT = "9000001234"
HOUR_US = 3_600_000_000
#: hour 0 of the tests: eight hours ago, so "now" (hour 4.5) is in the server's past too
T0 = (dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, minute=0, second=0, microsecond=0)
      - dt.timedelta(hours=8))
NOW = to_us((T0 + dt.timedelta(hours=4, minutes=30)).replace(tzinfo=dt.timezone.utc))


def h(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def hour_of(us: int) -> int:
    return round((from_us(us).replace(tzinfo=None) - T0) / dt.timedelta(hours=1))
KEY = "test-key-123"


def _report(start: dt.datetime, uptime: float = 0.8, **extra: Any) -> dict[str, Any]:
    """One hourly report item exactly as Telraam API v1 shapes it."""
    item: dict[str, Any] = {
        "instance_id": -1, "segment_id": int(SEGMENT),
        "date": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "interval": "hourly",
        "uptime": uptime, "heavy": 12.5, "car": 250.0, "bike": 80.0, "pedestrian": 40.0,
        "heavy_lft": 6.0, "heavy_rgt": 6.5, "car_lft": 120.0, "car_rgt": 130.0,
        "bike_lft": 50.0, "bike_rgt": 30.0, "pedestrian_lft": 15.0, "pedestrian_rgt": 25.0,
        "direction": 1, "timezone": "Europe/Brussels",
        "car_speed_hist_0to70plus": [1.0, 2.0, 10.0, 30.0, 40.0, 10.0, 5.0, 2.0],
        "car_speed_hist_0to120plus": [0.0] * 25, "v85": 42.5,
    }
    item.update(extra)
    return item


class FakeTelraam:
    """``POST /v1/reports/traffic``: the hours of ``hours`` inside the asked window; or what
    ``mode`` says (error, malformed, slow, …) for the next request."""

    def __init__(self) -> None:
        self.hours: dict[dt.datetime, dict[str, Any]] = {}
        self.mode: list[str] = []
        self.requests: list[dict[str, Any]] = []
        self.keys: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                outer.keys.append(self.headers.get("X-Api-Key"))
                mode = outer.mode.pop(0) if outer.mode else "ok"
                if self.path != "/v1/reports/traffic":
                    return self._raw(404, b'{"message": "not found"}')
                if mode == "error":
                    return self._raw(500, b'{"message": "Internal server error"}')
                if mode == "forbidden":
                    return self._raw(403, b'{"message": "Forbidden"}')
                if mode == "malformed":
                    return self._raw(200, b'{"status_code": 200, "report": [ {"date": ')
                if mode == "no-report":
                    return self._raw(200, b'{"status_code": 200, "message": "ok"}')
                if mode == "slow":
                    time.sleep(2.0)
                start = dt.datetime.strptime(body["time_start"], "%Y-%m-%d %H:%M:%SZ")
                end = dt.datetime.strptime(body["time_end"], "%Y-%m-%d %H:%M:%SZ")
                report = [item for moment, item in sorted(outer.hours.items())
                          if start <= moment < end]
                if mode == "bad-items":
                    report = report + [
                        "not an object", {"date": "<script>alert(1)</script>", "uptime": 1},
                        {"date": (h(-7)).strftime("%Y-%m-%dT%H:%M:%S.000Z"), "uptime": "lots"},
                        _report(h(-6), uptime=3.0),
                        _report(h(-5), segment_id=1),
                        _report(h(-4), car="\x00\x00", bike=True),
                    ]
                data = {"status_code": 200, "message": "ok", "report": report}
                self._raw(200, json.dumps(data).encode())

            def _raw(self, status: int, raw: bytes) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{port}/v1"

    def add_hours(self, first: dt.datetime, count: int, **extra: Any) -> None:
        for i in range(count):
            moment = first + dt.timedelta(hours=i)
            self.hours[moment] = _report(moment, **extra)


@pytest.fixture
def telraam() -> Iterator[FakeTelraam]:
    fake = FakeTelraam()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def _observations(platform: Platform) -> list[Observation]:
    with platform.db.session() as session:
        return list(session.scalars(select(Observation).order_by(
            Observation.phenomenon_us, Observation.property)))


def test_a_poll_stores_every_mode_and_direction_with_uptime_as_weight(
        platform: Platform, telraam: FakeTelraam) -> None:
    telraam.add_hours(h(0), 4)
    telraam.hours[h(1)]["uptime"] = 0.2  # a poorly observed hour
    telraam.add_hours(h(4), 1)  # not over at NOW: left for later
    client = TelraamClient(telraam.url, KEY)
    stats = poll_once(platform, client, [SEGMENT], now=NOW)
    assert telraam.keys == [KEY]
    asked = telraam.requests[0]
    assert asked["level"] == "segments" and asked["format"] == "per-hour"
    assert asked["id"] == SEGMENT
    stored = _observations(platform)
    assert stats.stored == len(stored) == 4 * 13 and stats.errors == {}
    first = [o for o in stored if hour_of(o.phenomenon_us) == 0]
    assert {o.property: o.value for o in first} == {
        "heavy": 12.5, "car": 250.0, "bike": 80.0, "pedestrian": 40.0, "heavy_lft": 6.0,
        "heavy_rgt": 6.5, "car_lft": 120.0, "car_rgt": 130.0, "bike_lft": 50.0,
        "bike_rgt": 30.0, "pedestrian_lft": 15.0, "pedestrian_rgt": 25.0, "v85": 42.5}
    assert all(o.phenomenon_end_us == o.phenomenon_us + HOUR_US for o in stored)
    assert all(o.sensor_id == f"telraam-{SEGMENT}" for o in stored)
    weights = {hour_of(o.phenomenon_us): (o.weight, o.quality) for o in stored}
    assert weights[0] == (0.8, "ok") and weights[1] == (0.2, "suspect")
    assert stats.suspect == 13
    with platform.db.session() as session:
        sensor = session.get(Sensor, f"telraam-{SEGMENT}")
        assert sensor is not None and sensor.kind == "telraam" and sensor.active


def test_polls_go_on_from_the_last_stored_hour_without_gaps_or_duplicates(
        platform: Platform, telraam: FakeTelraam) -> None:
    telraam.add_hours(h(0), 4)
    client = TelraamClient(telraam.url, KEY)
    poll_once(platform, client, [SEGMENT], now=NOW)
    # within the same hour: nothing new to ask for, so no request (the interval is kept)
    poll_once(platform, client, [SEGMENT], now=NOW + 60_000_000)
    assert len(telraam.requests) == 1
    telraam.add_hours(h(4), 3)
    later = NOW + 3 * HOUR_US
    stats = poll_once(platform, client, [SEGMENT], now=later)
    assert telraam.requests[-1]["time_start"] == h(4).strftime("%Y-%m-%d %H:%M:%SZ")
    assert stats.duplicates == 0 and stats.stored == 3 * 13
    hours = sorted({o.phenomenon_us for o in _observations(platform)})
    assert [hour_of(us) for us in hours] == list(range(7))


def test_errors_timeouts_and_malformed_answers_are_counted_not_fatal(
        platform: Platform, telraam: FakeTelraam) -> None:
    telraam.add_hours(h(0), 2)
    client = TelraamClient(telraam.url, KEY, timeout=0.5)
    stats = PollStats()
    for mode in ("error", "forbidden", "malformed", "no-report", "slow"):
        telraam.mode = [mode]
        poll_once(platform, client, [SEGMENT], stats, now=NOW)
    assert stats.errors == {"http_500": 1, "http_403": 1, "malformed": 2, "timeout": 1}
    assert stats.stored == 0 and _observations(platform) == []
    poll_once(platform, client, [SEGMENT], stats, now=NOW)  # and then it works: no gap
    assert stats.stored == 2 * 13
    assert telraam.requests[-1]["time_start"] == telraam.requests[0]["time_start"]
    unreachable = TelraamClient("http://127.0.0.1:9/v1", KEY, timeout=0.5)
    gone = poll_once(platform, unreachable, ["9000005678"], now=NOW)
    assert gone.errors == {"connection": 1}


def test_malformed_and_hostile_items_are_skipped_and_the_good_ones_kept(
        platform: Platform, telraam: FakeTelraam) -> None:
    telraam.add_hours(h(0), 1)
    telraam.mode = ["bad-items"]
    stats = poll_once(platform, TelraamClient(telraam.url, KEY), [SEGMENT], now=NOW)
    # not an object, a script for a date, uptime "lots", uptime 3, another segment's item
    # (five items) and two unreadable values of an item otherwise kept
    assert stats.malformed == 5 + 2
    stored = _observations(platform)
    hours = sorted({hour_of(o.phenomenon_us) for o in stored})
    assert hours == [-4, 0]
    assert {o.property for o in stored if hour_of(o.phenomenon_us) == -4} == (
        {"heavy", "pedestrian", "heavy_lft", "heavy_rgt", "car_lft", "car_rgt", "bike_lft",
         "bike_rgt", "pedestrian_lft", "pedestrian_rgt", "v85"})


def test_a_revoked_segment_is_not_polled(platform: Platform, telraam: FakeTelraam) -> None:
    telraam.add_hours(h(0), 1)
    client = TelraamClient(telraam.url, KEY)
    poll_once(platform, client, [SEGMENT], now=NOW)
    with platform.db.session() as session:
        revoke_sensor(session, f"telraam-{SEGMENT}")
    requests = len(telraam.requests)
    stats = poll_once(platform, client, [SEGMENT], now=NOW + 5 * HOUR_US)
    assert stats.errors == {"revoked": 1} and len(telraam.requests) == requests


def test_the_periodic_poller_keeps_its_interval(platform: Platform,
                                                telraam: FakeTelraam) -> None:
    now = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    telraam.add_hours(now.replace(tzinfo=None) - dt.timedelta(hours=3), 3)
    platform.settings.telraam_poll_seconds = 0.3
    poller = TelraamPoller(platform, TelraamClient(telraam.url, KEY), [SEGMENT]).start()
    time.sleep(1.0)
    poller.close()
    assert poller.stats.stored == 3 * 13
    assert len(telraam.requests) == 1  # later polls: no finished hour to ask for yet


def test_the_command_polls_and_refuses_bad_input(tmp_path: Path,
                                                 telraam: FakeTelraam) -> None:
    now = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    telraam.add_hours(now.replace(tzinfo=None) - dt.timedelta(hours=2), 2)
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    result = runner.invoke(main, ["telraam", "poll", "--url", telraam.url, "--segment", SEGMENT,
                                  "--api-key-env", "MY_TELRAAM_KEY", "--json", *data],
                           env={"MY_TELRAAM_KEY": KEY})
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["stored"] == 2 * 13
    assert telraam.keys == [KEY]
    for bad in (["--segment", "<script>"], ["--segment", "12\x003"], ["--segment", "9" * 30],
                ["--url", "javascript:alert(1)"], ["--url", "ftp://x"],
                ["--api-key-env", "A;rm -rf"]):
        args = ["telraam", "poll", "--url", telraam.url, "--segment", SEGMENT,
                "--api-key-env", "MY_TELRAAM_KEY", *data]
        flag = args.index(bad[0])
        args[flag + 1] = bad[1]
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (bad, result.output)
        assert "Traceback" not in result.output
    failing = runner.invoke(main, ["telraam", "poll", "--url", "http://127.0.0.1:9/v1",
                                   "--segment", "1", *data])
    assert failing.exit_code == 1 and "connection" in failing.output


def test_segments_setting() -> None:
    assert segments_setting(" 1, 22 ,") == ["1", "22"]
    assert segments_setting(None) == []
    with pytest.raises(ValueError):
        segments_setting("1,<b>")


def test_belfort_serve_polls_when_configured(tmp_path: Path, telraam: FakeTelraam) -> None:
    import os
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    now = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
    telraam.add_hours(now.replace(tzinfo=None) - dt.timedelta(hours=2), 2)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data = tmp_path / "data"
    env = {**os.environ, "BELFORT_TELRAAM_URL": telraam.url, "BELFORT_TELRAAM_SEGMENTS": SEGMENT,
           "BELFORT_TELRAAM_API_KEY": KEY, "BELFORT_TELRAAM_POLL_SECONDS": "1"}
    env.pop("BELFORT_DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "belfort.cli", "serve", "--data-dir", str(data), "--host",
         "127.0.0.1", "--port", str(port)], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    try:
        stored = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and stored < 2 * 13:
            time.sleep(0.5)
            if not (data / "catalog.sqlite").exists():
                continue
            engine = create_engine(f"sqlite:///{data / 'catalog.sqlite'}")
            try:
                with engine.connect() as conn:
                    stored = int(conn.execute(text(
                        "SELECT count(*) FROM observations WHERE sensor_id = :s"),
                        {"s": f"telraam-{SEGMENT}"}).scalar() or 0)
            except Exception:
                stored = 0
            finally:
                engine.dispose()
        assert stored == 2 * 13
        assert telraam.keys and set(telraam.keys) == {KEY}
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0].decode()
    assert "polling Telraam" in output and "Traceback" not in output
