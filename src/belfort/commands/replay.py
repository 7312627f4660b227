"""``belfort replay``: recorded real counts played as a live feed at N× speed.

Sources: Ghent's bike counters (``--data DIR``, default ``../shared/data/ghent``) when their
files are there, otherwise Auckland's pedestrian counts on the demo's counting points
TP01…TP12. Over HTTP (the native batch route) or MQTT (the FIWARE attrs topic). Without
``--credentials`` the sensors are registered (idempotently) in the data directory's
catalogue and their credentials kept in ``demo-sensor-credentials.json`` there (0600).
"""

from __future__ import annotations

import datetime as dt
import math
import signal
import sys
import threading
from pathlib import Path

import click

from belfort.commands.common import _platform, _settings, common_options, console

MAX_DURATION_SECONDS = 366 * 86_400
OBSERVATIONS = "/api/belfort/v1/observations"


def _duration(text: str | None) -> float | None:
    """``90``, ``90s``, ``15m``, ``2h``, ``1d`` → seconds."""
    if text is None:
        return None
    raw = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
    factor = units.get(raw[-1:], 0)
    number = raw[:-1] if factor else raw
    try:
        seconds = float(number) * (factor or 1)
        if not math.isfinite(seconds):
            raise ValueError(text)
    except ValueError:
        raise click.BadParameter("a number of seconds, or with s, m, h or d (e.g. 15m)",
                                 param_hint="--duration") from None
    if not 0 < seconds <= MAX_DURATION_SECONDS:
        raise click.BadParameter("between 0 and 366 days", param_hint="--duration")
    return seconds


@click.command(name="replay")
@common_options
@click.option("--source", type=click.Choice(["ghent-bikes", "akl"]), default=None,
              help="Recorded counts to play (default: ghent-bikes when their data is there, "
                   "else akl).")
@click.option("--data", "ghent_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Directory with the Ghent bike counter files "
                                 "(default ../shared/data/ghent).")
@click.option("--speed", type=click.FloatRange(min=0.001, max=1_000_000), default=60.0,
              show_default=True, help="Recorded time per real time (60: an hour a minute).")
@click.option("--over", type=click.Choice(["http", "mqtt", "direct"]), default="http",
              show_default=True, help="direct: into the data directory's catalogue through the "
                                      "write path, no server needed.")
@click.option("--url", default="http://127.0.0.1:8000", show_default=True,
              help="The Belfort server (http) or the MQTT broker (mqtt://HOST:PORT).")
@click.option("--credentials", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="JSON object sensor id → credential (default: register the "
                                 "sensors in the data directory and keep theirs there).")
@click.option("--start", "start_date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Recorded date to start from (the first moment on or after it with now's "
                   "weekday and time of day).")
@click.option("--duration", default=None, help="Stop after this long (e.g. 90s, 15m, 2h).")
@click.option("--tick", type=click.FloatRange(min=0.05, max=3600), default=None,
              help="Seconds between sends (default: a twelfth of a recorded hour, 1-60 s).")
def command(data_dir: Path | None, database_url: str | None, source: str | None,
            ghent_dir: Path | None, speed: float, over: str, url: str,
            credentials: Path | None, start_date: dt.datetime | None, duration: str | None,
            tick: float | None) -> None:
    """Replay recorded real counts as a live feed at SPEED× over HTTP or MQTT."""
    from belfort.demo.live import (
        active_devices,
        credentials_path,
        ensure_sensors,
        read_credentials,
    )
    from belfort.demo.replay_sources import load_series
    from belfort.streams.model import now_us
    from belfort.streams.replay import ReplayFeed
    from belfort.streams.replay_send import (
        DirectSender,
        EndpointMissing,
        HttpSender,
        MqttSender,
        Sender,
        run_replay,
    )

    if not math.isfinite(speed):
        raise click.BadParameter("a finite number", param_hint="--speed")
    seconds = _duration(duration)
    if over == "http" and not url.startswith(("http://", "https://")):
        raise click.BadParameter("an http:// or https:// URL", param_hint="--url")
    if over == "mqtt" and not url.startswith(("mqtt://", "tcp://")):
        raise click.BadParameter("an mqtt://HOST:PORT URL", param_hint="--url")
    try:
        chosen, series = load_series(source, ghent_dir)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--source/--data") from None
    platform = None
    if credentials is not None and over != "direct":
        if credentials.stat().st_size > 1_000_000:
            raise click.BadParameter("larger than a credentials file can be",
                                     param_hint="--credentials")
        keys = read_credentials(credentials)
        if not keys:
            raise click.BadParameter("not a JSON object of sensor id → credential",
                                     param_hint="--credentials")
    else:
        platform = _platform(_settings(data_dir, database_url))
        keys = ensure_sensors(platform, series, credentials_path(platform.settings.data_dir))
    series = [s for s in series if s.sensor.id in keys]
    if not series:
        raise click.UsageError("none of the source's sensors has a credential")
    feed = ReplayFeed(series, speed=speed, start_us=now_us(),
                      start_date=start_date.date() if start_date else None)
    if not feed.playing:
        raise click.UsageError("no sensor has recorded counts to play"
                               + (" from --start" if start_date else ""))
    sender: Sender
    if over == "direct":
        assert platform is not None
        sender = DirectSender(platform, active_devices(platform, list(keys)))
        url = str(platform.settings.data_dir)
    else:
        if platform is not None:
            platform.close()
        sender = HttpSender(url, keys) if over == "http" else MqttSender(url, keys)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print(f"replaying {chosen}: {len(feed.playing)} sensors at {speed:g}× over {over} "
                  f"to {url}" + (f" ({len(feed.silent)} without recorded data)"
                                 if feed.silent else ""))
    try:
        stats = run_replay(feed, sender, stop=stop, duration=seconds, tick=tick)
    except KeyboardInterrupt:
        stats = None
    except EndpointMissing:
        console.print(f"[bold red]error:[/] {url} has no {OBSERVATIONS} route: is it a Belfort "
                      "server with live streams?")
        sys.exit(1)
    finally:
        sender.close()
        if platform is not None:
            platform.close()
    if stats is not None:
        line = ", ".join(f"{k} {v}" for k, v in stats.to_dict().items() if k != "errors")
        click.echo(f"replay ended: {line}; errors {stats.errors or 'none'}")
