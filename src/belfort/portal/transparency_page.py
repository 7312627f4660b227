"""The transparency page (``/transparantie``): the datasets that are not open and that their
owners list publicly, with the reason and a way to ask for access (docs/access.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.api.transparency import transparency_list
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal.pages import portal_principal
from belfort.portal.render import render

router = APIRouter(include_in_schema=False)


@router.get("/transparantie")
async def transparency(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    entries = await run_in_threadpool(transparency_list, platform)
    return render(request, "transparency.html", principal, entries=entries)
