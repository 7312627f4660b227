"""``belfort telraam poll``: fetch hourly counts from a Telraam API v1 into the hot store."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from belfort.commands.common import _platform, _settings, common_options, console
from belfort.settings import Settings

if TYPE_CHECKING:
    from belfort.streams.telraam import TelraamPoller


@click.group(name="telraam")
def command() -> None:
    """Telraam traffic counts (API v1): poll segments into sensors telraam-<segment>."""


def _segment(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[str]:
    from belfort.streams.telraam import check_segment

    try:
        return [check_segment(v) for v in value]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@command.command(name="poll")
@common_options
@click.option("--url", required=True, help="Base URL of the API, e.g. https://telraam-api.net/v1.")
@click.option("--segment", "segments", multiple=True, required=True, callback=_segment,
              help="A segment id (repeat for several).")
@click.option("--api-key-env", default="TELRAAM_API_KEY", show_default=True,
              help="Environment variable holding the API key (sent as X-Api-Key).")
@click.option("--every", type=click.FloatRange(min=1), default=None,
              help="Keep polling, this many seconds apart (default: poll once).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def poll(data_dir: Path | None, database_url: str | None, url: str, segments: list[str],
         api_key_env: str, every: float | None, as_json: bool) -> None:
    """Poll the segments once (or --every N seconds) and print what came of it."""
    import threading

    from belfort.streams.telraam import PollStats, TelraamClient, poll_once

    if not url.startswith(("http://", "https://")) or len(url) > 2000 or "\x00" in url:
        raise click.BadParameter("an http:// or https:// URL", param_hint="--url")
    if not api_key_env.replace("_", "").isalnum() or len(api_key_env) > 100:
        raise click.BadParameter("an environment variable name", param_hint="--api-key-env")
    key = os.environ.get(api_key_env)
    if not key:
        console.print(f"[yellow]warning:[/] ${api_key_env} is not set; polling without a key")
    platform = _platform(_settings(data_dir, database_url))
    client = TelraamClient(url, key)
    stats = PollStats()
    stop = threading.Event()
    try:
        while True:
            poll_once(platform, client, segments, stats)
            if every is None or stop.wait(every):
                break
    except KeyboardInterrupt:
        pass
    finally:
        client.close()
        platform.close()
    if as_json:
        click.echo(json.dumps(stats.to_dict()))
    else:
        click.echo(f"{stats.requests} request(s), {stats.items} report item(s): "
                   f"{stats.stored} stored, {stats.duplicates} already there, "
                   f"{stats.suspect} suspect, {stats.malformed} unreadable; "
                   f"failed requests: {stats.errors or 'none'}")
    if stats.requests and sum(stats.errors.values()) >= stats.requests:
        sys.exit(1)


def start_poller(settings: Settings) -> TelraamPoller | None:
    """Start the periodic poller of ``belfort serve`` when BELFORT_TELRAAM_URL and
    BELFORT_TELRAAM_SEGMENTS are set (a daemon thread: it ends with the server)."""
    from belfort.platform import Platform
    from belfort.streams.telraam import poller_from_settings

    if not settings.telraam_url or not settings.telraam_segments:
        return None
    try:
        poller = poller_from_settings(Platform(settings))
    except ValueError as exc:
        console.print(f"[bold red]error:[/] Telraam poller not started: {exc}")
        return None
    if poller is None:
        return None
    console.print(f"polling Telraam at {settings.telraam_url} for {len(poller.segments)} "
                  f"segment(s) every {settings.telraam_poll_seconds:g} s")
    return poller.start()
