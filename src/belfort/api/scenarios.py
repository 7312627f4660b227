"""What-if scenarios over HTTP: the zone graph's street links (anyone reads them; an admin key
adds, removes or replaces them, the latter from a YAML or JSON file), and scenarios (anyone
reads, lists and exports them; staff — a write or admin key, or a signed-in person with that
role — create them, which runs them, and delete them)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.ingest import _json_object
from belfort.api.responses import JSONResponse
from belfort.errors import Forbidden, InvalidRequest, PayloadTooLarge, Unauthorized
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal, Role
from belfort.twin.scenarios import store
from belfort.twin.scenarios.links import (
    MAX_FILE_BYTES,
    add_link,
    link_dict,
    list_links,
    remove_link,
    replace_links,
    spec_from_mapping,
    specs_from_text,
)

router = APIRouter(prefix="/api/belfort/v1", tags=["scenarios"],
                   default_response_class=JSONResponse)
SCENARIO = Path(description="A scenario's id (16 hexadecimal digits).")
LINK = Path(description="A street link's id, a slug such as `korenmarkt-veldstraat`.")
BODY_LIMIT = 64_000


def is_staff(principal: Principal) -> bool:
    return principal.role in (Role.WRITE, Role.ADMIN)


def require_staff(principal: Principal, action: str) -> None:
    """Staff: a write or admin key, or a person signed in with that role."""
    if is_staff(principal):
        return
    if principal.role == Role.ANONYMOUS:
        raise Unauthorized(f"{action} needs a staff API key or sign-in")
    raise Forbidden(f"{action} is for staff (a write or admin role)")


def _links(platform: Platform) -> list[dict[str, Any]]:
    with platform.db.session() as session:
        return [link_dict(link, platform.settings) for link in list_links(session)]


def _add(platform: Platform, body: dict[str, Any]) -> dict[str, Any]:
    spec = spec_from_mapping(body)
    with platform.db.session() as session:
        return link_dict(add_link(session, platform.settings, spec), platform.settings)


def _replace(platform: Platform, text: str) -> dict[str, Any]:
    specs = specs_from_text(text, platform.settings)
    with platform.db.session() as session:
        return {"links": replace_links(session, platform.settings, specs)}


def _remove(platform: Platform, link_id: str) -> None:
    with platform.db.session() as session:
        remove_link(session, link_id)


@router.get("/zone-links", summary="The street links of the zone graph")
async def links(platform: Platform = Depends(get_platform)) -> JSONResponse:
    return JSONResponse({"links": await run_in_threadpool(_links, platform)})


@router.post("/zone-links", summary="Add a street link (admin)", status_code=201)
async def create_link(request: Request, platform: Platform = Depends(get_platform),
                      principal: Principal = Depends(get_principal)) -> JSONResponse:
    """Body: ``{"id", "from", "to", "width_m", "length_m", "name"}``."""
    gate.require_admin(principal, "changing the zone graph")
    body = await _json_object(request, limit=BODY_LIMIT)
    return JSONResponse(await run_in_threadpool(_add, platform, body), status_code=201)


@router.put("/zone-links", summary="Replace every street link from a YAML or JSON file (admin)")
async def put_links(request: Request, platform: Platform = Depends(get_platform),
                    principal: Principal = Depends(get_principal)) -> JSONResponse:
    """Body: a YAML or JSON document ``{"links": [...]}`` (or a bare list); all or nothing."""
    gate.require_admin(principal, "changing the zone graph")
    raw = await request.body()
    if len(raw) > MAX_FILE_BYTES:
        raise PayloadTooLarge(f"a links file is at most {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidRequest("a links file is UTF-8 text") from None
    return JSONResponse(await run_in_threadpool(_replace, platform, text))


@router.delete("/zone-links/{link_id}", summary="Remove a street link (admin)",
               status_code=204)
async def delete_link(link_id: str = LINK, platform: Platform = Depends(get_platform),
                      principal: Principal = Depends(get_principal)) -> Response:
    gate.require_admin(principal, "changing the zone graph")
    await run_in_threadpool(_remove, platform, link_id)
    return Response(status_code=204)


@router.get("/scenarios", summary="The what-if scenarios kept, newest first")
async def scenarios(platform: Platform = Depends(get_platform),
                    principal: Principal = Depends(get_principal)) -> JSONResponse:
    """Who created each is shown to staff only."""
    found = await run_in_threadpool(store.listing, platform, is_staff(principal))
    return JSONResponse({"scenarios": found})


@router.post("/scenarios", summary="Create (run) a what-if scenario (staff)", status_code=201)
async def create_scenario(request: Request, platform: Platform = Depends(get_platform),
                          principal: Principal = Depends(get_principal)) -> JSONResponse:
    """Body: ``{"name", "closures": [{"zone": id} | {"link": id}, ...], "start", "end"}``
    (ISO 8601 times; without an offset, Ghent's local time)."""
    require_staff(principal, "creating a scenario")
    body = await _json_object(request, limit=BODY_LIMIT)
    found = await run_in_threadpool(store.create, platform, body, principal.actor)
    return JSONResponse(found, status_code=201)


@router.get("/scenarios/{scenario_id}", summary="One scenario and its result")
async def scenario(scenario_id: str = SCENARIO, platform: Platform = Depends(get_platform),
                   principal: Principal = Depends(get_principal)) -> JSONResponse:
    found = await run_in_threadpool(store.get, platform, scenario_id, is_staff(principal))
    return JSONResponse(found)


@router.get("/scenarios/{scenario_id}/export", summary="A scenario's result as CSV or JSON")
async def export_scenario(scenario_id: str = SCENARIO,
                          format: str = Query("csv", pattern="^(csv|json)$", description=(
                              "`csv` (a row per hour × zone) or `json` (the whole result).")),
                          platform: Platform = Depends(get_platform),
                          principal: Principal = Depends(get_principal)) -> Response:
    name = f"scenario-{scenario_id[:16]}.{format}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "json":
        found = await run_in_threadpool(store.get, platform, scenario_id, is_staff(principal))
        return Response(json.dumps(found, ensure_ascii=False, indent=1),
                        media_type="application/json", headers=disposition)
    text = await run_in_threadpool(store.export_csv, platform, scenario_id)
    return Response(text, media_type="text/csv; charset=utf-8", headers=disposition)


@router.delete("/scenarios/{scenario_id}", summary="Delete a scenario (staff)", status_code=204)
async def delete_scenario(scenario_id: str = SCENARIO, platform: Platform = Depends(get_platform),
                          principal: Principal = Depends(get_principal)) -> Response:
    require_staff(principal, "deleting a scenario")
    await run_in_threadpool(store.delete, platform, scenario_id)
    return Response(status_code=204)
