"""The living half of ``belfort demo``: sensors, backfill, and the replay to its own server."""

from __future__ import annotations

from belfort.commands.common import _platform, console
from belfort.demo.live import LiveDemo, prepare_live_demo, start_replay
from belfort.demo.replay_sources import default_ghent_dir
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.compaction import compact
from belfort.twin.alerts.demo import load_demo_alerts
from belfort.twin.demo_zones import load_demo_zones

SMALL_BACKFILL_DAYS = 1.0


def load_zones(platform: Platform) -> None:
    """The demo's crowding zones (a square around each counting point) and the crowding
    datasets (``druktebarometer-info``, ``drukte-per-zone``), once."""
    added = load_demo_zones(platform)
    console.print(f"crowding: {len(added)} demo zone(s) added")
    rules = load_demo_alerts(platform)
    if rules:
        console.print(f"crowding alerts: {rules} demo rule(s) and advice for the Korenmarkt")


def prepare(platform: Platform, settings: Settings, *, small: bool) -> LiveDemo:
    days = settings.demo_backfill_days
    if small:
        days = min(days, SMALL_BACKFILL_DAYS)
    live = prepare_live_demo(platform, days=days, ghent_dir=default_ghent_dir())
    # the history goes to the lake now, as the server's compactor would move it within
    # minutes: the hot store then holds the last hours only, and the first reads of the live
    # datasets do not go through weeks of rows in the hot store
    compact(platform)
    console.print(f"live demo: {len(live.series)} sensors, {live.backfilled:,} observations "
                  f"of the last {days:g} days stored; replay at {settings.demo_replay_speed:g}×")
    return live


def start(settings: Settings, live: LiveDemo) -> None:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if ":" in host:
        host = f"[{host}]"
    url = f"http://{host}:{settings.port}"
    start_replay(lambda: _platform(settings), live, url=url, speed=settings.demo_replay_speed)
