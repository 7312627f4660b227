""""Normal for this moment", as Amsterdam's crowd monitor has it.

The counts of every sensor (and, summed, of every zone) per quarter-hour of local time
(Europe/Brussels) over the last ``BELFORT_TWIN_NORMAL_DAYS``; for a weekday × quarter-hour,
the percentiles p10, p20, p50, p80 and p90 of those counts over the weeks. Now is compared
with them: the ratio to p50 and the band now falls in (``"p50-p80"``, ``"boven p90"``, …).

An observation over an interval (an hourly count) is spread evenly over the quarter-hours it
covers; a quarter-hour in which a sensor reported nothing is missing, not zero (an outage is
not a quiet moment). ``occupancy`` sensors report a level, not a count: their quarter-hour is
the mean of what they reported.

The history is read and bucketed at most every ``BELFORT_TWIN_NORMAL_CACHE_SECONDS`` per
process (a year of quarter-hours of a hundred sensors is a few million numbers); the last two
hours are read afresh on every call, so "now" is never older than the newest observation.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from belfort.platform import Platform
from belfort.twin.observations import read_counts, zone_sensors

QUARTER_US = 15 * 60_000_000
DAY_US = 24 * 3_600_000_000
FRESH_US = 2 * 3_600_000_000
PERCENTILES = (10, 20, 50, 80, 90)
BANDS = ("onder p10", "p10-p20", "p20-p50", "p50-p80", "p80-p90", "boven p90")
MIN_WEEKS = 2  # fewer earlier weeks with counts at this moment: no "normal"


@dataclass(frozen=True)
class Normal:
    """A series (sensor or zone) now against its normal for this weekday × quarter-hour."""

    now: float | None  # the count of the newest quarter-hour with counts
    at_us: int | None  # UTC start of that quarter-hour
    percentiles: dict[str, float] | None  # "p10" … "p90"; None: too little history
    weeks: int  # earlier weeks the percentiles rest on
    ratio: float | None  # now / p50
    band: str | None  # which of BANDS now falls in


def local_us(utc_us: np.ndarray) -> np.ndarray:
    """UTC microseconds → the same instants as Brussels wall-clock microseconds."""
    stamps = pa.array(utc_us, pa.timestamp("us", tz="Europe/Brussels"))
    return np.asarray(pc.local_timestamp(stamps).cast(pa.int64()))


def bucket(data: dict[str, np.ndarray], level: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per (series, local quarter-hour): (series, quarter index, value, UTC start). ``level``
    marks the series whose values are levels (averaged), the others are counts (summed)."""
    if not data["start"].size:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), empty
    spans = np.maximum(1, -(-(data["end"] - data["start"]) // QUARTER_US))
    spans = np.minimum(spans, 4 * 24 * 7)  # no observation covers more than a week
    is_level = level[data["sensor"]]
    rows = np.repeat(np.arange(data["start"].size), spans)
    step = np.arange(rows.size) - np.repeat(np.cumsum(spans) - spans, spans)
    utc = data["start"][rows] + step * QUARTER_US
    quarter = local_us(utc) // QUARTER_US
    value = np.where(is_level[rows], data["value"][rows], data["value"][rows] / spans[rows])
    series = data["sensor"][rows]
    key = series * (1 << 32) + (quarter - quarter.min())
    keys, where, counts = np.unique(key, return_inverse=True, return_counts=True)
    sums = np.bincount(where, weights=value)
    first_utc = np.zeros(keys.size, dtype=np.int64)
    first_utc[where] = utc - utc % QUARTER_US  # Brussels is a whole number of hours off UTC
    out_series = keys >> 32
    out_quarter = (keys & ((1 << 32) - 1)) + quarter.min()
    levels = level[out_series]
    return out_series, out_quarter, np.where(levels, sums / counts, sums), first_utc


def _band(value: float, p: dict[str, float]) -> str:
    edges = [p[f"p{q}"] for q in PERCENTILES]
    return BANDS[int(np.searchsorted(edges, value, side="right"))]


def compare(quarters: np.ndarray, values: np.ndarray, utc: np.ndarray) -> Normal:
    """The newest quarter-hour of one series against the same weekday × quarter-hour of
    earlier weeks."""
    if not quarters.size:
        return Normal(None, None, None, 0, None, None)
    newest = int(np.argmax(quarters))
    slot = quarters[newest] % (7 * 96)
    earlier = (quarters % (7 * 96) == slot) & (quarters < quarters[newest])
    now, weeks = float(values[newest]), int(np.count_nonzero(earlier))
    if weeks < MIN_WEEKS:
        return Normal(now, int(utc[newest]), None, weeks, None, None)
    found = np.percentile(values[earlier], PERCENTILES)
    p = {f"p{q}": round(float(v), 2) for q, v in zip(PERCENTILES, found, strict=True)}
    ratio = round(now / p["p50"], 2) if p["p50"] > 0 else None
    return Normal(now, int(utc[newest]), p, weeks, ratio, _band(now, p))


class NormalCache:
    """The bucketed history of this process, kept briefly (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._lock = threading.Lock()
        self._kept: tuple[float, tuple[str, ...], int, dict[str, np.ndarray]] | None = None

    def history(self, sensor_ids: tuple[str, ...],
                now_us: int) -> tuple[int, dict[str, np.ndarray]]:
        """(cut, observations before cut): the history part, read at most every
        ``twin_normal_cache_seconds``."""
        ttl = self._platform.settings.twin_normal_cache_seconds
        with self._lock:
            kept = self._kept
            if kept and kept[1] == sensor_ids and time.monotonic() - kept[0] < ttl:
                return kept[2], kept[3]
            cut = now_us - now_us % QUARTER_US - FRESH_US
            days = self._platform.settings.twin_normal_days
            data = read_counts(self._platform, sensor_ids, cut - days * DAY_US, cut)
            self._kept = (time.monotonic(), sensor_ids, cut, data)
            return cut, data


def normals(platform: Platform, now_us: int) -> tuple[dict[str, Normal], dict[str, Normal]]:
    """(per sensor, per zone) now against normal, for every sensor linked to a zone."""
    linked = zone_sensors(platform)
    ids = tuple(s for s, _, _ in linked)
    cut, old = platform.component(NormalCache, NormalCache).history(ids, now_us)
    new = read_counts(platform, ids, cut, now_us + 60_000_000)
    data = {k: np.concatenate([old[k], new[k]]) for k in old}
    level = np.array([c == "occupancy" for _, _, c in linked] or [False], dtype=bool)
    series, quarters, values, utc = bucket(data, level)
    per_sensor = {s: compare(quarters[series == n], values[series == n], utc[series == n])
                  for n, s in enumerate(ids)}
    zones = sorted({z for _, z, _ in linked})
    per_zone: dict[str, Normal] = {}
    for zone in zones:
        members = [n for n, (_, z, c) in enumerate(linked) if z == zone and c != "exits"]
        mine = np.isin(series, members)
        keys, where = np.unique(quarters[mine], return_inverse=True)
        sums = np.bincount(where, weights=values[mine]) if keys.size else np.zeros(0)
        first = np.zeros(keys.size, dtype=np.int64)
        first[where] = utc[mine]
        per_zone[zone] = compare(keys, sums, first)
    return per_sensor, per_zone
