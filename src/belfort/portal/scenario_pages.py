"""The what-if scenarios page (``/scenarios``): the kept scenarios, and two of them side by
side (``?a=ID&b=ID``) — for each, a map of the zones coloured by their busiest band in the
window (the dashboard map's SVG drawing), its explanation in plain language, and one table
comparing every zone (docs/twin-scenarios.md)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.deps import get_platform
from belfort.errors import ScenarioNotFound
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal import maps
from belfort.portal.i18n import Translator, language_of
from belfort.portal.pages import portal_principal
from belfort.portal.render import render
from belfort.twin.scenarios import store
from belfort.twin.zones import list_zones

router = APIRouter(include_in_schema=False)
BANDS = (("rustig", "#2e7d32"), ("druk", "#c25e00"), ("te druk", "#b3261e"))
CLOSED_COLOUR = "#5f6368"


@dataclass
class Side:
    """One scenario as the page shows it."""

    id: str
    name: str
    window: dict[str, Any]
    explanation: str
    reliability: str
    totals: dict[str, float]
    peaks: dict[str, dict[str, Any]]  # zone → its busiest hour in the scenario
    svg: str = ""
    flagged: list[str] = field(default_factory=list)


def _peaks(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for hour in result["hours"]:
        for z in hour["zones"]:
            now = found.get(z["zone"])
            if now is None or z["scenario"]["score"] > now["scenario"]["score"]:
                found[z["zone"]] = {**z, "time": hour["time"]}
    return found


def _side(scenario: dict[str, Any], geometry: dict[str, Any], lang: str) -> Side:
    t = Translator(lang)
    result = scenario["result"]
    side = Side(scenario["id"], scenario["name"], result["window"],
                result["explanation"][lang], result["explanation"]["reliability"],
                result["totals"], _peaks(result), flagged=scenario["flagged_zones"])
    closed_label = t("scen_closed")
    classes = [maps.LegendClass(t("scen_band_" + band.replace(" ", "_")), colour, 0,
                                value=band) for band, colour in BANDS]
    classes.append(maps.LegendClass(closed_label, CLOSED_COLOUR, 0, value="closed"))
    legend = maps.Legend("band", "categorical", tuple(classes))
    features = []
    for zone_id, peak in sorted(side.peaks.items()):
        if zone_id not in geometry:
            continue
        band = "closed" if peak["closed"] else peak["scenario"]["label"]
        words = closed_label if peak["closed"] else t(
            "scen_zone_tip", score=peak["scenario"]["score"],
            band=t("scen_band_" + peak["scenario"]["label"].replace(" ", "_")))
        features.append({"type": "Feature", "geometry": geometry[zone_id],
                         "properties": {maps.LABEL_KEY: f"{peak['name']}: {words}"[:240],
                                        "band": band}})
    side.svg = maps.render_svg_map(features, legend, title=t("scen_map_title", name=side.name),
                                   lang=lang, polygon_opacity=1, width=480, height=360)
    return side


def _page(platform: Platform, a: str | None, b: str | None, lang: str,
          staff: bool) -> dict[str, Any]:
    listing = store.listing(platform, with_creator=staff)
    with platform.db.session() as session:
        geometry = {z.id: json.loads(z.geometry) for z in list_zones(session)}
    sides: list[Side] = []
    missing: list[str] = []
    for ident in (a, b):
        if not ident:
            continue
        try:
            sides.append(_side(store.get(platform, ident), geometry, lang))
        except ScenarioNotFound:
            missing.append(ident[:40])
    zones = sorted({z for side in sides for z in side.peaks})
    return {"scenarios": listing, "sides": sides, "zones": zones, "missing": missing,
            "a": a or "", "b": b or ""}


@router.get("/scenarios")
async def scenarios_page(request: Request, platform: Platform = Depends(get_platform),
                         principal: Principal = Depends(portal_principal)) -> Response:
    a, b = request.query_params.get("a"), request.query_params.get("b")
    lang = language_of(request)
    context = await run_in_threadpool(_page, platform, a, b, lang, principal.is_admin)
    status = 404 if context["missing"] else 200
    return render(request, "scenarios.html", principal, status_code=status,
                  active="scenarios", **context)
