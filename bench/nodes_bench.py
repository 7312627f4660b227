"""What sharing state through PostgreSQL costs a node (issue 16, item 1): the catalogue
generation read from the database instead of a file, and quotas counted in the database
instead of in the process — per call, and per request of a cached v1 search.

Starts a throw-away PostgreSQL cluster (scripts/postgres-throwaway) unless
BELFORT_BENCH_POSTGRES_URL names one.

    .venv/bin/python bench/nodes_bench.py [--calls 5000] [--requests 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from belfort.api.quotas import DatabaseWindowCounter, FixedWindowCounter
from belfort.app import create_app
from belfort.cache import DatabaseGeneration, Generation
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
CSV = "telpunt;tijdstip;aantal\n" + "".join(
    f"Korenmarkt;2024-03-01 {h:02d}:00:00;{h * 10}\n" for h in range(24))
SEARCH = "/api/records/1.0/search/?dataset=tellingen&rows=5"


@contextmanager
def postgres() -> Iterator[str]:
    given = os.environ.get("BELFORT_BENCH_POSTGRES_URL")
    if given:
        yield given
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = str(ROOT / "scripts" / "postgres-throwaway")
    directory = subprocess.run([script, "start", str(port)], capture_output=True, text=True,
                               check=True).stdout.strip()
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([script, "stop", directory], check=False)


upserts = {"n": 0}
_hit = DatabaseWindowCounter.hit


def _counted_hit(self: DatabaseWindowCounter, caller: str, limit: int = 0) -> tuple[int, float]:
    upserts["n"] += 1
    return _hit(self, caller, limit)


def per_call_us(call: Callable[[], object], n: int, rounds: int) -> float:
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(n):
            call()
        timings.append((time.perf_counter() - started) / n * 1e6)
    return statistics.median(timings)


def per_request_us(client: TestClient, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        assert client.get(SEARCH).status_code == 200
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with postgres() as url, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", database_url=url)
        platform = Platform(settings)
        try:
            file_generation = Generation(Path(tmp))
            file_generation.bump()
            engine = platform.db.engine
            n, r = args.calls, args.rounds
            rows = {
                "generation: file (os.stat), today's": per_call_us(file_generation.current, n, r),
                "generation: database, read every call (max age 0)": per_call_us(
                    DatabaseGeneration(engine, 0).current, n, r),
                "generation: database, max age 1 s (default)": per_call_us(
                    DatabaseGeneration(engine, 1.0).current, n, r),
                "generation bump: file": per_call_us(file_generation.bump, n // 10, r),
                "generation bump: database": per_call_us(
                    DatabaseGeneration(engine, 1.0).bump, n // 10, r),
                "quota hit: in process": per_call_us(
                    lambda: FixedWindowCounter(86400).hit("addr:192.0.2.1"), n, r),
                "quota hit: database upsert": per_call_us(
                    lambda: DatabaseWindowCounter(engine, 86400).hit("addr:192.0.2.1"), n, r),
            }
            for name, us in rows.items():
                print(f"| {name} | {us:,.1f} µs |")
            ingest_file(platform, CLI_ADMIN, "tellingen", _csv(Path(tmp)),
                        metadata={"title_nl": "T"})
            with_quota, without_quota = [], []
            counting = Settings(data_dir=settings.data_dir, database_url=url,
                                quota_per_address=10**9)  # batched: one upsert per 20 calls
            counted = Platform(counting)
            try:
                with TestClient(create_app(counted)) as a, \
                        TestClient(create_app(platform)) as b:
                    per_request_us(a, 50), per_request_us(b, 50)  # warm
                    upserts["n"] = 0
                    DatabaseWindowCounter.hit = _counted_hit  # type: ignore[method-assign]
                    for round_ in range(args.rounds):  # take turns going first
                        pair = [(a, with_quota), (b, without_quota)]
                        for client, out in (pair if round_ % 2 == 0 else pair[::-1]):
                            out.append(per_request_us(client, args.requests))
            finally:
                counted.close()
            w, wo = statistics.median(with_quota), statistics.median(without_quota)
            requests = args.rounds * args.requests
            print(f"| database upserts per request (one caller, limit 10^9) | "
                  f"{upserts['n'] / requests:.3f} |")
            print(f"| cached v1 search, quota counted in PostgreSQL | {w:,.0f} µs |")
            print(f"| cached v1 search, no quota | {wo:,.0f} µs |")
            print(f"| ratio | {w / wo:.3f} |")
        finally:
            platform.close()


def _csv(directory: Path) -> Path:
    path = directory / "tellingen.csv"
    path.write_text(CSV)
    return path


if __name__ == "__main__":
    main()
