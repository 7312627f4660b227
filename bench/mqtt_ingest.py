"""MQTT ingest: messages per second from paho-mqtt publishers, through mosquitto, into the
store by ``belfort mqtt-bridge`` (issue 13, item 9: target ≥ 10,000 messages/s on 2 cores).

Per backend (SQLite; PostgreSQL when ``--postgres-url`` is given) and per run, a fresh
catalogue with ``--devices`` sensors and a fresh broker (``scripts/mosquitto``):

- **live**: the bridge runs and is subscribed; a publisher process (``--publishers`` of them)
  publishes ``--messages`` QoS 1 FIWARE ``/json/<apikey>/<device>/attrs`` messages, one
  attribute and a ``TimeInstant`` each, up to 1,000 in flight; timed from the first publish
  until the last observation is stored (the database is polled every 20 ms);
- **drain**: the same messages published while the bridge is stopped (its persistent session
  keeps them), then the bridge started: timed from its first stored observation to the last —
  the bridge alone, without publishers competing for the two cores.

Everything (publishers, broker, bridge, database) runs on this machine; the median of
``--runs`` runs is printed with the publishers' own rate (how fast the broker acknowledged
them). Run: ``.venv/bin/python bench/mqtt_ingest.py [--postgres-url URL]``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from belfort.catalog.models import Observation  # noqa: E402
from belfort.platform import Platform  # noqa: E402
from belfort.settings import Settings  # noqa: E402
from belfort.streams.model import from_us, now_us  # noqa: E402
from belfort.streams.sensors import SensorSpec, register_sensor  # noqa: E402

BELFORT = Path(sys.executable).with_name("belfort")


def publish(port: int, keys: dict[str, str], first: int, count: int, start_us: int) -> float:
    """Publish ``count`` messages; seconds until the broker acknowledged them all."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"publisher-{first}")
    client.max_inflight_messages_set(1000)
    client.connect("127.0.0.1", port)
    client.loop_start()
    devices = sorted(keys)
    began = time.perf_counter()
    pending = []
    for i in range(first, first + count):
        device = devices[i % len(devices)]
        stamp = from_us(start_us + i * 1_000).isoformat()
        pending.append(client.publish(f"/json/{keys[device]}/{device}/attrs",
                                      json.dumps({"count": i % 1000, "TimeInstant": stamp}),
                                      qos=1))
    for info in pending:
        info.wait_for_publish(300)
    elapsed = time.perf_counter() - began
    client.disconnect()
    client.loop_stop()
    if not all(info.is_published() for info in pending):
        raise SystemExit("the broker did not acknowledge every message")
    return elapsed


def _publishers(port: int, keys_file: Path, total: int, parts: int, start_us: int
                ) -> list[subprocess.Popen[str]]:
    share = total // parts
    return [subprocess.Popen([sys.executable, __file__, "--publish", str(port), str(keys_file),
                              str(p * share), str(share), str(start_us)],
                             stdout=subprocess.PIPE, text=True) for p in range(parts)]


def _bridge(settings: Settings, port: int, log: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [str(BELFORT), "mqtt-bridge", "--data-dir", str(settings.data_dir), "--database-url",
         settings.effective_database_url, "--url", f"mqtt://127.0.0.1:{port}",
         "--client-id", "bench", "--stats-seconds", "0"],
        stdout=subprocess.DEVNULL, stderr=open(log, "ab"), start_new_session=True)  # noqa: SIM115
    deadline = time.monotonic() + 60
    while "subscribed" not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the bridge did not start:\n" + log.read_text(errors="replace"))
        time.sleep(0.05)
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _count(platform: Platform) -> int:
    with platform.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Observation)) or 0)


def _wait_for(platform: Platform, total: int, timeout: float = 600) -> tuple[float, float]:
    """(when the first observation was seen, when all were) in perf_counter seconds."""
    first = None
    deadline = time.perf_counter() + timeout
    while True:
        stored = _count(platform)
        now = time.perf_counter()
        if stored and first is None:
            first = now
        if stored >= total:
            return (first or now), now
        if now > deadline:
            raise SystemExit(f"only {stored} of {total} stored in {timeout} s")
        time.sleep(0.02)


def one_run(database: str, postgres_url: str | None, args: argparse.Namespace,
            mode: str) -> tuple[float, float]:
    """(stored messages/s, publishers' messages/s) of one run."""
    work = Path(tempfile.mkdtemp(prefix="belfort-mqtt-bench-"))
    schema = None
    if database == "postgres":
        assert postgres_url
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{postgres_url}?options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{work / 'catalog.sqlite'}"
    settings = Settings(data_dir=work / "data", database_url=url)
    platform = Platform(settings)
    broker_dir = subprocess.run([str(ROOT / "scripts" / "mosquitto"), "start",
                                 str(args.port)], capture_output=True, text=True,
                                check=True).stdout.strip()
    bridge = None
    try:
        with platform.db.session() as session:
            keys = {f"bench-{d:03d}": register_sensor(session, SensorSpec(
                f"bench-{d:03d}", "bench", "bench", "count")).credential
                for d in range(args.devices)}
        keys_file = work / "keys.json"
        keys_file.write_text(json.dumps(keys))
        start_us = now_us() - 86_400_000_000
        log = work / "bridge.log"
        bridge = _bridge(settings, args.port, log)
        if mode == "drain":
            _stop(bridge)
        began = time.perf_counter()
        publishers = _publishers(args.port, keys_file, args.messages, args.publishers, start_us)
        published = [float(p.communicate(timeout=600)[0].strip()) for p in publishers]
        if mode == "drain":
            bridge = _bridge(settings, args.port, log)
            first, done = _wait_for(platform, args.messages)
            rate = args.messages / (done - first)
        else:
            _, done = _wait_for(platform, args.messages)
            rate = args.messages / (done - began)
        return rate, args.messages / max(published)
    finally:
        if bridge is not None:
            _stop(bridge)
        subprocess.run([str(ROOT / "scripts" / "mosquitto"), "stop", broker_dir], check=False)
        platform.close()
        if schema is not None and postgres_url:
            with create_engine(postgres_url, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        subprocess.run(["rm", "-rf", str(work)], check=False)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--publish":
        port, keys_file, first, count, start = sys.argv[2:7]
        keys = json.loads(Path(keys_file).read_text())
        print(publish(int(port), keys, int(first), int(count), int(start)))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--publishers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=18_883)
    parser.add_argument("--postgres-url", default=os.environ.get("BELFORT_TEST_POSTGRES_URL"))
    parser.add_argument("--modes", default="live,drain")
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgres"] if args.postgres_url else [])
    print(f"{args.messages:,} messages, {args.devices} devices, {args.publishers} publisher "
          f"process(es), median of {args.runs}; load before: {os.getloadavg()[0]:.2f}")
    print("| backend | mode | stored msg/s (median) | runs | publishers' msg/s |")
    print("|---|---|---:|---|---:|")
    for mode in args.modes.split(","):
        for backend in backends:
            runs = [one_run(backend, args.postgres_url, args, mode) for _ in range(args.runs)]
            rates = [r for r, _ in runs]
            print(f"| {backend} | {mode} | {statistics.median(rates):,.0f} | "
                  f"{', '.join(f'{r:,.0f}' for r in rates)} | "
                  f"{statistics.median(p for _, p in runs):,.0f} |", flush=True)
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
