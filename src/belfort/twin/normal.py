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
process and kept grouped by weekday × quarter-hour (a year of quarter-hours of a hundred
sensors is a few million numbers); "now" is read afresh on every call from the last few hours,
so it is never older than the newest observation.
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
FRESH_US = 2 * 3_600_000_000  # the history ends this long before now
RECENT_US = 8 * 3_600_000_000  # "now" is read from this long back (an hourly count included)
WEEK_QUARTERS = 7 * 96
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


Slots = dict[int, tuple[np.ndarray, np.ndarray]]  # weekday × quarter → (quarters, values)


def slots(quarters: np.ndarray, values: np.ndarray) -> Slots:
    """One series' quarter-hours grouped by weekday × quarter-hour of the week."""
    if not quarters.size:
        return {}
    slot = quarters % WEEK_QUARTERS
    order = np.argsort(slot, kind="stable")
    keys, first = np.unique(slot[order], return_index=True)
    parts = zip(np.split(quarters[order], first[1:]), np.split(values[order], first[1:]),
                strict=True)
    return {int(k): part for k, part in zip(keys.tolist(), parts, strict=True)}


def compare(history: Slots, quarter: int | None, now: float | None, at_us: int | None) -> Normal:
    """Now (the newest quarter-hour's count) against the same weekday × quarter-hour of
    earlier weeks."""
    if quarter is None or now is None:
        return Normal(None, None, None, 0, None, None)
    earlier_q, earlier_v = history.get(quarter % WEEK_QUARTERS, (np.zeros(0), np.zeros(0)))
    earlier = earlier_v[earlier_q < quarter]
    weeks = int(earlier.size)
    if weeks < MIN_WEEKS:
        return Normal(now, at_us, None, weeks, None, None)
    found = np.percentile(earlier, PERCENTILES)
    p = {f"p{q}": round(float(v), 2) for q, v in zip(PERCENTILES, found, strict=True)}
    ratio = round(now / p["p50"], 2) if p["p50"] > 0 else None
    return Normal(now, at_us, p, weeks, ratio, _band(now, p))


def _series(linked: list[tuple[str, str, str]], buckets: tuple[np.ndarray, ...]
            ) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per sensor ("sensor:ID") and zone ("zone:ID"): (quarters, values, UTC starts),
    sorted by quarter; a zone's are its sensors' (not exits) summed per quarter-hour."""
    series, quarters, values, utc = buckets
    out: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for n, (sensor, _, _) in enumerate(linked):
        mine = series == n
        out[f"sensor:{sensor}"] = (quarters[mine], values[mine], utc[mine])
    for zone in sorted({z for _, z, _ in linked}):
        members = [n for n, (_, z, c) in enumerate(linked) if z == zone and c != "exits"]
        mine = np.isin(series, members)
        keys, where = np.unique(quarters[mine], return_inverse=True)
        sums = np.bincount(where, weights=values[mine], minlength=keys.size)
        first = np.zeros(keys.size, dtype=np.int64)
        first[where] = utc[mine]
        out[f"zone:{zone}"] = (keys, sums, first)
    return out


def _level(linked: list[tuple[str, str, str]]) -> np.ndarray:
    return np.array([c == "occupancy" for _, _, c in linked] or [False], dtype=bool)


class NormalCache:
    """Every series' earlier quarter-hours grouped by weekday × quarter-hour, kept briefly
    by this process (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._lock = threading.Lock()
        self._kept: tuple[float, tuple[tuple[str, str, str], ...], dict[str, Slots]] | None = None

    def history(self, linked: list[tuple[str, str, str]], now_us: int) -> dict[str, Slots]:
        """Per series, its quarter-hours before the last two hours, read at most every
        ``twin_normal_cache_seconds``."""
        ttl = self._platform.settings.twin_normal_cache_seconds
        key = tuple(linked)
        with self._lock:
            kept = self._kept
            if kept and kept[1] == key and time.monotonic() - kept[0] < ttl:
                return kept[2]
            cut = now_us - now_us % QUARTER_US - FRESH_US
            days = self._platform.settings.twin_normal_days
            ids = [s for s, _, _ in linked]
            data = read_counts(self._platform, ids, cut - days * DAY_US, cut)
            found = {name: slots(q, v) for name, (q, v, _) in
                     _series(linked, bucket(data, _level(linked))).items()}
            self._kept = (time.monotonic(), key, found)
            return found

    def forget(self) -> None:
        with self._lock:
            self._kept = None


def normals(platform: Platform, now_us: int) -> tuple[dict[str, Normal], dict[str, Normal]]:
    """(per sensor, per zone) now against normal, for every sensor linked to a zone. Now is
    each series' newest quarter-hour with counts in the last few hours."""
    linked = zone_sensors(platform)
    history = platform.component(NormalCache, NormalCache).history(linked, now_us)
    fresh = read_counts(platform, [s for s, _, _ in linked], now_us - RECENT_US,
                        now_us + 60_000_000)
    per_sensor: dict[str, Normal] = {}
    per_zone: dict[str, Normal] = {}
    for name, (quarters, values, utc) in _series(linked, bucket(fresh, _level(linked))).items():
        newest = int(np.argmax(quarters)) if quarters.size else None
        found = compare(history.get(name, {}),
                        None if newest is None else int(quarters[newest]),
                        None if newest is None else float(values[newest]),
                        None if newest is None else int(utc[newest]))
        kind, _, ident = name.partition(":")
        (per_sensor if kind == "sensor" else per_zone)[ident] = found
    return per_sensor, per_zone
