"""Data quality in the portal: the quality dashboards, city-wide (``/datakwaliteit``) and of one
organisation (``/organisations/{key}/datakwaliteit``), and the data-quality section of a
dataset page (``dataset_data_quality``, shown by ``dataset_data_quality.html``).

The figures are those of ``GET /api/belfort/v1/quality`` (``belfort.api.quality_kpis``) and
``GET …/datasets/{id}/quality`` (``belfort.api.quality``), so a page shows exactly what the
visitor's API answers would: only the datasets it may see, fields held back left out. The
trend is a line chart drawn on the server (``charts``) with the same figures as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api import quality as quality_api
from belfort.api.deps import get_platform
from belfort.api.quality_kpis import city_kpis
from belfort.catalog.models import Dataset
from belfort.errors import NotFound
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.portal import charts
from belfort.portal.i18n import Translator, language_of
from belfort.portal.pages import portal_principal
from belfort.portal.render import render
from belfort.quality import kpis

router = APIRouter(include_in_schema=False)

MAX_RULES_SHOWN = 200
MAX_EXAMPLES_SHOWN = 3
MAX_EXAMPLE_CHARS = 80


@dataclass
class Trend:
    svg: str = ""
    svg_narrow: str = ""
    headers: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)


def percent(value: float | None, lang: str) -> str:
    """``0.9653`` as "96,5 %" (nl) or "96.5%" (en); "–" for none."""
    if value is None:
        return "–"
    text = f"{value * 100:.1f}"
    return f"{text.replace('.', ',')} %" if lang == "nl" else f"{text}%"


def _trend(body: dict[str, Any], lang: str, title: str) -> Trend:
    t = Translator(lang)
    rows = []
    for point in body["trend"]:
        x = f"{point['date']}T00:00:00Z"
        if point["score"] is not None:
            rows.append({"x": x, "y": round(point["score"] * 100, 2), "series": t("dq_score")})
        if point["share_passing"] is not None:
            rows.append({"x": x, "y": round(point["share_passing"] * 100, 2),
                         "series": t("dq_share_passing")})
    if not rows:
        return Trend()
    request = charts.ChartRequest("line", "x", "y", aggregate="none", x_type="datetime",
                                  split="series")
    names = {"x": t("dq_date"), "y": t("dq_percent"), "series": t("dq_measure")}
    svg, narrow = (
        charts.render_svg(charts.chart_spec(request, rows, title=title, lang=lang, narrow=n,
                                            names=names))
        for n in (False, True))
    headers, cells = charts.chart_table(rows, request, lang=lang, names=names)
    return Trend(svg, narrow, headers, cells)


def _page(platform: Platform, principal: Principal, lang: str, organisation: str | None,
          days: int) -> tuple[dict[str, Any], Trend]:
    body = city_kpis(platform, principal, organisation, days)
    t = Translator(lang)
    title = (t("dq_trend_org", name=body["organisation"]) if organisation
             else t("dq_trend_city"))
    return body, _trend(body, lang, title)


@router.get("/datakwaliteit")
async def city_quality(
    request: Request,
    days: int = Query(kpis.DEFAULT_DAYS, ge=1, le=kpis.MAX_DAYS),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    lang = language_of(request)
    body, trend = await run_in_threadpool(_page, platform, principal, lang, None, days)
    return render(request, "quality_dashboard.html", principal, active="quality", kpi=body,
                  trend=trend, pct=lambda v: percent(v, lang), days=days)


@router.get("/organisations/{key}/datakwaliteit")
async def organisation_quality(
    key: str,
    request: Request,
    days: int = Query(kpis.DEFAULT_DAYS, ge=1, le=kpis.MAX_DAYS),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(portal_principal),
) -> Response:
    if not key.strip() or len(key) > 200:
        raise NotFound(f"organisation {key[:100]!r} not found")
    lang = language_of(request)
    body, trend = await run_in_threadpool(_page, platform, principal, lang, key, days)
    return render(request, "quality_dashboard.html", principal, active="organisations",
                  kpi=body, trend=trend, pct=lambda v: percent(v, lang), days=days)


def dataset_data_quality(session: Session, principal: Principal, dataset: Dataset,
                         lang: str) -> dict[str, Any]:
    """The latest report of a dataset the gate let the visitor see, as the visitor may see
    it, with its data score and band and the examples as short text."""
    report = quality_api.latest_of(session, principal, dataset)
    score = kpis.data_score(report["dimensions"]) if report["status"] == "ok" else None
    rules = [r for r in report["rules"] if r["failing"]] + [
        r for r in report["rules"] if not r["failing"]]
    return {
        **report,
        "score": score,
        "score_text": percent(score, lang),
        "band": kpis.band_of(score),
        "dimensions": {d: None if not v else {**v, "score_text": percent(v.get("score"), lang)}
                       for d, v in report["dimensions"].items()},
        "rules": [{**r, "examples_text": _examples(r["examples"])}
                  for r in rules[:MAX_RULES_SHOWN]],
        "rules_left_out": max(0, len(rules) - MAX_RULES_SHOWN),
    }


def _examples(examples: list[dict[str, Any]]) -> list[str]:
    out = []
    for example in examples[:MAX_EXAMPLES_SHOWN]:
        values = example.get("values", example) if isinstance(example, dict) else {}
        text = ", ".join(f"{k} = {v}" for k, v in values.items())
        out.append(text if len(text) <= MAX_EXAMPLE_CHARS else text[: MAX_EXAMPLE_CHARS - 1] + "…")
    return out
