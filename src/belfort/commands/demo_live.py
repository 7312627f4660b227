"""The living half of ``belfort demo``: sensors, backfill, and the replay to its own server."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from belfort.commands.common import _platform, console
from belfort.demo.live import LiveDemo, prepare_live_demo, start_replay
from belfort.demo.replay_sources import default_ghent_dir
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.compaction import compact
from belfort.twin.alerts.demo import load_demo_alerts
from belfort.twin.demo_zones import load_demo_zones
from belfort.twin.scenarios.demo_links import load_demo_links

if TYPE_CHECKING:
    from belfort.twin.forecasting.training import TrainOptions

SMALL_BACKFILL_DAYS = 1.0
log = logging.getLogger("belfort.demo")


def load_zones(platform: Platform) -> None:
    """The demo's crowding zones (a square around each counting point) and the crowding
    datasets (``druktebarometer-info``, ``drukte-per-zone``), once."""
    added = load_demo_zones(platform)
    console.print(f"crowding: {len(added)} demo zone(s) added, "
                  f"{load_demo_links(platform)} street link(s) for what-if scenarios")
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


def start(settings: Settings, live: LiveDemo, *, forecasts: bool = False) -> None:
    """The replay to the demo's own server; with ``forecasts`` (the full demo: 56 days of
    history; the small demo's day is far too short) the forecast model in the background."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    if ":" in host:
        host = f"[{host}]"
    url = f"http://{host}:{settings.port}"
    start_replay(lambda: _platform(settings), live, url=url, speed=settings.demo_replay_speed)
    if forecasts:
        start_forecasts(lambda: _platform(settings))


def demo_forecasts(platform: Platform, options: TrainOptions | None = None) -> str:
    """The demo's forecast model: when no model is active, train one on the demo's history
    (``belfort twin train``: its short backtest, then the model on every hour) and make the
    forecasts; a line saying what happened. Too little history (a demo with
    ``BELFORT_DEMO_BACKFILL_DAYS`` under about 53) is said, not raised."""
    from belfort.errors import ForecastHistoryTooShort
    from belfort.twin.forecasting import registry, serving, training

    with platform.db.session() as session:
        active = registry.active(session)
    if active is None:
        try:
            made = training.train(platform, options or training.TrainOptions(), actor="system:demo")
        except ForecastHistoryTooShort as exc:
            return f"demo forecasts: no model: {exc.message}"
        version = str(made["version"])
    else:
        version = active.version
    summary = serving.refresh(platform)
    return (f"demo forecasts: model {version} ({'trained now' if active is None else 'active'})"
            f", {summary.get('sensors', 0)} sensor(s) and {summary.get('zones', 0)} zone(s) "
            "forecast")


def start_forecasts(open_platform: Callable[[], Platform],
                    options: TrainOptions | None = None) -> threading.Thread:
    """``demo_forecasts`` in a daemon thread, so ``belfort demo`` serves at once and shows
    forecasts within about half a minute (the full demo's 56 days: about 25 s of training)."""

    def run() -> None:
        platform = open_platform()
        try:
            console.print(demo_forecasts(platform, options))
        except Exception:  # a demo convenience: the server goes on without forecasts
            log.exception("demo forecasts: training the model failed")
        finally:
            platform.close()

    thread = threading.Thread(target=run, name="belfort-demo-forecasts", daemon=True)
    thread.start()
    return thread
