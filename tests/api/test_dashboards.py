"""The City Dashboard's API over real HTTP (uvicorn): the JSON answers and the live push
(Server-Sent Events). Observations are written by another OS process on the same database,
so a stream can only see them through the database, never through this process's memory."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.streams.sensors import SensorSpec, register_sensor
from tests.helpers import live_server

INTERNAL = "meldingen-openbaar-domein-intern"
SPEC = f"""
title: {{nl: Proef, en: Trial}}
tiles:
  - {{id: fiets, type: kpi, title: Fiets, stream: fiets-1}}
  - {{id: garages, type: table, title: G, dataset: bezetting-parkeergarages-demo,
     query: {{limit: 2}}}}
  - {{id: intern, type: table, title: I, dataset: {INTERNAL}, query: {{limit: 3}}}}
"""
WRITER = """
import sys
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import ObservationIn, now_us
from belfort.streams.sensors import devices
from belfort.streams.write import write_observations
data_dir, url, credential = sys.argv[1:4]
platform = Platform(Settings(data_dir=data_dir, database_url=url))
device = devices(platform).authenticate(credential, "fiets-1", "test")
for value in sys.argv[4:]:
    item = ObservationIn("fiets-1", "count", now_us(), float(value))
    result = write_observations(platform, device, [item])
    assert result.stored == 1, result.to_dict()
platform.close()
"""


@pytest.fixture
def site(platform: Platform) -> Iterator[tuple[str, Platform, str]]:
    """The small demo and a dashboard served over HTTP; yields (url, platform, credential)."""
    from belfort.demo.loader import load_demo

    for _line in load_demo(platform, size="small"):
        pass
    with platform.db.session() as session:
        credential = register_sensor(session, SensorSpec(
            id="fiets-1", name="Fietstelpaal", kind="fietstelpaal", observed_property="count",
            dataset_id="telpunten-drukte-gent")).credential
        save_dashboard(session, "proef", SPEC)
    settings = platform.settings
    settings.dashboard_heartbeat_seconds = 1.0
    settings.dashboard_min_interval_seconds = 0.5
    settings.quota_per_address = settings.quota_per_key = 0
    with live_server(platform) as url:
        yield url, platform, credential


def write_elsewhere(platform: Platform, credential: str, *values: float) -> None:
    """Observations through the core write path in another OS process."""
    settings = platform.settings
    subprocess.run([sys.executable, "-c", WRITER, str(settings.data_dir), settings.database_url,
                    credential, *map(str, values)], check=True, timeout=60)


class Events:
    """An SSE client reading in a thread: every event (name, data, arrival) and comment."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.events: list[tuple[str, dict[str, Any], float]] = []
        self.comments: list[float] = []
        self.status = 0
        self._stop = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(30, read=5))
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(url, headers or {}), daemon=True)
        self._thread.start()
        assert self._ready.wait(30)

    def _read(self, url: str, headers: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                self.status = response.status_code
                self.content_type = response.headers.get("content-type", "")
                self._ready.set()
                name, data = "message", ""
                for line in response.iter_lines():
                    if self._stop.is_set():
                        return
                    if line.startswith(":"):
                        self.comments.append(time.monotonic())
                    elif line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:"):
                        data += line[5:].strip()
                    elif line == "" and data:
                        self.events.append((name, json.loads(data), time.monotonic()))
                        name, data = "message", ""
        except httpx.HTTPError:
            pass
        finally:
            self._ready.set()

    def wait_for(self, check: Any, timeout: float = 10) -> tuple[str, dict[str, Any], float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in list(self.events):
                if check(event):
                    return event
            time.sleep(0.05)
        raise AssertionError(f"no such event within {timeout} s: {self.events}")

    def close(self) -> None:
        self._stop.set()
        self._client.close()
        self._thread.join(timeout=10)


def test_the_first_event_has_every_tile_and_a_write_elsewhere_arrives(
        site: tuple[str, Platform, str]) -> None:
    url, platform, credential = site
    stream = Events(url + "/api/belfort/v1/dashboards/proef/events")
    try:
        assert stream.status == 200 and stream.content_type.startswith("text/event-stream")
        _, first, _ = stream.wait_for(lambda e: e[0] == "tiles")
        assert set(first["tiles"]) == {"fiets", "garages", "intern"}
        assert first["tiles"]["fiets"]["state"] == "empty"
        assert first["tiles"]["garages"]["state"] == "ok"
        assert first["tiles"]["intern"]["state"] == "empty"  # the public may not see it
        write_elsewhere(platform, credential, 17)
        stored = time.monotonic()  # the other process has committed it (it has ended)
        _, event, arrived = stream.wait_for(lambda e: e[1]["tiles"].get("fiets", {}).get("value")
                                            == 17, timeout=20)
        assert set(event["tiles"]) == {"fiets"}  # only what changed
        assert arrived - stored < 5
    finally:
        stream.close()


def test_staff_see_restricted_tiles_in_their_stream(site: tuple[str, Platform, str]) -> None:
    url, platform, _ = site
    with platform.db.session() as session:
        key = create_key(session, "staff").secret
    stream = Events(url + "/api/belfort/v1/dashboards/proef/events",
                    {"Authorization": f"Bearer {key}"})
    try:
        _, first, _ = stream.wait_for(lambda e: e[0] == "tiles")
        assert first["tiles"]["intern"]["state"] == "ok"
        assert len(first["tiles"]["intern"]["rows"]) == 3
    finally:
        stream.close()


def test_events_are_at_least_the_minimum_interval_apart(site: tuple[str, Platform, str]) -> None:
    url, platform, credential = site
    stream = Events(url + "/api/belfort/v1/dashboards/proef/events")
    try:
        stream.wait_for(lambda e: e[0] == "tiles")
        write_elsewhere(platform, credential, *range(1, 40))  # many writes, close together
        stream.wait_for(lambda e: e[1]["tiles"].get("fiets", {}).get("value") == 39)
        times = [t for name, _, t in stream.events if name == "tiles"]
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert gaps and min(gaps) >= 0.45, gaps  # BELFORT_DASHBOARD_MIN_INTERVAL_SECONDS=0.5
        assert len(times) < 39
    finally:
        stream.close()


def test_an_idle_stream_sends_heartbeats(site: tuple[str, Platform, str]) -> None:
    url, _, _ = site
    stream = Events(url + "/api/belfort/v1/dashboards/proef/events")
    try:
        deadline = time.monotonic() + 5
        while len(stream.comments) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(stream.comments) >= 2
    finally:
        stream.close()


def test_streams_are_bounded_and_a_closed_one_frees_its_place(
        site: tuple[str, Platform, str]) -> None:
    url, platform, _ = site
    platform.settings.dashboard_max_streams = 1
    from belfort.dashboards.live import stream_slots

    stream_slots(platform).limit = 1
    events = url + "/api/belfort/v1/dashboards/proef/events"
    first = Events(events)
    try:
        first.wait_for(lambda e: e[0] == "tiles")
        refused = httpx.get(events, timeout=10)
        assert refused.status_code == 503
        assert refused.json()["error"] == "too_many_streams"
        assert refused.headers["retry-after"] == "5"
    finally:
        first.close()
    deadline = time.monotonic() + 10
    while stream_slots(platform).open and time.monotonic() < deadline:
        time.sleep(0.1)
    assert stream_slots(platform).open == 0  # the server noticed the client went away
    again = Events(events)
    try:
        assert again.status == 200
    finally:
        again.close()


def test_a_deleted_dashboard_ends_its_streams(site: tuple[str, Platform, str]) -> None:
    url, platform, _ = site
    stream = Events(url + "/api/belfort/v1/dashboards/proef/events")
    try:
        stream.wait_for(lambda e: e[0] == "tiles")
        from belfort.dashboards.store import delete_dashboard

        with platform.db.session() as session:
            delete_dashboard(session, "proef")
        stream.wait_for(lambda e: e[0] == "gone")
    finally:
        stream.close()


def test_json_answers_and_bad_ids(site: tuple[str, Platform, str]) -> None:
    url, _, _ = site
    listing = httpx.get(url + "/api/belfort/v1/dashboards", timeout=30).json()
    assert {d["id"] for d in listing["dashboards"]} == {"gent", "proef"}
    one = httpx.get(url + "/api/belfort/v1/dashboards/proef", timeout=30).json()
    assert one["tiles"]["garages"]["state"] == "ok" and one["tiles"]["intern"]["rows"] == []
    for bad in ("nope", "x" * 61, "%3Cscript%3E", "a%00b"):
        for suffix in ("", "/events"):
            answer = httpx.get(url + f"/api/belfort/v1/dashboards/{bad}{suffix}", timeout=30)
            assert answer.status_code in (400, 404, 422), (bad, answer.status_code)
            assert answer.headers["content-type"].startswith("application/json")


def test_dashboard_routes_are_documented(tmp_path: Path) -> None:
    from belfort.app import create_app

    paths = create_app().openapi()["paths"]
    assert "/api/belfort/v1/dashboards/{dashboard_id}/events" in paths
