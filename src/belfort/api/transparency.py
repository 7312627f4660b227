"""``GET /api/belfort/v1/transparency``: the datasets that are not open and that their owners
list publicly — open by default made visible (docs/access.md#transparency).

Each entry says only what the owner chose to make public: the title, the publishing
organisation, the classification, the reason the data is not open (one from the fixed list,
``restriction_reason``, and the owner's explanation) and a contact address to ask for access.
``not_open_by_reason`` counts every published dataset that is not open per reason, listed or
not: numbers only. A dataset that is not listed is not here, and stays a 404 everywhere for
whoever may not read it; a listed one's rows stay behind the gate too.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from belfort.api.deps import get_platform
from belfort.api.responses import JSONResponse
from belfort.platform import Platform
from belfort.policy import gate

router = APIRouter(prefix="/api/belfort/v1", tags=["native"], default_response_class=JSONResponse)


def transparency_report(platform: Platform) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The listed datasets and how many datasets are not open per reason (listed or not)."""
    with platform.db.session() as session:
        entries = [gate.transparency_entry(d) for d in gate.listed_datasets(session)]
        return entries, gate.restriction_counts(session)


@router.get("/transparency", summary="The datasets that are not open, as their owners list them")
def transparency(platform: Platform = Depends(get_platform)) -> JSONResponse:
    entries, counts = transparency_report(platform)
    return JSONResponse({"total_count": len(entries), "datasets": entries,
                         "not_open_by_reason": counts},
                        headers={"Cache-Control": "public, max-age=60"})
