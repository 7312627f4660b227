"""ODRL policies over HTTP, for admins and stewards (401 without a key or sign-in, 403 for
anyone else): list, create, read (as JSON-LD, ``application/ld+json``), replace and delete.
The same functions as ``belfort policies`` and the staff pages (``belfort.policy.policies``);
the DPV purposes policies may name are public."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.responses import JSONResponse
from belfort.errors import PayloadTooLarge
from belfort.platform import Platform
from belfort.policy import policies
from belfort.policy.dpv import PURPOSES
from belfort.policy.odrl import MAX_BYTES
from belfort.policy.principals import Principal

router = APIRouter(prefix="/api/belfort/v1", tags=["policies"],
                   default_response_class=JSONResponse)
LD_JSON = "application/ld+json"
UID = Path(..., max_length=200, description="The policy's uid, e.g. `urn:belfort:policy:p1`.")
ENABLED = Query(True, description="Whether the policy takes effect (false: kept, not applied).")


async def _body(request: Request) -> bytes:
    raw = await request.body()
    if len(raw) > MAX_BYTES:
        raise PayloadTooLarge(f"a policy is at most {MAX_BYTES} bytes")
    return raw


def _listing(platform: Platform, principal: Principal, dataset: str | None) -> list[object]:
    policies.require_policy_staff(principal)
    with platform.db.session() as session:
        return [p.summary() for p in policies.list_policies(session, dataset)]


def _one(platform: Platform, principal: Principal, uid: str) -> policies.StoredPolicy:
    policies.require_policy_staff(principal)
    with platform.db.session() as session:
        return policies.get_policy(session, uid)


def _ld(stored: policies.StoredPolicy, status: int = 200) -> Response:
    return Response(stored.source.encode("utf-8"), status_code=status, media_type=LD_JSON,
                    headers={"Cache-Control": "no-store"})


@router.get("/policies", summary="The ODRL policies (admin or steward)")
async def list_policies(
    dataset: str | None = Query(None, max_length=100, description="Only this dataset's."),
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal),
) -> JSONResponse:
    found = await run_in_threadpool(_listing, platform, principal, dataset)
    return JSONResponse({"policies": found}, headers={"Cache-Control": "no-store"})


@router.get("/policies/purposes", summary="The DPV purposes a policy may name")
async def purposes() -> JSONResponse:
    return JSONResponse({"purposes": [
        {"iri": p.iri, "compact": p.compact, "label": p.label, "broader": p.broader}
        for p in PURPOSES.values()]})


@router.post("/policies", summary="Add an ODRL policy (JSON-LD; admin or steward)",
             status_code=201, response_class=Response,
             responses={201: {"content": {LD_JSON: {}}, "description": "The stored policy"}})
async def create_policy(
    request: Request, enabled: bool = ENABLED,
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal),
) -> Response:
    policies.require_policy_staff(principal)
    raw = await _body(request)
    stored = await run_in_threadpool(
        lambda: policies.save(platform, principal, raw, create=True, enabled=enabled))
    return _ld(stored, 201)


@router.get("/policies/{uid:path}", summary="One ODRL policy as JSON-LD (admin or steward)",
            response_class=Response,
            responses={200: {"content": {LD_JSON: {}}, "description": "The policy"}})
async def get_policy(
    uid: str = UID,
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal),
) -> Response:
    return _ld(await run_in_threadpool(_one, platform, principal, uid))


@router.put("/policies/{uid:path}", summary="Replace an ODRL policy (admin or steward)",
            response_class=Response,
            responses={200: {"content": {LD_JSON: {}}, "description": "The stored policy"}})
async def replace_policy(
    request: Request, uid: str = UID, enabled: bool = ENABLED,
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal),
) -> Response:
    policies.require_policy_staff(principal)
    raw = await _body(request)
    stored = await run_in_threadpool(
        lambda: policies.save(platform, principal, raw, create=False, uid=uid, enabled=enabled))
    return _ld(stored)


@router.delete("/policies/{uid:path}", summary="Delete an ODRL policy (admin or steward)",
               status_code=204, response_class=Response)
async def delete_policy(
    uid: str = UID,
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal),
) -> Response:
    await run_in_threadpool(policies.remove, platform, principal, uid)
    return Response(status_code=204)
