"""Access requests in the native API (issue 14, item 5; docs/access.md#access-requests):

- ``POST /api/belfort/v1/access-requests`` — a signed-in user asks: ``{"dataset", "purpose",
  "reason", "fields"?}`` → 201 with the request;
- ``GET /api/belfort/v1/access-requests[?status=]`` — one's own requests (stewards: also
  those of their organisation's datasets; admins: all);
- ``GET /api/belfort/v1/access-requests/{id}`` — one request, with its status;
- ``POST /api/belfort/v1/access-requests/{id}/decision`` — a steward approves
  (``{"approve": true, "expires_at", "fields"?, "row_filter"?, "min_group_size"?,
  "requests_per_day"?, "export"?, "reason"?}``: an ODRL Agreement is stored) or refuses
  (``{"approve": false, "reason"}``);
- ``POST /api/belfort/v1/access-requests/{id}/withdraw`` — the requester withdraws it.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi import Query as Q
from starlette.concurrency import run_in_threadpool

from belfort.api.deps import get_platform, get_principal
from belfort.api.responses import JSONResponse
from belfort.errors import InvalidRequest, PayloadTooLarge
from belfort.platform import Platform
from belfort.policy import access_requests as requests
from belfort.policy.principals import Principal

router = APIRouter(prefix="/api/belfort/v1", tags=["native"], default_response_class=JSONResponse)

MAX_BODY = 64_000
PRIVATE = {"Cache-Control": "private, no-store"}
REQUEST_ID = Path(description="An access request's id (16 hexadecimal characters).")


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise PayloadTooLarge(f"the body is larger than {MAX_BODY:,} bytes")
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidRequest("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object")
    return body


def _approval(body: dict[str, Any]) -> requests.Approval:
    allowed = {"approve", "expires_at", "fields", "row_filter", "min_group_size",
               "requests_per_day", "export", "reason"}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InvalidRequest(f"unknown key {unknown[0][:40]!r}; use {', '.join(sorted(allowed))}")
    try:
        expires = dt.datetime.fromisoformat(str(body.get("expires_at")))
    except ValueError:
        raise InvalidRequest("expires_at must be an ISO 8601 date-time with an offset") from None
    fields = body.get("fields")
    if fields is not None and (not isinstance(fields, list)
                               or not all(isinstance(f, str) for f in fields)):
        raise InvalidRequest("fields must be a list of field names")
    for key in ("min_group_size", "requests_per_day"):
        value = body.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 1 <= value <= 1_000_000):
            raise InvalidRequest(f"{key} must be a whole number from 1 to 1,000,000")
    row_filter = body.get("row_filter")
    if row_filter is not None and not isinstance(row_filter, str):
        raise InvalidRequest("row_filter must be an Opendatasoft where expression")
    if not isinstance(body.get("export", False), bool):
        raise InvalidRequest("export must be true or false")
    return requests.Approval(
        expires_at=expires, fields=tuple(fields) if fields is not None else None,
        row_filter=row_filter, min_group_size=body.get("min_group_size"),
        requests_per_day=body.get("requests_per_day"), export=bool(body.get("export", False)))


@router.post("/access-requests", summary="Ask for access to a dataset (signed in)",
             status_code=201)
async def create(request: Request, platform: Platform = Depends(get_platform),
                 principal: Principal = Depends(get_principal)) -> JSONResponse:
    body = await _body(request)

    def work() -> dict[str, Any]:
        with platform.db.session() as session:
            row = requests.request_access(
                session, principal, str(body.get("dataset", ""))[:200], body.get("purpose"),
                body.get("reason"), body.get("fields"))
            return requests.to_dict(row)

    return JSONResponse(await run_in_threadpool(work), status_code=201, headers=PRIVATE)


@router.get("/access-requests",
            summary="Access requests: one's own (stewards: their organisation's; admins: all)")
def list_all(status: str | None = Q(None, description="pending, approved, refused or withdrawn"),
             platform: Platform = Depends(get_platform),
             principal: Principal = Depends(get_principal)) -> JSONResponse:
    with platform.db.session() as session:
        rows = requests.list_requests(session, principal, status)
        return JSONResponse({"requests": [requests.to_dict(r) for r in rows]}, headers=PRIVATE)


@router.get("/access-requests/{request_id}", summary="One access request and its status")
def get_one(request_id: str = REQUEST_ID, platform: Platform = Depends(get_platform),
            principal: Principal = Depends(get_principal)) -> JSONResponse:
    with platform.db.session() as session:
        row = requests.get_request(session, principal, request_id)
        return JSONResponse(requests.to_dict(row), headers=PRIVATE)


@router.post("/access-requests/{request_id}/decision",
             summary="Approve (an ODRL Agreement) or refuse an access request (steward)")
async def decision(request: Request, request_id: str = REQUEST_ID,
                   platform: Platform = Depends(get_platform),
                   principal: Principal = Depends(get_principal)) -> JSONResponse:
    body = await _body(request)
    approve = body.get("approve")
    if not isinstance(approve, bool):
        raise InvalidRequest('say {"approve": true, "expires_at": …} or '
                             '{"approve": false, "reason": …}')
    approval = _approval(body) if approve else None

    def work() -> dict[str, Any]:
        with platform.db.session() as session:
            row = requests.decide(session, principal, request_id, approve=approve,
                                  reason=body.get("reason"), approval=approval)
            return requests.to_dict(row)

    answer = await run_in_threadpool(work)
    if approve:
        platform.generation.bump()  # a new policy: every cached answer of the gate moves on
    return JSONResponse(answer, headers=PRIVATE)


@router.post("/access-requests/{request_id}/withdraw", summary="Withdraw one's request")
def withdraw(request_id: str = REQUEST_ID, platform: Platform = Depends(get_platform),
             principal: Principal = Depends(get_principal)) -> JSONResponse:
    with platform.db.session() as session:
        return JSONResponse(requests.to_dict(requests.withdraw(session, principal, request_id)),
                            headers=PRIVATE)
