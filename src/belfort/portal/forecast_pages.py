"""The forecasts pages (docs/twin-forecasts.md, "Pages"):

- ``/voorspellingen``: every zone's crowding now next to its forecast for the next hours
  (a table per zone, server-rendered), which model made it and how reliable it is;
- ``/voorspellingen/modellen/{version}``: one model version explained in plain language —
  what data, which model, when trained, how reliable (backtest MASE and coverage, live
  accuracy, degraded or not).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.errors import ForecastModelNotFound
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal.pages import portal_principal
from belfort.portal.render import render
from belfort.twin.forecasting import registry
from belfort.twin.forecasting.source import forecast_dict
from belfort.twin.score import crowding_now

router = APIRouter(include_in_schema=False)
PAGE_HOURS = 24


def _zones(platform: Platform) -> dict[str, Any]:
    crowding = crowding_now(platform, with_normal=False)
    zones = []
    for zone in crowding.zones:
        forecast = forecast_dict(platform, "zone", zone.id, PAGE_HOURS)
        zones.append({"id": zone.id, "name": zone.name, "score": zone.score,
                      "observed": zone.to_dict()["observed"], "forecast": forecast})
    with platform.db.session() as session:
        active = registry.active(session)
        model = registry.model_dict(active) if active is not None else None
    return {"zones": zones, "model": model, "hours": PAGE_HOURS}


def _model(platform: Platform, version: str) -> dict[str, Any] | None:
    try:
        with platform.db.session() as session:
            return registry.model_dict(registry.get(session, version))
    except ForecastModelNotFound:
        return None


@router.get("/voorspellingen")
async def forecasts_page(request: Request, platform: Platform = Depends(get_platform),
                         principal: Principal = Depends(portal_principal)) -> Response:
    context = await run_in_threadpool(_zones, platform)
    return render(request, "forecasts.html", principal, active="forecasts", **context)


@router.get("/voorspellingen/modellen/{version}")
async def model_page(version: str, request: Request, platform: Platform = Depends(get_platform),
                     principal: Principal = Depends(portal_principal)) -> Response:
    model = await run_in_threadpool(_model, platform, version)
    return render(request, "forecast_model.html", principal, active="forecasts",
                  status_code=200 if model else 404, model=model,
                  missing=None if model else version[:80])
