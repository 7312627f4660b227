"""Zones and crowding over HTTP: anyone may read zones and the crowding now; an admin key
defines and removes zones (the same functions as ``belfort zones add|remove``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.ingest import _json_object
from belfort.api.responses import JSONResponse
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.twin.datasets import ensure_crowding_datasets
from belfort.twin.score import crowding_now
from belfort.twin.zones import (
    add_zone,
    get_zone,
    list_zones,
    remove_zone,
    spec_from_mapping,
    zone_dict,
)

router = APIRouter(prefix="/api/belfort/v1", tags=["crowding"], default_response_class=JSONResponse)
BODY_LIMIT = 4_000_000  # a zone of the largest allowed number of vertices fits easily
ZONE = Path(description="A zone's id, a slug such as `korenmarkt`.")


def _list(platform: Platform) -> list[dict[str, Any]]:
    with platform.db.session() as session:
        return [zone_dict(z, platform.settings) for z in list_zones(session)]


def _one(platform: Platform, zone_id: str) -> dict[str, Any]:
    with platform.db.session() as session:
        return zone_dict(get_zone(session, zone_id), platform.settings)


def _add(platform: Platform, body: dict[str, Any]) -> dict[str, Any]:
    spec = spec_from_mapping(body)
    with platform.db.session() as session:
        found = zone_dict(add_zone(session, platform.settings, spec), platform.settings)
    ensure_crowding_datasets(platform)
    return found


def _remove(platform: Platform, zone_id: str) -> None:
    with platform.db.session() as session:
        remove_zone(session, zone_id)


def _crowding(platform: Platform, zone_id: str | None) -> dict[str, Any]:
    if zone_id is not None:
        _one(platform, zone_id)  # ZoneNotFound first
    found = crowding_now(platform).to_dict()
    if zone_id is None:
        return found
    zone = next(z for z in found["zones"] if z["zone"] == zone_id)
    return {"time": found["time"], **zone}


@router.get("/zones", summary="The zones whose crowding is estimated")
async def zones(platform: Platform = Depends(get_platform)) -> JSONResponse:
    return JSONResponse({"zones": await run_in_threadpool(_list, platform)})


@router.post("/zones", summary="Define a zone (admin)", status_code=201)
async def create_zone(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: ``{"id", "name", "geometry": <GeoJSON Polygon>, "area_m2", "density",
    "dwell_seconds", "centre"}`` or a GeoJSON Feature with those as properties."""
    gate.require_admin(principal, "defining zones")
    body = await _json_object(request, limit=BODY_LIMIT)
    return JSONResponse(await run_in_threadpool(_add, platform, body), status_code=201)


@router.get("/zones/{zone_id}", summary="One zone")
async def zone(zone_id: str = ZONE, platform: Platform = Depends(get_platform)) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_one, platform, zone_id))


@router.delete("/zones/{zone_id}", summary="Remove a zone (admin)", status_code=204)
async def delete_zone(
    zone_id: str = ZONE,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    gate.require_admin(principal, "removing zones")
    await run_in_threadpool(_remove, platform, zone_id)
    return Response(status_code=204)


@router.get("/crowding", summary="Crowding now: the city centre and every zone")
async def crowding(platform: Platform = Depends(get_platform)) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_crowding, platform, None))


@router.get("/zones/{zone_id}/crowding", summary="Crowding now in one zone")
async def zone_crowding(
    zone_id: str = ZONE, platform: Platform = Depends(get_platform)
) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_crowding, platform, zone_id))
