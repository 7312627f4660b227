"""The audit log, for administrators: who changed what, when (data principle 5)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi import Query as Q
from sqlalchemy import func, select

from belfort.api.deps import get_platform, get_principal
from belfort.api.params import INT_LIMIT
from belfort.api.responses import JSONResponse
from belfort.catalog.models import AuditEvent
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal

router = APIRouter(prefix="/api/belfort/v1", tags=["governance"], default_response_class=JSONResponse)


@router.get("/audit", summary="The audit log (admin key)")
def audit_log(
    dataset: str | None = Q(None, max_length=100, description="Only events of this dataset."),
    limit: int = Q(100, ge=1, le=1000, description="Number of events, newest first."),
    offset: int = Q(0, ge=0, le=INT_LIMIT, description="Events to skip."),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    gate.require_admin(principal, "reading the audit log")
    query = select(AuditEvent)
    if dataset:
        query = query.where(AuditEvent.dataset_id == dataset)
    with platform.db.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery()))
        events = session.scalars(
            query.order_by(AuditEvent.id.desc()).limit(limit).offset(offset)
        ).all()
        body = {
            "total_count": total,
            "events": [
                {"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                 "dataset": e.dataset_id, "detail": e.detail}
                for e in events
            ],
        }
    return JSONResponse(body)
