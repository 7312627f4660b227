"""The SensorThings API (``/sta/v1.1/``) over loopback HTTP against ``belfort serve``
(one worker, SQLite), side by side in one run:

- Observations created one per request as ``frost-sta-client`` sends them
  (``service.create(observation)``: one POST, one durable commit each), by 1 and by 4
  devices in parallel (each its own Datastream and credential);
- the same through ``requests.Session`` (keep-alive), to show the client's own cost;
- ``CreateObservations`` (the client's ``DataArrayDocument``), 500 Observations a request;
- reading back: ``Datastreams(n)/Observations`` with ``$filter``+``$orderby``+``$top=100``
  and ``$expand=Datastream``, timed per request (median, p95).

Anchor: FROST-Server's maintainers quote ~5,000 inserts/s on SSDs (contracts.md §9).

    .venv/bin/python bench/sta_bench.py [--observations 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, Server, bin_path, free_port, machine_info, percentile  # noqa: E402

UTC = dt.timezone.utc


def _admin_key(data_dir: Path) -> str:
    from belfort.platform import Platform
    from belfort.policy.keys import create_key
    from belfort.settings import Settings

    platform = Platform(Settings(data_dir=data_dir))
    try:
        with platform.db.session() as session:
            return create_key(session, "bench").secret
    finally:
        platform.close()


def _datastreams(base: str, key: str, count: int) -> list[tuple[int, str, str]]:
    """``count`` Datastreams (a Thing each): (datastream id, sensor id, credential)."""
    out = []
    for i in range(count):
        body = {"name": f"teller {i}", "Locations": [
            {"name": "plein", "location": {"type": "Point", "coordinates": [3.72, 51.05]}}],
            "Datastreams": [{"name": f"passanten {i}", "unitOfMeasurement": {"name": "count"},
                             "Sensor": {"name": "ir", "encodingType": "text/plain"},
                             "ObservedProperty": {"name": "pedestrians"}}]}
        answer = requests.post(f"{base}/sta/v1.1/Things", json=body, auth=("bench", key),
                               timeout=30)
        answer.raise_for_status()
        sensor, credential = next(iter(answer.json()["belfort:credentials"].items()))
        listing = requests.get(answer.headers["location"] + "/Datastreams",
                               auth=("bench", key), timeout=30).json()
        out.append((listing["value"][0]["@iot.id"], sensor, credential))
    return out


def _times(n: int, offset: int) -> list[str]:
    start = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(days=1)
    return [(start + dt.timedelta(seconds=offset + i)).isoformat() for i in range(n)]


def _with_client(base: str, stream: tuple[int, str, str], n: int, offset: int) -> None:
    import frost_sta_client as fsc
    from frost_sta_client.service.auth_handler import AuthHandler

    ident, sensor, credential = stream
    service = fsc.SensorThingsService(f"{base}/sta/v1.1",
                                      auth_handler=AuthHandler(sensor, credential))
    for i, moment in enumerate(_times(n, offset)):
        service.create(fsc.Observation(result=i, phenomenon_time=moment,
                                       datastream=fsc.Datastream(id=ident)))


def _with_session(base: str, stream: tuple[int, str, str], n: int, offset: int) -> None:
    ident, sensor, credential = stream
    with requests.Session() as session:
        session.auth = (sensor, credential)
        url = f"{base}/sta/v1.1/Datastreams({ident})/Observations"
        for i, moment in enumerate(_times(n, offset)):
            session.post(url, json={"result": i, "phenomenonTime": moment},
                         timeout=30).raise_for_status()


def _with_data_array(base: str, stream: tuple[int, str, str], n: int, offset: int) -> None:
    import frost_sta_client as fsc
    from frost_sta_client.model.ext.data_array_document import DataArrayDocument
    from frost_sta_client.model.ext.data_array_value import DataArrayValue
    from frost_sta_client.service.auth_handler import AuthHandler

    ident, sensor, credential = stream
    service = fsc.SensorThingsService(f"{base}/sta/v1.1",
                                      auth_handler=AuthHandler(sensor, credential))
    moments = _times(n, offset)
    for start in range(0, n, 500):
        value = DataArrayValue()
        value.datastream = fsc.Datastream(id=ident)
        value.components = {DataArrayValue.Property.PHENOMENON_TIME,
                            DataArrayValue.Property.RESULT}
        for i, moment in enumerate(moments[start:start + 500]):
            value.add_observation(fsc.Observation(phenomenon_time=moment, result=start + i,
                                                  datastream=fsc.Datastream(id=ident)))
        document = DataArrayDocument()
        document.value = [value]
        links = service.observations().create(document)
        assert not any(o.self_link.startswith("error") for o in links)


def _parallel(fn: Any, base: str, streams: list[tuple[int, str, str]], n: int,
              offset: int) -> float:
    threads = [threading.Thread(target=fn, args=(base, s, n, offset)) for s in streams]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def _reads(base: str, key: str, ident: int, runs: int) -> dict[str, float]:
    url = (f"{base}/sta/v1.1/Datastreams({ident})/Observations?$filter=result ge 10 and "
           "result lt 100000&$orderby=phenomenonTime desc&$top=100&$expand=Datastream")
    samples = []
    with requests.Session() as session:
        session.auth = ("bench", key)
        for _ in range(runs):
            started = time.perf_counter()
            answer = session.get(url, timeout=30)
            answer.raise_for_status()
            samples.append(time.perf_counter() - started)
            assert len(answer.json()["value"]) == 100
    return {"median_ms": round(statistics.median(samples) * 1000, 2),
            "p95_ms": round(percentile(samples, 95) * 1000, 2), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, default=2000,
                        help="observations per contender (split over the devices)")
    args = parser.parse_args()
    n = args.observations
    results: dict[str, Any] = {"machine": machine_info(), "observations": n}
    with tempfile.TemporaryDirectory(dir=REPO / "bench") as work:
        data_dir = Path(work) / "data"
        key = _admin_key(data_dir)
        port = free_port()
        cmd = [bin_path("belfort"), "serve", "--data-dir", str(data_dir), "--port", str(port)]
        env = {"BELFORT_STREAM_DEVICE_RATE": "1000000"}  # measure the path, not the limit
        with Server(cmd, f"http://127.0.0.1:{port}/health", Path(work) / "serve.log", env=env):
            base = f"http://127.0.0.1:{port}"
            streams = _datastreams(base, key, 11)
            rows = []
            for label, fn, devices, offset in (
                    ("frost-sta-client, 1 device", _with_client, streams[:1], 0),
                    ("requests.Session, 1 device", _with_session, streams[1:2], 0),
                    ("frost-sta-client, 4 devices", _with_client, streams[2:6], 0),
                    ("requests.Session, 4 devices", _with_session, streams[6:10], 0),
                    ("frost-sta-client CreateObservations (500 a request), 1 device",
                     _with_data_array, streams[10:11], 0)):
                seconds = _parallel(fn, base, devices, n // len(devices), offset)
                rows.append({"contender": label, "seconds": round(seconds, 2),
                             "observations_per_s": round(n / seconds)})
            results["ingest"] = rows
            results["read"] = _reads(base, key, streams[0][0], 200)
    print("| contender | observations | seconds | observations/s |")
    print("|---|---:|---:|---:|")
    for row in results["ingest"]:
        print(f"| {row['contender']} | {n:,} | {row['seconds']} | "
              f"{row['observations_per_s']:,} |")
    read = results["read"]
    print(f"\nread 100 of a Datastream's Observations ($filter, $orderby, $expand): "
          f"median {read['median_ms']} ms, p95 {read['p95_ms']} ms over {read['runs']} runs")
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "results-sta.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
