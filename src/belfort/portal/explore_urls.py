"""The Opendatasoft portal's page URLs, as links in the wild still use them.

data.stad.gent ran on Opendatasoft; mails, web pages, QR codes and scripts link to its
pages: ``/explore/`` (the catalogue) and ``/explore/dataset/{id}/`` with its tabs
(``information``, ``table``, ``map``, ``analyze``, ``export``, ``api``). Each answers a
redirect to Belfort's own page and section, keeping what maps: the catalogue's ``q`` and
``refine.theme``/``refine.publisher``/``refine.keyword``/``refine.license`` and ``sort``;
a dataset's ``q``, ``refine.F``/``exclude.F`` (as the preview's filter, in the v1 query
language) and ``sort``. Parameters with no counterpart are dropped.

**301** (moved permanently): the old portal is gone for good and these URLs will always
mean these pages, so browsers, search engines and link checkers may update their links.
Because a browser keeps a 301 as long as its ``Cache-Control`` allows, the redirect says
how long (a day), so a mapping improved later reaches everyone within a day.

The download URL ``/explore/dataset/{id}/download/`` is an export, not a page:
``belfort.api.ods.downloads``. A dataset the visitor may not see answers 404, as on
every route, before any redirect.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from belfort.api.deps import get_platform
from belfort.errors import NotFound
from belfort.linked.vocabularies import theme_codes
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.portal.pages import portal_principal

router = APIRouter(include_in_schema=False)

# Opendatasoft tab → the dataset page's section (templates/dataset.html)
TABS = {"information": "metadata", "table": "preview", "map": "map", "analyze": "chart", "export": "download",
        "api": "api"}
CATALOGUE_REFINES = {"theme": "theme", "publisher": "organisation", "keyword": "keyword", "license": "licence"}
CATALOGUE_SORTS = {"modified": "newest", "-modified": "newest", "title": "title", "-title": "title",
                   "records_count": "rows", "-records_count": "rows"}
REDIRECT_MAX_AGE = 86_400
MAX_VALUE = 500
DATE_PATH = re.compile(r"^\d{4}(?:/\d{1,2}){0,2}$")
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")


def _redirect(target: str, principal: Principal) -> Response:
    # what staff are sent to may be a restricted dataset: never kept by a shared cache
    cache = "private, no-store" if principal.audience != "public" else f"public, max-age={REDIRECT_MAX_AGE}"
    return RedirectResponse(target, status_code=301, headers={"Cache-Control": cache, "Vary": "Cookie"})


def catalogue_query(request: Request) -> str:
    """The portal search page's query string for an Opendatasoft ``/explore/`` query."""
    out: list[tuple[str, str]] = []
    params = request.query_params
    if params.get("q"):
        out.append(("q", params["q"][:MAX_VALUE]))
    for name, value in params.multi_items():
        facet = CATALOGUE_REFINES.get(name.removeprefix("refine.")) if name.startswith("refine.") else None
        if facet is None or not value:
            continue
        values = theme_codes(value[:MAX_VALUE]) if facet == "theme" else (value[:MAX_VALUE],)
        out += [(facet, v) for v in values or (value[:MAX_VALUE],)]
    sort = CATALOGUE_SORTS.get(params.get("sort", ""))
    if sort:
        out.append(("sort", sort))
    return urlencode(out)


def _clause(field: str, value: str) -> str | None:
    """``refine.F=V`` as a v1 ``q`` clause: a date path (``2024/03``) names a period, any
    other value must match exactly. None when it cannot be written."""
    if not FIELD_NAME.match(field) or not value or '"' in value or "\\" in value:
        return None
    if DATE_PATH.match(value):
        return f"{field}:{value}"
    return f'#exact({field},"{value}")'


def dataset_query(request: Request) -> str:
    """The dataset page's query string for an Opendatasoft dataset tab's query."""
    params = request.query_params
    clauses = [f"({params['q'][:MAX_VALUE]})"] if params.get("q") else []
    for name, value in params.multi_items():
        for prefix, negate in (("refine.", False), ("exclude.", True)):
            if name.startswith(prefix):
                clause = _clause(name[len(prefix):], value[:MAX_VALUE])
                if clause:
                    clauses.append(f"NOT {clause}" if negate else clause)
    out: list[tuple[str, str]] = []
    if clauses:
        text = " AND ".join(clauses)
        out.append(("p_q", text[1:-1] if len(clauses) == 1 and params.get("q") else text))
    sort = params.get("sort", "").split(",")[0].strip()
    if FIELD_NAME.match(sort.lstrip("-")):
        # Opendatasoft: "f" descending, "-f" ascending; the page: "f" ascending, "-f" descending
        out.append(("p_sort", sort[1:] if sort.startswith("-") else "-" + sort))
    return urlencode(out)


@router.get("/explore")
@router.get("/explore/")
def explore_catalogue(request: Request, principal: Principal = Depends(portal_principal)) -> Response:
    query = catalogue_query(request)
    return _redirect("/datasets" + (f"?{query}" if query else ""), principal)


def _dataset_target(platform: Platform, principal: Principal, dataset_id: str, request: Request,
                    section: str | None) -> str:
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)  # NotFound when not visible
        found = dataset.id
    query = dataset_query(request)
    return f"/datasets/{quote(found, safe='')}" + (f"?{query}" if query else "") + (f"#{section}" if section else "")


@router.get("/explore/dataset/{dataset_id}")
@router.get("/explore/dataset/{dataset_id}/")
def explore_dataset(dataset_id: str, request: Request, platform: Platform = Depends(get_platform),
                    principal: Principal = Depends(portal_principal)) -> Response:
    return _redirect(_dataset_target(platform, principal, dataset_id, request, None), principal)


@router.get("/explore/dataset/{dataset_id}/{tab}")
@router.get("/explore/dataset/{dataset_id}/{tab}/")
def explore_dataset_tab(dataset_id: str, tab: str, request: Request, platform: Platform = Depends(get_platform),
                        principal: Principal = Depends(portal_principal)) -> Response:
    section = TABS.get(tab)
    if section is None:
        raise NotFound("page not found")
    return _redirect(_dataset_target(platform, principal, dataset_id, request, section), principal)
