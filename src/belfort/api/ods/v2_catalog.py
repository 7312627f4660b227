"""Opendatasoft Explore API v2.1, the catalogue: ``catalog/datasets`` (+ one dataset),
``catalog/exports/{format}`` and ``catalog/facets``. Records live in ``v2.py``."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
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


def v2_dataset(dataset: Dataset, lang: str = "nl") -> dict[str, Any]:
    """One dataset in Explore v2.1's shape (``metas.default``, typed ``fields``)."""
    version = published_version(dataset)
    fields = published_fields(dataset)
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
            "license_url": None,
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
        "fields": [
            {"name": f["name"], "label": f.get("title") or f["name"], "type": ODS_TYPES[f["type"]],
             "annotations": {}, "description": f.get("description")}
            for f in fields
        ],
    }


CATALOG_TEXT = ("dataset_id", "title", "description", "theme", "keyword", "publisher", "license", "territory")
CATALOG_SORTABLE = {"dataset_id", "title", "modified", "records_count", "publisher", "license"}
CATALOG_FACETS = ("theme", "keyword", "publisher", "license", "language", "features")


def _catalog_values(d: dict[str, Any]) -> dict[str, Any]:
    metas = d["metas"]["default"]
    values = {k: metas.get(k) for k in ("title", "description", "theme", "keyword", "publisher", "license",
                                        "language", "territory", "modified", "records_count")}
    values.update(dataset_id=d["dataset_id"], features=d["features"], has_records=d["has_records"])
    return values


def _literal(expr: Expr) -> Any:
    if not isinstance(expr, Literal):
        raise QueryError("catalog where: compare a field with a value")
    return expr.value


def _field(expr: Expr, values: dict[str, Any]) -> Any:
    if not isinstance(expr, FieldRef):
        raise QueryError("catalog where: only field names and values are supported")
    if expr.name not in values:
        raise QueryError(f"Unknown field {expr.name[:60]!r} in catalog where; known: {', '.join(sorted(values))}")
    return values[expr.name]


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, list):
        return any(_compare(op, item, right) for item in left) if op != "!=" else all(
            _compare(op, item, right) for item in left)
    if left is None:
        return op == "!=" and right is not None
    if isinstance(left, str) and isinstance(right, dt.datetime | dt.date):
        right = right.isoformat()
    elif isinstance(left, int | float) and isinstance(right, str):
        try:
            right = float(right)
        except ValueError:
            raise QueryError(f"catalog where: {right[:30]!r} is not a number") from None
    try:
        outcome: bool = {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
                         ">": left > right, ">=": left >= right}[op]
        return outcome
    except TypeError:
        raise QueryError("catalog where: these values cannot be compared") from None


def _like_regex(pattern: str) -> str:
    out, escaped = [], False
    for c in pattern:
        if escaped:
            out.append(re.escape(c))
            escaped = False
        elif c == "\\":
            escaped = True
        else:
            out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
    return "".join(out)


def catalog_match(expr: Expr, values: dict[str, Any]) -> bool:
    """A parsed ``where`` evaluated over one dataset's metadata."""
    if isinstance(expr, And):
        return all(catalog_match(e, values) for e in expr.items)
    if isinstance(expr, Or):
        return any(catalog_match(e, values) for e in expr.items)
    if isinstance(expr, Not):
        return not catalog_match(expr.item, values)
    if isinstance(expr, Search):
        names = expr.fields or CATALOG_TEXT
        text = " ".join(str(_field(FieldRef(n), values) or "") for n in names).lower()
        return all(word in text for word in expr.text.lower().split())
    if isinstance(expr, Compare):
        if isinstance(expr.left, Literal) and isinstance(expr.right, FieldRef):
            flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(expr.op, expr.op)
            return _compare(flipped, _field(expr.right, values), _literal(expr.left))
        return _compare(expr.op, _field(expr.left, values), _literal(expr.right))
    if isinstance(expr, In):
        value = _field(expr.expr, values)
        found = any(_compare("=", value, _literal(v)) for v in expr.values)
        return found != expr.negated
    if isinstance(expr, IsNull):
        return (_field(expr.expr, values) in (None, [])) != expr.negated
    if isinstance(expr, Like):
        value = _field(expr.expr, values)
        pattern = _like_regex(expr.pattern)
        regex = re.compile(pattern, re.I | re.S if expr.ci else re.S)
        items = value if isinstance(value, list) else [value]
        found = any(isinstance(v, str) and regex.fullmatch(v) for v in items)
        return found != expr.negated
    raise QueryError("catalog where supports search(), comparisons, IN, LIKE, IS NULL, AND, OR and NOT")


def _refine_match(values: dict[str, Any], name: str, wanted: str) -> bool:
    if name not in CATALOG_FACETS:
        raise QueryError(f"unknown catalog facet {name[:60]!r}; known: {', '.join(CATALOG_FACETS)}")
    value = values.get(name)
    return wanted in value if isinstance(value, list) else value == wanted


def _catalog(platform: Platform, principal: Principal, p: V2Params, skip_refine: str | None = None
             ) -> list[dict[str, Any]]:
    with platform.db.session() as session:
        datasets = [v2_dataset(d, p.lang) for d in
                    session.scalars(gate.visible_datasets(principal).order_by(Dataset.id)).all()]
    out = []
    for d in datasets:
        values = _catalog_values(d)
        if not all(catalog_match(w, values) for w in p.where):
            continue
        if any(name != skip_refine and not any(_refine_match(values, name, v) for v in wanted)
               for name, wanted in p.refine.items()):
            continue
        if any(_refine_match(values, name, v) for name, excluded in p.exclude.items() for v in excluded):
            continue
        out.append(d)
    for item in reversed(p.order_by):
        if not isinstance(item.expr, FieldRef) or item.expr.name not in CATALOG_SORTABLE:
            raise QueryError(f"catalog order_by: one of {', '.join(sorted(CATALOG_SORTABLE))}")
        name = item.expr.name
        present = [d for d in out if _catalog_values(d)[name] is not None]
        missing = [d for d in out if _catalog_values(d)[name] is None]
        def sort_key(d: dict[str, Any], n: str = name) -> Any:
            return _catalog_values(d)[n]

        present.sort(key=sort_key, reverse=item.descending)
        out = present + missing
    return out


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
    matches = _catalog(platform, principal, p)
    assert p.limit is not None
    page = _catalog_select(p, matches[p.offset: p.offset + p.limit])
    return JSONResponse({"total_count": len(matches), "results": page})


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
        return JSONResponse(v2_dataset(gate.get_dataset(session, principal, dataset_id), p.lang))


@router.get(PREFIX + "/catalog/exports/{format}", summary="Explore v2.1: export the catalogue",
            response_model=None, openapi_extra=ods_params.V2_CATALOG_EXPORT.openapi())
def catalog_export(
    format: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> StreamingResponse:
    p = parse_params(request, mode="export")
    matches = _catalog(platform, principal, p)
    matches = matches[p.offset:] if p.limit is None else matches[p.offset: p.offset + p.limit]
    disposition = {"Content-Disposition": f'attachment; filename="catalog.{format[:10]}"'}
    if format == "json":
        return StreamingResponse(json_array(matches), media_type="application/json",
                                 headers=disposition)
    if format == "csv":
        return StreamingResponse(v2_exports.catalog_csv(matches, p.raw), media_type="text/csv; charset=utf-8",
                                 headers=disposition)
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
        if spec.name not in CATALOG_FACETS:
            raise QueryError(f"unknown catalog facet {spec.name[:60]!r}; known: {', '.join(CATALOG_FACETS)}")
        counts: dict[str, int] = {}
        datasets = _catalog(platform, principal, p, skip_refine=spec.name) if spec.disjunctive else matching
        for d in datasets:
            value = _catalog_values(d)[spec.name]
            for v in (value if isinstance(value, list) else [value]):
                if v is not None:
                    counts[str(v)] = counts.get(str(v), 0) + 1
        values = sorted_values([(k, k, n) for k, n in counts.items()], spec.sort)[: spec.limit]
        refined = p.refine.get(spec.name, [])
        groups.append({"name": spec.name, "facets": [
            facet_entry(name, count, "refined" if name in refined else "displayed") for name, _, count in values
        ]})
    return JSONResponse({"links": [], "facets": groups})

