"""Forecasts over HTTP (docs/twin-forecasts.md, "Forecasts served"):

- ``GET /api/belfort/v1/sensors/{sensor_id}/forecast``: a sensor's next 1–48 hours with the
  80 % interval; readable by whoever may read the sensor's observations (a sensor feeding a
  dataset the caller cannot see is "not found", as on ``/observations``);
- ``GET /api/belfort/v1/zones/{zone_id}/forecast``: a zone's crowding score per hour (public,
  as the crowding now is);
- ``GET /api/belfort/v1/forecast-models`` and ``/forecast-models/{version}``: the model
  registry: what data, which model, when trained, how reliable (public; no sensor ids).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from fastapi import Query as Q
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.observations import readable_sensor
from belfort.api.responses import JSONResponse
from belfort.errors import InvalidRequest
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.twin.forecasting import quarters, registry
from belfort.twin.forecasting.registry import MAX_HORIZON
from belfort.twin.forecasting.source import forecast_dict
from belfort.twin.zones import get_zone

router = APIRouter(prefix="/api/belfort/v1", tags=["forecasts"],
                   default_response_class=JSONResponse)
SensorId = Annotated[str, Path(description="A sensor's identifier, e.g. `korenmarkt-1`.")]
ZoneId = Annotated[str, Path(description="A zone's id, a slug such as `korenmarkt`.")]
Version = Annotated[str, Path(description="A model version, e.g. `gbm-20261206T220000Z-ab12`.")]
HOURS = Q(MAX_HORIZON, ge=1, le=MAX_HORIZON, description="Hours ahead (1-48).")
SENSOR_HOURS = Q(None, ge=1, le=MAX_HORIZON, description="Hours ahead (1-48; with "
                 f"interval=15min 1-{quarters.MAX_HOURS}, default {quarters.MAX_HOURS}).")
INTERVAL = Q("1h", description="The step: `1h` (default) or `15min` (sensors whose own "
             "observations are 15-minutely or finer, for the first "
             f"{quarters.MAX_HOURS} hours).")
NO_STORE = {"Cache-Control": "no-store"}


def _sensor(platform: Platform, principal: Principal, sensor_id: str, hours: int | None,
            interval: str) -> dict[str, Any]:
    if interval not in ("1h", "15min"):
        raise InvalidRequest("interval is 1h or 15min", details={"parameter": "interval"})
    if interval == "15min" and hours is not None and hours > quarters.MAX_HOURS:
        raise InvalidRequest(f"15-minute forecasts reach {quarters.MAX_HOURS} hours ahead: "
                             f"hours is 1-{quarters.MAX_HOURS} with interval=15min",
                             details={"parameter": "hours"})
    readable_sensor(platform, principal, sensor_id)  # SensorNotFound when not readable
    if interval == "1h":
        return forecast_dict(platform, "sensor", sensor_id, hours or MAX_HORIZON)
    return quarters.quarter_forecast(platform, sensor_id, hours or quarters.MAX_HOURS)


def _zone(platform: Platform, zone_id: str, hours: int) -> dict[str, Any]:
    with platform.db.session() as session:
        get_zone(session, zone_id)  # ZoneNotFound
    return forecast_dict(platform, "zone", zone_id, hours)


def _models(platform: Platform) -> list[dict[str, Any]]:
    with platform.db.session() as session:
        return [registry.model_dict(row) for row in registry.listing(session)]


def _model(platform: Platform, version: str) -> dict[str, Any]:
    with platform.db.session() as session:
        return registry.model_dict(registry.get(session, version))


@router.get("/sensors/{sensor_id}/forecast", summary="A sensor's forecast: the next 1-48 hours")
async def sensor_forecast(
    sensor_id: SensorId, hours: int | None = SENSOR_HOURS, interval: str = INTERVAL,
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Hourly counts with the 80 % interval, the model version, when made and how accurate
    the model has been; ``withheld`` says why there is none (too little history, an outage,
    no model yet). ``interval=15min``: quarter-hours for the first hours where the sensor's
    data allows, else ``withheld`` says why."""
    body = await run_in_threadpool(_sensor, platform, principal, sensor_id, hours, interval)
    return JSONResponse(body, headers=NO_STORE)


@router.get("/zones/{zone_id}/forecast", summary="A zone's crowding forecast: the next 1-48 hours")
async def zone_forecast(
    zone_id: ZoneId, hours: int = HOURS, platform: Platform = Depends(get_platform),
) -> JSONResponse:
    """The zone's crowding score (0-100) per hour with the 80 % interval and its label."""
    return JSONResponse(await run_in_threadpool(_zone, platform, zone_id, hours),
                        headers=NO_STORE)


@router.get("/forecast-models", summary="The registered forecast models, newest first")
async def forecast_models(platform: Platform = Depends(get_platform)) -> JSONResponse:
    return JSONResponse({"models": await run_in_threadpool(_models, platform)})


@router.get("/forecast-models/{version}", summary="One forecast model version")
async def forecast_model(version: Version,
                         platform: Platform = Depends(get_platform)) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_model, platform, version))
