"""``GET /api/belfort/v1/datasets/{id}/metadata-quality`` and ``GET …/metadata-quality``: the
metadata-quality score of the European Data Portal's MQA method (docs/metadata-quality.md).

A thin adapter over ``belfort.mqa.service``: the datasets are read through the gate (a
dataset the caller may not see answers 404, as one that does not exist), and each is scored
on the DCAT-AP description the catalogue publishes. Synchronous routes (FastAPI runs them in
its thread pool): a first score may run pySHACL.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from belfort.api.caching import cache_control
from belfort.api.deps import get_platform, get_principal
from belfort.api.responses import JSONResponse
from belfort.mqa import service
from belfort.platform import Platform
from belfort.policy.principals import Principal

router = APIRouter(prefix="/api/belfort/v1", tags=["native"], default_response_class=JSONResponse)


@router.get(
    "/datasets/{dataset_id}/metadata-quality",
    summary="A dataset's metadata-quality score (MQA method, out of 405)",
    description=(
        "Every MQA indicator (points or 0, and whether it could be checked), the points per "
        "dimension, the total out of 405 and its band (excellent 351–405, good 221–350, "
        "sufficient 120–220, bad 0–119), the distribution that counted, and what to add to "
        "score higher (most points first, in Dutch and English). A dataset you may not see "
        "answers 404."
    ),
)
def dataset_metadata_quality(
    dataset_id: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    quality = service.dataset_quality(platform, principal, dataset_id)
    return JSONResponse(quality.to_dict(),
                        headers={"Cache-Control": cache_control(principal, "public, max-age=60")})


@router.get(
    "/metadata-quality",
    summary="The catalogue's metadata-quality score (the mean over the datasets you may see)",
    description=(
        "The mean of the scores of the datasets you may see, its band, the mean per dimension, "
        "how many datasets fall in each band, and each dataset's points and band, lowest first."
    ),
)
def catalogue_metadata_quality(
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    return JSONResponse(service.catalogue_quality(platform, principal),
                        headers={"Cache-Control": cache_control(principal, "public, max-age=60")})
