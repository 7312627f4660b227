"""Crowding: how long computing the crowding now takes over a year of counts.

The demo's 12 zones, a passage counter in each, a year of hourly counts per counter
(12 × 8,760 observations, SQLite, raw retention 400 days), compacted into the lake as ``belfort serve`` does (all but
the last two hours); then, side by side in one run:

- the gauge row (``druktebarometer-info``: occupancy and score, no "normal"),
- every zone with "normal for this moment" read from the whole year (cache cold),
- the same with the year's buckets kept (cache warm: only the last two hours read),
- checking a zone polygon of 1,000 vertices.

    .venv/bin/python bench/crowding_bench.py [--days 365] [--runs 7]

Medians of ``--runs`` runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import median_ms

HOUR = 3_600_000_000


def main() -> None:
    import math

    from belfort.platform import Platform
    from belfort.settings import Settings
    from belfort.streams.compaction import compact
    from belfort.streams.model import ObservationIn, now_us
    from belfort.streams.sensors import SensorSpec, devices, register_sensor
    from belfort.streams.write import write_observations
    from belfort.twin.datasets import GaugeSource
    from belfort.twin.demo_zones import demo_sensor_zones, load_demo_zones
    from belfort.twin.geometry import check_polygon
    from belfort.twin.normal import NormalCache
    from belfort.twin.score import crowding_now

    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="belfort-crowding-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data",
                            database_url=f"sqlite:///{tmp}/catalog.sqlite",
                            stream_retention_days=400)  # keep the year raw (default 90)
        platform = Platform(settings)
        load_demo_zones(platform)
        now = now_us() - now_us() % HOUR
        hours = args.days * 24 - 1
        loaded = time.perf_counter()
        for sensor_id, zone_id in demo_sensor_zones().items():
            spec = SensorSpec(sensor_id, sensor_id, "passantenteller", "count", zone_id=zone_id,
                              counting="passages")
            with platform.db.session() as session:
                credential = register_sensor(session, spec).credential
            device = devices(platform).authenticate(credential, sensor_id, "http")
            items = [ObservationIn(sensor_id, "count", now - (h + 1) * HOUR,
                                   300 + 250 * math.sin(h / 24 * 2 * math.pi),
                                   phenomenon_end_us=now - h * HOUR) for h in range(hours)]
            for first in range(0, len(items), 8000):
                write_observations(platform, device, items[first:first + 8000])
        load_s = time.perf_counter() - loaded
        compacted = time.perf_counter()
        compact(platform)  # as `belfort serve` does: all but the last two hours into the lake
        compact_s = time.perf_counter() - compacted
        cache = platform.component(NormalCache, NormalCache)
        gauge = GaugeSource()

        def cold() -> object:
            cache._kept = None  # the year read and bucketed again
            return crowding_now(platform)

        n = 999
        ring = [[3.72 + 0.01 * math.cos(a / n * 2 * math.pi),
                 51.05 + 0.01 * math.sin(a / n * 2 * math.pi)] for a in range(n)]
        polygon = {"type": "Polygon", "coordinates": [ring + [ring[0]]]}
        rows = [
            ("gauge row (druktebarometer-info, no normal)",
             median_ms(lambda: gauge.table(platform), args.runs)),
            ("every zone with normal, cache cold (a year read)", median_ms(cold, args.runs)),
            ("every zone with normal, cache warm",
             median_ms(lambda: crowding_now(platform), args.runs)),
            ("check a 1,000-vertex zone polygon",
             median_ms(lambda: check_polygon(polygon, max_vertices=1000, max_km2=25),
                        args.runs)),
        ]
        observations = 12 * hours
        print(f"{observations:,} observations ({args.days} days × 12 counters) written in "
              f"{load_s:.1f} s ({observations / load_s:,.0f}/s), compacted into the lake in "
              f"{compact_s:.1f} s\n")
        print("| what | median ms |\n|---|---:|")
        for name, ms in rows:
            print(f"| {name} | {ms:,.1f} |")
        platform.close()


if __name__ == "__main__":
    main()
