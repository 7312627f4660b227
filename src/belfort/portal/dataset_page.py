"""The dataset page: metadata in DCAT terms, schema, versions with what changed, the
validation result, downloads, API snippets, and a table preview, chart and map.

Everything is rendered on the server, so the page works without JavaScript: the
table preview pages, sorts and filters with plain links and a form (the same question
the Opendatasoft v1 API answers, through the same engine); the chart is an SVG drawn
on the server; the map has an SVG fallback that ``map.js`` turns into a Leaflet map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import HTMLResponse, Response

from belfort.api.caching import cache_control
from belfort.api.deps import base_url, get_platform
from belfort.api.governance import dataset_governance
from belfort.api.ods.records import order_of, parse_v1_params, where_of
from belfort.api.responses import JSONResponse
from belfort.catalog import field_dictionary
from belfort.catalog.field_dictionary import FieldTexts
from belfort.catalog.models import ProcessingActivity, Version
from belfort.errors import BelfortError, DatasetNotFound, NotFound
from belfort.mqa import service as mqa_service
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.access import Action
from belfort.policy.principals import Principal
from belfort.policy.reading import ReadableVersion, disclosure_of, readable
from belfort.portal import catalogue, quality_pages, table_downloads, values, visuals
from belfort.portal.counts_chart import counts_chart
from belfort.portal.i18n import Translator, language_of
from belfort.portal.messages import error_text
from belfort.portal.pages import portal_principal
from belfort.portal.render import render
from belfort.query.model import Query
from belfort.schema import Field

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PREVIEW_ROWS = 20
MAX_PREVIEW_ROWS = 10_000  # the v1 search API's window
MAX_PREVIEW_START = MAX_PREVIEW_ROWS - PREVIEW_ROWS
EXPORTS = ("csv", "json", "geojson", "parquet", "xlsx")


@dataclass(frozen=True)
class VersionChange:
    number: int
    created_at: Any
    rows: int
    published: bool
    rows_delta: int | None
    added: tuple[str, ...]
    removed: tuple[str, ...]
    retyped: tuple[str, ...]


@dataclass
class Preview:
    columns: list[str]
    rows: list[list[values.Cell]]
    total: int
    start: int
    query: str
    sort: str
    error: str | None
    labels: list[str] = field(default_factory=list)  # the columns' headers (values.field_label)
    types: list[str] = field(default_factory=list)

    @property
    def has_times(self) -> bool:
        return "datetime" in self.types

    @property
    def limited(self) -> bool:
        """This is the last page the table can show, and there are more rows."""
        return self.total > MAX_PREVIEW_ROWS and self.start + PREVIEW_ROWS >= MAX_PREVIEW_ROWS


@router.get("/datasets/{dataset_id}")
def dataset_page(dataset_id: str, request: Request, platform: Platform = Depends(get_platform),
                 principal: Principal = Depends(portal_principal)) -> Response:
    card = catalogue.snapshot(platform, principal).by_id.get(dataset_id)
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)  # NotFound when not visible
        versions = session.scalars(
            select(Version).where(Version.dataset_id == dataset.id).order_by(Version.number)
        ).all()
        published = dataset.published_version
        contact = (dataset.contact_name, dataset.contact_email)
        meta = {"spatial": dataset.spatial, "temporal": (dataset.temporal_start, dataset.temporal_end),
                "steward": dataset.steward, "created_at": dataset.created_at,
                "register": _register_entry(session, dataset.processing_activity, principal)}
        history = _history(versions, published, gate.held_back_fields(principal, dataset))
        shown = next((v for v in versions if v.number == published), versions[-1] if versions else None)
        validation = dict(shown.validation) if shown else {}
        meta["timezone"] = dataset.timezone
        governance = dataset_governance(session, principal, dataset,  # who is responsible
                                        platform.settings.governance_review_months)
        described = field_dictionary.descriptions(dataset)
        fields = field_dictionary.entries(
            gate.visible_fields(principal, dataset, shown.table_schema.get("fields", []))
            if shown else [], described)
        meta["version_timezone"] = (shown.source_details or {}).get("timezone") if shown else None
        data_quality = quality_pages.dataset_data_quality(
            session, principal, dataset, language_of(request))
    if card is None:  # written after this process's snapshot was taken
        raise DatasetNotFound(f"dataset {dataset_id[:100]!r} not found")
    preview = chart = map_ = counts = None
    if shown is not None:
        # a grant of aggregates only sees the page with thresholded counts, no records
        rv = readable(platform, principal, dataset_id, action=Action.AGGREGATE)
        disclosure = disclosure_of(platform, rv)
        lang = language_of(request)
        names = {f.name: values.field_label(f, lang, described.get(f.name)) for f in rv.schema.fields}
        if disclosure is not None:
            counts = counts_chart(platform, rv, disclosure, request, lang, card.title(lang), names)
        else:
            preview = _preview(platform, rv, request, lang, described)
            chart = visuals.chart_section(platform, rv, request, lang, card.title(lang), names)
            map_ = visuals.map_section(platform, rv, dataset_id, lang)
    base = base_url(request)
    quality = _quality(platform, principal, dataset_id)
    return render(
        request, "dataset.html", principal, active="datasets", card=card, contact=contact, meta=meta,
        quality=quality,
        data_quality=data_quality, governance=governance,
        history=list(reversed(history)), validation=validation, preview=preview, exports=EXPORTS,
        downloads=table_downloads.links(card.id, [f.type for f in card.fields]),
        max_preview_rows=MAX_PREVIEW_ROWS,
        snippets=_snippets(base, dataset_id), base=base,
        # the linked-data views answer API keys, not the staff cookie: offered for open data only
        linked=card.classification == "open" and card.state in ("published", "deprecated"),
        pages=_pages(preview) if preview else (1, 1), page_rows=PREVIEW_ROWS,
        chart=chart, map=map_, counts=counts, fields=fields, legend_json=visuals.legend_json(map_) if map_ else "",
        geo_field=next((f.name for f in card.fields if f.type in {"geopoint", "geometry"}), None),
    )


def _quality(platform: Platform, principal: Principal, dataset_id: str) -> dict[str, Any] | None:
    """The dataset's metadata-quality score as the page shows it (``belfort.mqa``)."""
    try:
        return mqa_service.dataset_quality(platform, principal, dataset_id).to_dict()
    except NotFound:  # the catalogue rows and the page read the gate apart: none then
        return None


def _register_entry(session: Any, activity_id: str | None, principal: Principal) -> tuple[str, str] | None:
    """(id, name) of the dataset's processing register entry, when the visitor may read it."""
    activity = session.get(ProcessingActivity, activity_id) if activity_id else None
    if activity is None or (activity.state != "published" and not principal.is_admin):
        return None
    return activity.id, activity.name


@router.get("/datasets/{dataset_id}/map.geojson")
def map_geojson(dataset_id: str, request: Request, platform: Platform = Depends(get_platform),
                principal: Principal = Depends(portal_principal)) -> Response:
    rv = readable(platform, principal, dataset_id)
    return JSONResponse(visuals.map_geojson(platform, rv, language_of(request)),
                        media_type="application/geo+json", headers=_map_headers(principal))


@router.get("/datasets/{dataset_id}/map.svg")
def map_svg(dataset_id: str, request: Request, platform: Platform = Depends(get_platform),
            principal: Principal = Depends(portal_principal)) -> Response:
    """The map drawn on the server, for browsers without JavaScript."""
    rv = readable(platform, principal, dataset_id)
    lang = language_of(request)
    card = catalogue.snapshot(platform, principal).by_id.get(dataset_id)
    title = card.title(lang) if card else dataset_id
    return Response(visuals.map_svg(platform, rv, lang, title), media_type="image/svg+xml",
                    headers=_map_headers(principal))


def _map_headers(principal: Principal) -> dict[str, str]:
    """The map data is the public's for five minutes; what staff see (perhaps an internal
    dataset) is never kept. It depends on the staff cookie and the language cookie."""
    return {"Cache-Control": cache_control(principal, "public, max-age=300"), "Vary": "Cookie"}


def _history(versions: Sequence[Version], published: int | None,
             held_back: frozenset[str]) -> list[VersionChange]:
    changes: list[VersionChange] = []
    previous: Version | None = None
    for v in versions:
        fields = {f["name"]: f["type"] for f in v.table_schema.get("fields", [])
                  if f["name"] not in held_back}
        before = {f["name"]: f["type"] for f in previous.table_schema.get("fields", [])
                  if f["name"] not in held_back} if previous else {}
        changes.append(VersionChange(
            number=v.number, created_at=v.created_at, rows=v.row_count, published=v.number == published,
            rows_delta=None if previous is None else v.row_count - previous.row_count,
            added=tuple(n for n in fields if previous is not None and n not in before),
            removed=tuple(n for n in before if n not in fields),
            retyped=tuple(n for n in fields if n in before and before[n] != fields[n]),
        ))
        previous = v
    return changes


def _preview(platform: Platform, rv: ReadableVersion, request: Request, lang: str,
             described: Mapping[str, FieldTexts]) -> Preview:
    """One page of records: ``p_q`` full-text filter (the v1 ``q`` language), ``p_sort``
    (``field`` ascending, ``-field`` descending), ``p_start``; values as people read them
    in ``lang`` (``belfort.portal.values``)."""
    params = request.query_params
    text = params.get("p_q", "")[:500]
    sort = params.get("p_sort", "")[:200]
    try:
        start = min(max(int(params.get("p_start", "0")), 0), MAX_PREVIEW_START)
    except ValueError:
        start = 0
    columns = [f.name for f in rv.schema.fields]
    labels = [values.field_label(f, lang, described.get(f.name)) for f in rv.schema.fields]
    types = [f.type for f in rv.schema.fields]
    # v1's sort is descending by default and "-field" ascending: translate the page's
    # natural "field" ascending / "-field" descending.
    v1_sort = (sort[1:] if sort.startswith("-") else "-" + sort) if sort else None
    items = [("dataset", rv.dataset_id), ("q", text), ("rows", str(PREVIEW_ROWS)), ("start", str(start))]
    if v1_sort and sort.lstrip("-") in columns:
        items.append(("sort", v1_sort))
    try:
        v1 = parse_v1_params(items)
        query = Query(where=where_of(v1, rv.schema), order_by=order_of(v1), limit=PREVIEW_ROWS, offset=start)
        result = platform.engine.execute(query, rv.schema, rv.path, with_total=True)
    except BelfortError as exc:  # said in the page's language (belfort.portal.messages)
        return Preview(columns, [], 0, 0, text, sort, error_text(Translator(lang), exc), labels, types)
    rows = [[_cell(row[i], f, lang) for i, f in enumerate(rv.schema.fields)] for row in result.rows]
    return Preview(columns, rows, result.total or 0, start, text, sort, None, labels, types)


def _cell(value: Any, f: Field, lang: str) -> values.Cell:
    return values.format_value(value, f.type, lang, f.separator)


def _snippets(base: str, dataset_id: str) -> dict[str, str]:
    records = f"{base}/api/explore/v2.1/catalog/datasets/{quote(dataset_id)}/records?limit=10"
    return {
        "curl": f'curl "{records}"',
        "python": (
            "import httpx\n\n"
            f'response = httpx.get("{base}/api/explore/v2.1/catalog/datasets/{dataset_id}/records",\n'
            '                      params={"limit": 10})\n'
            "for record in response.json()[\"results\"]:\n"
            "    print(record)"
        ),
        "javascript": (
            f'const response = await fetch("{records}");\n'
            "const { results } = await response.json();\n"
            "console.log(results);"
        ),
    }


def _pages(preview: Preview) -> tuple[int, int]:
    """(this page, last page) of the preview; paging stops at 10,000 rows, like v1 search."""
    last = max(1, math.ceil(min(preview.total, MAX_PREVIEW_ROWS) / PREVIEW_ROWS))
    return preview.start // PREVIEW_ROWS + 1, last
