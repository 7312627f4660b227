"""The organisation pages: every publishing organisation, and one organisation with its
description, contact and datasets (``/organisations/{slug}``; a link by the organisation's
name, as older pages and the DCAT ``foaf:page`` make, finds it too)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.catalog import organisations as orgs
from belfort.catalog.models import Organisation
from belfort.errors import NotFound
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal import catalogue
from belfort.portal.pages import portal_principal
from belfort.portal.render import render

router = APIRouter(include_in_schema=False)


def _all(platform: Platform) -> list[dict[str, str | None]]:
    with platform.db.session() as session:
        return [orgs.organisation_to_dict(o) for o in orgs.list_organisations(session)]


def _one(platform: Platform, key: str) -> dict[str, str | None] | None:
    with platform.db.session() as session:
        found: Organisation | None = (
            session.get(Organisation, key) if orgs.SLUG.fullmatch(key) else None
        )
        found = found or orgs.find_organisation(session, key[:200])
        return orgs.organisation_to_dict(found) if found is not None else None


@router.get("/organisations")
async def organisations(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    snap = await run_in_threadpool(catalogue.snapshot, platform, principal)
    counts: dict[str, int] = {}
    for card in snap.cards:
        if card.organisation:
            counts[card.organisation] = counts.get(card.organisation, 0) + 1
    listed = await run_in_threadpool(_all, platform)
    names = {str(o["name_nl"]) for o in listed}
    # a name on a dataset but not (yet) on the list still gets its line
    extra = [{"slug": None, "name_nl": n, "name_en": None} for n in counts if n not in names]
    rows = sorted(listed + extra, key=lambda o: str(o["name_nl"]).casefold())
    return render(request, "organisations.html", principal, organisations=rows, counts=counts)


@router.get("/organisations/{key}")
async def organisation(
    key: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    org = await run_in_threadpool(_one, platform, key)
    name = str(org["name_nl"]) if org is not None else key
    snap = await run_in_threadpool(catalogue.snapshot, platform, principal)
    cards = sorted(
        (c for c in snap.cards if c.organisation == name), key=lambda c: c.title_nl.casefold()
    )
    if org is None and not cards:
        raise NotFound(f"organisation {key[:100]!r} not found")
    return render(request, "organisation.html", principal, name=name, org=org or {}, cards=cards)
