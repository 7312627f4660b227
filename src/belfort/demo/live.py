"""The living demo: its sensors, their recent history, and the replay that keeps them moving.

``prepare_live_demo`` registers the demo sensors idempotently (TP01…TP12 pedestrian counters
playing Auckland's real counts; Ghent's bike counters when their data is there), keeps their
credentials in the data directory (``demo-sensor-credentials.json``, mode 0600: a demo
convenience, never do this with real devices) and backfills the recent weeks straight
through the write path. ``start_replay`` then plays the feed in a background thread, over
HTTP to the demo's own server once it answers.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select

from belfort.catalog.models import Observation, Sensor, StreamPart
from belfort.demo.replay_sources import auckland_series, ghent_bike_series, has_bike_counts
from belfort.platform import Platform
from belfort.streams.model import now_us
from belfort.streams.replay import (
    DEFAULT_ZONE,
    RecordedSeries,
    ReplayFeed,
    align_weeks,
    backfill,
    local_naive,
    quarters_missing,
)
from belfort.streams.replay_send import (
    DirectSender,
    EndpointMissing,
    HttpSender,
    SendStats,
    run_replay,
)
from belfort.streams.sensors import Device, hash_credential, register_sensor

log = logging.getLogger("belfort.demo")

CREDENTIALS_FILE = "demo-sensor-credentials.json"


@dataclass
class LiveDemo:
    series: list[RecordedSeries]
    credentials: dict[str, str]
    backfilled: int  # observations stored by the backfill


def credentials_path(data_dir: Path) -> Path:
    return data_dir / CREDENTIALS_FILE


def read_credentials(path: Path) -> dict[str, str]:
    """sensor id → credential from a JSON object file ({} when absent or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str) and len(v) <= 200}


def write_credentials(path: Path, credentials: Mapping[str, str]) -> None:
    """Atomically, readable by the owner only (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(dict(sorted(credentials.items())), handle, indent=1)
        handle.write("\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def demo_series(ghent_dir: Path | None) -> list[RecordedSeries]:
    """TP01…TP12, plus Ghent's bike counters when their data is in ``ghent_dir``."""
    series = auckland_series()
    if has_bike_counts(ghent_dir):
        assert ghent_dir is not None
        series += ghent_bike_series(ghent_dir)
    return series


def ensure_sensors(platform: Platform, series: Sequence[RecordedSeries],
                   path: Path) -> dict[str, str]:
    """Register the series' sensors that are not there yet; a demo sensor whose credential is
    not in the file gets a new one. Revoked sensors, and sensors of that id that are not the
    demo's (another organisation), are left alone. Returns the credentials."""
    import secrets

    from belfort.streams.sensors import CREDENTIAL_PREFIX

    known = read_credentials(path)
    credentials: dict[str, str] = {}
    with platform.db.session() as session:
        for one in series:
            spec = one.sensor
            sensor = session.get(Sensor, spec.id)
            if sensor is None:
                credentials[spec.id] = register_sensor(session, spec).credential
                continue
            if not sensor.active or sensor.organisation != spec.organisation:
                continue  # revoked, or someone else's sensor of that id: leave it alone
            have = known.get(spec.id)
            if have is not None and hash_credential(have) == sensor.credential_hash:
                credentials[spec.id] = have
                continue
            fresh = CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
            sensor.credential_hash = hash_credential(fresh)
            credentials[spec.id] = fresh
    write_credentials(path, {**known, **credentials})
    from belfort.streams.live_catalog import sync

    sync(platform, force=True)  # their live datasets are in the catalogue from now on
    return credentials


def active_devices(platform: Platform, ids: Sequence[str]) -> dict[str, Device]:
    with platform.db.session() as session:
        rows = session.scalars(select(Sensor).where(Sensor.id.in_(list(ids)),
                                                    Sensor.active.is_(True)))
        return {s.id: Device(s.id, s.dataset_id, s.observed_property, s.min_value, s.max_value)
                for s in rows}


def backfill_demo(platform: Platform, series: Sequence[RecordedSeries], days: float,
                  *, now: int | None = None) -> int:
    """Store the ``days`` before now, re-stamped by whole weeks, where nothing is stored yet
    (per quarter-hour in the hot store; nothing up to the last compacted observation of the
    sensor's dataset); returns how many observations were stored."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(DEFAULT_ZONE)
    moment = now if now is not None else now_us()
    devices = active_devices(platform, [s.sensor.id for s in series])
    sender = DirectSender(platform, devices)
    stats = SendStats()
    since = moment - int(days * 86_400_000_000)
    for one in series:
        if one.sensor.id not in devices:
            continue
        weeks = align_weeks(one, local_naive(moment, zone))
        if weeks is None:
            continue
        items = backfill(one, weeks, moment, days, zone)
        with platform.db.session() as session:
            stored = session.scalars(select(Observation.phenomenon_us).where(
                Observation.sensor_id == one.sensor.id, Observation.phenomenon_us >= since))
            items = quarters_missing(list(stored), items)
            # what compaction moved from the hot store into the lake is there too
            compacted = session.scalar(select(func.max(StreamPart.last_us)).where(
                StreamPart.dataset_id == one.sensor.dataset_id))
        if compacted is not None:
            items = [i for i in items if i.phenomenon_us > compacted]
        for first in range(0, len(items), 20_000):
            sender.send(one.sensor.id, items[first:first + 20_000], stats)
    return stats.stored


def prepare_live_demo(platform: Platform, *, days: float,
                      ghent_dir: Path | None) -> LiveDemo:
    series = demo_series(ghent_dir)
    credentials = ensure_sensors(platform, series, credentials_path(platform.settings.data_dir))
    stored = backfill_demo(platform, series, days) if days > 0 else 0
    return LiveDemo([s for s in series if s.sensor.id in credentials], credentials, stored)


def _wait_until_up(url: str, stop: threading.Event, patience: float = 600.0) -> bool:
    began = time.monotonic()
    while not stop.is_set() and time.monotonic() - began < patience:
        try:
            httpx.get(url + "/", timeout=2.0)
            return True
        except httpx.HTTPError:
            stop.wait(0.5)
    return False


def start_replay(open_platform: Callable[[], Platform], demo: LiveDemo, *, url: str,
                 speed: float) -> tuple[threading.Thread, threading.Event]:
    """Play the demo's feed in a daemon thread, over HTTP to ``url`` once it answers; while
    that server has no observations route (404) the feed goes straight into the write path.
    Set the returned event to stop it (the thread also ends with the process)."""
    stop = threading.Event()

    def play() -> None:
        if not _wait_until_up(url, stop):
            return
        feed = ReplayFeed(demo.series, speed=speed, start_us=now_us())
        sender = HttpSender(url, demo.credentials)
        try:
            run_replay(feed, sender, stop=stop)
            return
        except EndpointMissing:
            log.warning("demo replay: %s has no observations route; writing directly", url)
        finally:
            sender.close()
        platform = open_platform()
        try:
            direct = DirectSender(platform, active_devices(platform, list(demo.credentials)))
            run_replay(feed, direct, stop=stop)
        finally:
            platform.close()

    thread = threading.Thread(target=play, name="belfort-demo-replay", daemon=True)
    thread.start()
    return thread, stop
