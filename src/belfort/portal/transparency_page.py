"""The transparency page (``/transparantie``): the datasets that are not open and that their
owners list publicly, with the reason and a way to ask for access, and how many datasets are
not open per reason (counts only; docs/access.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.api.transparency import transparency_report
from belfort.catalog.metadata import RESTRICTION_REASON_LABELS
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
    entries, counts = await run_in_threadpool(transparency_report, platform)
    labels = {reason.value: names for reason, names in RESTRICTION_REASON_LABELS.items()}
    return render(request, "transparency.html", principal, entries=entries, counts=counts,
                  reason_labels=labels)
