"""``belfort mqtt-bridge``: the MQTT bridge on its own, without the web server.

It subscribes to ``BELFORT_MQTT_URL`` (or ``--url``) like the bridge ``belfort serve`` starts,
stores what arrives and acknowledges it once durable, until SIGINT or SIGTERM.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click

from belfort.commands.common import _fail, _platform, _settings, common_options, console
from belfort.errors import BelfortError

if TYPE_CHECKING:
    from belfort.streams.mqtt import MqttBridge


@click.command(name="mqtt-bridge")
@common_options
@click.option("--url", default=None,
              help="Broker URL, e.g. mqtt://127.0.0.1:1883 (default: $BELFORT_MQTT_URL).")
@click.option("--client-id", default=None,
              help="Base of the MQTT client id (default: $BELFORT_MQTT_CLIENT_ID or "
                   "belfort-<host name>).")
@click.option("--stats-seconds", type=click.FloatRange(min=0), default=60.0, show_default=True,
              help="Print what was stored every this many seconds (0: never).")
def command(data_dir: Path | None, database_url: str | None, url: str | None,
            client_id: str | None, stats_seconds: float) -> None:
    """Store what devices publish on an MQTT broker (FIWARE IoT Agent JSON topics and
    belfort/v1/sensors/<id>/observations), acknowledging each message once it is durable."""
    from belfort.streams.mqtt import MqttBridge

    settings = _settings(data_dir, database_url)
    if not (url or settings.mqtt_url):
        raise click.UsageError("give --url or set BELFORT_MQTT_URL")
    platform = _platform(settings)
    try:
        bridge = MqttBridge(platform, url=url, client_id=client_id)
    except BelfortError as exc:
        _fail(exc)
        return
    done = threading.Event()

    def finish(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, finish)
    signal.signal(signal.SIGTERM, finish)
    bridge.start()
    console.print(f"MQTT bridge {bridge.client_id} started "
                  f"({bridge.broker.host}:{bridge.broker.port})")
    announced = False
    last = time.monotonic()
    while not done.wait(0.1):
        if bridge.subscribed.is_set() and not announced:
            announced = True
            click.echo(f"subscribed {' '.join(bridge.filters)}", err=True)
        if stats_seconds and time.monotonic() - last >= stats_seconds:
            last = time.monotonic()
            _print_stats(bridge)
    bridge.stop()
    _print_stats(bridge)
    platform.close()


def _print_stats(bridge: MqttBridge) -> None:
    stats = bridge.stats
    console.print(f"messages {stats.messages}, stored {stats.stored}, duplicates "
                  f"{stats.duplicates}, refused messages {stats.refused_messages}, "
                  f"item problems {stats.item_problems}")
