"""Sensors and their observations over HTTP: the native batch ingest and reading back.

- ``POST /api/belfort/v1/observations``: a device posts a JSON batch
  (``belfort.streams.native``) with its own credential as ``Authorization: Bearer``. The
  body is refused with 413 as soon as it passes ``BELFORT_STREAM_MAX_BODY_MB`` while it is
  read, or when it holds more than ``BELFORT_STREAM_MAX_BATCH`` items. The answer comes
  after the commit: **200** when every item is stored (or was already), **207** when some
  items were refused (listed in ``errors``; the others are stored and durable). A body that
  is not JSON is 400, another content type 415, an unknown or revoked credential 401
  (recorded), a device over its rate 429.
- ``GET /api/belfort/v1/sensors/{id}/observations``: a sensor's observations. Sensors are
  public metadata; their observations are readable by anyone unless the dataset the sensor
  feeds exists in the catalogue and the gate does not show it to the caller (then the
  sensor's observations are "not found", as the dataset is).
- ``GET /api/belfort/v1/sensors`` and ``/sensors/{id}``: public; ``POST /sensors`` and
  ``POST /sensors/{id}/revoke``: an admin key (the credential is in the answer once).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Request
from fastapi import Query as Q
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.deps import get_platform, get_principal
from belfort.api.ingest import _json_object
from belfort.api.responses import JSONResponse
from belfort.catalog.models import Dataset, Sensor
from belfort.errors import (
    BatchTooLarge,
    InvalidRequest,
    SensorInvalid,
    SensorNotFound,
    UnsupportedFormat,
)
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.streams import live_catalog
from belfort.streams.history import sensor_history
from belfort.streams.model import ItemInvalid, parse_time
from belfort.streams.native import batch_items, parse_batch
from belfort.streams.read import MAX_ROWS
from belfort.streams.sensors import (
    PROPERTY_NAME,
    SENSOR_ID,
    Device,
    SensorSpec,
    devices,
    list_sensors,
    register_sensor,
    revoke_sensor,
    sensor_dict,
)
from belfort.streams.write import write_observations

router = APIRouter(prefix="/api/belfort/v1", tags=["sensors"], default_response_class=JSONResponse)

SensorId = Annotated[str, Path(description="A sensor's identifier, e.g. `korenmarkt-1`.")]
JSON_TYPES = frozenset({"application/json", "application/ld+json", ""})
MULTI_STATUS = 207
SENSOR_BODY_LIMIT = 64_000
_TEXT_FIELDS = ("id", "name", "kind", "observed_property", "unit", "zone_id", "counting",
                "organisation", "dataset_id")
_NUMBER_FIELDS = ("longitude", "latitude", "min_value", "max_value")

BATCH_EXAMPLE = [
    {"sensor_id": "korenmarkt-1", "property": "count", "phenomenon_time": "2026-12-06T10:00:00Z",
     "value": 42},
    {"madeBySensor": "https://data.stad.gent/id/sensor/korenmarkt-1",
     "phenomenonTime": {"hasBeginning": "2026-12-06T10:00:00Z",
                        "hasEnd": "2026-12-06T10:15:00Z"},
     "hasSimpleResult": 42},
]
BATCH_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"oneOf": [{"type": "array", "items": {"type": "object"}},
                         {"type": "object", "properties": {
                             "observations": {"type": "array", "items": {"type": "object"}}}}]},
    "example": BATCH_EXAMPLE}}},
    "security": [{"bearer": []}]}
SENSOR_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": {"type": "object", "required": ["id", "name", "kind"],
               "properties": {name: {"type": "string"} for name in _TEXT_FIELDS} | {
                   name: {"type": "number"} for name in _NUMBER_FIELDS}},
    "example": {"id": "korenmarkt-1", "name": "Korenmarkt", "kind": "passantenteller",
                "observed_property": "count", "longitude": 3.7209, "latitude": 51.0545}}}}}


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").strip().partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


async def _body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    too_large = BatchTooLarge(f"the body is larger than {limit:,} bytes: nothing was stored",
                              details={"limit_bytes": limit})
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _lenient(body: bytes, exc: orjson.JSONDecodeError) -> Any:
    """What orjson refuses but Python's parser reads (``NaN``, ``Infinity``, ``1e400``), so
    that such a value is one item's ``bad_value`` rather than the whole batch refused."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidRequest(f"the body is not valid JSON: {str(exc)[:120]}") from None


def _store(platform: Platform, device: Device, body: bytes) -> dict[str, Any]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        document = _lenient(body, exc)
    items = batch_items(document, platform.settings.stream_max_batch)
    return write_observations(platform, device, parse_batch(items, device)).to_dict()


@router.post("/observations", summary="Post a batch of observations (device credential)",
             openapi_extra=BATCH_BODY)
async def post_observations(
    request: Request, platform: Platform = Depends(get_platform)
) -> Response:
    """A JSON array of observations (or ``{"observations": [...]}``) from one device, its
    credential as ``Authorization: Bearer``. 200: all stored (or already there); 207: some
    items refused, listed in ``errors`` with their index; the rest is stored. Answered
    after the commit: what it reports stored is durable."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in JSON_TYPES:
        raise UnsupportedFormat(f"send the observations as application/json, not {media[:80]!r}")
    # no, an unknown or a revoked credential: refused (401) and recorded
    device = await run_in_threadpool(devices(platform).authenticate, _bearer(request), None,
                                     "http")
    limit = int(platform.settings.stream_max_body_mb * 1024 * 1024)
    body = await _body(request, limit)
    result = await run_in_threadpool(_store, platform, device, body)
    return Response(orjson.dumps(result), media_type="application/json",
                    status_code=MULTI_STATUS if result["errors"] else 200,
                    headers={"Cache-Control": "no-store"})


def _time(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_time(value, name)
    except ItemInvalid as exc:
        raise InvalidRequest(f"{name}: {exc.message}") from None


def readable_sensor(platform: Platform, principal: Principal, sensor_id: str) -> Sensor:
    """The sensor, when its observations are readable for ``principal``; else not found."""
    if not SENSOR_ID.fullmatch(sensor_id):
        raise SensorNotFound(f"no sensor {sensor_id[:100]!r}")
    with platform.db.session() as session:
        sensor = session.get(Sensor, sensor_id)
        if sensor is None:
            raise SensorNotFound(f"no sensor {sensor_id!r}")
        dataset = session.get(Dataset, sensor.dataset_id)
        if dataset is not None and session.scalar(
                gate.visible_datasets(principal, session).where(Dataset.id == dataset.id)) is None:
            raise SensorNotFound(f"no sensor {sensor_id!r}")
        session.expunge(sensor)
        return sensor


@router.get("/sensors/{sensor_id}/observations", summary="A sensor's observations")
def get_observations(
    sensor_id: SensorId,
    since: str | None = Q(None, max_length=64, description=(
        "Only observations whose phenomenon time is at or after this ISO 8601 moment.")),
    until: str | None = Q(None, max_length=64, description=(
        "Only observations whose phenomenon time is before this ISO 8601 moment.")),
    property: str | None = Q(None, max_length=100, description="Only this observed property."),
    limit: int = Q(1000, ge=0, le=MAX_ROWS, description="Most observations returned."),
    newest_first: bool = Q(False, description="Newest first (default: oldest first)."),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """In phenomenon-time order. Readable by anyone unless the dataset the sensor feeds
    exists and is not visible to the caller."""
    since_us, until_us = _time("since", since), _time("until", until)
    if property is not None and not PROPERTY_NAME.fullmatch(property):
        raise InvalidRequest("property: a name of letters, digits, '_', '.' or '-'")
    sensor = readable_sensor(platform, principal, sensor_id)
    rows = sensor_history(platform, sensor_id, sensor.dataset_id, since_us=since_us,
                          until_us=until_us, property=property, limit=limit,
                          newest_first=newest_first)
    return JSONResponse({"sensor_id": sensor_id, "count": len(rows),
                         "observations": [row.to_dict() for row in rows]},
                        headers={"Cache-Control": "no-store"})


@router.get("/sensors", summary="The registered sensors")
def get_sensors(platform: Platform = Depends(get_platform),
                principal: Principal = Depends(get_principal)) -> JSONResponse:
    """Every sensor, active and revoked (public metadata; never a credential), except those
    feeding a dataset the gate does not show the caller."""
    with platform.db.session() as session:
        sensors = list_sensors(session)
        hidden = _hidden_datasets(session, principal, {s.dataset_id for s in sensors})
        listing = [sensor_dict(s) for s in sensors if s.dataset_id not in hidden]
    return JSONResponse({"sensors": listing})


@router.get("/sensors/{sensor_id}", summary="One sensor")
def get_sensor(sensor_id: SensorId, platform: Platform = Depends(get_platform),
               principal: Principal = Depends(get_principal)) -> JSONResponse:
    with platform.db.session() as session:
        sensor = session.get(Sensor, sensor_id) if SENSOR_ID.fullmatch(sensor_id) else None
        if sensor is None or _hidden_datasets(session, principal, {sensor.dataset_id}):
            raise SensorNotFound(f"no sensor {sensor_id[:100]!r}")
        return JSONResponse(sensor_dict(sensor))


def _hidden_datasets(session: Session, principal: Principal, ids: set[str]) -> set[str]:
    """Those of ``ids`` that are datasets the gate does not show ``principal`` (a sensor
    feeding one is as absent as the dataset: its name, place and dataset id say it exists)."""
    if not ids:
        return set()
    existing = set(session.scalars(select(Dataset.id).where(Dataset.id.in_(ids))))
    visible = set(session.scalars(gate.visible_datasets(principal)
                                  .where(Dataset.id.in_(existing)).with_only_columns(Dataset.id)))
    return existing - visible


def spec_from_json(body: dict[str, Any]) -> SensorSpec:
    """A registration from a JSON object; ``SensorInvalid`` naming each wrong field."""
    problems: list[str] = []
    unknown = sorted(set(body) - set(_TEXT_FIELDS) - set(_NUMBER_FIELDS))
    problems += [f"{name[:40]}: not a sensor field" for name in unknown[:20]]
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or "\x00" in value):
            problems.append(f"{name}: text without NUL bytes")
        elif value is not None and len(value) > 1000:
            problems.append(f"{name}: at most 1000 characters")
        elif value is not None:
            values[name] = value
    for name in _NUMBER_FIELDS:
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or abs(value) > 1e15):
            problems.append(f"{name}: a number")
        elif value is not None:
            values[name] = float(value)
    if problems:
        raise SensorInvalid("invalid sensor: " + "; ".join(problems),
                            details={"problems": problems})
    values.setdefault("observed_property", "count")
    return SensorSpec(id=values.pop("id", ""), name=values.pop("name", ""),
                      kind=values.pop("kind", ""), **values)


def _register(platform: Platform, spec: SensorSpec) -> dict[str, Any]:
    with platform.db.session() as session:
        created = register_sensor(session, spec)
        sensor = session.get(Sensor, created.id)
        assert sensor is not None
        answer = sensor_dict(sensor) | {"credential": created.credential}
    live_catalog.sync(platform, force=True)  # its live datasets are in the catalogue at once
    return answer


@router.post("/sensors", summary="Register a sensor (admin)", status_code=201,
             openapi_extra=SENSOR_BODY)
async def post_sensor(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """The answer holds the device's ``credential``, shown this once (stored hashed)."""
    gate.require_admin(principal, "registering a sensor")
    spec = spec_from_json(await _json_object(request, limit=SENSOR_BODY_LIMIT))
    created = await run_in_threadpool(_register, platform, spec)
    return JSONResponse(created, status_code=201, headers={"Cache-Control": "no-store"})


def _revoke(platform: Platform, sensor_id: str) -> dict[str, Any]:
    if not SENSOR_ID.fullmatch(sensor_id):
        raise SensorNotFound(f"no sensor {sensor_id[:100]!r}")
    with platform.db.session() as session:
        revoke_sensor(session, sensor_id)
        session.flush()
        sensor = session.get(Sensor, sensor_id)
        assert sensor is not None
        body = sensor_dict(sensor)
    devices(platform).forget()
    return body


@router.post("/sensors/{sensor_id}/revoke", summary="Revoke a sensor's credential (admin)")
def post_revoke(
    sensor_id: SensorId,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Its messages are refused from now on (by other processes within seconds); its
    observations stay."""
    gate.require_admin(principal, "revoking a sensor")
    return JSONResponse(_revoke(platform, sensor_id))
