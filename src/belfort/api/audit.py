"""The audit trail, for the data protection officer (and admins): who did what with which
data, when (data principle 5), and the public key its checkpoints are signed with."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi import Query as Q

from belfort.api.deps import get_platform, get_principal
from belfort.api.responses import JSONResponse
from belfort.audit.log import audit_log
from belfort.audit.query import MAX_LIMIT, list_entries, parse_query
from belfort.errors import Forbidden, Unauthorized
from belfort.platform import Platform
from belfort.policy.principals import Principal, Role

router = APIRouter(prefix="/api/belfort/v1", tags=["governance"], default_response_class=JSONResponse)


def require_dpo(principal: Principal) -> None:
    """401 for anonymous callers, 403 for everyone but the DPO and admins."""
    if principal.is_dpo:
        return
    if principal.role == Role.ANONYMOUS:
        raise Unauthorized("reading the audit trail needs the data protection officer's role")
    raise Forbidden("only the data protection officer (or an admin) may read the audit trail")


@router.get("/audit", summary="The audit trail (data protection officer or admin)")
def audit_trail(
    dataset: str | None = Q(None, description="Only entries about this dataset."),
    actor: str | None = Q(None, description="Only entries of this actor (e.g. `key:ab12…`)."),
    action: str | None = Q(None, description="Only this action (e.g. `read`, `ingest`)."),
    since: str | None = Q(None, description="From this ISO 8601 date or date-time (UTC)."),
    until: str | None = Q(None, description="Up to this ISO 8601 date or date-time (UTC)."),
    limit: str | None = Q(None, description=f"Entries per page, 1–{MAX_LIMIT} (default 100)."),
    cursor: str | None = Q(None, description="The `next_cursor` of the page before."),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    require_dpo(principal)
    query = parse_query(dataset=dataset, actor=actor, action=action, since=since, until=until,
                        limit=limit, cursor=cursor)
    with platform.db.session() as session:
        body = list_entries(session, query)
    return JSONResponse(body)


@router.get("/audit/public-key", summary="The public key the audit checkpoints are signed with")
def audit_public_key(platform: Platform = Depends(get_platform)) -> JSONResponse:
    return JSONResponse(audit_log(platform).signer.published())
