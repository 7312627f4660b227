"""A poller for the Telraam API v1: hourly traffic counts per road segment.

Each poll asks ``POST {base}/reports/traffic`` with ``{"level": "segments", "format":
"per-hour", "id": <segment>, "time_start": …, "time_end": …}`` (key in the ``X-Api-Key``
header) from the end of the last hour stored for the segment (the database is the only
state, so any process may poll, and a resend is a harmless duplicate) up to now, in windows
of at most ``WINDOW_DAYS``. Every ``report`` item becomes observations of sensor
``telraam-<segment>`` (registered on the first poll): one property per mode and direction
(``car``, ``car_lft``, ``car_rgt``, … for ``heavy``, ``car``, ``bike``, ``pedestrian``) and
``v85`` (km/h), over the interval hour start–end, with ``uptime`` (0–1) as the observation's
weight; an hour with an uptime under ``BELFORT_TELRAAM_MIN_UPTIME`` is flagged ``suspect``.
Hours not yet over are left for the next poll.

HTTP errors, timeouts and malformed answers or items are counted (``PollStats``) and logged;
they never stop the poller, and nothing is skipped: the next poll starts where the stored
hours end.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from belfort.catalog.models import Observation, Sensor
from belfort.platform import Platform
from belfort.streams.model import (
    QUALITY_OK,
    QUALITY_SUSPECT,
    ItemInvalid,
    ObservationIn,
    from_us,
    now_us,
    parse_time,
    parse_value,
)
from belfort.streams.sensors import Device, SensorSpec, register_sensor

log = logging.getLogger("belfort.telraam")

MODES = ("heavy", "car", "bike", "pedestrian")
PROPERTIES = tuple(f"{m}{s}" for m in MODES for s in ("", "_lft", "_rgt")) + ("v85",)
SEGMENT_ID = re.compile(r"^[0-9]{1,20}$")
HOUR_US = 3_600_000_000
WINDOW_DAYS = 31
MAX_ANSWER_BYTES = 16 * 1024 * 1024
MAX_ITEMS = 31 * 24 * 4


class TelraamUnavailable(Exception):
    """A request that brought nothing usable back (counted under ``kind``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class PollStats:
    requests: int = 0
    items: int = 0  # report items read
    stored: int = 0
    duplicates: int = 0
    suspect: int = 0
    malformed: int = 0  # report items or values that could not be read
    errors: dict[str, int] = field(default_factory=dict)  # failed requests, by kind

    def count_error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {"requests": self.requests, "items": self.items, "stored": self.stored,
                "duplicates": self.duplicates, "suspect": self.suspect,
                "malformed": self.malformed, "errors": dict(self.errors)}


def check_segment(segment: str) -> str:
    text = str(segment).strip()
    if not SEGMENT_ID.match(text):
        raise ValueError("a Telraam segment id is a number of 1-20 digits")
    return text


def segments_setting(value: str | None) -> list[str]:
    """``"9000001234, 9000005678"`` → the ids (``ValueError`` on a bad one)."""
    return [check_segment(part) for part in (value or "").split(",") if part.strip()]


def sensor_id(segment: str) -> str:
    return f"telraam-{segment}"


def _time_text(us: int) -> str:
    return from_us(us).strftime("%Y-%m-%d %H:%M:%SZ")


class TelraamClient:
    """``POST {base}/reports/traffic`` for one segment and time window."""

    def __init__(self, base_url: str, api_key: str | None, *, timeout: float = 30.0,
                 client: httpx.Client | None = None) -> None:
        if not re.match(r"^https?://[^\s/]+", base_url or ""):
            raise ValueError("the Telraam URL must start with http:// or https://")
        self.endpoint = base_url.rstrip("/") + "/reports/traffic"
        self.headers = {"X-Api-Key": api_key or "", "Content-Type": "application/json"}
        self._client = client or httpx.Client(timeout=timeout)

    def report(self, segment: str, start_us: int, end_us: int) -> list[Any]:
        body = {"level": "segments", "format": "per-hour", "id": segment,
                "time_start": _time_text(start_us), "time_end": _time_text(end_us)}
        try:
            with self._client.stream("POST", self.endpoint, json=body,
                                     headers=self.headers) as answer:
                if answer.status_code != 200:
                    raise TelraamUnavailable(f"http_{answer.status_code}",
                                             f"HTTP {answer.status_code}")
                data = bytearray()
                for chunk in answer.iter_bytes():
                    data += chunk
                    if len(data) > MAX_ANSWER_BYTES:
                        raise TelraamUnavailable("oversized", "the answer is too large")
        except httpx.TimeoutException:
            raise TelraamUnavailable("timeout", "no answer in time") from None
        except httpx.HTTPError as exc:
            raise TelraamUnavailable("connection", f"{type(exc).__name__}") from None
        try:
            parsed = json.loads(bytes(data))
        except (ValueError, UnicodeDecodeError):
            raise TelraamUnavailable("malformed", "the answer is not JSON") from None
        report = parsed.get("report") if isinstance(parsed, dict) else None
        if not isinstance(report, list):
            raise TelraamUnavailable("malformed", "the answer has no 'report' list")
        return report

    def close(self) -> None:
        self._client.close()


def read_item(segment: str, item: object, *, min_uptime: float, until_us: int
              ) -> tuple[list[ObservationIn], int]:
    """One report item → its observations, and how many of its values were unreadable.
    ``ItemInvalid`` when the item as a whole cannot be read; ``[]`` for an hour not over."""
    if not isinstance(item, dict):
        raise ItemInvalid("bad_item", "a report item must be an object")
    if "segment_id" in item and str(item["segment_id"]) != segment:
        raise ItemInvalid("other_segment", "the item is another segment's")
    interval = item.get("interval", "hourly")
    if interval != "hourly":
        raise ItemInvalid("bad_interval", "only hourly report items are read")
    start = parse_time(item.get("date"), "date")
    end = start + HOUR_US
    if end > until_us:
        return [], 0
    try:
        uptime = parse_value(item.get("uptime"), "uptime")
    except ItemInvalid:
        raise ItemInvalid("bad_uptime", "uptime must be a number") from None
    if not 0 <= uptime <= 1:
        raise ItemInvalid("bad_uptime", "uptime must lie between 0 and 1")
    quality = QUALITY_SUSPECT if uptime < min_uptime else QUALITY_OK
    out: list[ObservationIn] = []
    bad = 0
    for prop in PROPERTIES:
        raw = item.get(prop)
        if raw is None:
            continue
        try:
            value = parse_value(raw, prop) if not isinstance(raw, bool) else None
        except ItemInvalid:
            value = None
        if value is None:
            bad += 1
            continue
        out.append(ObservationIn(sensor_id(segment), prop, start, value,
                                 phenomenon_end_us=end, quality=quality, weight=uptime))
    return out, bad


def ensure_sensor(platform: Platform, segment: str) -> Device | None:
    """The segment's sensor, registered on first use (``None`` when it was revoked)."""
    ident = sensor_id(segment)
    registered = False
    with platform.db.session() as session:
        sensor = session.get(Sensor, ident)
        if sensor is None:
            register_sensor(session, SensorSpec(
                id=ident, name=f"Telraam segment {segment}", kind="telraam",
                observed_property="car", min_value=0,
            ))
            sensor = session.get(Sensor, ident)
            assert sensor is not None
            registered = True
        if not sensor.active:
            return None
        device = Device(sensor.id, sensor.dataset_id, sensor.observed_property,
                        sensor.min_value, sensor.max_value)
    if registered:
        from belfort.streams.live_catalog import sync

        sync(platform, force=True)  # its live dataset is in the catalogue from now on
    return device


def last_stored_end(platform: Platform, segment: str) -> int | None:
    """The end of the last hour stored for the segment (``None``: nothing yet)."""
    with platform.db.session() as session:
        last = session.scalar(select(func.max(Observation.phenomenon_us)).where(
            Observation.sensor_id == sensor_id(segment)))
    return None if last is None else int(last) + HOUR_US


def poll_segment(platform: Platform, client: TelraamClient, segment: str, stats: PollStats,
                 *, now: int | None = None) -> None:
    """Ask for and store what the segment has since its last stored hour."""
    from belfort.streams.write import write_many

    settings = platform.settings
    device = ensure_sensor(platform, segment)
    if device is None:
        stats.count_error("revoked")
        log.warning("telraam: sensor %s is revoked; not polled", sensor_id(segment))
        return
    until = now if now is not None else now_us()
    start = last_stored_end(platform, segment)
    if start is None:
        start = (until // HOUR_US - settings.telraam_backfill_hours) * HOUR_US
    while start + HOUR_US <= until:
        end = min(until, start + WINDOW_DAYS * 24 * HOUR_US)
        stats.requests += 1
        try:
            report = client.report(segment, start, end)
        except TelraamUnavailable as exc:
            stats.count_error(exc.kind)
            log.warning("telraam: segment %s: %s", segment, exc)
            return
        items: list[ObservationIn] = []
        for raw in report[:MAX_ITEMS]:
            stats.items += 1
            try:
                read, bad = read_item(segment, raw, min_uptime=settings.telraam_min_uptime,
                                      until_us=until)
            except ItemInvalid as exc:
                stats.malformed += 1
                log.warning("telraam: segment %s: item skipped: %s", segment, exc.message)
                continue
            stats.malformed += bad
            items.extend(read)
        stats.malformed += max(0, len(report) - MAX_ITEMS)
        if items:
            result = write_many(platform, [(device, items)])[0]
            stats.stored += result.stored
            stats.duplicates += result.duplicates
            stats.suspect += result.suspect
            stats.malformed += len(result.problems)
        start = end


def poll_once(platform: Platform, client: TelraamClient, segments: Sequence[str],
              stats: PollStats | None = None, *, now: int | None = None) -> PollStats:
    stats = stats or PollStats()
    for segment in segments:
        try:
            poll_segment(platform, client, segment, stats, now=now)
        except Exception:  # the database away, say: counted, the next poll tries again
            stats.count_error("internal")
            log.exception("telraam: segment %s: poll failed", segment)
    return stats


class TelraamPoller:
    """Polls every ``BELFORT_TELRAAM_POLL_SECONDS`` in a daemon thread."""

    def __init__(self, platform: Platform, client: TelraamClient, segments: Sequence[str]
                 ) -> None:
        self.platform = platform
        self.client = client
        self.segments = list(segments)
        self.stats = PollStats()
        self.stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="belfort-telraam", daemon=True)

    def start(self) -> TelraamPoller:
        self._thread.start()
        return self

    def _run(self) -> None:
        interval = self.platform.settings.telraam_poll_seconds
        while not self.stop.is_set():
            poll_once(self.platform, self.client, self.segments, self.stats)
            self.stop.wait(interval)

    def close(self, timeout: float = 5.0) -> None:
        self.stop.set()
        self._thread.join(timeout)
        self.client.close()


def poller_from_settings(platform: Platform) -> TelraamPoller | None:
    """The poller ``belfort serve`` runs when BELFORT_TELRAAM_URL and _SEGMENTS are set."""
    settings = platform.settings
    segments = segments_setting(settings.telraam_segments)
    if not settings.telraam_url or not segments:
        return None
    return TelraamPoller(platform, TelraamClient(settings.telraam_url, settings.telraam_api_key),
                         segments)
