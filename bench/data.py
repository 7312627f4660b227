"""Synthetic data for the benchmarks: deterministic (seeded), generated locally, no downloads.

- ``write_belgian_csv``: a semicolon-delimited, decimal-comma CSV as Belgian
  administrations export it (``31/12/2024`` dates, ``0,73`` decimals, ``ja``/``nee``).
- ``write_observations_parquet``: hourly sensor observations, vectorised with numpy
  and written with pyarrow.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CSV_HEADER = "telpunt;tijdstip;datum;aantal;bezettingsgraad;open\n"
STREETS = [
    "Korenmarkt", "Veldstraat", "Kouter", "Vrijdagmarkt", "Sint-Pietersplein",
    "Coupure", "Overpoort", "Zuid", "Dampoort", "Gravensteen", "Graslei", "Muide",
    "Ledeberg", "Brugse Poort", "Rabot", "Sint-Amandsberg", "Gentbrugge", "Mariakerke",
    "Wondelgem", "Zwijnaarde",
]
CSV_SENSORS = [f"{s} {side}" for s in STREETS for side in ("noord", "zuid")]  # 40 distinct


def _fmt_column(values: np.ndarray, fmt: str) -> list[str]:
    return [fmt % v for v in values.tolist()]


def write_belgian_csv(path: Path, rows: int, *, seed: int = 42, chunk: int = 200_000) -> Path:
    """``rows`` data rows; returns ``path``. About 60 bytes per row."""
    rng = np.random.default_rng(seed)
    sensors = np.array(CSV_SENSORS)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(CSV_HEADER)
        done = 0
        while done < rows:
            n = min(chunk, rows - done)
            telpunt = sensors[rng.integers(0, len(sensors), n)]
            # hourly timestamps in 2024 (naive local time, as exports have them)
            hours = rng.integers(0, 366 * 24, n)
            stamps = np.datetime_as_string(start + hours * np.int64(3600), unit="s")
            tijdstip = np.char.replace(stamps.astype("U19"), "T", " ")
            days = (start.astype("datetime64[D]") + rng.integers(0, 366, n)).astype("datetime64[D]")
            iso = np.datetime_as_string(days, unit="D")
            # 2024-12-31 → 31/12/2024
            datum = [f"{d[8:10]}/{d[5:7]}/{d[0:4]}" for d in iso.tolist()]
            aantal = rng.integers(0, 5_000, n)
            pct = rng.integers(0, 101, n)
            bezetting = [f"{p // 100},{p % 100:02d}" for p in pct.tolist()]
            open_ = np.where(rng.random(n) < 0.8, "ja", "nee")
            lines = [
                f"{t};{ts};{d};{a};{b};{o}"
                for t, ts, d, a, b, o in zip(
                    telpunt.tolist(), tijdstip.tolist(), datum, aantal.tolist(), bezetting,
                    open_.tolist(), strict=True,
                )
            ]
            out.write("\n".join(lines))
            out.write("\n")
            done += n
    return path


OBS_START = datetime(2020, 1, 1, tzinfo=timezone.utc)


def write_observations_parquet(
    path: Path, sensors: int, hours: int, *, seed: int = 7, row_group: int = 1_000_000
) -> Path:
    """``sensors × hours`` rows (telpunt, tijdstip UTC, aantal, richting), hour-major order.

    tijdstip starts at 2020-01-01 00:00 UTC, so 50,000 hours reach mid-2025 and the
    year 2024 is a real one-year slice.
    """
    rng = np.random.default_rng(seed)
    names = np.array([f"sensor-{i:03d}" for i in range(sensors)])
    schema = pa.schema(
        [
            ("telpunt", pa.string()),
            ("tijdstip", pa.timestamp("us", tz="UTC")),
            ("aantal", pa.int64()),
            ("richting", pa.string()),
        ]
    )
    start_us = int(OBS_START.timestamp()) * 1_000_000
    hours_per_chunk = max(1, row_group // sensors)
    with pq.ParquetWriter(str(path), schema, compression="snappy") as writer:
        for h0 in range(0, hours, hours_per_chunk):
            h = min(hours_per_chunk, hours - h0)
            hour_idx = np.repeat(np.arange(h0, h0 + h, dtype=np.int64), sensors)
            sensor_idx = np.tile(np.arange(sensors), h)
            n = len(hour_idx)
            # daily pattern plus per-sensor level plus noise
            level = 20 + (sensor_idx % 17) * 15
            daily = 1.0 + np.sin((hour_idx % 24) / 24 * 2 * np.pi)
            aantal = rng.poisson(level * daily).astype(np.int64)
            richting = np.where(rng.random(n) < 0.5, "in", "uit")
            batch = pa.record_batch(
                [
                    pa.array(names[sensor_idx]),
                    pa.array(start_us + hour_idx * 3_600_000_000, type=pa.int64()).cast(
                        pa.timestamp("us", tz="UTC")
                    ),
                    pa.array(aantal),
                    pa.array(richting),
                ],
                schema=schema,
            )
            writer.write_batch(batch, row_group_size=row_group)
    return path
