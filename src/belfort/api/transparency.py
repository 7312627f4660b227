"""``GET /api/belfort/v1/transparency``: the datasets that are not open and that their owners
list publicly — open by default made visible (docs/access.md#transparency).

Each entry says only what the owner chose to make public: the title, the publishing
organisation, the classification, the reason the data is not open and a contact address to
ask for access. A dataset that is not listed is not here, and stays a 404 everywhere for
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


def transparency_list(platform: Platform) -> list[dict[str, Any]]:
    with platform.db.session() as session:
        return [gate.transparency_entry(d) for d in gate.listed_datasets(session)]


@router.get("/transparency", summary="The datasets that are not open, as their owners list them")
def transparency(platform: Platform = Depends(get_platform)) -> JSONResponse:
    entries = transparency_list(platform)
    return JSONResponse({"total_count": len(entries), "datasets": entries},
                        headers={"Cache-Control": "public, max-age=60"})
