"""``GET /api/belfort/v1/quality``: the data-quality KPIs of the datasets the caller may see,
city-wide or of one organisation (``?organisation=`` its identifier or name), with their trend
over ``?days=`` (``belfort.quality.kpis``, docs/quality.md).

The datasets are the catalogue's rows as read through the gate (``belfort.mqa.service``): a
restricted dataset counts for a caller who may see it and for nobody else. An organisation that
is neither on the list nor on a dataset the caller sees is 404. ``city_kpis`` is what the
portal's quality dashboards show too.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from belfort.api.caching import cache_control
from belfort.api.deps import get_platform, get_principal
from belfort.api.responses import JSONResponse
from belfort.catalog import organisations as orgs
from belfort.catalog.models import Organisation
from belfort.errors import InvalidRequest, NotFound
from belfort.mqa import service
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.quality import kpis

router = APIRouter(prefix="/api/belfort/v1", tags=["native"], default_response_class=JSONResponse)

MAX_KEY = 200


def organisation_of(platform: Platform, key: str) -> tuple[str | None, str]:
    """(slug or None, name on datasets) of the organisation ``key`` names (its slug or name)."""
    if not key.strip() or len(key) > MAX_KEY:
        raise InvalidRequest(f"organisation: give an identifier or name of 1-{MAX_KEY} characters")
    with platform.db.session() as session:
        found: Organisation | None = (
            session.get(Organisation, key) if orgs.SLUG.fullmatch(key) else None
        )
        found = found or orgs.find_organisation(session, key)
        if found is None:
            return None, key
        return found.slug, found.name_nl


def city_kpis(
    platform: Platform, principal: Principal, organisation: str | None = None,
    days: int = kpis.DEFAULT_DAYS,
) -> dict[str, Any]:
    """The KPIs over what ``principal`` may see (of ``organisation``, a slug or name)."""
    rows = list(service.visible_rows(platform, principal))
    slug = None
    if organisation is not None:
        slug, name = organisation_of(platform, organisation)
        rows = [r for r in rows if r.organisation == name]
        if slug is None and not rows:
            raise NotFound(f"organisation {organisation[:100]!r} not found")
        organisation = name
    ids = {r.id for r in rows}
    scored = service.catalogue_quality(platform, principal)["datasets"]
    metadata = {d["dataset_id"]: kpis.MetadataScore(d["points"], d["band"])
                for d in scored if d["dataset_id"] in ids}
    body = kpis.kpis(platform, principal, rows, metadata, organisation=organisation, days=days)
    body["organisation_slug"] = slug
    return body


@router.get(
    "/quality",
    summary="Data-quality KPIs over the datasets you may see, city-wide or per organisation",
    description=(
        "Datasets measured, their mean data score (share of checked values passing the "
        "completeness, validity, uniqueness and consistency rules), how many pass (good or "
        "excellent: at least 95 %), each dimension's mean score, timeliness, the metadata "
        "scores (MQA) and their bands, the trend per day, and the lowest-scoring datasets."
    ),
)
def get_quality_kpis(
    organisation: str | None = Query(
        None, max_length=MAX_KEY, description="An organisation's identifier or name."
    ),
    days: int = Query(kpis.DEFAULT_DAYS, ge=1, le=kpis.MAX_DAYS, description="The trend's days."),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    return JSONResponse(city_kpis(platform, principal, organisation, days),
                        headers={"Cache-Control": cache_control(principal, "public, max-age=60")})
