"""SPARQL over a live dataset: what one refresh of its records graph costs, and how the
endpoint answers while one runs.

    .venv/bin/python bench/sparql_live_bench.py [--rows 10000] [--runs 5]

In one run, on one SQLite catalogue in a temporary directory under bench/out/ (deleted at
the end): ``--rows`` observations of 20 sensors in the live dataset ``sensorwaarnemingen``
(its records graph with the default mapping, and the three rollup datasets'), the SPARQL
store built; then ``--runs`` times: 20 new observations posted, and the refresh timed
(``CatalogueStore.refresh_live(force=True)``: snapshot lookup, rows → triples, swap into the store)
while another thread asks a small catalogue query (``/sparql``, the answer cache bypassed
by a unique comment) every 20 ms. Side by side: that query's latency with no refresh
running. Medians. Nothing is downloaded; values come from a fixed seed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from belfort.app import create_app  # noqa: E402
from belfort.linked.store import linked_data  # noqa: E402
from belfort.platform import Platform  # noqa: E402
from belfort.settings import Settings  # noqa: E402
from belfort.streams.live_catalog import sync  # noqa: E402
from belfort.streams.model import ObservationIn, now_us  # noqa: E402
from belfort.streams.sensors import SensorSpec, devices, register_sensor  # noqa: E402
from belfort.streams.write import write_many  # noqa: E402

SENSORS = 20
QUERY = ("SELECT (COUNT(?d) AS ?n) WHERE {{ ?d a <http://www.w3.org/ns/dcat#Dataset> }} "
         "# {tag}")


def _observations(platform: Platform, credentials: dict[str, str], rows: int, seed: int,
                  start: int) -> None:
    rng = random.Random(seed)
    groups = []
    per = max(1, rows // SENSORS)
    for sensor, credential in credentials.items():
        device = devices(platform).authenticate(credential, sensor, "http")
        groups.append((device, [ObservationIn(sensor, "count", start + i * 1_000_000,
                                              float(rng.randint(0, 500))) for i in range(per)]))
    for result in write_many(platform, groups):
        assert result.stored == per, result


def _query_latencies(client: TestClient, stop: threading.Event, out: list[float]) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        began = time.perf_counter()
        answer = client.get("/sparql", params={"query": QUERY.format(tag=f"{id(out)}-{n}")})
        out.append(time.perf_counter() - began)
        assert answer.status_code == 200, answer.text
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix="sparql-live-", dir=ROOT / "bench" / "out"))
    try:
        settings = Settings(data_dir=directory / "data",
                            database_url=f"sqlite:///{directory}/belfort.db",
                            live_refresh_seconds=0, sparql_live_refresh_seconds=3600,
                            stream_device_rate=1e9, sparql_rows_per_dataset=max(args.rows, 10_000))
        platform = Platform(settings)
        credentials = {}
        with platform.db.session() as session:
            for i in range(SENSORS):
                spec = SensorSpec(f"teller-{i:02d}", f"Teller {i}", "passantenteller", "count",
                                  unit="personen", longitude=3.72, latitude=51.05)
                credentials[spec.id] = register_sensor(session, spec).credential
        start = now_us() - 3 * 3600 * 1_000_000
        _observations(platform, credentials, args.rows, 1, start)
        sync(platform, force=True)
        with TestClient(create_app(platform)) as client:
            began = time.perf_counter()
            assert client.get("/sparql", params={"query": QUERY.format(tag="first")}
                              ).status_code == 200
            build = time.perf_counter() - began
            store = linked_data(platform).store()
            idle: list[float] = []
            stop = threading.Event()
            worker = threading.Thread(target=_query_latencies, args=(client, stop, idle))
            worker.start()
            time.sleep(3)
            stop.set()
            worker.join()
            refreshes, during = [], []
            for run in range(args.runs):
                _observations(platform, credentials, SENSORS, 100 + run,
                              now_us() - 60_000_000)
                busy: list[float] = []
                stop = threading.Event()
                worker = threading.Thread(target=_query_latencies, args=(client, stop, busy))
                worker.start()
                time.sleep(0.2)
                began = time.perf_counter()
                rebuilt = store.refresh_live(force=True)
                refreshes.append(time.perf_counter() - began)
                stop.set()
                worker.join()
                during.extend(busy)
                assert rebuilt >= 1, rebuilt
            triples = len(store)
        print(f"rows {args.rows}, store {triples} triples, first build {build:.2f} s")
        print(f"one refresh (the observations' graph and the three rollups'): median "
              f"{statistics.median(refreshes):.2f} s, runs {[round(r, 2) for r in refreshes]}")
        print(f"catalogue query p50 idle {statistics.median(idle) * 1000:.1f} ms "
              f"(max {max(idle) * 1000:.0f}), during a refresh "
              f"{statistics.median(during) * 1000:.1f} ms (max {max(during) * 1000:.0f}), "
              f"ratio {statistics.median(during) / statistics.median(idle):.2f}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
