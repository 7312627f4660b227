"""Linked Data Event Streams over HTTP: ``/ldes/{dataset}`` and its pages.

A thin adapter over ``belfort.linked.ldes``: ask the gate which versions the caller may
read, let the core plan and render the page, and send it with the caching the LDES
server primer asks for — closed pages ``public, max-age=…, immutable`` with a strong
ETag, the open (newest) page for a few seconds, and anything only staff may read
``private, no-store``. JSON-LD by default; Turtle, N-Quads, N-Triples and RDF/XML by
``Accept``. Members dereference at ``/id/{dataset}/{record}/{timestamp}``.
Every answer, errors included, carries ``Access-Control-Allow-Origin: *`` (``belfort.api.cors``).
A live dataset's rows come and go (``ldes.StreamSource.live``): none of its pages or members
is immutable; closed ones are served ``public, max-age=60`` (``LIVE_MAX_AGE``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from belfort.api.caching import PRIVATE
from belfort.api.deps import base_url, get_platform, get_principal
from belfort.api.responses import JSONResponse, not_acceptable
from belfort.errors import BelfortError, InvalidRequest, NotFound
from belfort.linked import ldes
from belfort.linked.mapping import row_mapper
from belfort.linked.rdf import FORMATS, negotiate_among
from belfort.platform import Platform
from belfort.policy.principals import Principal

router = APIRouter(tags=["linked data"])

LOG_DIRECTORY = "ldes"  # member logs, under the data directory (belfort.linked.ldes_log)
CLOSED_MAX_AGE = 365 * 86400
OPEN_MAX_AGE = 5
ENTRY_MAX_AGE = 60
LIVE_MAX_AGE = 60  # a live stream's closed pages and members: they leave at the window
NEGOTIATION = (
    "JSON-LD (`application/ld+json`, an inline context) unless `Accept` prefers "
    "`text/turtle`, `application/n-quads`, `application/n-triples` or `application/rdf+xml`; "
    "other types answer 406."
)


def ensure_included(app: FastAPI) -> FastAPI:
    """Add this router to ``app`` unless ``create_app`` did already (for benchmarks and
    tests that build their own app)."""
    if not any(getattr(r, "path", None) == "/ldes/{dataset_id}" for r in app.routes):
        app.include_router(router)
    return app


def event_streams(request: Request, platform: Platform) -> ldes.EventStreams:
    """The app's event streams (caches included), built on first use."""
    found: ldes.EventStreams | None = getattr(request.app.state, "event_streams", None)
    if found is None:
        settings = platform.settings
        found = ldes.EventStreams(
            page_size=settings.ldes_page_size, cache_bytes=settings.ldes_cache_mb * 1024 * 1024,
            threads=settings.duckdb_threads, memory_limit=settings.duckdb_memory_limit,
            log_dir=platform.lake.root / LOG_DIRECTORY, mapper_factory=row_mapper,
        )
        request.app.state.event_streams = found
    return found


def _error(exc: BelfortError) -> JSONResponse:
    # /ldes is outside /api/, where errors would be portal pages; stream clients get JSON
    return JSONResponse(exc.to_dict(), status_code=exc.http_status)


# media type → format; on equal preference the earlier wins. N-Quads is N-Triples (one
# default graph); stream clients (rdf-dereference) like it best and parse it fastest.
OFFERS = (
    ("application/ld+json", "jsonld"), ("text/turtle", "ttl"), ("application/n-quads", "nq"),
    ("application/n-triples", "nt"), ("application/rdf+xml", "rdf"), ("application/json", "jsonld"),
    ("application/x-turtle", "ttl"), ("application/xml", "rdf"), ("text/xml", "rdf"), ("text/html", "jsonld"),
)
CONTENT_TYPES = {**{name: f.content_type for name, f in FORMATS.items()}, "nq": "application/n-quads"}


def _format(request: Request) -> str | None:
    """The format ``Accept`` prefers; no header or ``*/*``: JSON-LD; None when nothing
    offered is acceptable."""
    return negotiate_among(request.headers.get("accept"), OFFERS)


def _not_acceptable() -> JSONResponse:
    return not_acceptable(sorted({media for media, _ in OFFERS}))


def _source(platform: Platform, principal: Principal, dataset_id: str) -> ldes.StreamSource:
    """The stream the gate lets the caller read (one use of the dataset)."""
    return ldes.load_source(platform, principal, dataset_id)


def _not_modified(request: Request, etag: str) -> bool:
    asked = request.headers.get("if-none-match")
    if not asked:
        return False
    tags = {t.strip().removeprefix("W/") for t in asked.split(",")}
    return "*" in tags or etag in tags


def _respond(request: Request, body: bytes, fmt: str, etag: str, cache_control: str,
             links: dict[str, str] | None = None) -> Response:
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept"}
    if links:
        headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=CONTENT_TYPES[fmt], headers=headers)


@router.get(
    "/ldes/{dataset_id}",
    summary="A dataset's Linked Data Event Stream",
    description=(
        "The dataset as an `ldes:EventStream` of immutable version objects of its records "
        "(`ldes:timestampPath prov:generatedAtTime`, `ldes:versionOfPath dct:isVersionOf`, "
        "removed records as `as:Delete` tombstones) with its view, the first page "
        f"`/ldes/{{dataset_id}}/pages/1`. {NEGOTIATION}"
    ),
    response_class=Response,
)
async def stream(
    request: Request,
    dataset_id: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    fmt = _format(request)
    if fmt is None:
        return _not_acceptable()
    try:
        base = base_url(request)
        source = await run_in_threadpool(_source, platform, principal, dataset_id)
    except BelfortError as exc:
        return _error(exc)
    body = ldes.render(ldes.entry_document(base, source.dataset_id, source.retention), fmt,
                       {**ldes.STREAM_PREFIXES})
    cache = f"public, max-age={ENTRY_MAX_AGE}" if source.public else PRIVATE
    return _respond(request, body, fmt, ldes.strong_etag(body), cache,
                    {"first": ldes.page_uri(base, source.dataset_id, 1)})


def _closed(source: ldes.StreamSource) -> str:
    """What a closed page or a member of an open stream may be cached for: for good, unless
    the stream is live (its members leave at the window or retention)."""
    if source.live:
        return f"public, max-age={LIVE_MAX_AGE}"
    return f"public, max-age={CLOSED_MAX_AGE}, immutable"


def _page_number(text: str) -> int:
    if not text.isdigit() or not text.isascii() or len(text) > ldes.MAX_PAGE_NUMBER_DIGITS:
        raise InvalidRequest(f"page must be a positive whole number, not {text[:30]!r}")
    number = int(text)
    if number < 1 or str(number) != text:
        raise NotFound(f"page {text[:30]!r} not found")
    return number


def _page(request: Request, platform: Platform, principal: Principal, dataset_id: str, page: str,
          fmt: str) -> Response:
    number = _page_number(page)
    base = base_url(request)
    source = _source(platform, principal, dataset_id)
    rendered = event_streams(request, platform).page(source, base, number, fmt)
    if rendered is None:
        raise NotFound(f"page {number} of the event stream of {source.dataset_id!r} not found")
    if not source.public:
        cache = PRIVATE
    elif rendered.closed:
        cache = _closed(source)
    else:
        cache = f"public, max-age={OPEN_MAX_AGE}"
    links = {"first": ldes.page_uri(base, source.dataset_id, 1)}
    if rendered.closed:
        links["next"] = ldes.page_uri(base, source.dataset_id, number + 1)
    return _respond(request, rendered.body, fmt, rendered.etag, cache, links)


@router.get(
    "/ldes/{dataset_id}/pages/{page}",
    summary="One page (tree:Node) of a dataset's event stream",
    description=(
        "Members in stream order (`prov:generatedAtTime`, then the order within a version), "
        "a fixed number a page (`BELFORT_LDES_PAGE_SIZE`). A full page that has a successor is "
        "closed: it links to the next page with a `tree:GreaterThanOrEqualToRelation` on "
        "`prov:generatedAtTime`, never changes again and is served `Cache-Control: public, "
        "max-age=31536000, immutable` (a live dataset's: `max-age=60`, its members leave at the "
        "window); the last page is open (`max-age=5`) and grows when a "
        f"version is published. {NEGOTIATION}"
    ),
    response_class=Response,
)
async def stream_page(
    request: Request,
    dataset_id: str,
    page: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    fmt = _format(request)
    if fmt is None:
        return _not_acceptable()
    try:
        return await run_in_threadpool(_page, request, platform, principal, dataset_id, page, fmt)
    except BelfortError as exc:
        return _error(exc)


def _member(request: Request, platform: Platform, principal: Principal, dataset_id: str, record_id: str,
            timestamp: str, fmt: str) -> Response:
    base = base_url(request)
    source = _source(platform, principal, dataset_id)
    body = event_streams(request, platform).member(source, base, record_id, timestamp, fmt)
    if body is None:
        raise NotFound(f"version {timestamp[:40]!r} of record {record_id[:60]!r} not found")
    if isinstance(body, str):  # the record as it stood then: its newest member up to that time
        return RedirectResponse(f"{ldes.record_uri(base, source.dataset_id, record_id)}/{body}", status_code=303,
                                headers={"Vary": "Accept"})
    cache = _closed(source) if source.public else PRIVATE
    return _respond(request, body, fmt, ldes.strong_etag(body), cache,
                    {"collection": ldes.entry_uri(base, source.dataset_id)})


@router.get(
    "/id/{dataset_id}/{record_id}/{timestamp}",
    summary="One member of an event stream: a version of a record",
    description=(
        "The immutable version object `{record}/{timestamp}` that the dataset's event stream "
        "lists as a member (`dct:isVersionOf` the record, `prov:generatedAtTime`, the row's "
        "fields; an `as:Delete` tombstone when the version removed the record). Any other "
        "timestamp (`20250101T000000Z`) redirects (303) to the record's newest member at or "
        f"before it: the record as it stood then. {NEGOTIATION}"
    ),
    response_class=Response,
)
async def stream_member(
    request: Request,
    dataset_id: str,
    record_id: str,
    timestamp: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    fmt = _format(request)
    if fmt is None:
        return _not_acceptable()
    try:
        return await run_in_threadpool(_member, request, platform, principal, dataset_id, record_id,
                                       timestamp, fmt)
    except BelfortError as exc:
        return _error(exc)
