"""Counts-to-map latency of the City Dashboard's map of zones (``drukte-per-zone``).

One process: Belfort served by uvicorn in a thread on SQLite, ``--zones`` crowding zones, each
with a passages counter, and a dashboard with one map tile over ``drukte-per-zone``. An SSE
client (httpx, in a thread) reads ``/api/belfort/v1/dashboards/bench/events``. Every
``--every`` seconds a quarter-hour of counts is written (the core write path) for the next
zone, which has had none: the time from that write's commit to the first event in which that
zone has a score is its latency. Zones change only through the live dataset's file, which a
process looks up at most every ``BELFORT_LIVE_REFRESH_SECONDS``: runs once per ``--refresh``
value, side by side, and prints p50 / p90 / max.

    .venv/bin/python bench/zone_map_latency.py --zones 20 --every 1.5 --refresh 1,0.25
"""

from __future__ import annotations

import argparse
import json
import math
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from belfort.app import create_app
from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import ObservationIn, now_us
from belfort.streams.sensors import SensorSpec, devices, register_sensor
from belfort.streams.write import write_observations
from belfort.twin.datasets import ensure_crowding_datasets
from belfort.twin.zones import ZoneSpec, add_zone

SPEC = """
title: Bench
tiles:
  - id: zones
    type: map
    title: Zones
    dataset: drukte-per-zone
    geometry: geo_shape
    value: score
    label: zone
    bands: [{upto: 33, colour: green, label: rustig}, {upto: 67, colour: orange, label: druk},
            {colour: red, label: te druk}]
"""
MINUTE = 60_000_000


def square(index: int) -> dict[str, Any]:
    lon, lat, d = 3.70 + (index % 10) * 0.004, 51.04 + (index // 10) * 0.003, 0.0005
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def run(zones: int, every: float, refresh: float) -> list[float]:
    root = Path(tempfile.mkdtemp(prefix="zone-map-bench-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    platform = Platform(Settings(
        data_dir=root / "data", database_url=f"sqlite:///{root / 'c.db'}", host="127.0.0.1",
        port=port, live_refresh_seconds=refresh, quota_per_address=0, quota_per_key=0,
        dashboard_min_interval_seconds=0.25))
    credentials = {}
    with platform.db.session() as session:
        for i in range(zones):
            add_zone(session, platform.settings, ZoneSpec(f"z{i:03d}", f"Zone {i}", square(i),
                                                          area_m2=1000.0))
    ensure_crowding_datasets(platform)
    with platform.db.session() as session:
        for i in range(zones):
            credentials[i] = register_sensor(session, SensorSpec(
                f"s{i:03d}", f"s{i:03d}", "passantenteller", "count", zone_id=f"z{i:03d}",
                counting="passages", min_value=0, max_value=1e6)).credential
        save_dashboard(session, "bench", SPEC)
    server = uvicorn.Server(uvicorn.Config(create_app(platform), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    arrivals: dict[str, float] = {}
    stop = threading.Event()

    def read() -> None:
        url = f"http://127.0.0.1:{port}/api/belfort/v1/dashboards/bench/events"
        with httpx.Client(timeout=httpx.Timeout(30, read=60)) as client, \
                client.stream("GET", url) as response:
            data = ""
            for line in response.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("data:"):
                    data += line[5:].strip()
                elif line == "" and data:
                    tile = json.loads(data)["tiles"].get("zones") or {}
                    for shape in tile.get("shapes") or []:
                        if shape["value"] is not None:
                            arrivals.setdefault(shape["name"], time.monotonic())
                    data = ""

    threading.Thread(target=read, daemon=True).start()
    time.sleep(1.5)
    latencies = []
    try:
        for i in range(zones):
            device = devices(platform).authenticate(credentials[i], f"s{i:03d}", "bench")
            now = now_us()
            items = [ObservationIn(f"s{i:03d}", "count", now - k * MINUTE, 150.0)
                     for k in range(15)]
            assert write_observations(platform, device, items).stored == 15
            written = time.monotonic()
            deadline = written + 10
            while f"z{i:03d}" not in arrivals and time.monotonic() < deadline:
                time.sleep(0.005)
            latencies.append(arrivals.get(f"z{i:03d}", math.inf) - written)
            time.sleep(max(0.0, written + every - time.monotonic()))
    finally:
        stop.set()
        server.should_exit = True
        platform.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=20)
    parser.add_argument("--every", type=float, default=1.5)
    parser.add_argument("--refresh", default="1,0.25")
    args = parser.parse_args()
    print(f"{'BELFORT_LIVE_REFRESH_SECONDS':>30} {'n':>4} {'p50 s':>7} {'p90 s':>7} "
          f"{'max s':>7}")
    for refresh in (float(r) for r in args.refresh.split(",")):
        found = sorted(run(args.zones, args.every, refresh))
        p90 = found[min(len(found) - 1, math.ceil(0.9 * len(found)) - 1)]
        print(f"{refresh:>30g} {len(found):>4} {statistics.median(found):>7.2f} {p90:>7.2f} "
              f"{found[-1]:>7.2f}")


if __name__ == "__main__":
    main()
