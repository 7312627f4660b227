"""Portal pages other than the dataset page: home, search, organisations, the API page,
about, responsible disclosure and ``/.well-known/security.txt``.

Thin adapters like the API: read the request, ask the catalogue snapshot (which went
through the gate), render a template. Staff are recognised by a sign-in cookie that
only the portal reads (the API never accepts cookies, so it needs no CSRF defence).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from belfort.api.deps import base_url, get_platform
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, Principal
from belfort.policy.sessions import principal_of_session
from belfort.portal import catalogue
from belfort.portal.render import STAFF_COOKIE, render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

HOME_LISTS = 6


async def portal_principal(request: Request) -> Principal:
    """Staff signed in on the portal (a session cookie only the portal reads); anyone
    else, including an ended or expired session or a revoked key, browses as the public."""
    token = request.cookies.get(STAFF_COOKIE)
    if not token:
        return ANONYMOUS
    return await run_in_threadpool(_principal_of_session, request.app.state.platform, token)


def _principal_of_session(platform: Platform, token: str) -> Principal:
    with platform.db.session() as session:
        return principal_of_session(session, token) or ANONYMOUS


@router.get("/")
def home(request: Request, platform: Platform = Depends(get_platform),
         principal: Principal = Depends(portal_principal)) -> Response:
    snap = catalogue.snapshot(platform, principal)
    usage = platform.usage.public_totals()  # public figures: the public's use only
    public = [c for c in snap.cards if c.state in {"published", "deprecated"}]
    newest = sorted(public, key=lambda c: c.created_at, reverse=True)[:HOME_LISTS]
    used = [c for c in public if usage.get(c.id, (0, 0))[0] > 0]
    most_used = sorted(used, key=lambda c: (-usage[c.id][0], c.title_nl))[:HOME_LISTS]
    themes = sorted({t for c in public for t in c.themes})
    return render(request, "home.html", principal, figures=catalogue.figures(snap, usage), newest=newest,
                  most_used=most_used, themes=themes)


@router.get("/datasets")
def search(request: Request, platform: Platform = Depends(get_platform),
           principal: Principal = Depends(portal_principal)) -> Response:
    params = request.query_params
    selected = {f: params.getlist(f) for f in catalogue.FACETS + catalogue.STAFF_FACETS}
    try:
        page_number = int(params.get("page", "1"))
    except ValueError:
        page_number = 1
    result = catalogue.search(
        catalogue.snapshot(platform, principal), params.get("q", ""), selected,
        sort=params.get("sort", "relevance"), page=page_number, staff=principal.is_admin,
    )
    return render(request, "search.html", principal, result=result, api_url=_api_search_url(result))


API_REFINES = {"theme": "default.theme", "organisation": "default.publisher", "keyword": "default.keyword",
               "licence": "default.license"}
API_SORTS = {"title": "title", "newest": "modified desc", "rows": "records_count desc"}


def _api_search_url(result: catalogue.SearchPage) -> str:
    """The same search as an Explore v2.1 catalogue call: the catalogue search service answers
    both, so it finds the same datasets in the same order (the format, frequency and staff
    facets have no Explore field and are left out)."""
    params: list[tuple[str, str]] = [("limit", str(catalogue.PER_PAGE))]
    if result.query:
        text = result.query.replace("\\", "\\\\").replace('"', '\\"')
        params.append(("where", f'search("{text}")'))
    for facet, values in result.selected.items():
        if facet in API_REFINES:
            params += [("refine", f"{API_REFINES[facet]}:{v}") for v in values]
    if result.sort in API_SORTS:
        params.append(("order_by", API_SORTS[result.sort]))
    return "/api/explore/v2.1/catalog/datasets?" + urlencode(params)


@router.get("/about")
def about(request: Request, principal: Principal = Depends(portal_principal)) -> Response:
    return render(request, "about.html", principal)


@router.get("/security")
def disclosure(request: Request, principal: Principal = Depends(portal_principal)) -> Response:
    return render(request, "disclosure.html", principal, contact=SECURITY_CONTACT)


SECURITY_CONTACT = "mailto:security@stad.gent"


@router.get("/.well-known/security.txt")
def security_txt(request: Request) -> Response:
    """RFC 9116: where to report a vulnerability (the policy note asks for coordinated
    vulnerability disclosure)."""
    base = base_url(request)
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=180)).replace(microsecond=0)
    text = (
        f"Contact: {SECURITY_CONTACT}\n"
        f"Expires: {expires.isoformat().replace('+00:00', 'Z')}\n"
        f"Policy: {base}/security\n"
        "Preferred-Languages: nl, en\n"
        f"Canonical: {base}/.well-known/security.txt\n"
    )
    return PlainTextResponse(text)


@router.get("/api")
def api_page(request: Request, principal: Principal = Depends(portal_principal)) -> Response:
    """The OpenAPI document, rendered on the server from the document Belfort serves."""
    document = request.app.openapi()
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, operations in document.get("paths", {}).items():
        for method, op in operations.items():
            tag = (op.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [
                    {"name": p["name"], "in": p.get("in", ""), "required": p.get("required", False),
                     "description": p.get("description", "")}
                    for p in op.get("parameters", [])
                ],
                "anchor": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", "").strip("-"),
            })
    return render(request, "api.html", principal, groups=sorted(groups.items()), info=document.get("info", {}))


@router.get("/api/console")
def api_console(request: Request, principal: Principal = Depends(portal_principal)) -> Response:
    """Swagger UI over ``/openapi.json``, served from the portal's own static files."""
    return render(request, "api_console.html", principal)
