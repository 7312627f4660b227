"""The staff page "Sensoren": a steward lists the sensors, adds one (its credential is shown
once, on the answer to the form, never in a URL), revokes one after a confirmation page, and
sees the recent refusals of devices.

Registration goes through ``belfort.streams.sensors.register_sensor``, as ``belfort sensors
add`` and ``POST /api/belfort/v1/sensors`` do; its refusals are named next to their fields in
the page's language. Every form carries the staff pages' CSRF token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.catalog.models import Sensor
from belfort.errors import SensorInvalid, SensorNotFound
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal.i18n import Translator, language_of
from belfort.portal.messages import FieldError
from belfort.portal.pages import portal_principal
from belfort.portal.staff import _form, _page, _redirect, _require_staff
from belfort.streams import live_catalog
from belfort.streams.sensors import (
    DEFAULT_DATASET,
    SENSOR_ID,
    SensorSpec,
    check_spec,
    devices,
    list_sensors,
    refusals,
    register_sensor,
    revoke_sensor,
)

router = APIRouter(include_in_schema=False)

LIST_PAGE = "/staff/sensors"
TEXT_INPUTS = ("id", "name", "kind", "observed_property", "unit", "dataset_id")
NUMBER_INPUTS = ("longitude", "latitude")
INPUTS = TEXT_INPUTS + NUMBER_INPUTS
KEPT_CHARS = 1_000  # the longest text kept and shown back after a refusal
REFUSALS_SHOWN = 50


def _posted(form: FormData) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in INPUTS:
        value = form.get(name)
        values[name] = value[:KEPT_CHARS] if isinstance(value, str) else ""
    return values


def _error(t: Translator, name: str, code: str | None = None) -> FieldError:
    label = t(f"sensors_field_{name}")
    return FieldError(field=f"sensor-{name}", label=label,
                      text=t(f"sensors_error_{code or name}", label=label))


def _number(text: str) -> float | None:
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        return None
    return float(cleaned)  # ValueError for anything else


def check_form(t: Translator, values: dict[str, str]) -> tuple[SensorSpec | None,
                                                               list[FieldError]]:
    """The registration the form asks for, or every problem named next to its field (by the
    rules ``register_sensor`` applies, which it applies again)."""
    named = {name for name in INPUTS if "\x00" in values[name]}
    nul = set(named)
    numbers: dict[str, float | None] = {}
    for name in NUMBER_INPUTS:
        try:
            numbers[name] = None if name in nul else _number(values[name])
        except (ValueError, OverflowError):
            numbers[name] = None
            named.add(name)
    spec = SensorSpec(
        id=values["id"].strip(), name=values["name"], kind=values["kind"],
        observed_property=values["observed_property"].strip() or "count",
        unit=values["unit"].strip() or None,
        longitude=numbers["longitude"], latitude=numbers["latitude"],
        dataset_id=values["dataset_id"].strip() or DEFAULT_DATASET,
    )
    try:
        check_spec(spec)
    except SensorInvalid as exc:
        problems = {str(p).split(":", 1)[0] for p in exc.details.get("problems", [])}
        if "location" in problems and not named & set(NUMBER_INPUTS):  # one of the two missing
            problems |= {"longitude", "latitude"}
        named |= problems
    if not named:
        return spec, []
    return None, [_error(t, name, "nul" if name in nul else None)
                  for name in INPUTS if name in named]


def _register(t: Translator, platform: Platform, spec: SensorSpec
              ) -> tuple[str | None, list[FieldError]]:
    try:
        with platform.db.session() as session:
            credential = register_sensor(session, spec).credential
    except SensorInvalid:  # the id was taken (the checks above let nothing else through)
        return None, [_error(t, "id", "id_taken")]
    live_catalog.sync(platform, force=True)  # its live datasets are in the catalogue at once
    return credential, []


def _listing(platform: Platform) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with platform.db.session() as session:
        sensors = [{"id": s.id, "name": s.name, "kind": s.kind,
                    "observed_property": s.observed_property, "dataset_id": s.dataset_id,
                    "active": s.active} for s in list_sensors(session)]
        refused = [{"minute": r.minute.strftime("%Y-%m-%d %H:%M"), "device": r.device,
                    "channel": r.channel, "reason": r.reason, "count": r.count}
                   for r in refusals(session, limit=REFUSALS_SHOWN)]
    return sensors, refused


def _list_page(request: Request, platform: Platform, principal: Principal, *,
               status_code: int = 200, errors: list[FieldError] | None = None,
               values: dict[str, str] | None = None) -> Response:
    sensors, refused = _listing(platform)
    revoked = request.query_params.get("revoked", "")[:100]
    return _page(request, "staff_sensors.html", principal, status_code=status_code,
                 sensors=sensors, refused=refused, field_errors=errors or [],
                 values=values or {}, revoked=revoked if SENSOR_ID.fullmatch(revoked) else "")


@router.get(LIST_PAGE)
def sensors_page(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    _require_staff(principal)
    return _list_page(request, platform, principal)


@router.post(LIST_PAGE)
async def add_sensor(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    _require_staff(principal)
    values = _posted(await _form(request))
    t = Translator(language_of(request))
    spec, errors = check_form(t, values)
    credential = None
    if spec is not None:
        credential, errors = await run_in_threadpool(_register, t, platform, spec)
    if spec is not None and credential is not None:
        # the credential is in this answer only (not stored, never in a URL or a redirect)
        return _page(request, "staff_sensor_created.html", principal, status_code=201,
                     sensor_id=spec.id, credential=credential)
    kept = {k: v.replace("\x00", "") for k, v in values.items()}
    return await run_in_threadpool(
        lambda: _list_page(request, platform, principal, status_code=400, errors=errors,
                           values=kept))


def _sensor(platform: Platform, sensor_id: str) -> dict[str, Any]:
    if not SENSOR_ID.fullmatch(sensor_id):
        raise SensorNotFound(f"no sensor {sensor_id[:100]!r}")
    with platform.db.session() as session:
        sensor = session.get(Sensor, sensor_id)
        if sensor is None:
            raise SensorNotFound(f"no sensor {sensor_id!r}")
        return {"id": sensor.id, "name": sensor.name, "active": sensor.active}


@router.get(LIST_PAGE + "/{sensor_id}/revoke")
def revoke_page(
    sensor_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    """The confirmation: nothing is revoked by following a link."""
    _require_staff(principal)
    return _page(request, "staff_sensor_revoke.html", principal,
                 sensor=_sensor(platform, sensor_id))


def _revoke(platform: Platform, sensor_id: str) -> None:
    with platform.db.session() as session:
        revoke_sensor(session, sensor_id)
    devices(platform).forget()


@router.post(LIST_PAGE + "/{sensor_id}/revoke")
async def revoke(
    sensor_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    _require_staff(principal)
    await _form(request)  # the CSRF token
    sensor = await run_in_threadpool(_sensor, platform, sensor_id)
    await run_in_threadpool(_revoke, platform, sensor["id"])
    return _redirect(f"{LIST_PAGE}?revoked={quote(sensor['id'], safe='')}")
