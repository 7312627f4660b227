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
from belfort.twin.scenarios.links import list_links
from belfort.twin.zones import list_zones

router = APIRouter(include_in_schema=False)
BANDS = (("rustig", "#2e7d32"), ("druk", "#c25e00"), ("te druk", "#b3261e"))
CLOSED_COLOUR = "#5f6368"
STREET_COLOUR = "#1d5a8e"


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


def _centre(polygon: dict[str, Any]) -> list[float]:
    ring = polygon["coordinates"][0][:-1] or polygon["coordinates"][0]
    return [sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)]


def _street_features(result: dict[str, Any], geometry: dict[str, Any],
                     ends: dict[str, tuple[str, str, int]], t: Translator) -> list[dict[str, Any]]:
    """Each street link with a flow at the busiest hour, as a line between its zones'
    centres, titled with its flow against its capacity."""
    flows: dict[str, dict[str, Any]] = {}
    for hour in result["hours"]:
        for link in hour["links"]:
            if link["scenario_flow"] > flows.get(link["link"], {}).get("scenario_flow", -1):
                flows[link["link"]] = link
    shut = {c.get("link") for c in result["closures"]} | {c.get("zone")
                                                           for c in result["closures"]}
    features = []
    for link_id, (a, b, capacity) in sorted(ends.items()):
        if a not in geometry or b not in geometry:
            continue
        link = flows.get(link_id)
        closed = bool({link_id, a, b} & shut)
        words = t("scen_closed") if closed else t(
            "scen_link_tip", flow=round(link["scenario_flow"]) if link else 0,
            capacity=capacity)
        features.append({"type": "Feature", "geometry": {
            "type": "LineString", "coordinates": [_centre(geometry[a]), _centre(geometry[b])]},
            "properties": {maps.LABEL_KEY: f"{link_id}: {words}"[:240],
                           "band": "closed" if closed else "street"}})
    return features


def _side(scenario: dict[str, Any], geometry: dict[str, Any], ends: dict[str, tuple[str, str, int]],
          lang: str) -> Side:
    t = Translator(lang)
    result = scenario["result"]
    side = Side(scenario["id"], scenario["name"], result["window"],
                result["explanation"][lang], result["explanation"]["reliability"],
                result["totals"], _peaks(result), flagged=scenario["flagged_zones"])
    closed_label = t("scen_closed")
    classes = [maps.LegendClass(t("scen_band_" + band.replace(" ", "_")), colour, 0,
                                value=band) for band, colour in BANDS]
    classes.append(maps.LegendClass(closed_label, CLOSED_COLOUR, 0, value="closed"))
    classes.append(maps.LegendClass(t("scen_street"), STREET_COLOUR, 0, value="street"))
    legend = maps.Legend("band", "categorical", tuple(classes))
    features = _street_features(result, geometry, ends, t)
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
        rate = platform.settings.twin_scenario_flow_rate
        ends = {link.id: (link.from_zone, link.to_zone, round(link.width_m * rate * 60))
                for link in list_links(session)}
    sides: list[Side] = []
    missing: list[str] = []
    for ident in (a, b):
        if not ident:
            continue
        try:
            sides.append(_side(store.get(platform, ident), geometry, ends, lang))
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
