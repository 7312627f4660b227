"""Walking demand between zones, per hour, estimated from the counts.

1. **Inflow** per zone and hour of the week (local time): the persons its ``passages`` and
   ``entries`` sensors counted in that hour, summed over the zone's sensors, averaged over
   the hours of that weekday × hour with counts in the last ``BELFORT_TWIN_SCENARIO_DEMAND_DAYS``
   (an hour without counts is missing, not zero). ``occupancy`` and ``exits`` sensors say
   nothing about arrivals and are left out.
2. **Trips** (persons/hour from zone i to zone j, i ≠ j): a **doubly-constrained gravity
   model**. Each zone's inflow is both what it sends and what it attracts (over an hour
   people come and go in about equal numbers):

       T_ij = A_i · O_i · B_j · D_j · exp(−β · c_ij),   O_i = D_i = inflow_i

   with c_ij the free-flow walking time in minutes over the graph and β = ``BETA`` per minute
   (half the trips within ~7 minutes' walk); A and B are balanced (Furness) until every
   zone's row and column sums match its inflow to within 0.1 % (or ``MAX_ROUNDS``).

Limits, said plainly: a counter on a square counts passers-by as well as visitors, so the
inflow overstates the trips that start and end there; zones without counting sensors send
and attract nothing (people may still cross them); trips within a zone and to places outside
the graph are not modelled; a zone with more inflow than all others together cannot be
balanced exactly (the residual is reported). The model is calibrated on no survey of where
Ghent's visitors walk: it shows *where demand would go* when a place closes, not a count.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from belfort.platform import Platform
from belfort.twin.observations import read_counts, zone_sensors
from belfort.twin.scenarios.assign import Pair, shortest_paths
from belfort.twin.scenarios.graph import Network

LOCAL = ZoneInfo("Europe/Brussels")
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
BETA = 0.1  # per minute of walking
MAX_ROUNDS = 100
TOLERANCE = 1e-3
ARRIVING = ("passages", "entries")


def hour_of_week(us: int) -> int:
    """0 = Monday 00:00–01:00 local time … 167 = Sunday 23:00–24:00."""
    local = datetime.fromtimestamp(us / 1e6, LOCAL)
    return local.weekday() * 24 + local.hour


def inflow_profile(platform: Platform, until_us: int) -> dict[str, list[float | None]]:
    """Zone id → mean persons arriving per hour, for each of the 168 hours of the week
    (None: no counts at that hour of the week)."""
    linked = [(s, z) for s, z, counting in zone_sensors(platform) if counting in ARRIVING]
    if not linked:
        return {}
    ids = [s for s, _ in linked]
    since = until_us - platform.settings.twin_scenario_demand_days * DAY_US
    data = read_counts(platform, ids, since, until_us)
    # persons per (zone, absolute hour): an interval's count spread over the hours it covers
    per_hour: dict[tuple[str, int], float] = defaultdict(float)
    for sensor, start, end, value in zip(data["sensor"].tolist(), data["start"].tolist(),
                                         data["end"].tolist(), data["value"].tolist(),
                                         strict=True):
        if not math.isfinite(value) or value < 0:
            continue
        zone = linked[sensor][1]
        first, last = start // HOUR_US, max(start, end - 1) // HOUR_US
        hours = range(first, last + 1)
        for hour in hours:
            per_hour[(zone, hour)] += value / len(hours)
    sums: dict[str, np.ndarray] = {}
    seen: dict[str, np.ndarray] = {}
    for (zone, hour), persons in per_hour.items():
        how = hour_of_week(hour * HOUR_US)
        sums.setdefault(zone, np.zeros(168))[how] += persons
        seen.setdefault(zone, np.zeros(168))[how] += 1
    return {zone: [float(sums[zone][h] / seen[zone][h]) if seen[zone][h] else None
                   for h in range(168)] for zone in sums}


def free_minutes(network: Network, origins: set[str] | None = None) -> dict[Pair, float]:
    """Free-flow walking minutes between the zones a path joins (from ``origins`` only, when
    given: the zones with counts)."""
    adjacency = network.adjacency()
    cost = {link.id: link.free_seconds for link in network.links}
    found: dict[Pair, float] = {}
    for origin in sorted(adjacency):
        if origins is not None and origin not in origins:
            continue
        for destination, (seconds, _, _) in shortest_paths(adjacency, origin, cost).items():
            if destination != origin:
                found[(origin, destination)] = seconds / 60.0
    return found


def gravity(inflow: dict[str, float], minutes: dict[Pair, float],
            beta: float = BETA) -> tuple[dict[Pair, float], float]:
    """Doubly-constrained trips (pair → persons/hour) and the largest relative residual
    of a row or column sum after balancing, over the zones with a partner to walk to."""
    sending = {z for z, v in inflow.items() if v > 0}
    # a zone no path joins to another with inflow has no trips (the caller reports it)
    zones = sorted(z for z in sending
                   if any(i == z and j in sending for i, j in minutes))
    index = {z: n for n, z in enumerate(zones)}
    size = len(zones)
    weight = np.zeros((size, size))
    for (i, j), mins in minutes.items():
        if i in index and j in index:
            weight[index[i], index[j]] = math.exp(-beta * mins)
    target = np.array([inflow[z] for z in zones])
    a, b = np.ones(size), np.ones(size)
    residual = 1.0 if size else 0.0
    for _ in range(MAX_ROUNDS):
        rows = weight @ (b * target)
        a = np.divide(1.0, rows, out=np.zeros(size), where=rows > 0)
        cols = weight.T @ (a * target)
        b = np.divide(1.0, cols, out=np.zeros(size), where=cols > 0)
        trips = (a * target)[:, None] * weight * (b * target)[None, :]
        errors = np.abs(np.concatenate([trips.sum(axis=1), trips.sum(axis=0)])
                        - np.concatenate([target, target])) / np.concatenate([target, target])
        residual = float(errors.max()) if size else 0.0
        if residual < TOLERANCE:
            break
    trips = (a * target)[:, None] * weight * (b * target)[None, :]
    return ({(zones[i], zones[j]): float(trips[i, j]) for i in range(size)
             for j in range(size) if trips[i, j] > 0}, residual)
