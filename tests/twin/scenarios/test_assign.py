"""The assignment on networks small enough to work out by hand."""

from __future__ import annotations

import pytest

from belfort.twin.scenarios.assign import assign, link_seconds
from belfort.twin.scenarios.graph import WALK_SPEED_M_S, Link, Network, Node


def _node(zone: str, area: float = 100.0, dwell: float = 600.0) -> Node:
    return Node(zone, zone, capacity=area * 2, area_m2=area, dwell_seconds=dwell)


def _network(links: list[tuple[str, str, str, float, float]]) -> Network:
    zones = sorted({z for _, a, b, _, _ in links for z in (a, b)})
    return Network({z: _node(z) for z in zones},
                   tuple(Link(lid, a, b, width, length) for lid, a, b, width, length in links))


LINE = _network([("ab", "A", "B", 10, 134), ("bc", "B", "C", 10, 134)])
# two routes A→D: via B (100 + 100 m) and via C (150 + 150 m); each link 1 m wide
DIAMOND = _network([("ab", "A", "B", 1, 100), ("bd", "B", "D", 1, 100),
                    ("ac", "A", "C", 1, 150), ("cd", "C", "D", 1, 150)])
RATE = 500 / 60  # persons/m/min: a 1 m link carries 500 persons an hour at capacity


def test_a_line_carries_everything_through_the_middle() -> None:
    found = assign(LINE, {("A", "C"): 120}, flow_rate=49)
    assert found.link_flow == pytest.approx({"ab": 120, "bc": 120})
    assert found.arrivals == pytest.approx({"C": 120})
    assert found.through == pytest.approx({"B": 120})
    assert found.unreachable == {}
    occupancy = found.occupancy(LINE)
    assert occupancy["C"] == pytest.approx(120 * 600 / 3600)  # 20 visitors staying 10 min
    assert occupancy["B"] == pytest.approx(120 * (10 / WALK_SPEED_M_S) / 3600)  # crossing 10 m
    assert occupancy["A"] == 0
    # 120 persons × 268 m at 1.34 m/s, the links hardly loaded (120 of 29,400 an hour)
    assert found.walk_seconds == pytest.approx(120 * 200, rel=1e-6)


def test_the_bpr_time_grows_with_the_fourth_power_of_the_load() -> None:
    link = Link("x", "A", "B", 1, 134)
    assert link_seconds(link, 0, RATE) == pytest.approx(100)
    assert link_seconds(link, 500, RATE) == pytest.approx(115)  # at capacity: + 15 %
    assert link_seconds(link, 1000, RATE) == pytest.approx(100 * (1 + 0.15 * 16))


def test_light_demand_takes_the_short_route_only() -> None:
    found = assign(DIAMOND, {("A", "D"): 50}, flow_rate=RATE)
    assert found.link_flow == pytest.approx({"ab": 50, "bd": 50, "ac": 0, "cd": 0})
    assert found.through == pytest.approx({"B": 50})


def test_heavy_demand_spills_onto_the_longer_route() -> None:
    # In two parts of 1000: the first takes B (200 m against 300 m); then each B link carries
    # twice its capacity and takes 100 × (1 + 0.15 × 2⁴) = 340 m-equivalents, 680 for the
    # route, so the second part goes via C (300).
    two = assign(DIAMOND, {("A", "D"): 2000}, flow_rate=RATE, increments=2)
    assert two.link_flow == pytest.approx({"ab": 1000, "bd": 1000, "ac": 1000, "cd": 1000})
    # In ten parts of 200 (worked out in the docs): B, B, B, B, C, C, C, C, B, C → 1000/1000.
    ten = assign(DIAMOND, {("A", "D"): 2000}, flow_rate=RATE)
    assert ten.link_flow == pytest.approx({"ab": 1000, "bd": 1000, "ac": 1000, "cd": 1000})
    assert ten.arrivals == pytest.approx({"D": 2000})
    assert ten.through == pytest.approx({"B": 1000, "C": 1000})


def test_closing_a_zone_forces_the_detour() -> None:
    found = assign(DIAMOND, {("A", "D"): 50}, flow_rate=RATE, closed_zones=frozenset({"B"}))
    assert found.link_flow == pytest.approx({"ab": 0, "bd": 0, "ac": 50, "cd": 50})
    assert found.through == pytest.approx({"C": 50})
    closed_link = assign(DIAMOND, {("A", "D"): 50}, flow_rate=RATE,
                         closed_links=frozenset({"bd"}))
    assert closed_link.link_flow == pytest.approx({"ab": 0, "bd": 0, "ac": 50, "cd": 50})


def test_demand_no_open_path_joins_is_reported_not_lost() -> None:
    found = assign(DIAMOND, {("A", "D"): 70, ("A", "C"): 30}, flow_rate=RATE,
                   closed_zones=frozenset({"B"}), closed_links=frozenset({"cd"}))
    assert found.unreachable == {("A", "D"): 70}
    assert found.arrivals == pytest.approx({"C": 30})
    assert found.assigned + sum(found.unreachable.values()) == pytest.approx(100)
    to_closed = assign(DIAMOND, {("A", "B"): 10}, flow_rate=RATE, closed_zones=frozenset({"B"}))
    assert to_closed.unreachable == {("A", "B"): 10} and to_closed.assigned == 0
