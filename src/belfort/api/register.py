"""The processing register over the native JSON API: ``/api/belfort/v1/processing-activities``.

Anyone reads the published entries (the register is public by law); an admin key also
reads drafts and archived entries and may create, change and move them along their
life cycle. Datasets are linked with ``PATCH /api/belfort/v1/datasets/{id}``
(``processing_activity``, ``personal_data``). Linked datasets are listed as the gate
lets the caller see them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi import Query as Q
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.ingest import _json_object
from belfort.api.responses import JSONResponse
from belfort.catalog.models import ProcessingActivity
from belfort.errors import InvalidRequest, NotFound
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.register import service, store
from belfort.register.model import ActivityState

router = APIRouter(prefix="/api/belfort/v1", tags=["processing register"], default_response_class=JSONResponse)

PUBLISHED = ActivityState.PUBLISHED.value


def _with_datasets(session: Any, principal: Principal, activity: ProcessingActivity) -> dict[str, Any]:
    out = store.activity_to_dict(activity)
    out["datasets"] = [d.id for d in store.linked_datasets(session, activity.id, open_only=not principal.is_admin)]
    return out


@router.get("/processing-activities", summary="The processing register (GDPR art. 30)")
def list_activities(
    q: str | None = Q(None, max_length=200, description="Words in name or description."),
    audience: str | None = Q(None, max_length=40, description="burger or werknemer stad."),
    processor: str | None = Q(None, max_length=200, description="Only entries of this processor."),
    category: str | None = Q(None, max_length=200, description="Only entries of this category."),
    state: str | None = Q(None, max_length=20, description="Staff only: draft, published or archived."),
    limit: int = Q(100, ge=0, le=1000, description="Number of entries."),
    offset: int = Q(0, ge=0, le=1_000_000, description="Entries to skip."),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    if state is not None and state not in {s.value for s in ActivityState}:
        raise InvalidRequest(f"unknown state {state!r}; use draft, published or archived")
    if principal.is_admin:
        states = (state,) if state else None
    else:
        states = (PUBLISHED,)
        if state not in (None, PUBLISHED):
            return JSONResponse({"total_count": 0, "processing_activities": []})
    words = (q or "").casefold().split()
    with platform.db.session() as session:
        found = [
            a for a in store.list_activities(session, states=states)
            if (not audience or a.audience == audience) and (not processor or a.processor == processor)
            and (not category or a.category == category)
            and all(w in f"{a.name} {a.description or ''}".casefold() for w in words)
        ]
        links = store.open_dataset_links(session, open_only=not principal.is_admin)
        page = [{**store.activity_to_dict(a), "datasets": links.get(a.id, [])} for a in found[offset: offset + limit]]
    return JSONResponse({"total_count": len(found), "processing_activities": page})


@router.get("/processing-activities/{activity_id}", summary="One processing register entry")
def get_activity(
    activity_id: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    with platform.db.session() as session:
        activity = store.get_activity(session, activity_id)
        if activity.state != PUBLISHED and not principal.is_admin:
            raise NotFound(f"processing activity {activity_id[:60]!r} not found")
        return JSONResponse(_with_datasets(session, principal, activity))


@router.post("/processing-activities", status_code=201, summary="Create a register entry (admin)")
async def create_activity(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    """Body: the entry's fields, optionally ``state`` (default draft) and ``id`` (a GUID)."""
    gate.require_write(principal)
    body = await _json_object(request)
    state = body.pop("state", "draft")
    activity_id = body.pop("id", None)
    if not isinstance(state, str) or (activity_id is not None and not isinstance(activity_id, str)):
        raise InvalidRequest("state and id are text")
    created = await run_in_threadpool(
        lambda: service.create_activity(platform, principal, body, state=state, activity_id=activity_id))
    return JSONResponse(created, status_code=201)


@router.patch("/processing-activities/{activity_id}", summary="Change a register entry (admin)")
async def update_activity(
    activity_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    gate.require_write(principal)
    changes = await _json_object(request)
    return JSONResponse(await run_in_threadpool(service.update_activity, platform, principal, activity_id, changes))


@router.post("/processing-activities/{activity_id}/state", summary="Move a register entry along its life cycle")
async def change_state(
    activity_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    gate.require_write(principal)
    target = (await _json_object(request)).get("state")
    if not isinstance(target, str):
        raise InvalidRequest('send {"state": "draft|published|archived"}')
    return JSONResponse(await run_in_threadpool(service.change_activity_state, platform, principal, activity_id,
                                                target))
