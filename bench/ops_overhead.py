"""What the request id and the figures of /metrics cost a request, side by side in one run.

Two apps on one platform: Belfort as served (with ``belfort.api.observability``), and the
same app without that middleware. Rounds alternate between them; each round times ``N``
requests to ``/health`` (the cheapest route, so the middleware's share is the largest it
can be) and to a cached v1 search. Also: how long one scrape of ``/metrics`` takes.

    .venv/bin/python bench/ops_overhead.py [--requests 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from belfort.api.observability import Observability
from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings

CSV = "telpunt;tijdstip;aantal\n" + "".join(
    f"Korenmarkt;2024-03-01 {h:02d}:00:00;{h * 10}\n" for h in range(24))
TOKEN = "bench-token-0123456789abcdef"


def without_observability(app: FastAPI) -> FastAPI:
    app.user_middleware = [m for m in app.user_middleware if m.cls is not Observability]
    return app


def per_request_us(client: TestClient, path: str, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        client.get(path)
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "t.csv"
        source.write_text(CSV)
        platform = Platform(Settings(data_dir=Path(tmp) / "data", metrics_token=TOKEN))
        ingest_file(platform, CLI_ADMIN, "tellingen", source, metadata={"title_nl": "T"})
        search = "/api/records/1.0/search/?dataset=tellingen&rows=10"
        with TestClient(create_app(platform)) as on, \
                TestClient(without_observability(create_app(platform))) as off:
            assert "x-request-id" in on.get("/health").headers
            assert "x-request-id" not in off.get("/health").headers
            times: dict[tuple[str, str], list[float]] = {}
            pair = (("with", on), ("without", off))
            for round_number in range(args.rounds):  # who goes first alternates too
                for name, client in pair if round_number % 2 == 0 else pair[::-1]:
                    for path in ("/health", search):
                        times.setdefault((name, path), []).append(
                            per_request_us(client, path, args.requests))
            scrapes = []
            for _ in range(50):
                started = time.perf_counter()
                on.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
                scrapes.append((time.perf_counter() - started) * 1e3)
        platform.close()
    for path in ("/health", search):
        with_us = statistics.median(times[("with", path)])
        without_us = statistics.median(times[("without", path)])
        print(f"{path[:40]:<42} with {with_us:7.0f} µs  without {without_us:7.0f} µs  "
              f"ratio {with_us / without_us:.3f}  (+{with_us - without_us:.0f} µs)")
    print(f"GET /metrics: median {statistics.median(scrapes):.1f} ms over 50 scrapes")


if __name__ == "__main__":
    main()
