"""How many people are in a zone now, from the sensors linked to it.

Per zone, the first of these its sensors allow (``sensors.counting``):

1. ``occupancy`` sensors report the people present: the newest value of each, summed;
2. ``entries`` and ``exits`` (door or cordon counters): entries − exits since the zone's last
   quiet hour (``BELFORT_TWIN_QUIET_HOUR``, local time), accumulated in time order and never
   below zero — counters drift (a missed exit never comes back), so the running sum is
   clamped at zero and restarts from zero every night;
3. ``passages`` (a counter on a street or square): the flow over the last
   ``BELFORT_TWIN_FLOW_MINUTES`` the sensor reported, times the dwell time (Little's law:
   occupancy ≈ arrival rate × time spent). An observation over an interval (an hourly count)
   counts with the part of it that falls in that window.

A sensor whose newest observation is older than ``BELFORT_TWIN_STALE_MINUTES`` counts for
nothing; a zone none of whose sensors is current has no estimate (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from belfort.platform import Platform
from belfort.twin.observations import read_counts, zone_sensors

LOCAL = ZoneInfo("Europe/Brussels")
MINUTE_US = 60_000_000


@dataclass(frozen=True)
class Estimate:
    occupancy: float | None  # persons, None: no current observations
    method: str | None  # "occupancy", "entries-exits" or "passages"
    sensors: int  # current sensors the estimate rests on
    observed_us: int | None  # newest phenomenon time used


def quiet_start_us(now_us: int, hour: int) -> int:
    """The most recent local ``hour``:00 at or before ``now``."""
    now = datetime.fromtimestamp(now_us / 1e6, LOCAL)
    start = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if start > now:
        start = (start - timedelta(days=1)).replace(hour=hour)
    return int(start.timestamp() * 1_000_000)


def _direct(data: dict[str, np.ndarray], sensors: list[int], fresh_us: int) -> Estimate:
    total, used, newest = 0.0, 0, None
    for s in sensors:
        mine = np.flatnonzero((data["sensor"] == s) & (data["end"] >= fresh_us))
        if mine.size:
            last = mine[np.argmax(data["start"][mine])]
            total += max(0.0, float(data["value"][last]))
            used += 1
            newest = max(newest or 0, int(data["end"][last]))
    return Estimate(total if used else None, "occupancy", used, newest)


def _entries_exits(data: dict[str, np.ndarray], entries: list[int], exits: list[int],
                   since_us: int, fresh_us: int) -> Estimate:
    counted = np.isin(data["sensor"], entries + exits) & (data["start"] >= since_us)
    current = counted & (data["end"] >= fresh_us)
    if not np.any(current & np.isin(data["sensor"], entries)):
        return Estimate(None, "entries-exits", 0, None)
    rows = np.flatnonzero(counted)
    signed = np.where(np.isin(data["sensor"][rows], entries), 1.0, -1.0) * data["value"][rows]
    order = np.argsort(data["end"][rows], kind="stable")
    level = 0.0
    for step in signed[order]:
        level = max(0.0, level + float(step))  # drift correction: never below zero
    used = len(set(data["sensor"][np.flatnonzero(current)].tolist()))
    return Estimate(level, "entries-exits", used, int(data["end"][rows].max()))


def _passages(data: dict[str, np.ndarray], sensors: list[int], fresh_us: int, window_us: int,
              dwell_seconds: float, now_us: int) -> Estimate:
    flow, used, newest = 0.0, 0, None  # persons per second
    for s in sensors:
        mine = np.flatnonzero(data["sensor"] == s)
        if not mine.size or data["end"][mine].max() < fresh_us:
            continue
        start, end, value = data["start"][mine], data["end"][mine], data["value"][mine]
        ref = min(now_us, int(end.max()))
        low = ref - window_us
        instant = end == start
        overlap = np.clip(np.minimum(end, ref) - np.maximum(start, low), 0, None)
        share = np.where(instant, ((start > low) & (start <= ref)).astype(float),
                         overlap / np.maximum(end - start, 1))
        flow += float(np.dot(np.clip(value, 0, None), share)) / (window_us / 1e6)
        used += 1
        newest = max(newest or 0, ref)
    return Estimate(flow * dwell_seconds if used else None, "passages", used, newest)


def estimate_all(platform: Platform, dwell: dict[str, float],
                 now_us: int) -> dict[str, Estimate]:
    """The estimate of every zone that has sensors linked to it (zone id → estimate);
    ``dwell`` gives each zone's dwell time in seconds."""
    settings = platform.settings
    linked = zone_sensors(platform)
    ids = [s for s, _, _ in linked]
    since = quiet_start_us(now_us, settings.twin_quiet_hour)
    fresh = now_us - settings.twin_stale_minutes * MINUTE_US
    window = settings.twin_flow_minutes * MINUTE_US
    data = read_counts(platform, ids, min(since, fresh - window), now_us + MINUTE_US)
    by_zone: dict[str, dict[str, list[int]]] = {}
    for n, (_, zone, counting) in enumerate(linked):
        by_zone.setdefault(zone, {}).setdefault(counting, []).append(n)
    out: dict[str, Estimate] = {}
    for zone, kinds in by_zone.items():
        found = Estimate(None, None, 0, None)
        if kinds.get("occupancy"):
            found = _direct(data, kinds["occupancy"], fresh)
        if found.occupancy is None and kinds.get("entries"):
            found = _entries_exits(data, kinds["entries"], kinds.get("exits", []), since, fresh)
        if found.occupancy is None and kinds.get("passages"):
            dwell_s = dwell.get(zone, settings.twin_dwell_seconds)
            found = _passages(data, kinds["passages"], fresh, window, dwell_s, now_us)
        out[zone] = found
    return out
