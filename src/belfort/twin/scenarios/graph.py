"""The zone graph the scenario engine walks: zones (nodes, with their capacity) and street
links between them (two-way, with a width and a length). Pure data; no database."""

from __future__ import annotations

import math
from dataclasses import dataclass

WALK_SPEED_M_S = 1.34  # free-flow walking speed (Fruin; Weidmann's 1.34 m/s)


@dataclass(frozen=True)
class Node:
    """A zone as the engine sees it."""

    id: str
    name: str
    capacity: float  # persons at its density level of service (twin.zones.capacity)
    area_m2: float
    dwell_seconds: float  # how long a visitor whose destination it is stays

    @property
    def crossing_seconds(self) -> float:
        """How long a passer-by takes to cross it: the side of a square of its area, walked."""
        return math.sqrt(self.area_m2) / WALK_SPEED_M_S


@dataclass(frozen=True)
class Link:
    """A street between two zones, walkable both ways; its width is shared by both
    directions."""

    id: str
    a: str
    b: str
    width_m: float
    length_m: float

    def capacity_per_hour(self, flow_rate: float) -> float:
        """Persons per hour (both directions) at ``flow_rate`` persons/m/min."""
        return self.width_m * flow_rate * 60.0

    @property
    def free_seconds(self) -> float:
        return self.length_m / WALK_SPEED_M_S

    def other(self, zone: str) -> str:
        return self.b if zone == self.a else self.a


@dataclass(frozen=True)
class Network:
    nodes: dict[str, Node]
    links: tuple[Link, ...]

    def adjacency(self, closed_zones: frozenset[str] = frozenset(),
                  closed_links: frozenset[str] = frozenset()) -> dict[str, list[Link]]:
        """Each open zone's open links (a link is closed with either of its zones)."""
        found: dict[str, list[Link]] = {z: [] for z in self.nodes if z not in closed_zones}
        for link in self.links:
            if link.id in closed_links or link.a in closed_zones or link.b in closed_zones:
                continue
            if link.a in found and link.b in found:
                found[link.a].append(link)
                found[link.b].append(link)
        return found
