"""The DCAT-AP catalogue as linked data: ``/catalog`` and one document per dataset,
service and publisher, in Turtle, JSON-LD and RDF/XML (and N-Triples).

A thin adapter over ``belfort.linked``: read the rows the gate lets the caller see,
build the RDF document, serialise it in the negotiated format. The format comes from
the extension (``/catalog.ttl``) or else from ``Accept``; a browser asking for HTML is
sent (303) to the matching portal page. Subjects are minted under the request's base
URL, so a Belfort behind a proxy names its resources by the address clients use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import Query as Q
from starlette.responses import RedirectResponse, Response

from belfort import __version__, cache_status
from belfort.api.caching import cache_control
from belfort.api.deps import base_url, get_platform, get_principal
from belfort.api.responses import JSONResponse, not_acceptable
from belfort.api.self_links import route_path
from belfort.cache import until_catalogue_changes
from belfort.errors import NotFound
from belfort.linked import fragments
from belfort.linked import rows as catalogue
from belfort.linked.dcat import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    SERVICE_NAMES,
    CatalogInfo,
    DcatBuilder,
    PageInfo,
    organisation_slug,
)
from belfort.linked.rdf import FORMATS, Document, negotiate
from belfort.linked.store import linked_data
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal

router = APIRouter(tags=["linked data"])

EXTENSIONS = ", ".join(f"`{name}` ({f.media_type})" for name, f in FORMATS.items())
NEGOTIATION = (
    "The format follows the `Accept` header: `text/turtle` (also the default), "
    "`application/ld+json` (compacted, with an inline context), `application/rdf+xml`, "
    "`application/n-triples`; `text/html` is redirected (303) to the portal page. "
    "Other types answer 406."
)
EXTENSION_DOC = f"File extension choosing the format: {EXTENSIONS}."
PAGE_DOC = "Page number, from 1."
PAGE_SIZE_DOC = f"Datasets per page ({DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE})."


def ensure_included(app: FastAPI) -> FastAPI:
    """Add this router to ``app`` unless ``create_app`` did already (for tests and
    benchmarks that build their own app)."""
    if not any(getattr(r, "original_router", None) is router or getattr(r, "path", None) == "/catalog"
               for r in app.routes):
        app.include_router(router)
    return app


# ── helpers ───────────────────────────────────────────────────────────────────────────


def _not_found(exc: NotFound) -> JSONResponse:
    # /catalog is outside /api/, where errors would be HTML pages; linked-data clients get JSON
    return JSONResponse(exc.to_dict(), status_code=404)


def _not_acceptable() -> JSONResponse:
    return not_acceptable(sorted({f.media_type for f in FORMATS.values()}) + ["text/html (redirects to the portal)"])


def _format(request: Request, extension: str | None) -> str | None:
    if extension is not None:
        return extension
    return negotiate(request.headers.get("accept"))


def _etag(platform: Platform, request: Request, fmt: str) -> str:
    """For an admin: changes with every catalogue write (the catalogue generation), the
    address asked and the format; a revalidation gets a 304 without a query."""
    key = "|".join((__version__, repr(platform.generation.current()), "admin",
                    base_url(request), route_path(request), request.url.query, fmt))
    return f'W/"{hashlib.sha256(key.encode()).hexdigest()[:24]}"'


def _content_etag(request: Request, fmt: str, body: bytes, links: dict[str, str] | None) -> str:
    """For the public: a hash of what it is sent, so that a write it cannot see (an
    internal dataset edited) leaves its ETags as they were (issue 11: public ETags depend
    only on what the public sees)."""
    digest = hashlib.sha256()
    for part in (__version__, "public", base_url(request), route_path(request), request.url.query,
                 fmt, repr(sorted((links or {}).items()))):
        digest.update(part.encode() + b"\0")
    digest.update(body)
    return f'W/"{digest.hexdigest()[:24]}"'


def _not_modified(request: Request, etag: str) -> bool:
    asked = request.headers.get("if-none-match")
    if not asked:
        return False
    tags = {t.strip().removeprefix("W/") for t in asked.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


Load = Callable[[DcatBuilder, str], tuple[Document | bytes, dict[str, str] | None]]


def _serve(request: Request, platform: Platform, principal: Principal, extension: str | None,
           portal_path: str, load: Load) -> Response:
    """Negotiate, then (unless the client's copy is current) load, build and serialise.
    ``load`` (given a builder and the format) returns the document (or its bytes in that
    format) and the ``Link`` header's rel → URL (or None)."""
    fmt = _format(request, extension)
    if fmt is None:
        return _not_acceptable()
    if fmt == "html":
        return RedirectResponse(portal_path, status_code=303, headers={"Vary": "Accept"})
    headers = {"Cache-Control": cache_control(principal, "no-cache")}
    if extension is None:
        headers["Vary"] = "Accept"
        query = f"?{request.url.query}" if request.url.query else ""
        headers["Content-Location"] = f"{route_path(request)}.{fmt}{query}"
    if principal.is_admin:
        headers["ETag"] = _etag(platform, request, fmt)
        if _not_modified(request, headers["ETag"]):
            return Response(status_code=304, headers=headers)
    try:
        document, links = load(DcatBuilder(base_url(request)), fmt)
    except NotFound as exc:
        return _not_found(exc)
    body = document if isinstance(document, bytes) else document.serialize(fmt)
    if links:
        headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    if not principal.is_admin:
        headers["ETag"] = _content_etag(request, fmt, body, links)
        if _not_modified(request, headers["ETag"]):
            return Response(status_code=304, headers=headers)
    return Response(body, media_type=FORMATS[fmt].content_type, headers=headers)


def _split(name: str, extension: str | None) -> tuple[str, str | None]:
    """``/x/{name}.{extension}`` also matches a name with a dot and no extension
    (``explore-v2.1``): an unknown extension is part of the name."""
    if extension is not None and extension not in FORMATS:
        return f"{name}.{extension}", None
    return name, extension


# ── the catalogue ─────────────────────────────────────────────────────────────────────


def _catalog(request: Request, extension: str | None, page: int, page_size: int,
             platform: Platform, principal: Principal) -> Response:
    if extension is not None and extension not in FORMATS:
        return _not_found(NotFound(f"unknown format {extension[:20]!r}; use one of {', '.join(FORMATS)}"))

    def load(builder: DcatBuilder, fmt: str) -> tuple[bytes, dict[str, str]]:
        # the same page until the next catalogue write; else each dataset's description
        # comes from the fragment cache (belfort.linked.fragments)
        linked = linked_data(platform)
        built = False

        def build() -> tuple[bytes, PageInfo]:
            nonlocal built
            built = True
            with platform.db.session() as session:
                rows, info = catalogue.catalogue_page(session, principal, page, page_size)
            return fragments.catalog_page(linked.fragments, builder.base_url, rows, info, fmt), info

        with platform.db.session() as session:  # what policies grant now keys the page too
            granted = (frozenset() if principal.is_admin
                       else gate.granted_datasets(session, principal))
        key = (principal.audience, granted, builder.base_url, page, page_size, fmt)
        body, info = until_catalogue_changes(linked.pages, platform.generation, key, build)
        cache_status.note(cache_status.PAGES, not built)
        return body, _page_links(extension, info)

    return _serve(request, platform, principal, extension, "/datasets", load)


def _page_links(extension: str | None, info: PageInfo) -> dict[str, str]:
    path = "/catalog" + (f".{extension}" if extension else "")

    def url(number: int) -> str:
        query = {"page": number}
        if info.size != DEFAULT_PAGE_SIZE:
            query["page_size"] = info.size
        return f"{path}?{urlencode(query)}"

    links = {"first": url(1), "last": url(info.last)}
    if info.number > 1:
        links["prev"] = url(info.number - 1)
    if info.number < info.last:
        links["next"] = url(info.number + 1)
    return links


@router.get(
    "/catalog.{extension}",
    summary="The DCAT-AP catalogue in a chosen format",
    description=(
        "The catalogue as `/catalog` describes it, in the format its extension names. "
        f"{EXTENSION_DOC} Paged like `/catalog`."
    ),
    response_class=Response,
)
def catalog_with_extension(
    request: Request,
    extension: str,
    page: int = Q(1, ge=1, le=1_000_000, description=PAGE_DOC),
    page_size: int = Q(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=PAGE_SIZE_DOC),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    return _catalog(request, extension, page, page_size, platform, principal)


@router.get(
    "/catalog",
    summary="The DCAT-AP catalogue (linked data)",
    description=(
        "The datasets you may see (anonymous callers: open, published data; an admin key: "
        "everything) as a DCAT-AP 3 `dcat:Catalog` with its datasets, their distributions "
        "(one per export format) and the data services (the APIs), paged in identifier order. "
        "Each page is a `hydra:PartialCollectionView` with first/previous/next/last links, "
        f"also sent as a `Link` header. {NEGOTIATION}"
    ),
    response_class=Response,
)
def catalog(
    request: Request,
    page: int = Q(1, ge=1, le=1_000_000, description=PAGE_DOC),
    page_size: int = Q(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=PAGE_SIZE_DOC),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    return _catalog(request, None, page, page_size, platform, principal)


# ── one dataset ───────────────────────────────────────────────────────────────────────


def _dataset(request: Request, dataset_id: str, extension: str | None, platform: Platform,
             principal: Principal) -> Response:
    dataset_id, extension = _split(dataset_id, extension)

    def load(builder: DcatBuilder, fmt: str) -> tuple[Document, None]:
        with platform.db.session() as session:
            row = catalogue.dataset_row(session, principal, dataset_id)
        return builder.dataset_document(row), None

    return _serve(request, platform, principal, extension, f"/datasets/{quote(dataset_id)}", load)


@router.get(
    "/catalog/datasets/{dataset_id}.{extension}",
    summary="One dataset as DCAT-AP in a chosen format",
    description=f"The dataset as `/catalog/datasets/{{dataset_id}}` describes it. {EXTENSION_DOC}",
    response_class=Response,
)
def dataset_with_extension(
    request: Request,
    dataset_id: str,
    extension: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    return _dataset(request, dataset_id, extension, platform, principal)


@router.get(
    "/catalog/datasets/{dataset_id}",
    summary="One dataset as DCAT-AP (linked data)",
    description=(
        "A `dcat:Dataset` with its distributions (Explore API v2.1 exports: CSV, JSON, JSON Lines, "
        "Parquet, XLSX, and GeoJSON for data with geometry), publisher, contact point, licence, "
        "themes, update frequency, coverage, and the data services that serve it. A dataset you "
        f"may not see answers 404, as one that does not exist. {NEGOTIATION}"
    ),
    response_class=Response,
)
def dataset(
    request: Request,
    dataset_id: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    return _dataset(request, dataset_id, None, platform, principal)


# ── the data services (APIs) ──────────────────────────────────────────────────────────


def _service(request: Request, name: str, extension: str | None, platform: Platform,
             principal: Principal) -> Response:
    name, extension = _split(name, extension)
    service = SERVICE_NAMES.get(name)
    if service is None:
        return _not_found(NotFound(f"service {name[:60]!r} not found; known: {', '.join(SERVICE_NAMES)}"))
    return _serve(request, platform, principal, extension, "/api",
                  lambda builder, fmt: (builder.service_document(service), None))


@router.get(
    "/catalog/services/{service_name}.{extension}",
    summary="One API as a DCAT-AP data service in a chosen format",
    description=f"The data service as `/catalog/services/{{service_name}}` describes it. {EXTENSION_DOC}",
    response_class=Response,
)
def service_with_extension(
    request: Request,
    service_name: str,
    extension: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    return _service(request, service_name, extension, platform, principal)


@router.get(
    "/catalog/services/{service_name}",
    summary="One API as a DCAT-AP data service (linked data)",
    description=(
        "A `dcat:DataService`: `opendatasoft-v1`, `explore-v2.1` or `belfort-v1`, with its "
        "endpoint URL and `/openapi.json` as endpoint description. Which datasets it serves is "
        f"listed on the catalogue's pages. {NEGOTIATION}"
    ),
    response_class=Response,
)
def service(
    request: Request,
    service_name: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    return _service(request, service_name, None, platform, principal)


# ── the publishers ────────────────────────────────────────────────────────────────────


def _organisation(request: Request, slug: str, extension: str | None, platform: Platform,
                  principal: Principal) -> Response:
    slug, extension = _split(slug, extension)
    publisher = CatalogInfo().publisher_nl
    with platform.db.session() as session:
        names = [n for n in catalogue.organisation_names(session, principal) if organisation_slug(n) == slug]
    if not names and organisation_slug(publisher) == slug:
        names = [publisher]
    if not names:
        return _not_found(NotFound(f"organisation {slug[:100]!r} not found"))
    return _serve(request, platform, principal, extension, f"/organisations/{quote(names[0], safe='')}",
                  lambda builder, fmt: (builder.organisation_document(names[0]), None))


@router.get(
    "/catalog/organisations/{slug}.{extension}",
    summary="One publisher as linked data in a chosen format",
    description=f"The publisher as `/catalog/organisations/{{slug}}` describes it. {EXTENSION_DOC}",
    response_class=Response,
)
def organisation_with_extension(
    request: Request,
    slug: str,
    extension: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    return _organisation(request, slug, extension, platform, principal)


@router.get(
    "/catalog/organisations/{slug}",
    summary="One publisher as linked data",
    description=(
        "A publisher (`foaf:Agent`) of datasets you may see, named by the slug of its name "
        f"(`Stad Gent - Dienst Milieu` → `stad-gent-dienst-milieu`). {NEGOTIATION}"
    ),
    response_class=Response,
)
def organisation(
    request: Request,
    slug: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    return _organisation(request, slug, None, platform, principal)
