"""Opendatasoft Explore API v2.1, the catalogue: ``catalog/datasets`` (+ one dataset),
``catalog/exports/{format}`` and ``catalog/facets``. Records live in ``v2.py``."""

from __future__ import annotations

import hashlib
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import StreamingResponse

from belfort.api.deps import get_platform, get_principal
from belfort.api.exports import json_array
from belfort.api.ods import params as ods_params
from belfort.api.ods import v2_exports
from belfort.api.ods.common import (
    ODS_TYPES,
    dataset_features,
    dataset_row_count,
    iso_datetime,
    published_fields,
    published_version,
)
from belfort.api.responses import JSONResponse
from belfort.catalog import field_dictionary
from belfort.catalog.models import Dataset
from belfort.errors import InvalidRequest, QueryError
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.query.model import (
    And,
    Compare,
    Expr,
    FieldRef,
    In,
    IsNull,
    Like,
    Literal,
    Not,
    Or,
    Search,
)
from belfort.search.catalogue import (
    CatalogueQuery,
    Listing,
    SortKey,
    find,
    rendered_in_order,
    snapshot,
)

PREFIX = "/api/explore/v2.1"
from belfort.api.ods.v2 import (
    FacetSpec,
    V2Params,
    facet_entry,
    parse_facet,
    parse_params,
    sorted_values,
)

router = APIRouter(tags=["opendatasoft explore v2.1"], default_response_class=JSONResponse)


def v2_dataset(dataset: Dataset, principal: Principal, lang: str = "nl") -> dict[str, Any]:
    """One dataset in Explore v2.1's shape (``metas.default``, typed ``fields``)."""
    version = published_version(dataset)
    fields = published_fields(dataset, principal)
    features = dataset_features(fields)
    english = lang == "en"
    utc = ZoneInfo("UTC")
    return {
        "dataset_id": dataset.id,
        "dataset_uid": "da_" + hashlib.sha1(dataset.id.encode()).hexdigest()[:6],
        "attachments": [],
        "has_records": dataset_row_count(dataset) > 0,
        "data_visible": True,
        "features": features,
        "metas": {"default": {
            "title": (english and dataset.title_en) or dataset.title_nl,
            "description": (english and dataset.description_en) or dataset.description_nl,
            "theme": list(dataset.themes) or None,
            "keyword": list(dataset.keywords) or None,
            "publisher": dataset.organisation,
            "license": dataset.licence,
            "license_url": dataset.licence if _is_url(dataset.licence) else None,
            "language": "nl",
            "metadata_languages": ["nl", "en"] if dataset.title_en else ["nl"],
            "territory": [dataset.spatial] if dataset.spatial else None,
            "timezone": dataset.timezone,
            "modified": iso_datetime(dataset.updated_at, utc),
            "data_processed": iso_datetime(version.created_at, utc) if version else None,
            "metadata_processed": iso_datetime(dataset.updated_at, utc),
            "records_count": dataset_row_count(dataset),
            "references": None,
            "attributions": None,
        }},
        "fields": [  # labels, descriptions and units from the data dictionary, in ``lang``
            {"name": e.name, "label": e.label(lang), "type": ODS_TYPES[e.type],
             "annotations": {"unit": e.unit} if e.unit else {}, "description": e.description(lang)}
            for e in field_dictionary.entries(fields, field_dictionary.descriptions(dataset))
        ],
    }


# Explore v2.1's catalogue field names → the catalogue service's (belfort.search.cards.FIELDS)
CATALOG_FIELDS = {
    "dataset_id": "id", "title": "title", "description": "description", "theme": "theme",
    "keyword": "keyword", "publisher": "organisation", "license": "licence", "language": "language",
    "territory": "territory", "modified": "modified", "records_count": "records_count",
    "features": "features", "has_records": "has_records",
}
CATALOG_SEARCHABLE = ("title", "description", "theme", "keyword", "publisher")
CATALOG_SORTABLE = {"dataset_id", "title", "modified", "records_count", "publisher", "license"}
CATALOG_FACETS = ("theme", "keyword", "publisher", "license", "language", "features")


def _field(expr: Expr) -> Expr:
    """A field named in Explore's terms as the service's field; anything else unchanged (a
    value, or a shape the service refuses with its own message)."""
    if not isinstance(expr, FieldRef):
        return expr
    if expr.name not in CATALOG_FIELDS:
        raise QueryError(f"Unknown field {expr.name[:60]!r} in catalog where; known: "
                         f"{', '.join(sorted(CATALOG_FIELDS))}")
    return FieldRef(CATALOG_FIELDS[expr.name])


def catalog_filter(expr: Expr) -> Expr:
    """A parsed catalogue ``where`` with Explore's field names, as a filter of the catalogue
    service (which evaluates it; free text goes to its search index)."""
    if isinstance(expr, And | Or):
        return type(expr)(tuple(catalog_filter(e) for e in expr.items))
    if isinstance(expr, Not):
        return Not(catalog_filter(expr.item))
    if isinstance(expr, Search):
        unknown = [f for f in expr.fields if f not in CATALOG_SEARCHABLE]
        if unknown:
            raise QueryError(f"search() on the catalogue cannot search {unknown[0][:60]!r}; searchable: "
                             f"{', '.join(CATALOG_SEARCHABLE)}")
        return Search(expr.text, tuple(CATALOG_FIELDS[f] for f in expr.fields))
    if isinstance(expr, Compare):
        return Compare(expr.op, _field(expr.left), _field(expr.right))
    if isinstance(expr, In):
        return In(_field(expr.expr), expr.values, expr.negated)
    if isinstance(expr, IsNull):
        return IsNull(_field(expr.expr), expr.negated)
    if isinstance(expr, Like):
        return Like(_field(expr.expr), expr.pattern, expr.ci, expr.negated)
    raise QueryError("catalog where supports search(), comparisons, IN, LIKE, IS NULL, AND, OR and NOT")


def _facet_name(name: str) -> str:
    """A refine/exclude/facet name (``theme`` or ``default.theme``) as the service's field."""
    short = name[8:] if name.startswith("default.") else name
    if short not in CATALOG_FACETS:
        raise QueryError(f"unknown catalog facet {name[:60]!r}; known: {', '.join(CATALOG_FACETS)}")
    return CATALOG_FIELDS[short]


def _catalog_query(p: V2Params, skip_refine: str | None = None) -> CatalogueQuery:
    """``where`` (and ``q``), ``refine`` (values of one facet ORed) and ``exclude`` ANDed."""
    parts = [catalog_filter(w) for w in p.where]
    if p.raw.get("q", "").strip():
        parts.append(Search(p.raw["q"].strip()))
    for name, wanted in p.refine.items():
        field = _facet_name(name)
        if field != skip_refine:
            parts.append(In(FieldRef(field), tuple(Literal(v) for v in wanted)))
    for name, excluded in p.exclude.items():
        parts.append(In(FieldRef(_facet_name(name)), tuple(Literal(v) for v in excluded), negated=True))
    sort = []
    for item in p.order_by:
        if not isinstance(item.expr, FieldRef) or item.expr.name not in CATALOG_SORTABLE:
            raise QueryError(f"catalog order_by: one of {', '.join(sorted(CATALOG_SORTABLE))}")
        sort.append(SortKey(CATALOG_FIELDS[item.expr.name], item.descending))
    where = None if not parts else parts[0] if len(parts) == 1 else And(tuple(parts))
    return CatalogueQuery(where=where, sort=tuple(sort), lang=p.lang)


def _catalog(platform: Platform, principal: Principal, p: V2Params, skip_refine: str | None = None) -> Listing:
    return find(snapshot(platform, principal), _catalog_query(p, skip_refine))


def _rendered(platform: Platform, principal: Principal, p: V2Params, listing: Listing,
              ids: list[str]) -> list[dict[str, Any]]:
    return list(rendered_in_order(platform, principal, listing.catalogue, ids, ("v2.1", p.lang),
                                  lambda d: v2_dataset(d, principal, p.lang)))


def _catalog_select(p: V2Params, datasets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not p.select:
        return datasets
    known = {"dataset_id", "dataset_uid", "attachments", "has_records", "data_visible", "features", "metas",
             "fields"}
    keys = []
    for item in p.select:
        if not isinstance(item.expr, FieldRef) or item.expr.name not in known:
            raise QueryError(f"catalog select: name top-level keys, one of {', '.join(sorted(known))}")
        keys.append((item.alias or item.expr.name, item.expr.name))
    return [{alias: d.get(name) for alias, name in keys} for d in datasets]


@router.get(PREFIX + "/catalog/datasets", summary="Explore v2.1: the catalogue",
            openapi_extra=ods_params.V2_CATALOG.openapi())
def catalog_datasets(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    p = parse_params(request, mode="records")
    if p.group_by:
        raise QueryError("group_by on the catalogue is not supported")
    _catalog_select(p, [])  # a bad select is a 400 before any work
    listing = _catalog(platform, principal, p)
    assert p.limit is not None
    page = _catalog_select(p, _rendered(platform, principal, p, listing,
                                             listing.ids[p.offset: p.offset + p.limit]))
    return JSONResponse({"total_count": listing.total, "results": page})


@router.get(PREFIX + "/catalog/datasets/{dataset_id}", summary="Explore v2.1: one dataset",
            openapi_extra=ods_params.V2_CATALOG_DATASET.openapi())
def catalog_dataset(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    p = parse_params(request, mode="facets")
    with platform.db.session() as session:
        return JSONResponse(v2_dataset(gate.get_dataset(session, principal, dataset_id), principal, p.lang))


@router.get(PREFIX + "/catalog/exports/{format}", summary="Explore v2.1: export the catalogue",
            response_model=None, openapi_extra=ods_params.V2_CATALOG_EXPORT.openapi())
def catalog_export(
    format: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> StreamingResponse:
    p = parse_params(request, mode="export")
    listing = _catalog(platform, principal, p)
    ids = listing.ids
    matches = _rendered(platform, principal, p, listing,
                        ids[p.offset:] if p.limit is None else ids[p.offset: p.offset + p.limit])
    disposition = {"Content-Disposition": f'attachment; filename="catalog.{format[:10]}"'}
    if format == "json":
        return StreamingResponse(json_array(matches), media_type="application/json",
                                 headers=disposition)
    if format == "csv":
        body = v2_exports.catalog_csv(matches, p.raw, formula_escape=platform.settings.csv_formula_escape)
        return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers=disposition)
    raise InvalidRequest(f"Invalid value for format API parameter: {format[:30]!r} was found but one of "
                         "csv, json is expected.")


@router.get(PREFIX + "/catalog/facets", summary="Explore v2.1: facets of the catalogue",
            openapi_extra=ods_params.V2_CATALOG_FACETS.openapi())
def catalog_facets(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    p = parse_params(request, mode="facets")
    specs = [parse_facet(v) for v in request.query_params.getlist("facet")] or [
        FacetSpec(n) for n in CATALOG_FACETS]
    groups = []
    matching = _catalog(platform, principal, p)
    for spec in specs:
        field = _facet_name(spec.name)
        listing = _catalog(platform, principal, p, skip_refine=field) if spec.disjunctive else matching
        values = sorted_values([(k, k, n) for k, n in listing.facet(field)], spec.sort)[: spec.limit]
        refined = p.refine.get(spec.name, [])
        groups.append({"name": spec.name, "facets": [
            facet_entry(name, count, "refined" if name in refined else "displayed") for name, _, count in values
        ]})
    return JSONResponse({"links": [], "facets": groups})


def _is_url(value: str | None) -> bool:
    """Licences are kept by URI (docs/metadata.md); a free-text one from before has none."""
    return bool(value) and str(value).startswith(("http://", "https://"))
