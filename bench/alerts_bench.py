"""Crowding alerts: what an evaluation costs next to the crowding it reads, and what the
dashboard banner's check adds to a live stream's poll.

The demo's 12 zones with the replay's backfilled counts (``--days``, real Ghent data), three
score rules per zone and one deviation rule (48 rules, SQLite); side by side in one run:

- ``crowding_now`` with "normal" (what an evaluation must read anyway),
- one ``evaluate`` of all 48 rules (the lease, the crowding, every rule's state written),
- the dashboard's live mark (``belfort.dashboards.live.mark``, every poll of a stream),
- the banner's mark (``belfort.twin.alerts.store.banner_mark``, added to every poll).

    .venv/bin/python bench/alerts_bench.py [--days 7] [--runs 7]

Medians of ``--runs`` runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import median_ms


def main() -> None:
    from belfort.dashboards.live import mark
    from belfort.dashboards.store import ensure_default as ensure_default_dashboard
    from belfort.demo.live import prepare_live_demo
    from belfort.demo.replay_sources import default_ghent_dir
    from belfort.platform import Platform
    from belfort.settings import Settings
    from belfort.streams.compaction import compact
    from belfort.twin.alerts.evaluate import evaluate
    from belfort.twin.alerts.rules import add_rule, spec_from_mapping
    from belfort.twin.alerts.store import banner_mark
    from belfort.twin.demo_zones import load_demo_zones
    from belfort.twin.score import crowding_now

    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="alerts-bench-"))
    platform = Platform(Settings(data_dir=root / "data",
                                 database_url=f"sqlite:///{root / 'c.db'}"))
    zones = load_demo_zones(platform)
    prepare_live_demo(platform, days=args.days, ghent_dir=default_ghent_dir())
    compact(platform)
    ensure_default_dashboard(platform)
    with platform.db.session() as session:
        for zone in zones:
            for level, threshold in (("attention", 3), ("warning", 67), ("critical", 90)):
                add_rule(session, spec_from_mapping(
                    {"zone": zone, "kind": "score_above", "level": level,
                     "threshold": threshold}, platform.settings), "bench")
            add_rule(session, spec_from_mapping(
                {"zone": zone, "kind": "deviation", "level": "attention", "threshold": 1.5},
                platform.settings), "bench")
    crowding_now(platform)  # "normal" read once: both sides below use the kept buckets
    rules = len(zones) * 4
    crowding = median_ms(lambda: crowding_now(platform), args.runs)
    evaluation = median_ms(lambda: evaluate(platform, b"bench"), args.runs)

    def banner() -> None:
        with platform.db.session() as session:
            banner_mark(session)

    live = median_ms(lambda: mark(platform, "gent"), args.runs * 5)
    extra = median_ms(banner, args.runs * 5)
    print(f"zones {len(zones)}, rules {rules}, days {args.days:g}, runs {args.runs}")
    print(f"crowding_now (normal kept)       {crowding:8.1f} ms")
    print(f"evaluate ({rules} rules)             {evaluation:8.1f} ms  "
          f"ratio {evaluation / crowding:.2f}")
    print(f"dashboard live mark per poll     {live:8.2f} ms")
    print(f"+ banner mark per poll           {extra:8.2f} ms  ratio {extra / live:.2f}")
    platform.close()


if __name__ == "__main__":
    main()
