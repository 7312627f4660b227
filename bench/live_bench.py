"""Live datasets: what a read costs when nothing changed, and how long a snapshot takes to
build for N observations — hot in the database, and compacted into the lake.

    .venv/bin/python bench/live_bench.py [--rows 1000000] [--runs 5]

Side by side in one run, on one SQLite catalogue in a temporary directory under bench/out/
(deleted at the end): ``readable()`` of a live dataset whose rows did not change against
``readable()`` of an ordinary (file) dataset; a snapshot rebuild with all rows in the hot
store; a compaction of all of them; a snapshot rebuild with all rows compacted (and one
new row hot). Medians of ``--runs`` runs. Nothing is downloaded; data come from a fixed seed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from belfort.platform import Platform  # noqa: E402
from belfort.policy.principals import ANONYMOUS  # noqa: E402
from belfort.policy.reading import readable  # noqa: E402
from belfort.settings import Settings  # noqa: E402
from belfort.streams.compaction import compact  # noqa: E402
from belfort.streams.live import live_registry  # noqa: E402
from belfort.streams.live_catalog import sync  # noqa: E402
from belfort.streams.model import ObservationIn, now_us  # noqa: E402
from belfort.streams.sensors import SensorSpec, devices, register_sensor  # noqa: E402
from belfort.streams.snapshots import live_files  # noqa: E402
from belfort.streams.write import write_many  # noqa: E402

SENSORS = 100
HOUR = 3_600_000_000


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def fill(platform: Platform, rows: int) -> None:
    rng = random.Random(13)
    credentials = []
    with platform.db.session() as session:
        for i in range(SENSORS):
            spec = SensorSpec(f"teller-{i:03d}", f"Teller {i}", "passantenteller", "count",
                              longitude=3.7 + i / 1000, latitude=51.05)
            credentials.append(register_sensor(session, spec).credential)
    devs = [devices(platform).authenticate(c, f"teller-{i:03d}", "http")
            for i, c in enumerate(credentials)]
    per_sensor = rows // SENSORS
    start = now_us() - 48 * HOUR
    step = (40 * HOUR) // max(1, per_sensor)
    for offset in range(0, per_sensor, 1000):
        groups = []
        for dev in devs:
            groups.append((dev, [ObservationIn(dev.id, "count", start + (offset + k) * step,
                                               float(rng.randint(0, 500)))
                                 for k in range(min(1000, per_sensor - offset))]))
        write_many(platform, groups)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="live-", dir=out))
    try:
        settings = Settings(data_dir=work / "data",
                            database_url=f"sqlite:///{work / 'catalog.sqlite'}",
                            stream_device_rate=1e9, live_refresh_seconds=0, stream_hot_hours=1,
                            live_window_days=30)
        platform = Platform(settings)
        started = time.perf_counter()
        fill(platform, args.rows)
        print(f"filled {args.rows:,} observations in {time.perf_counter() - started:.1f} s")
        sync(platform, force=True)
        source = live_registry(platform).get("sensorwaarnemingen")
        assert source is not None
        files = live_files(platform)

        hot: list[float] = []
        for _ in range(args.runs):
            target = work / "snapshot.parquet"
            began = time.perf_counter()
            source.write(platform, target)  # type: ignore[attr-defined]
            hot.append(time.perf_counter() - began)
        files.current(source)  # the current file exists: reads below build nothing
        built = files.builds

        # an ordinary dataset to compare the unchanged read with
        csv = work / "gewoon.csv"
        csv.write_text("a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(1000)))
        from belfort.policy.principals import CLI_ADMIN
        from belfort.publishing import ingest_file
        ingest_file(platform, CLI_ADMIN, "gewoon", csv, metadata={"title_nl": "Gewoon"})

        def timed(dataset: str, count: int = 2000) -> float:
            began = time.perf_counter()
            for _ in range(count):
                readable(platform, ANONYMOUS, dataset, count_use=False)
            return (time.perf_counter() - began) / count

        unchanged_live = [timed("sensorwaarnemingen") for _ in range(args.runs)]
        unchanged_file = [timed("gewoon") for _ in range(args.runs)]
        platform.settings.live_refresh_seconds = 1.0  # the default
        unchanged_default = [timed("sensorwaarnemingen") for _ in range(args.runs)]
        assert files.builds == built, "a read while nothing changed built a snapshot"

        began = time.perf_counter()
        report = compact(platform)
        compaction_s = time.perf_counter() - began

        cold: list[float] = []
        for _ in range(args.runs):
            target = work / "snapshot.parquet"
            began = time.perf_counter()
            source.write(platform, target)  # type: ignore[attr-defined]
            cold.append(time.perf_counter() - began)

        live_us = median_ms(unchanged_live) * 1000
        file_us = median_ms(unchanged_file) * 1000
        print()
        print(f"| live datasets, {args.rows:,} observations, {SENSORS} sensors (SQLite) | median |")
        print("|---|---|")
        print(f"| `readable()` of a live dataset, nothing changed (refresh 0 s: a mark query "
              f"each time) | {live_us:.0f} µs |")
        default_us = median_ms(unchanged_default) * 1000
        print(f"| `readable()` of a live dataset, nothing changed (refresh 1 s, the default) | "
              f"{default_us:.0f} µs |")
        print(f"| `readable()` of an ordinary dataset | {file_us:.0f} µs "
              f"(live at the default/ordinary {default_us / file_us:.1f}×) |")
        print(f"| snapshot rebuild, all rows in the hot store | {median_ms(hot):,.0f} ms |")
        print(f"| compaction of them into the lake ({report.parts_written} day files) | "
              f"{compaction_s * 1000:,.0f} ms (once) |")
        print(f"| snapshot rebuild, rows compacted ({report.compacted_rows:,}) | "
              f"{median_ms(cold):,.0f} ms |")
        print(f"| hot/compacted rebuild | {median_ms(hot) / median_ms(cold):.1f}× |")
        platform.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
