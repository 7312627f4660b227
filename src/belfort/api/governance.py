"""Data governance over HTTP: the roles of organisations and datasets, metadata reviews and
the steward's worklist (``belfort.governance``).

Reading a dataset's roles follows the gate (who may see the dataset sees its roles; a role's
e-mail only when it is public, or to staff). Setting roles, marking metadata reviewed and the
worklist are for the stewards of the organisation concerned and administrators.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.ingest import _json_object
from belfort.api.responses import JSONResponse
from belfort.catalog.models import Dataset, utcnow
from belfort.catalog.organisations import get_organisation
from belfort.errors import Forbidden, Unauthorized
from belfort.governance import review, roles, worklist
from belfort.mqa.service import points_of
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.access_requests import steward_organisations
from belfort.policy.principals import Principal

router = APIRouter(prefix="/api/belfort/v1", tags=["governance"],
                   default_response_class=JSONResponse)
BODY_LIMIT = 4_000
RoleName = Annotated[str, Path(description="The role: owner, steward, custodian or dpo.")]


def _require_signed_in(principal: Principal) -> None:
    """Writes need a key or a sign-in before anything is looked up (401, not 404)."""
    if not principal.is_signed_in:
        raise Unauthorized("sign in (or use an API key) to manage governance")


def _require_steward(session: Session, principal: Principal, organisation: str | None) -> None:
    """Forbidden unless ``principal`` stewards ``organisation`` (a Dutch name) or is admin."""
    _require_signed_in(principal)
    scope = steward_organisations(session, principal)
    if scope is None:
        return
    if not principal.is_steward or organisation is None or organisation not in scope:
        raise Forbidden("only the organisation's data stewards and administrators may do this")


def dataset_governance(session: Session, principal: Principal, dataset: Dataset,
                       review_months: int) -> dict[str, Any]:
    """A dataset's roles and review as ``principal`` may see them."""
    scope = steward_organisations(session, principal)
    private = scope is None or (dataset.organisation in scope)
    holders = roles.dataset_roles(session, dataset)
    reviewed = review.last_reviewed(session, dataset.id)
    out: dict[str, Any] = {"roles": roles.roles_to_list(holders, private=private),
                           "metadata_reviewed": None if reviewed is None else reviewed.isoformat()}
    if private:
        out["metadata_review_due"] = review.review_due(
            dataset, reviewed, utcnow(), review_months).isoformat()
    return out


@router.get("/datasets/{dataset_id}/roles", summary="Who is responsible for a dataset")
def dataset_roles(dataset_id: str, platform: Platform = Depends(get_platform),
                  principal: Principal = Depends(get_principal)) -> JSONResponse:
    """The data owner, steward, custodian and DPO (each its own or its organisation's)."""
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        body = dataset_governance(session, principal, dataset,
                                  platform.settings.governance_review_months)
    return JSONResponse({"dataset_id": dataset.id, **body})


def _set_dataset_role(platform: Platform, principal: Principal, dataset_id: str, role: str,
                      body: dict[str, Any] | None) -> dict[str, Any]:
    roles.check_role(role)
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        _require_steward(session, principal, dataset.organisation)
        if body is None:
            roles.clear_role(session, principal.actor, "dataset", dataset.id, role)
        else:
            roles.set_role(session, principal.actor, "dataset", dataset.id, role, body)
        return dataset_governance(session, principal, dataset,
                                  platform.settings.governance_review_months)


@router.put("/datasets/{dataset_id}/roles/{role}", summary="Set a role of a dataset (steward)")
async def put_dataset_role(dataset_id: str, role: RoleName, request: Request,
                           platform: Platform = Depends(get_platform),
                           principal: Principal = Depends(get_principal)) -> JSONResponse:
    """Body: ``{"name": …, "email": …, "email_public": false}``; ``role`` is one of owner,
    steward, custodian, dpo."""
    _require_signed_in(principal)
    body = await _json_object(request, limit=BODY_LIMIT)
    return JSONResponse(await run_in_threadpool(
        _set_dataset_role, platform, principal, dataset_id, role, body))


@router.delete("/datasets/{dataset_id}/roles/{role}",
               summary="Remove a dataset's own role (steward): its organisation's applies again")
async def delete_dataset_role(dataset_id: str, role: RoleName,
                              platform: Platform = Depends(get_platform),
                              principal: Principal = Depends(get_principal)) -> JSONResponse:
    _require_signed_in(principal)
    return JSONResponse(await run_in_threadpool(
        _set_dataset_role, platform, principal, dataset_id, role, None))


def _organisation_roles(platform: Platform, principal: Principal, slug: str,
                        role: str | None = None, body: dict[str, Any] | None = None,
                        clear: bool = False) -> dict[str, Any]:
    with platform.db.session() as session:
        org = get_organisation(session, slug)
        private = True
        if role is not None:
            roles.check_role(role)
            _require_steward(session, principal, org.name_nl)
            if clear:
                roles.clear_role(session, principal.actor, "organisation", org.slug, role)
            else:
                roles.set_role(session, principal.actor, "organisation", org.slug, role, body)
        else:
            scope = steward_organisations(session, principal)
            private = scope is None or org.name_nl in scope
        holders = [h for r, h in sorted(roles.roles_of(session, "organisation", org.slug).items(),
                                        key=lambda kv: roles.ROLES.index(kv[0]))]
        return {"organisation": org.slug, "roles": roles.roles_to_list(holders, private=private)}


@router.get("/organisations/{slug}/roles", summary="An organisation's default roles")
def organisation_roles(slug: str, platform: Platform = Depends(get_platform),
                       principal: Principal = Depends(get_principal)) -> JSONResponse:
    return JSONResponse(_organisation_roles(platform, principal, slug))


@router.put("/organisations/{slug}/roles/{role}",
            summary="Set an organisation's default role (steward)")
async def put_organisation_role(slug: str, role: RoleName, request: Request,
                                platform: Platform = Depends(get_platform),
                                principal: Principal = Depends(get_principal)) -> JSONResponse:
    _require_signed_in(principal)
    body = await _json_object(request, limit=BODY_LIMIT)
    return JSONResponse(await run_in_threadpool(
        _organisation_roles, platform, principal, slug, role, body))


@router.delete("/organisations/{slug}/roles/{role}",
               summary="Remove an organisation's default role (steward)")
async def delete_organisation_role(slug: str, role: RoleName,
                                   platform: Platform = Depends(get_platform),
                                   principal: Principal = Depends(get_principal)) -> JSONResponse:
    _require_signed_in(principal)
    return JSONResponse(await run_in_threadpool(
        lambda: _organisation_roles(platform, principal, slug, role, clear=True)))


def mark_reviewed(platform: Platform, principal: Principal, dataset_id: str) -> dict[str, Any]:
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        _require_steward(session, principal, dataset.organisation)
        review.mark_reviewed(session, principal.actor, dataset.id)
        return {"dataset_id": dataset.id,
                **dataset_governance(session, principal, dataset,
                                     platform.settings.governance_review_months)}


@router.post("/datasets/{dataset_id}/metadata-review",
             summary="Mark a dataset's metadata reviewed (steward)")
async def post_review(dataset_id: str, platform: Platform = Depends(get_platform),
                      principal: Principal = Depends(get_principal)) -> JSONResponse:
    _require_signed_in(principal)
    return JSONResponse(await run_in_threadpool(mark_reviewed, platform, principal, dataset_id))


def steward_worklist(platform: Platform, principal: Principal,
                     organisation: str | None = None) -> dict[str, Any]:
    """The items of the datasets ``principal`` stewards (of one organisation if given)."""
    if not principal.is_signed_in:
        raise Unauthorized("sign in (or use an API key) to see the worklist")
    s = platform.settings
    with platform.db.session() as session:
        datasets = worklist.datasets_in_scope(session, principal, organisation)
        items = worklist.items_of(session, datasets, utcnow(),
                                  review_months=s.governance_review_months,
                                  mqa_min=s.governance_mqa_min,
                                  mqa_scores=lambda ids: points_of(platform, ids))
    counts = {kind: sum(1 for i in items if i.kind == kind) for kind in worklist.KINDS}
    return {"datasets_count": len(datasets), "counts": counts,
            "items": [i.to_dict() for i in items]}


@router.get("/governance/worklist", summary="The steward's worklist")
def get_worklist(
    organisation: str | None = Query(None, max_length=200,
                                     description="Only this organisation (slug or name)."),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Failing quality rules, overdue updates, stale metadata, open access requests and low
    metadata-quality scores of the datasets you steward, each with a link to where it is
    fixed."""
    return JSONResponse(steward_worklist(platform, principal, organisation))
