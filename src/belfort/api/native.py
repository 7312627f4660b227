"""The native JSON API, ``/api/belfort/v1``: catalogue, records and exports.

A thin adapter: parse parameters into the query model, ask the gate, run the engine,
render JSON. Every read passes ``belfort.policy.gate``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi import Query as Q

from belfort.api import native_params
from belfort.api.deps import get_platform, get_principal
from belfort.api.exports import export_response
from belfort.api.governance import dataset_governance
from belfort.api.native_params import parse_records_params
from belfort.api.params import INT_LIMIT, VersionNumber
from belfort.api.responses import JSONResponse
from belfort.catalog import store
from belfort.catalog.models import Dataset
from belfort.errors import NotFound
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.access import Action
from belfort.policy.principals import Principal
from belfort.policy.reading import readable
from belfort.query.model import And, Compare, Expr, FieldRef, Literal, Search
from belfort.search.catalogue import CatalogueQuery, find, rendered_in_order, snapshot

router = APIRouter(prefix="/api/belfort/v1", tags=["native"], default_response_class=JSONResponse)


@router.get("/datasets", summary="List the datasets you may see")
def list_datasets(
    q: str | None = Q(None, max_length=200, description=(
        "Words to search for, as the portal's search does (stems, compounds, typos, synonyms); "
        "matches come best first.")),
    organisation: str | None = Q(None, max_length=200, description="Only datasets of this organisation."),
    theme: str | None = Q(None, max_length=100, description="Only datasets with this theme (e.g. TRAN)."),
    state: str | None = Q(None, max_length=20, description="Only datasets in this life-cycle state "
                          "(published, deprecated; staff also see draft and archived)."),
    limit: int = Q(20, ge=0, le=1000, description="Number of datasets."),
    offset: int = Q(0, ge=0, le=1_000_000, description="Datasets to skip."),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    parts: list[Expr] = [Search(q)] if q else []
    parts += [Compare("=", FieldRef(name), Literal(value))
              for name, value in (("organisation", organisation), ("theme", theme), ("state", state)) if value]
    listing = find(snapshot(platform, principal), CatalogueQuery(where=And(tuple(parts)) if parts else None))
    page = listing.ids[offset : offset + limit]
    datasets = rendered_in_order(platform, principal, listing.catalogue, page, "native",
                                 lambda d: store.dataset_to_dict(d, include_versions=False))
    return JSONResponse({"total_count": listing.total, "datasets": list(datasets)})


@router.get("/datasets/{dataset_id}", summary="One dataset with its versions")
def get_dataset(
    dataset_id: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    with platform.db.session() as session:
        dataset = gate.get_dataset(session, principal, dataset_id)
        body = store.dataset_to_dict(dataset)
        body.update(dataset_governance(session, principal, dataset,  # who is responsible
                                       platform.settings.governance_review_months))
        if not principal.is_admin:
            limit = dataset.published_version or 0
            body["versions"] = [_visible(principal, dataset, v) for v in body["versions"]
                                if v["number"] <= limit]
    return JSONResponse(body)


def _visible(principal: Principal, dataset: Dataset, version: dict[str, Any]) -> dict[str, Any]:
    """A version's dictionary without the fields held back from ``principal``."""
    fields = gate.visible_fields(principal, dataset, version["schema"].get("fields", []))
    return {**version, "schema": {**version["schema"], "fields": fields},
            "quality_gate": public_gate_record(version.get("quality_gate"))}


def public_gate_record(record: dict[str, Any] | None) -> dict[str, Any] | None:
    """The publication gate's record as a reader sees it: the verdict, when and why it was
    overridden — not the rules at fault (a rule may name a field held back from the reader)."""
    if not record:
        return None
    return {k: record.get(k) for k in ("verdict", "at", "classification", "reason")}


@router.get("/datasets/{dataset_id}/versions/{number}", summary="One version")
def get_version(
    dataset_id: str,
    number: VersionNumber,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    with platform.db.session() as session:
        dataset, version = gate.readable_version(session, principal, dataset_id, number)
        return JSONResponse(_visible(principal, dataset, store.version_to_dict(version)))


@router.get("/datasets/{dataset_id}/records", summary="Query the records of a dataset",
            openapi_extra=native_params.RECORDS.openapi())
def records(
    dataset_id: str,
    request: Request,
    version: int | None = Q(None, ge=1, le=INT_LIMIT, description="Version number (default: the published one)."),
    include_total: bool = Q(True, description="Count all matches (false saves a second pass)."),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    rv = readable(platform, principal, dataset_id, version)
    query = parse_records_params(
        request.query_params.multi_items(), platform.settings.query_default_rows
    )
    result = platform.engine.execute(query, rv.schema, rv.path, with_total=include_total)
    platform.usage.record(rv.dataset_id, rows=len(result.rows), public=rv.public_use)
    return JSONResponse(
        {
            "dataset": dataset_id,
            "version": rv.number,
            "total_count": result.total,
            "columns": result.columns,
            "records": result.records(),
        }
    )


@router.get("/datasets/{dataset_id}/exports/{fmt}", summary="Download all records",
            openapi_extra=native_params.EXPORT.openapi())
def export(
    dataset_id: str,
    fmt: str,
    request: Request,
    version: int | None = Q(None, ge=1, le=INT_LIMIT, description="Version number (default: the published one)."),
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Any:
    rv = readable(platform, principal, dataset_id, version, action=Action.EXPORT)
    if fmt not in store.EXPORT_FORMATS:
        raise NotFound(f"unknown export format {fmt[:20]!r}; use one of {sorted(store.EXPORT_FORMATS)}")
    items = [(k, v) for k, v in request.query_params.multi_items() if k not in {"limit", "offset"}]
    query = replace(parse_records_params(items, default_limit=0), limit=None, offset=0)
    return export_response(platform, fmt, query, rv.schema, rv.path, f"{dataset_id}-v{rv.number}", rv.dataset_id,
                           public_use=rv.public_use)
