"""Capacity-aware assignment of one hour's walking demand to the zone graph.

**Incremental assignment**: the demand (persons per hour between zones) is loaded in
``INCREMENTS`` equal parts; before each part every link's walking time is recomputed from the
flow already on it with the BPR function

    t = t0 × (1 + ALPHA × (v / c)^BETA)

(t0: length / 1.34 m/s; v: persons/hour on the link, both directions; c: width × the
pedestrian flow rate per metre, ``BELFORT_TWIN_SCENARIO_FLOW_RATE``) and the part goes along
the quickest path from each origin (Dijkstra; ties broken by zone id, so a run is
reproducible). A crowded street thus sends later parts round by another one — the way people
avoid a packed Veldstraat — without solving the full equilibrium (Frank–Wolfe), which the
handful of links of a city centre does not need.

Demand between zones that no open path joins is not assigned and not lost: it is returned
as ``unreachable`` per pair.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from belfort.twin.scenarios.graph import Link, Network

ALPHA = 0.15
BETA = 4.0
INCREMENTS = 10

Pair = tuple[str, str]


@dataclass
class Assignment:
    """What one hour's assignment found (persons per hour)."""

    link_flow: dict[str, float] = field(default_factory=dict)
    arrivals: dict[str, float] = field(default_factory=dict)  # trips ending in a zone
    through: dict[str, float] = field(default_factory=dict)  # trips crossing a zone
    unreachable: dict[Pair, float] = field(default_factory=dict)
    walk_seconds: float = 0.0  # Σ persons × their path's time (at the time they were loaded)

    @property
    def assigned(self) -> float:
        return sum(self.arrivals.values())

    def occupancy(self, network: Network) -> dict[str, float]:
        """Persons present in each open zone on average over the hour (Little's law): visitors
        stay the zone's dwell time, passers-by the time it takes to cross it."""
        return {z: (self.arrivals.get(z, 0.0) * node.dwell_seconds
                    + self.through.get(z, 0.0) * node.crossing_seconds) / 3600.0
                for z, node in network.nodes.items()}


def link_seconds(link: Link, flow: float, flow_rate: float) -> float:
    """The BPR walking time of a link carrying ``flow`` persons/hour."""
    ratio = flow / link.capacity_per_hour(flow_rate)
    return float(link.free_seconds * (1.0 + ALPHA * ratio ** BETA))


def shortest_paths(adjacency: dict[str, list[Link]], origin: str,
                   cost: dict[str, float]) -> dict[str, tuple[float, str | None, Link | None]]:
    """Dijkstra from ``origin``: zone → (seconds, previous zone, link used)."""
    best: dict[str, tuple[float, str | None, Link | None]] = {origin: (0.0, None, None)}
    done: set[str] = set()
    heap: list[tuple[float, str]] = [(0.0, origin)]
    while heap:
        seconds, zone = heapq.heappop(heap)
        if zone in done:
            continue
        done.add(zone)
        for link in adjacency[zone]:
            nxt = link.other(zone)
            if nxt in done:
                continue
            total = seconds + cost[link.id]
            known = best.get(nxt)
            if known is None or (total, zone) < (known[0], known[1] or ""):
                best[nxt] = (total, zone, link)
                heapq.heappush(heap, (total, nxt))
    return best


def assign(network: Network, demand: dict[Pair, float], flow_rate: float,
           closed_zones: frozenset[str] = frozenset(),
           closed_links: frozenset[str] = frozenset(),
           increments: int = INCREMENTS) -> Assignment:
    """Assign ``demand`` ((origin, destination) → persons/hour) over the open network.
    Demand from or to a closed zone must have been dealt with before (``run.py``): here it
    is unreachable."""
    adjacency = network.adjacency(closed_zones, closed_links)
    found = Assignment(link_flow={link.id: 0.0 for link in network.links})
    by_origin: dict[str, list[tuple[str, float]]] = {}
    for (origin, destination), persons in sorted(demand.items()):
        if persons <= 0 or origin == destination:
            continue
        if origin not in adjacency or destination not in adjacency:
            found.unreachable[(origin, destination)] = persons
            continue
        by_origin.setdefault(origin, []).append((destination, persons))
    links = {link.id: link for link in network.links}
    for _ in range(increments):
        cost = {lid: link_seconds(link, found.link_flow[lid], flow_rate)
                for lid, link in links.items()}
        for origin, wanted in by_origin.items():
            tree = shortest_paths(adjacency, origin, cost)
            for destination, persons in wanted:
                if destination not in tree:
                    found.unreachable[(origin, destination)] = persons  # every part: same
                    continue
                part = persons / increments
                found.walk_seconds += part * tree[destination][0]
                found.arrivals[destination] = found.arrivals.get(destination, 0.0) + part
                zone = destination
                while zone != origin:
                    _, previous, link = tree[zone]
                    assert previous is not None and link is not None
                    found.link_flow[link.id] += part
                    if previous != origin:
                        found.through[previous] = found.through.get(previous, 0.0) + part
                    zone = previous
    return found
