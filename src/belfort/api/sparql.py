"""The SPARQL 1.1 Protocol endpoint ``/sparql`` (read-only): a thin adapter over
``belfort.linked.sparql`` and the store (``Platform.linked``).

``GET /sparql?query=…``, ``POST`` with the form field ``query`` or a body of type
``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` choose the
dataset. Results by ``Accept`` or ``format``: SPARQL JSON / XML / CSV / TSV for SELECT and
ASK, Turtle / JSON-LD / RDF/XML / N-Triples for CONSTRUCT and DESCRIBE. Any update is
refused with 403. A browser without a query gets a form. Errors are JSON; CORS ``*``
(``belfort.api.cors``, preflight included).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi import Query as Q
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from belfort.api.caching import cache_control
from belfort.api.deps import get_platform, get_principal
from belfort.api.errors import error_headers
from belfort.api.params import Param, ParamSpec
from belfort.api.responses import JSONResponse
from belfort.api.threads import run_waiting
from belfort.errors import BelfortError
from belfort.linked.rdf import negotiate_among
from belfort.linked.sparql import answer as cached_answer
from belfort.linked.sparql import looks_like_update, plan
from belfort.linked.sparql_results import GRAPH_FORMATS, RESULT_FORMATS
from belfort.linked.store import linked_data
from belfort.platform import Platform
from belfort.policy.principals import Principal

router = APIRouter(tags=["linked data"])


# media type → format, in the server's order of preference among equally liked ones
RESULT_OFFERS = (("application/sparql-results+json", "json"), ("application/sparql-results+xml", "xml"),
                 ("text/csv", "csv"), ("text/tab-separated-values", "tsv"), ("application/json", "json"),
                 ("application/xml", "xml"), ("text/xml", "xml"))
GRAPH_OFFERS = (("text/turtle", "ttl"), ("application/ld+json", "jsonld"), ("application/rdf+xml", "rdf"),
                ("application/n-triples", "nt"), ("application/x-turtle", "ttl"), ("application/json", "jsonld"),
                ("application/xml", "rdf"), ("text/xml", "rdf"), ("text/plain", "nt"))
FORMAT_NAMES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv",
                "ttl": "ttl", "turtle": "ttl", "jsonld": "jsonld", "json-ld": "jsonld", "rdf": "rdf",
                "rdfxml": "rdf", "rdf+xml": "rdf", "nt": "nt", "ntriples": "nt", "n-triples": "nt"}

QUERY_DOC = "The SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). Updates are refused (403)."
FORMAT_DOC = ("Result format, overriding `Accept`: `json`, `xml`, `csv`, `tsv` (SELECT/ASK); `ttl`, `jsonld`, "
              "`rdf`, `nt` (CONSTRUCT/DESCRIBE); or a media type.")
UPDATE = Param("update", "SPARQL Update is not offered: a request with this parameter is refused (403).")
POST_URL = ParamSpec(
    Param("query", QUERY_DOC + " (Here or as the form field; the form field wins.)"),
    Param("default-graph-uri", "A graph of the default graph.", repeatable=True),
    Param("named-graph-uri", "A graph `GRAPH` may name.", repeatable=True),
    Param("format", FORMAT_DOC),
    UPDATE,
)
DESCRIPTION = (
    "SPARQL 1.1 Protocol, read-only, over the catalogue as DCAT-AP, the processing register "
    "(graph `http://stad.gent/data-processes/`) and the records of datasets with an RDF mapping. "
    "Without `FROM`/`default-graph-uri` the default graph is the union of the graphs you may see "
    "(anonymous callers: open graphs only; an admin key: all). SELECT/ASK answer SPARQL JSON, XML, CSV or "
    "TSV; CONSTRUCT/DESCRIBE answer Turtle, JSON-LD (compacted), RDF/XML or N-Triples, by `Accept` or "
    "`format`. 400: malformed query (the parser's message); 403: an update; 406: no acceptable format; "
    "413: query too long; 503: timeout, more memory than a worker may use, or every worker busy and the "
    "waiting line full (with `Retry-After`). Answers longer than the result limit are cut and carry "
    "`Belfort-Results-Truncated`. Without a query, a browser gets a form."
)


def ensure_included(app: FastAPI) -> FastAPI:
    if not any(getattr(r, "path", None) == "/sparql" for r in app.routes):
        app.include_router(router)
    return app


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None,
           **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status, headers=headers)


def _formats(request: Request, format_param: str | None) -> tuple[str | None, str | None] | JSONResponse:
    """(results format, graph format) from ``format`` or ``Accept``; 406 for an unknown ``format``."""
    if format_param:
        name = format_param.strip().lower()
        fmt = FORMAT_NAMES.get(name) or dict(RESULT_OFFERS + GRAPH_OFFERS).get(name.split(";")[0].strip())
        if fmt is None:
            return _error(406, "not_acceptable", f"unknown format {format_param[:40]!r}",
                          formats=sorted(set(FORMAT_NAMES.values())))
        if fmt in RESULT_FORMATS:
            graph = "jsonld" if fmt == "json" else "rdf" if fmt == "xml" else None
            return fmt, graph
        return ("json" if fmt == "jsonld" else "xml" if fmt == "rdf" else None), fmt
    accept = request.headers.get("accept")
    return negotiate_among(accept, RESULT_OFFERS), negotiate_among(accept, GRAPH_OFFERS)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept") or ""
    return negotiate_among(accept, (("text/html", "html"), ("application/sparql-results+json", "json"))) == "html" \
        and "text/html" in accept


def _run(request: Request, platform: Platform, principal: Principal, query: str, default_graph_uri: list[str],
         named_graph_uri: list[str], format_param: str | None) -> Response:
    """Everything after the protocol is read (runs in a worker thread)."""
    settings = platform.settings
    if len(query.encode()) > settings.sparql_max_query_bytes:
        return _error(413, "payload_too_large",
                      f"the query is longer than {settings.sparql_max_query_bytes} bytes")
    formats = _formats(request, format_param)
    if isinstance(formats, Response):
        return formats
    linked = linked_data(platform)
    store = linked.store()
    snapshot = store.snapshot
    work = plan(query, snapshot, principal, default_graph_uri=default_graph_uri, named_graph_uri=named_graph_uri,
                results_format=formats[0], graph_format=formats[1], max_results=settings.sparql_max_results)
    try:
        answer = cached_answer(linked.pool, linked.answers, store, snapshot, work, settings.sparql_timeout_seconds)
    except BelfortError as exc:  # JSON here, not the portal's error page
        return _error(exc.http_status, exc.code, exc.message, error_headers(exc), **exc.details)
    if answer.kind == "service":  # decided on the parsed query, in the worker
        return _error(400, "service_not_allowed", answer.message)
    if answer.kind == "syntax":
        if looks_like_update(query):
            return _update_refused()
        return _error(400, "malformed_query", f"malformed SPARQL query: {answer.message}")
    if answer.kind == "not_acceptable":
        return _error(406, "not_acceptable", answer.message)
    if answer.kind == "error":
        return _error(400, "query_error", f"the query could not be evaluated: {answer.message}")
    media = (RESULT_FORMATS if answer.kind in ("select", "boolean") else GRAPH_FORMATS)[answer.format or ""]
    headers = {"Vary": "Accept", "Cache-Control": cache_control(principal, "no-cache")}
    if answer.truncated:
        headers["Belfort-Results-Truncated"] = str(settings.sparql_max_results)
    return Response(answer.body, media_type=media.content_type, headers=headers)


def _update_refused() -> JSONResponse:
    return _error(403, "forbidden", "this SPARQL endpoint is read-only: updates (INSERT, DELETE, LOAD, CLEAR, "
                  "DROP, CREATE, ADD, MOVE, COPY) are refused")


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is longer than ``limit`` (read no further)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _page(request: Request, principal: Principal, platform: Platform) -> Response:
    from belfort.portal.render import render

    store = linked_data(platform).store()
    response = render(request, "sparql.html", principal, graphs=store.snapshot.graphs_for(principal),
                      example=EXAMPLE_QUERY, timeout=platform.settings.sparql_timeout_seconds,
                      limit=platform.settings.sparql_max_results)
    return response


EXAMPLE_QUERY = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?dataset ?title WHERE {
  ?dataset a dcat:Dataset ; dct:title ?title .
  FILTER(lang(?title) = "nl")
} ORDER BY ?title LIMIT 20"""


@router.get("/sparql", summary="SPARQL 1.1 query (GET)", description=DESCRIPTION, response_class=Response,
            openapi_extra=ParamSpec(UPDATE).openapi())
async def sparql_get(
    request: Request,
    query: str | None = Q(None, description=QUERY_DOC),
    default_graph_uri: list[str] = Q([], alias="default-graph-uri", description="A graph of the default graph."),
    named_graph_uri: list[str] = Q([], alias="named-graph-uri", description="A graph `GRAPH` may name."),
    format: str | None = Q(None, description=FORMAT_DOC),  # noqa: A002 - the parameter's public name
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    if "update" in request.query_params:
        return _update_refused()
    if query is None or not query.strip():
        if _wants_html(request):
            return await run_in_threadpool(_page, request, principal, platform)
        return _error(400, "missing_query", "give a SPARQL query in the `query` parameter")
    return await run_waiting(_run, request, platform, principal, query, default_graph_uri,
                                   named_graph_uri, format)


@router.post("/sparql", summary="SPARQL 1.1 query (POST)", response_class=Response,
             openapi_extra=POST_URL.openapi(),
             description="The same as `GET /sparql`, with the query in the form field `query` "
                         "(`application/x-www-form-urlencoded`) or as the body (`application/sparql-query`). "
                         "`application/sparql-update` and the form field `update` are refused (403).")
async def sparql_post(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    limit = platform.settings.sparql_max_query_bytes
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    url = request.query_params
    if content_type == "application/sparql-update" or "update" in url:
        return _update_refused()
    body = await _read_body(request, limit + 8192)  # the form's other fields and encoding
    if body is None:
        return _error(413, "payload_too_large", f"the request body is longer than {limit} bytes allowed a query")
    if content_type == "application/sparql-query":
        query = body.decode("utf-8", errors="replace")
        default, named = url.getlist("default-graph-uri"), url.getlist("named-graph-uri")
        format_param = url.get("format")
    elif content_type == "application/x-www-form-urlencoded" or (not content_type and not body):
        form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        if "update" in form:
            return _update_refused()
        # Ghent's register widget POSTs an empty form with the query in the URL
        query = (form.get("query") or [url.get("query") or ""])[0]
        default = form.get("default-graph-uri", []) + url.getlist("default-graph-uri")
        named = form.get("named-graph-uri", []) + url.getlist("named-graph-uri")
        format_param = form["format"][0] if form.get("format") else url.get("format")
    else:
        return _error(415, "unsupported_media_type", "send the query as application/sparql-query or as the form "
                      "field `query` (application/x-www-form-urlencoded)")
    if not query.strip():
        return _error(400, "missing_query", "give a SPARQL query")
    return await run_waiting(_run, request, platform, principal, query, default, named, format_param)
