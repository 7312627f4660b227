"""Demand: each zone's hourly inflow from its counts, and trips between zones balanced
against it (doubly-constrained gravity), checked by hand."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from belfort.platform import Platform
from belfort.streams.model import to_us
from belfort.twin.scenarios.demand import (
    HOUR_US,
    free_minutes,
    gravity,
    hour_of_week,
    inflow_profile,
)
from belfort.twin.scenarios.graph import Link, Network, Node
from tests.twin.conftest import feed, make_sensor, make_zone

LOCAL_MONDAY_9 = datetime.fromisoformat("2026-11-23T09:00:00+01:00")  # a Monday in Brussels


def test_the_inflow_balances_rows_and_columns() -> None:
    # A, B, C each send and attract 100 an hour. By symmetry A→B = B→C = x and A→C = y;
    # A's row: x + y = 100; B's row: 2x = 100. So every pair carries 50, whatever the walk.
    minutes = {("A", "B"): 2.0, ("B", "A"): 2.0, ("B", "C"): 2.0, ("C", "B"): 2.0,
               ("A", "C"): 4.0, ("C", "A"): 4.0}
    trips, residual = gravity({"A": 100, "B": 100, "C": 100}, minutes)
    assert residual < 1e-3
    assert trips == pytest.approx({pair: 50.0 for pair in minutes}, rel=1e-3)


def test_nearer_zones_get_more_of_a_zone_s_trips() -> None:
    # A sits 1 minute from B and 10 from C and E; all others are 10 apart; all alike.
    zones = "ABCE"
    minutes = {(i, j): 1.0 if {i, j} == {"A", "B"} else 10.0
               for i in zones for j in zones if i != j}
    trips, residual = gravity({"A": 100, "B": 100, "C": 100, "E": 100, "D": 50}, minutes)
    assert residual < 1e-3
    # By symmetry T_ij = a_i a_j f_ij with a_A = a_B = p, a_C = a_E = q; the rows give
    # A→B = C→E, so p/q = exp(-0.45) and A→C / A→B = exp(-0.45): A→B = 100 / (1 + 2e^-0.45).
    near = 100 / (1 + 2 * math.exp(-0.45))
    assert trips[("A", "B")] == pytest.approx(near, rel=2e-3)  # 43.95
    assert trips[("A", "C")] == pytest.approx(near * math.exp(-0.45), rel=2e-3)  # 28.02
    assert trips[("A", "C")] == pytest.approx(trips[("A", "E")])
    assert sum(v for (o, _), v in trips.items() if o == "A") == pytest.approx(100, rel=1e-3)
    assert sum(v for (_, d), v in trips.items() if d == "C") == pytest.approx(100, rel=1e-3)
    assert not any("D" in pair for pair in trips)  # no path to D: no trips, said by the caller


def test_a_zone_larger_than_the_rest_together_cannot_be_balanced_and_says_so() -> None:
    minutes = {("A", "B"): 1.0, ("B", "A"): 1.0}
    _, residual = gravity({"A": 300, "B": 100}, minutes)
    assert residual > 0.5


def test_free_minutes_follow_the_shortest_walk() -> None:
    nodes = {z: Node(z, z, 100, 50, 600) for z in "ABC"}
    network = Network(nodes, (Link("ab", "A", "B", 5, 80.4), Link("bc", "B", "C", 5, 80.4)))
    found = free_minutes(network)
    assert found[("A", "C")] == pytest.approx(2.0)  # 160.8 m at 1.34 m/s
    assert found[("C", "B")] == pytest.approx(1.0)


def test_the_inflow_profile_is_the_mean_per_weekday_and_hour(platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    monday = to_us(LOCAL_MONDAY_9)
    week = 7 * 24 * HOUR_US
    # an hourly count on two Mondays at 9, quarter-hours on a third: mean (100 + 200 + 300) / 3
    feed(platform, credential, "TP01",
         [(monday - 2 * week, 100.0, monday - 2 * week + HOUR_US),
          (monday - week, 200.0, monday - week + HOUR_US)]
         + [(monday + q * HOUR_US // 4, 75.0) for q in range(4)])
    profile = inflow_profile(platform, monday + 2 * HOUR_US)
    assert hour_of_week(monday) == 9
    assert profile["korenmarkt"][9] == pytest.approx(200.0)
    assert profile["korenmarkt"][10] is None  # no counts at that hour: missing, not zero
