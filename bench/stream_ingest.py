"""HTTP batch ingest of observations: ``belfort serve --workers 2``, clients posting native
JSON batches from many sensors over keep-alive connections, on SQLite and PostgreSQL.

    .venv/bin/python bench/stream_ingest.py                       # SQLite only
    .venv/bin/python bench/stream_ingest.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:55501/postgres

Each round posts ``--batches`` new batches of ``--batch-size`` observations (every one new:
distinct phenomenon times), split over ``--clients`` client threads, each with its own
keep-alive connection and its own sensors' credentials; the round's figure is observations
acknowledged (200, ``stored`` counted from the answers) per second of wall time from the
first request to the last answer. Medians of ``--rounds`` rounds, after one warm-up round.
Every answer must be 200 with the whole batch stored, and at the end the database must hold
exactly what was acknowledged — else the run fails.

Next to it, for the same batches, the write path in this process (parse + ``write_many``
in one thread, no HTTP), which shows how much of the time HTTP and the workers' sharing
of two cores take. For PostgreSQL a fresh database is created on the server named and
dropped at the end. Nothing is downloaded; data are generated from fixed seeds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, Server, bin_path, free_port, machine_info  # noqa: E402

from belfort.platform import Platform  # noqa: E402
from belfort.settings import Settings  # noqa: E402
from belfort.streams.model import from_us, now_us  # noqa: E402
from belfort.streams.native import batch_items, parse_batch  # noqa: E402
from belfort.streams.sensors import SensorSpec, devices, register_sensor  # noqa: E402
from belfort.streams.write import write_many  # noqa: E402

OUT = REPO / "bench" / "out"
PATH = "/api/belfort/v1/observations"


def _iso(us: int) -> str:
    return from_us(us).isoformat().replace("+00:00", "Z")


class Batches:
    """New batches on demand: sensor ``n % sensors``, times that never repeat."""

    def __init__(self, sensors: list[str], size: int) -> None:
        self.sensors = sensors
        self.size = size
        self.start = now_us() - 2 * 86_400_000_000
        self.next = 0

    def make(self, count: int) -> list[tuple[str, bytes]]:
        out = []
        for _ in range(count):
            n = self.next
            self.next += 1
            sensor = self.sensors[n % len(self.sensors)]
            first = self.start + (n // len(self.sensors)) * self.size * 1_000_000
            out.append((sensor, orjson.dumps([
                {"sensor_id": sensor, "phenomenon_time": _iso(first + i * 1_000_000),
                 "value": (n * 7 + i) % 500}
                for i in range(self.size)])))
        return out


def _register(settings: Settings, count: int) -> dict[str, str]:
    platform = Platform(settings)
    try:
        credentials = {}
        with platform.db.session() as session:
            for n in range(count):
                sensor = f"bench-{n:03d}"
                credentials[sensor] = register_sensor(
                    session, SensorSpec(sensor, f"Teller {n}", "passantenteller", "count")
                ).credential
        return credentials
    finally:
        platform.close()


def http_round(base: str, credentials: dict[str, str], batches: list[tuple[str, bytes]],
               clients: int) -> tuple[float, int]:
    """(seconds, observations acknowledged) for posting ``batches`` from ``clients`` threads."""
    shares: list[list[tuple[str, bytes]]] = [[] for _ in range(clients)]
    sensors = sorted(credentials)
    for sensor, body in batches:  # a sensor always posts from the same client
        shares[sensors.index(sensor) % clients].append((sensor, body))
    stored = [0] * clients
    failures: list[str] = []
    ready = threading.Barrier(clients + 1)

    def post(k: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            client.get("/health")  # the connection is open before the clock starts
            ready.wait()
            for sensor, body in shares[k]:
                answer = client.post(PATH, content=body, headers={
                    "Authorization": f"Bearer {credentials[sensor]}",
                    "Content-Type": "application/json"})
                if answer.status_code != 200:
                    failures.append(f"{answer.status_code} {answer.text[:200]}")
                    return
                stored[k] += answer.json()["stored"]

    threads = [threading.Thread(target=post, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join(timeout=600)
    elapsed = time.perf_counter() - t0
    if failures:
        raise RuntimeError(f"{len(failures)} batches not acknowledged, e.g. {failures[0]}")
    return elapsed, sum(stored)


def in_process_round(settings: Settings, credentials: dict[str, str],
                     batches: list[tuple[str, bytes]]) -> tuple[float, int]:
    platform = Platform(settings.model_copy(update={"stream_device_rate": 1e12}))
    try:
        directory = devices(platform)
        known = {s: directory.authenticate(c, s, "bench") for s, c in credentials.items()}
        t0 = time.perf_counter()
        stored = 0
        for sensor, body in batches:
            device = known[sensor]
            items = parse_batch(batch_items(orjson.loads(body), 100_000), device)
            stored += write_many(platform, [(device, items)])[0].stored
        return time.perf_counter() - t0, stored
    finally:
        platform.close()


def _count(settings: Settings) -> int:
    from sqlalchemy import func, select

    from belfort.catalog.models import Observation

    platform = Platform(settings)
    try:
        with platform.db.session() as session:
            return int(session.scalar(select(func.count()).select_from(Observation)) or 0)
    finally:
        platform.close()


def run_backend(name: str, database_url: str, work: Path, args: argparse.Namespace
                ) -> dict[str, Any]:
    data_dir = work / f"data-{name}"
    settings = Settings(data_dir=data_dir, database_url=database_url)
    credentials = _register(settings, args.sensors)
    maker = Batches(sorted(credentials), args.batch_size)
    port = free_port()
    cmd = [bin_path("belfort"), "serve", "--workers", str(args.workers), "--port", str(port),
           "--data-dir", str(data_dir), "--database-url", database_url]
    acknowledged = 0
    http: list[float] = []
    with Server(cmd, f"http://127.0.0.1:{port}/health", work / f"server-{name}.log",
                start_timeout=120):
        base = f"http://127.0.0.1:{port}"
        for round_number in range(args.rounds + 1):
            batches = maker.make(args.batches)
            seconds, stored = http_round(base, credentials, batches, args.clients)
            expected = args.batches * args.batch_size
            if stored != expected:
                raise RuntimeError(f"{name}: {stored} stored of {expected} sent")
            acknowledged += stored
            rate = stored / seconds
            label = "warm-up" if round_number == 0 else f"round {round_number}"
            print(f"  {name} HTTP {label}: {rate:,.0f} obs/s ({seconds:.2f} s)", flush=True)
            if round_number:
                http.append(rate)
    local: list[float] = []
    for round_number in range(args.rounds):
        batches = maker.make(max(1, args.batches // 4))
        seconds, stored = in_process_round(settings, credentials, batches)
        acknowledged += stored
        local.append(stored / seconds)
        print(f"  {name} in-process round {round_number + 1}: {local[-1]:,.0f} obs/s", flush=True)
    in_store = _count(settings)
    if in_store != acknowledged:
        raise RuntimeError(f"{name}: the store holds {in_store}, {acknowledged} acknowledged")
    return {"http_obs_per_s": http, "http_median": statistics.median(http),
            "in_process_obs_per_s": local, "in_process_median": statistics.median(local),
            "stored_total": in_store}


def _postgres_database(admin_url: str) -> tuple[str, str]:
    import psycopg

    name = f"belfort_bench_{uuid.uuid4().hex[:8]}"
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def _drop_database(admin_url: str, name: str) -> None:
    import psycopg

    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres-url", help="a PostgreSQL server to make a database on")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batches", type=int, default=120, help="batches per round")
    parser.add_argument("--batch-size", type=int, default=2500)
    parser.add_argument("--sensors", type=int, default=24)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="stream-", dir=OUT))
    results: dict[str, Any] = {"machine": machine_info(), "config": vars(args),
                               "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    try:
        with open("/proc/loadavg") as fh:
            results["loadavg_before"] = fh.read().split()[:3]
        if args.only in (None, "sqlite"):
            results["sqlite"] = run_backend("sqlite", f"sqlite:///{work / 'catalog.sqlite'}",
                                            work, args)
        if args.postgres_url and args.only in (None, "postgresql"):
            name, url = _postgres_database(args.postgres_url)
            try:
                results["postgresql"] = run_backend("postgresql", url, work, args)
            finally:
                _drop_database(args.postgres_url, name)
        with open("/proc/loadavg") as fh:
            results["loadavg_after"] = fh.read().split()[:3]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print("| store | HTTP batch ingest (median obs/s) | rounds | in-process write path "
          "(median obs/s) | HTTP / in-process |")
    print("|---|---:|---|---:|---:|")
    for name in ("sqlite", "postgresql"):
        if name in results:
            r = results[name]
            rounds = ", ".join(f"{x:,.0f}" for x in r["http_obs_per_s"])
            print(f"| {name} | **{r['http_median']:,.0f}** | {rounds} | "
                  f"{r['in_process_median']:,.0f} | "
                  f"{r['http_median'] / r['in_process_median']:.2f} |")
    print(f"\nload average before {results['loadavg_before']}, after "
          f"{results.get('loadavg_after')}")
    (OUT / "results-stream-ingest.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
