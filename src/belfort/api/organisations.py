"""Publishing organisations over HTTP: anyone may read the list; an admin key adds and
changes them (the same write path as ``belfort organisations add|set``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.ingest import _json_object
from belfort.api.responses import JSONResponse
from belfort.catalog import organisations as orgs
from belfort.errors import InvalidRequest
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.publishing import save_organisation

router = APIRouter(
    prefix="/api/belfort/v1", tags=["organisations"], default_response_class=JSONResponse
)
BODY_LIMIT = 64_000


def organisation_listing(platform: Platform, principal: Principal) -> list[dict[str, Any]]:
    with platform.db.session() as session:
        counts = orgs.dataset_counts(session, gate.visible_datasets(principal, session))
        return [
            orgs.organisation_to_dict(o, counts.get(o.name_nl, 0))
            for o in orgs.list_organisations(session)
        ]


def organisation_entry(platform: Platform, principal: Principal, slug: str) -> dict[str, Any]:
    with platform.db.session() as session:
        org = orgs.get_organisation(session, slug)
        counts = orgs.dataset_counts(session, gate.visible_datasets(principal, session))
        return orgs.organisation_to_dict(org, counts.get(org.name_nl, 0))


@router.get("/organisations", summary="The publishing organisations")
async def list_organisations(
    platform: Platform = Depends(get_platform), principal: Principal = Depends(get_principal)
) -> JSONResponse:
    """Every organisation datasets may name, with its number of datasets you may see."""
    listing = await run_in_threadpool(organisation_listing, platform, principal)
    return JSONResponse({"organisations": listing})


@router.get("/organisations/{slug}", summary="One publishing organisation")
async def get_organisation(
    slug: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    return JSONResponse(await run_in_threadpool(organisation_entry, platform, principal, slug))


async def _body(request: Request) -> dict[str, Any]:
    body = await _json_object(request, limit=BODY_LIMIT)
    bad = sorted(k for k, v in body.items() if v is not None and not isinstance(v, str))
    if bad:
        raise InvalidRequest(f"organisation fields are text: {', '.join(b[:40] for b in bad)}")
    return body


@router.post("/organisations/{slug}", summary="Add an organisation (admin)", status_code=201)
async def add_organisation(
    slug: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: ``{"name_nl": …, "name_en", "description_nl", "description_en",
    "contact_email", "homepage"}``; ``name_nl`` is required."""
    gate.require_write(principal)
    body = await _body(request)
    result = await run_in_threadpool(
        lambda: save_organisation(platform, principal, slug, body, create=True)
    )
    return JSONResponse(result, status_code=201)


@router.patch("/organisations/{slug}", summary="Change an organisation (admin)")
async def change_organisation(
    slug: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """The fields sent are changed; a new ``name_nl`` is written to its datasets too."""
    gate.require_write(principal)
    body = await _body(request)
    result = await run_in_threadpool(
        lambda: save_organisation(platform, principal, slug, body, create=False)
    )
    return JSONResponse(result)
