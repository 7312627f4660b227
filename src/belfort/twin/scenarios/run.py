"""Running a scenario: for every hour of its window, the walking demand of that weekday × hour
(``demand.py``) assigned twice over the zone graph (``assign.py``) — as it is (the baseline)
and with the closures — and each zone's occupancy, score and band in both.

Demand **to** a closed zone is **redistributed** over the other destinations of the same
origin in proportion to the trips they already draw (people who came for the Korenmarkt go
to the squares they would otherwise have gone to); demand **from** a closed zone is
**dropped** (nobody is let in, so nobody walks out of it after the first minutes); demand
between open zones that the closures cut off is **unreachable**. All three are counted per
hour, so no person disappears without being reported.
"""

from __future__ import annotations

import math
from typing import Any

from belfort.platform import Platform
from belfort.streams.model import from_us, now_us
from belfort.twin.scenarios.assign import INCREMENTS, Assignment, Pair, assign
from belfort.twin.scenarios.demand import BETA, free_minutes, gravity, hour_of_week, inflow_profile
from belfort.twin.scenarios.explain import explain
from belfort.twin.scenarios.graph import Network
from belfort.twin.scenarios.links import load_network
from belfort.twin.scenarios.spec import HOUR_US, ScenarioSpec, spec_from_mapping
from belfort.twin.score import LABELS, label, score_of

BAND = {name: n for n, (_, name) in enumerate(LABELS)}


def checked_spec(platform: Platform, data: Any) -> tuple[ScenarioSpec, Network]:
    with platform.db.session() as session:
        network = load_network(session, platform.settings)
    return spec_from_mapping(data, network, platform.settings), network


def redistribute(demand: dict[Pair, float],
                 closed: frozenset[str]) -> tuple[dict[Pair, float], float, float]:
    """The demand with closed zones dealt with, the persons redistributed and dropped."""
    kept: dict[Pair, float] = {}
    moved: dict[str, float] = {}
    dropped = 0.0
    for (origin, destination), persons in demand.items():
        if origin in closed:
            dropped += persons
        elif destination in closed:
            moved[origin] = moved.get(origin, 0.0) + persons
        else:
            kept[(origin, destination)] = persons
    redistributed = 0.0
    for origin, persons in moved.items():
        options = {d: v for (o, d), v in kept.items() if o == origin}
        total = sum(options.values())
        if total <= 0:
            dropped += persons  # nowhere else this origin's people walk to
            continue
        for destination, share in options.items():
            kept[(origin, destination)] += persons * share / total
        redistributed += persons
    return kept, redistributed, dropped


def _state(occupancy: float, capacity: float) -> dict[str, Any]:
    score = score_of(occupancy, capacity)
    return {"occupancy": round(occupancy, 1), "score": score, "label": label(score)}


def _hour(network: Network, spec: ScenarioSpec, demand: dict[Pair, float], residual: float,
          flow_rate: float) -> dict[str, Any]:
    closed = spec.closed_zones
    base: Assignment = assign(network, demand, flow_rate)
    changed, redistributed, dropped = redistribute(demand, closed)
    scen = assign(network, changed, flow_rate, closed, spec.closed_links)
    base_occ, scen_occ = base.occupancy(network), scen.occupancy(network)
    zones = []
    for zone_id, node in sorted(network.nodes.items()):
        before = _state(base_occ[zone_id], node.capacity)
        after = _state(0.0 if zone_id in closed else scen_occ[zone_id], node.capacity)
        zones.append({"zone": zone_id, "name": node.name, "capacity": round(node.capacity),
                      "closed": zone_id in closed, "baseline": before, "scenario": after,
                      "crosses": BAND[after["label"]] > BAND[before["label"]]})
    rate = {link.id: link.capacity_per_hour(flow_rate) for link in network.links}
    links = [{"link": lid, "capacity": round(rate[lid]),
              "baseline_flow": round(base.link_flow[lid], 1),
              "scenario_flow": round(scen.link_flow[lid], 1),
              "closed": lid in spec.closed_links}
             for lid in sorted(rate) if base.link_flow[lid] > 0 or scen.link_flow[lid] > 0]
    total = sum(demand.values())
    return {"demand": round(total, 1), "redistributed": round(redistributed, 1),
            "dropped": round(dropped, 1),
            "unreachable": round(sum(scen.unreachable.values()), 1),
            "unreachable_pairs": [{"from": o, "to": d, "persons": round(v, 1)}
                                  for (o, d), v in sorted(scen.unreachable.items())][:50],
            "balance_residual": round(residual, 4),
            "walk_minutes": {
                "baseline": round(base.walk_seconds / 60 / base.assigned, 2)
                if base.assigned else None,
                "scenario": round(scen.walk_seconds / 60 / scen.assigned, 2)
                if scen.assigned else None},
            "zones": zones, "links": links}


def run_scenario(platform: Platform, spec: ScenarioSpec, network: Network,
                 until_us: int | None = None) -> dict[str, Any]:
    """The scenario's result (JSON-ready): per hour of its window, every zone in the baseline
    and the scenario, the flows on the links, and what was redistributed, dropped or cut off;
    its plain-language explanation."""
    settings = platform.settings
    ran_at = now_us() if until_us is None else until_us
    profile = inflow_profile(platform, ran_at)
    minutes = free_minutes(network, set(profile))
    by_how: dict[int, dict[str, Any]] = {}
    hours = []
    for start in range(spec.start_us, spec.end_us, HOUR_US):
        how = hour_of_week(start)
        if how not in by_how:
            inflow = {z: v for z, values in profile.items() if z in network.nodes
                      and (v := values[how]) is not None and math.isfinite(v) and v > 0}
            demand, residual = gravity(inflow, minutes)
            by_how[how] = _hour(network, spec, demand, residual,
                                settings.twin_scenario_flow_rate)
            by_how[how]["zones_with_counts"] = len(inflow)
        hours.append({"time": _iso(start), "hour_of_week": how, **by_how[how]})
    flagged = [{"time": h["time"], "zone": z["zone"], "from": z["baseline"]["label"],
                "to": z["scenario"]["label"], "score": z["scenario"]["score"]}
               for h in hours for z in h["zones"] if z["crosses"]]
    result: dict[str, Any] = {
        "name": spec.name, "closures": [c.to_dict() for c in spec.closures],
        "window": {"start": _iso(spec.start_us), "end": _iso(spec.end_us),
                   "hours": spec.hours},
        "computed_at": _iso(ran_at),
        "graph": {"zones": len(network.nodes), "links": len(network.links)},
        "data": {"demand_days": settings.twin_scenario_demand_days,
                 "zones_with_counts": sorted(profile),
                 "hours_with_demand": sum(1 for h in hours if h["demand"] > 0)},
        "method": {"demand": "doubly-constrained gravity model", "beta_per_minute": BETA,
                   "assignment": "incremental, BPR link times", "increments": INCREMENTS,
                   "flow_rate_per_m_min": settings.twin_scenario_flow_rate,
                   "occupancy": "Little's law: arrivals × dwell + passers-by × crossing time"},
        "flagged": flagged,
        "totals": {key: round(sum(h[key] for h in hours), 1)
                   for key in ("demand", "redistributed", "dropped", "unreachable")},
        "hours": hours,
    }
    result["explanation"] = explain(result)
    return result


def _iso(us: int) -> str:
    return from_us(us).isoformat().replace("+00:00", "Z")
