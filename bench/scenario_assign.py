"""How long the scenario engine takes for one hour on a graph at the link limit.

A 32 × 32 grid of zones (1,024 zones, 1,984 links, ~ BELFORT_TWIN_SCENARIO_MAX_LINKS) with
``--counted`` zones that have counts (demand between them by the gravity model), assigned
once as it is and once with the centre zone closed — what a scenario does per distinct
hour of the week. Prints the median of ``--repeat`` runs in seconds as JSON.

    .venv/bin/python bench/scenario_assign.py --counted 12 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time

from belfort.twin.scenarios.assign import assign
from belfort.twin.scenarios.demand import free_minutes, gravity
from belfort.twin.scenarios.graph import Link, Network, Node


def grid(side: int) -> Network:
    nodes = {f"z{r}-{c}": Node(f"z{r}-{c}", "", 2000, 1000, 600)
             for r in range(side) for c in range(side)}
    links = []
    for r in range(side):
        for c in range(side):
            if c + 1 < side:
                links.append(Link(f"h{r}-{c}", f"z{r}-{c}", f"z{r}-{c + 1}", 6, 120))
            if r + 1 < side:
                links.append(Link(f"v{r}-{c}", f"z{r}-{c}", f"z{r + 1}-{c}", 6, 120))
    return Network(nodes, tuple(links))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", type=int, default=32)
    parser.add_argument("--counted", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    network = grid(args.side)
    rng = random.Random(1)
    counted = rng.sample(sorted(network.nodes), args.counted)
    inflow = {z: rng.uniform(500, 3000) for z in counted}
    started = time.perf_counter()
    minutes = free_minutes(network, set(counted))
    free_s = time.perf_counter() - started
    demand, _ = gravity(inflow, minutes)
    centre = f"z{args.side // 2}-{args.side // 2}"
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        assign(network, demand, 49.0)
        assign(network, demand, 49.0, closed_zones=frozenset({centre}))
        times.append(time.perf_counter() - started)
    print(json.dumps({"zones": len(network.nodes), "links": len(network.links),
                      "counted": args.counted, "free_minutes_s": round(free_s, 2),
                      "hour_median_s": round(statistics.median(times), 3),
                      "week_estimate_s": round(168 * statistics.median(times) + free_s, 1)}))


if __name__ == "__main__":
    main()
