"""Sensors: registered with a credential of their own, refused when unknown or revoked.

Zero trust for devices: every message names a device and carries its credential; the
credential is 32 random bytes shown once at registration and stored as a SHA-256 hash
(``credential_hash``), so look-up is by hash. Every refusal is recorded
(``record_refusal``), counted per minute so a flood stays a few rows.

Known devices are kept in memory for ``DEVICE_CACHE_SECONDS`` at most, so a revocation
reaches every process (and machine) within that time without a database read per message.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from belfort.catalog.models import DeviceRefusal, Sensor, utcnow
from belfort.errors import DeviceRefused, SensorInvalid, SensorNotFound
from belfort.platform import Platform

CREDENTIAL_PREFIX = "bfd_"
MAX_PRESENTED_LENGTH = 200
DEVICE_CACHE_SECONDS = 5.0
SENSOR_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")
PROPERTY_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
COUNTING = ("entries", "exits", "passages", "occupancy")
DEFAULT_DATASET = "sensorwaarnemingen"


@dataclass(frozen=True)
class Device:
    """An authenticated, active sensor: what the write path checks items against."""

    id: str
    dataset_id: str
    observed_property: str
    min_value: float | None
    max_value: float | None


@dataclass(frozen=True)
class SensorSpec:
    """What registering a sensor asks for."""

    id: str
    name: str
    kind: str
    observed_property: str
    unit: str | None = None
    longitude: float | None = None
    latitude: float | None = None
    zone_id: str | None = None
    counting: str | None = None
    organisation: str | None = None
    dataset_id: str = DEFAULT_DATASET
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class CreatedSensor:
    id: str
    credential: str  # shown once, never stored


def hash_credential(credential: str) -> str:
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()


def check_spec(spec: SensorSpec) -> None:
    """Raise ``SensorInvalid`` listing every problem of a registration."""
    problems: list[str] = []
    if not SENSOR_ID.match(spec.id or ""):
        problems.append("id: 1-100 letters, digits, '.', '_', ':' or '-', starting with a letter "
                        "or digit")
    if not (spec.name or "").strip() or len(spec.name) > 200:
        problems.append("name: required, at most 200 characters")
    if not (spec.kind or "").strip() or len(spec.kind) > 50:
        problems.append("kind: required, at most 50 characters")
    if not PROPERTY_NAME.match(spec.observed_property or ""):
        problems.append("observed_property: a name of letters, digits, '_', '.' or '-'")
    if spec.unit is not None and len(spec.unit) > 50:
        problems.append("unit: at most 50 characters")
    if (spec.longitude is None) != (spec.latitude is None):
        problems.append("location: give both longitude and latitude, or neither")
    if spec.longitude is not None and not -180 <= spec.longitude <= 180:
        problems.append("longitude: between -180 and 180")
    if spec.latitude is not None and not -90 <= spec.latitude <= 90:
        problems.append("latitude: between -90 and 90")
    if spec.counting is not None and spec.counting not in COUNTING:
        problems.append(f"counting: one of {', '.join(COUNTING)}")
    if spec.zone_id is not None and not SENSOR_ID.match(spec.zone_id):
        problems.append("zone_id: letters, digits, '.', '_', ':' or '-'")
    if not re.match(r"^[a-z0-9][a-z0-9-]{0,99}$", spec.dataset_id or ""):
        problems.append("dataset_id: lower-case letters, digits and '-'")
    if (spec.min_value is not None and spec.max_value is not None
            and spec.min_value > spec.max_value):
        problems.append("min_value: not above max_value")
    if problems:
        raise SensorInvalid("invalid sensor: " + "; ".join(problems),
                            details={"problems": problems})


def register_sensor(session: Session, spec: SensorSpec) -> CreatedSensor:
    """Add a sensor with a new credential (returned once). ``SensorInvalid`` when the
    registration is wrong or the id is taken."""
    check_spec(spec)
    if session.get(Sensor, spec.id) is not None:
        raise SensorInvalid(f"a sensor {spec.id!r} exists already",
                            details={"problems": [f"id: {spec.id!r} is taken"]})
    credential = CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
    session.add(Sensor(
        id=spec.id, name=spec.name.strip(), kind=spec.kind.strip(),
        observed_property=spec.observed_property, unit=spec.unit,
        longitude=spec.longitude, latitude=spec.latitude, zone_id=spec.zone_id,
        counting=spec.counting, organisation=spec.organisation, dataset_id=spec.dataset_id,
        min_value=spec.min_value, max_value=spec.max_value,
        credential_hash=hash_credential(credential), active=True,
    ))
    session.flush()
    return CreatedSensor(spec.id, credential)


def revoke_sensor(session: Session, sensor_id: str) -> None:
    sensor = session.get(Sensor, sensor_id)
    if sensor is None:
        raise SensorNotFound(f"no sensor {sensor_id!r}")
    if sensor.active:
        sensor.active = False
        sensor.revoked_at = utcnow()


def list_sensors(session: Session, *, dataset_id: str | None = None) -> list[Sensor]:
    query = select(Sensor).order_by(Sensor.id)
    if dataset_id is not None:
        query = query.where(Sensor.dataset_id == dataset_id)
    return list(session.scalars(query))


def sensor_dict(sensor: Sensor) -> dict[str, Any]:
    """A sensor as API clients see it (never its credential or hash)."""
    return {
        "id": sensor.id, "name": sensor.name, "kind": sensor.kind,
        "observed_property": sensor.observed_property, "unit": sensor.unit,
        "location": (None if sensor.longitude is None else
                     {"type": "Point", "coordinates": [sensor.longitude, sensor.latitude]}),
        "zone_id": sensor.zone_id, "counting": sensor.counting,
        "organisation": sensor.organisation, "dataset_id": sensor.dataset_id,
        "min_value": sensor.min_value, "max_value": sensor.max_value,
        "active": sensor.active,
        "created_at": sensor.created_at.isoformat(),
        "revoked_at": sensor.revoked_at.isoformat() if sensor.revoked_at else None,
    }


class DeviceDirectory:
    """Credential → active device, cached briefly per process (a platform component)."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self._lock = threading.Lock()
        self._known: dict[str, tuple[float, Device | None]] = {}

    def authenticate(self, credential: str | None, device_id: str | None, channel: str) -> Device:
        """The active device with this credential, which must be ``device_id`` when one is
        named; otherwise ``DeviceRefused`` (and the refusal is recorded)."""
        claimed = (device_id or "")[:100] or "?"
        if not credential or len(credential) > MAX_PRESENTED_LENGTH:
            self._refuse(claimed, channel, "no_credential" if not credential else "bad_credential")
        digest = hash_credential(credential or "")
        now = time.monotonic()
        with self._lock:
            cached = self._known.get(digest)
        if cached is None or now - cached[0] > DEVICE_CACHE_SECONDS:
            device = self._load(digest)
            with self._lock:
                if len(self._known) > 100_000:
                    self._known.clear()
                self._known[digest] = (now, device)
        else:
            device = cached[1]
        if device is None:
            self._refuse(claimed, channel, "unknown_or_revoked")
        assert device is not None
        if device_id is not None and device_id != device.id:
            self._refuse(claimed, channel, "credential_of_other_device")
        return device

    def forget(self) -> None:
        """Drop the cache (after a revocation in this process)."""
        with self._lock:
            self._known.clear()

    def _load(self, digest: str) -> Device | None:
        with self._platform.db.session() as session:
            sensor = session.scalars(
                select(Sensor).where(Sensor.credential_hash == digest, Sensor.active.is_(True))
            ).first()
            if sensor is None:
                return None
            return Device(sensor.id, sensor.dataset_id, sensor.observed_property,
                          sensor.min_value, sensor.max_value)

    def _refuse(self, device: str, channel: str, reason: str) -> None:
        record_refusal(self._platform, device, channel, reason)
        raise DeviceRefused(f"device refused: {reason.replace('_', ' ')}",
                            details={"reason": reason})


def devices(platform: Platform) -> DeviceDirectory:
    """The process's device directory."""
    return platform.component(DeviceDirectory, DeviceDirectory)


def record_refusal(platform: Platform, device: str, channel: str, reason: str,
                   count: int = 1) -> None:
    """Count ``count`` refused messages for this minute, device, channel and reason."""
    now = datetime.now(timezone.utc)
    minute = now.replace(second=0, microsecond=0)
    key = dict(minute=minute, device=device[:100], channel=channel[:20], reason=reason[:40])
    for _ in range(3):  # two processes may insert the same minute's row at once
        try:
            with platform.db.session() as session:
                changed = session.execute(
                    update(DeviceRefusal)
                    .where(*(getattr(DeviceRefusal, k) == v for k, v in key.items()))
                    .values(count=DeviceRefusal.count + count)
                ).rowcount  # type: ignore[attr-defined]
                if not changed:
                    session.add(DeviceRefusal(count=count, **key))
            return
        except IntegrityError:
            continue


def refusals(session: Session, *, limit: int = 100) -> list[DeviceRefusal]:
    """The most recent refusal counts, newest first."""
    return list(session.scalars(
        select(DeviceRefusal).order_by(DeviceRefusal.minute.desc(), DeviceRefusal.id.desc())
        .limit(limit)
    ))
