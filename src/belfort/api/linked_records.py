"""Record URIs: ``/id/{dataset}/{record}`` answers Turtle, JSON-LD, RDF/XML or N-Triples to
machines and an HTML page to browsers; ``/id/{dataset}`` redirects (303) to the dataset's
description; ``/def/{dataset}`` is the vocabulary of its default properties.

A thin adapter over ``belfort.linked.records``: the gate decides (a restricted or unknown
dataset, or an unknown record, is a 404, as in Explore v2.1), the engine finds the record,
the dataset's RDF mapping makes the triples. The format comes from the extension
(``/id/{dataset}/{record}.ttl``) or else from ``Accept``, as for ``/catalog``.

A record's content changes only with a new published version or a new mapping, so its
ETag is built from those (a revalidation costs one catalogue read, no query) and anonymous
answers may be cached for five minutes (a dataset made restricted drops out of shared
caches that quickly); staff answers are private.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import RedirectResponse, Response

from belfort import __version__
from belfort.api.caching import PRIVATE
from belfort.api.deps import base_url, get_platform, get_principal, principal_of_key
from belfort.api.ods.common import render_value
from belfort.api.responses import JSONResponse, not_acceptable
from belfort.errors import BelfortError, NotFound
from belfort.linked.rdf import FORMATS, negotiate
from belfort.linked.records import (
    digest,
    document_prefixes,
    find_record,
    serialize,
    to_turtle,
    vocabulary_document,
)
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, Principal
from belfort.policy.reading import ReadableVersion
from belfort.policy.reading import readable as readable_version
from belfort.portal.i18n import language_of

router = APIRouter(tags=["linked data"])

FORMAT_LABELS = {"ttl": "Turtle", "jsonld": "JSON-LD", "rdf": "RDF/XML", "nt": "N-Triples"}
PUBLIC_CACHE = "public, max-age=300"
DISPLAY_ZONE = ZoneInfo("Europe/Brussels")
NEGOTIATION = (
    "The format follows the extension (`.ttl`, `.jsonld`, `.rdf`, `.nt`) or else the `Accept` header: "
    "`text/turtle` (also the default), `application/ld+json` (compacted, with a context), "
    "`application/rdf+xml`, `application/n-triples`; `text/html` gets a page. Other types answer 406."
)


def _split(name: str) -> tuple[str, str | None]:
    """``abc.ttl`` → (``abc``, ``ttl``); a suffix that is no format stays part of the name."""
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and (suffix in FORMATS or suffix == "html"):
        return stem, suffix
    return name, None


def _principal(request: Request, api_principal: Principal, fmt: str) -> Principal:
    """An API key decides; a browser without one is staff when signed in to the portal."""
    if fmt != "html" or api_principal is not ANONYMOUS:
        return api_principal
    from belfort.portal.render import STAFF_COOKIE

    key = request.cookies.get(STAFF_COOKIE)
    if not key:
        return ANONYMOUS
    try:
        return principal_of_key(request.app.state.platform, key[:200])
    except BelfortError:
        return ANONYMOUS


def _not_found(request: Request, fmt: str | None, exc: NotFound) -> Response:
    if fmt == "html":
        from belfort.portal.errors import error_page

        return error_page(request, 404)
    return JSONResponse(exc.to_dict(), status_code=404)


def _not_acceptable() -> JSONResponse:
    return not_acceptable([*sorted({f.media_type for f in FORMATS.values()}), "text/html"])


def _headers(request: Request, principal: Principal, readable: ReadableVersion, fmt: str,
             negotiated: bool, base: str) -> dict[str, str]:
    parts = [__version__, digest(readable), request.url.path, base, fmt, principal.audience]
    if fmt == "html":
        parts.append(language_of(request))
    etag = f'W/"{hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]}"'
    private = principal.audience != "public" or fmt == "html" and bool(request.cookies)
    headers = {"ETag": etag, "Cache-Control": PRIVATE if private else PUBLIC_CACHE}
    vary = []
    if negotiated:
        vary.append("Accept")
    if fmt == "html":
        vary.append("Cookie")
    if vary:
        headers["Vary"] = ", ".join(vary)
    return headers


def _not_modified(request: Request, etag: str) -> bool:
    asked = request.headers.get("if-none-match")
    if not asked:
        return False
    tags = {t.strip().removeprefix("W/") for t in asked.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


def _display(value: Any, field_type: str) -> str:
    if value is None:
        return "–"
    rendered = render_value(value, field_type, DISPLAY_ZONE, geopoint="object")
    if isinstance(rendered, dict) and "lat" in rendered and "lon" in rendered:
        return f"{rendered['lat']}, {rendered['lon']}"
    if isinstance(rendered, bool):
        return "true" if rendered else "false"
    if isinstance(rendered, dict | list):
        return orjson.dumps(rendered).decode()[:2000]
    return str(rendered)


# ── /id/{dataset}/{record} ────────────────────────────────────────────────────────────


@router.get(
    "/id/{dataset_id}/{record}",
    summary="One record as linked data",
    description=(
        "The record with this id (the `_id` of Explore v2.1 records, or a value of the subject "
        "template of the dataset's RDF mapping) as RDF made by the dataset's mapping "
        f"(docs/linked-data.md, \"Rows as linked data\"). {NEGOTIATION}"
    ),
    response_class=Response,
)
def record(
    dataset_id: str,
    record: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    record_id, extension = _split(record)
    fmt = extension or negotiate(request.headers.get("accept"))
    if fmt is None:
        return _not_acceptable()
    principal = _principal(request, principal, fmt)
    base = base_url(request)
    try:
        readable = readable_version(platform, principal, dataset_id, count_use=False)
    except NotFound as exc:
        return _not_found(request, fmt, exc)
    headers = _headers(request, principal, readable, fmt, extension is None, base)
    if _not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    try:
        found = find_record(platform, readable, record_id, base)
    except NotFound as exc:
        return _not_found(request, fmt, exc)
    prefixes = document_prefixes(found.mapper)
    own = f"/id/{quote(readable.dataset_id, safe='')}/{quote(record_id, safe='')}"
    if extension is None and fmt != "html":
        headers["Content-Location"] = f"{own}.{fmt}"
    if fmt != "html":
        return Response(serialize(found.document, fmt, prefixes), media_type=FORMATS[fmt].content_type,
                        headers=headers)
    from belfort.portal.render import render

    language = language_of(request)
    title = (readable.title_en if language == "en" and readable.title_en else readable.title_nl)
    fields = [
        {"name": f.name, "title": f.title or f.name, "value": _display(found.row.get(f.name), f.type)}
        for f in readable.schema.fields
    ]
    alternates = [{"media_type": FORMATS[name].media_type, "href": f"{own}.{name}", "label": label}
                  for name, label in FORMAT_LABELS.items()]
    response = render(
        request, "record.html", principal, title=title, subject=found.subject, fields=fields,
        version=readable.number, alternates=alternates,
        dataset_url=f"/datasets/{quote(readable.dataset_id, safe='')}",
        json_url=(f"/api/explore/v2.1/catalog/datasets/{quote(readable.dataset_id, safe='')}"
                  f"/records/{quote(found.record_id, safe='')}"),
        turtle=to_turtle(found.document, prefixes).decode(),
    )
    response.headers.update(headers)
    response.headers["Link"] = ", ".join(
        f'<{alt["href"]}>; rel="alternate"; type="{alt["media_type"]}"' for alt in alternates)
    return response


# ── /id/{dataset} and /def/{dataset} ──────────────────────────────────────────────────


@router.get(
    "/id/{dataset_id}",
    summary="A dataset's URI: see its description",
    description=(
        "Redirects (303 See Other) to the dataset's DCAT description (`/catalog/datasets/{id}`, "
        "which negotiates the RDF format) or, for browsers, to its portal page."
    ),
    response_class=Response,
)
def dataset(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    dataset_id, extension = _split(dataset_id)
    fmt = extension or negotiate(request.headers.get("accept"))
    if fmt is None:
        return _not_acceptable()
    principal = _principal(request, principal, fmt)
    try:
        readable = readable_version(platform, principal, dataset_id, count_use=False)
    except NotFound as exc:
        return _not_found(request, fmt, exc)
    name = quote(readable.dataset_id, safe="")
    target = f"/datasets/{name}" if fmt == "html" else f"/catalog/datasets/{name}"
    if extension and fmt != "html":
        target += f".{fmt}"
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


@router.get(
    "/def/{dataset_id}",
    summary="The vocabulary of a dataset's fields",
    description=(
        "Each field's default property (`{base}/def/{dataset}#{field}`: label, description, "
        "range) and the observed properties of its observations, as RDF. "
        f"{NEGOTIATION} Browsers are redirected (303) to the dataset's portal page."
    ),
    response_class=Response,
)
def vocabulary(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    dataset_id, extension = _split(dataset_id)
    fmt = extension or negotiate(request.headers.get("accept"))
    if fmt is None:
        return _not_acceptable()
    principal = _principal(request, principal, fmt)
    base = base_url(request)
    try:
        readable = readable_version(platform, principal, dataset_id, count_use=False)
    except NotFound as exc:
        return _not_found(request, fmt, exc)
    if fmt == "html":
        return RedirectResponse(f"/datasets/{quote(readable.dataset_id, safe='')}", status_code=303,
                                headers={"Vary": "Accept"})
    headers = _headers(request, principal, readable, fmt, extension is None, base)
    if _not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    document = vocabulary_document(readable, base)
    prefixes = {**document_prefixes_for_vocabulary(), "ds": f"{base}/def/{quote(readable.dataset_id, safe='')}#"}
    return Response(serialize(document, fmt, prefixes), media_type=FORMATS[fmt].content_type, headers=headers)


def document_prefixes_for_vocabulary() -> dict[str, str]:
    from belfort.linked.templates import KNOWN_PREFIXES

    return {k: v for k, v in KNOWN_PREFIXES.items() if k in ("rdf", "rdfs", "xsd", "owl", "gsp", "sosa")}
