"""Sensor-to-screen latency of the City Dashboard, end to end.

A real ``belfort serve`` process serves a dashboard with one live tile (the newest value of
one sensor). A client process sends observations one at a time at ``--rate`` a second, each
carrying its sequence number as its value, and notes when it sent each one: by default as a
device does, ``POST /api/belfort/v1/observations`` with its credential (``--via http``), or
through the core write path (``write_observations``) from another process on the same
database (``--via core``). Meanwhile a second writer ingests ``--background`` observations a
second of another sensor in batches (the platform busy ingesting), and this process reads the
dashboard's
Server-Sent Events (``/api/belfort/v1/dashboards/bench/events``) and notes when each event
arrives. An observation's latency is the time from its send to the first event whose value is
its number or later (the screen shows it or something newer).

Runs once per ``--intervals`` value (``BELFORT_DASHBOARD_MIN_INTERVAL_SECONDS``), side by side,
and prints p50 / p99 / max per run.

    .venv/bin/python bench/live_latency.py --count 1500 --rate 100 --background 2000 \\
        --intervals 1,0.5,0.25 [--via core]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

WRITER = r"""
import json, sys, time
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import ObservationIn, now_us
from belfort.streams.sensors import devices
from belfort.streams.write import write_observations
data_dir, url, credential, sensor, count, rate, batch = sys.argv[1:8]
count, rate, batch = int(count), float(rate), int(batch)
platform = Platform(Settings(data_dir=data_dir, database_url=url, stream_device_rate=1e9))
device = devices(platform).authenticate(credential, sensor, "bench")
start = time.monotonic()
base = now_us() - 3_600_000_000
sent = []
for i in range(1, count + 1):
    wait = start + (i - 1) * batch / rate - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    items = [ObservationIn(sensor, "count", base + (i * batch + k) * 1000, float(i))
             for k in range(batch)]
    at = time.time()
    result = write_observations(platform, device, items)
    assert result.stored == batch, result.to_dict()
    sent.append(at)
    if sys.argv[8:] and time.monotonic() - start > float(sys.argv[8]):
        break
print(json.dumps(sent))
platform.close()
"""


HTTP_WRITER = r"""
import json, sys, time
import httpx
base, credential, count, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
start = time.monotonic()
first = time.time() - 3600
sent = []
with httpx.Client(base_url=base, timeout=30,
                  headers={"Authorization": "Bearer " + credential}) as client:
    for i in range(1, count + 1):
        wait = start + (i - 1) / rate - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        at = time.time()
        answer = client.post("/api/belfort/v1/observations",
                             json=[{"phenomenon_time": first + i / 1000, "value": i}])
        assert answer.status_code == 200 and answer.json()["stored"] == 1, answer.text
        sent.append(at)
print(json.dumps(sent))
"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def setup(root: Path) -> tuple[str, str, str, str]:
    from belfort.dashboards.store import save_dashboard
    from belfort.platform import Platform
    from belfort.settings import Settings
    from belfort.streams.sensors import SensorSpec, register_sensor

    url = f"sqlite:///{root / 'catalog.sqlite'}"
    platform = Platform(Settings(data_dir=root / "data", database_url=url))
    with platform.db.session() as session:
        measured = register_sensor(session, SensorSpec(
            id="bench-1", name="Bench", kind="fietstelpaal", observed_property="count")).credential
        busy = register_sensor(session, SensorSpec(
            id="bench-busy", name="Busy", kind="fietstelpaal",
            observed_property="count")).credential
        save_dashboard(session, "bench", "title: Bench\ntiles:\n"
                       "  - {id: now, type: kpi, title: Now, stream: bench-1}\n")
    platform.close()
    return str(root / "data"), url, measured, busy


def run(interval: float, args: argparse.Namespace) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="belfort-latency-"))
    data_dir, url, measured, busy = setup(root)
    port = 18000 + int(interval * 100) % 1000
    env = {**os.environ, "BELFORT_DASHBOARD_MIN_INTERVAL_SECONDS": str(interval),
           "BELFORT_STREAM_DEVICE_RATE": "1e9", "BELFORT_QUOTA_PER_ADDRESS": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "belfort.cli", "serve", "--port", str(port), "--data-dir",
         data_dir, "--database-url", url], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    arrivals: list[tuple[float, float]] = []  # (arrival, newest value shown)
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        token = -1.0

        def listen() -> None:
            nonlocal token
            with httpx.stream("GET", base + "/api/belfort/v1/dashboards/bench/events",
                              timeout=httpx.Timeout(60, read=60)) as response:
                for line in response.iter_lines():
                    if stop.is_set():
                        return
                    if line.startswith("data:"):
                        tile = json.loads(line[5:])["tiles"].get("now")
                        if tile and tile.get("value") is not None:
                            arrivals.append((time.time(), tile["value"]))

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        time.sleep(1.0)
        seconds = args.count / args.rate
        background = None
        if args.background:
            batch = 100
            background = subprocess.Popen(
                [sys.executable, "-c", WRITER, data_dir, url, busy, "bench-busy",
                 str(10**9), str(args.background), str(batch), str(seconds + 2)],
                stdout=subprocess.DEVNULL)
        if args.via == "http":  # a device posting to the server: POST /api/belfort/v1/observations
            command = [sys.executable, "-c", HTTP_WRITER, base, measured, str(args.count),
                       str(args.rate)]
        else:  # the core write path from another process on the same database
            command = [sys.executable, "-c", WRITER, data_dir, url, measured, "bench-1",
                       str(args.count), str(args.rate), "1"]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        sent = json.loads(done.stdout)
        time.sleep(max(3.0, interval * 3))
        if background is not None:
            background.wait(timeout=60)
        stop.set()
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies = []
    for number, at in enumerate(sent, start=1):
        shown = next((t for t, value in arrivals if value >= number and t >= at), None)
        if shown is not None:
            latencies.append(shown - at)
    missing = len(sent) - len(latencies)
    return {"observations": len(sent), "events": len(arrivals), "missing": missing,
            "p50": statistics.median(latencies), "p99": percentile(latencies, 99),
            "max": max(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1500)
    parser.add_argument("--rate", type=float, default=100.0, help="measured observations/s")
    parser.add_argument("--background", type=float, default=2000.0,
                        help="other observations/s ingested meanwhile (0: none)")
    parser.add_argument("--via", choices=("http", "core"), default="http",
                        help="how the measured observations are sent")
    parser.add_argument("--intervals", default="1,0.25",
                        help="BELFORT_DASHBOARD_MIN_INTERVAL_SECONDS values, side by side")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{args.count} observations at {args.rate:g}/s via {args.via}, "
          f"background {args.background:g}/s")
    print("| min interval | observations | events | p50 | p99 | max | not shown |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for interval in (float(x) for x in args.intervals.split(",")):
        r = run(interval, args)
        print(f"| {interval:g} s | {r['observations']:,.0f} | {r['events']:,.0f} | "
              f"{r['p50'] * 1000:.0f} ms | {r['p99'] * 1000:.0f} ms | {r['max'] * 1000:.0f} ms | "
              f"{r['missing']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
