"""Opendatasoft API v1: ``/api/records/1.0/{search,download,analyze}/`` and
``/api/datasets/1.0/{search/,ID/}``, as Ghent's widgets and clients call them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from belfort import cache_status
from belfort.api.deps import get_platform, get_principal
from belfort.api.ods import params as ods_params
from belfort.api.ods.common import (
    ODS_TYPES,
    dataset_features,
    dataset_row_count,
    published_fields,
    published_version,
    render_value,
    timezone_of,
)
from belfort.api.ods.downloads import download_response, feature
from belfort.api.ods.records import (
    V1Params,
    order_of,
    parse_v1_params,
    v1_records,
    where_of,
)
from belfort.api.responses import JSONResponse, dumps
from belfort.catalog import field_dictionary
from belfort.catalog.models import Dataset
from belfort.errors import AggregatesOnly, InvalidRequest, QueryError
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.access import Action
from belfort.policy.principals import Principal
from belfort.policy.reading import ReadableVersion, audit_access, disclosure_of, readable
from belfort.query.disclosure import Disclosure
from belfort.query.facets import compute_facet
from belfort.query.model import (
    Aggregate,
    And,
    Compare,
    Expr,
    FieldRef,
    Function,
    Literal,
    OrderItem,
    Query,
    Search,
    SelectItem,
)
from belfort.search.catalogue import CatalogueQuery, find, rendered_in_order, snapshot

router = APIRouter(tags=["opendatasoft v1"], default_response_class=JSONResponse)

V1_AGGREGATES = {"COUNT": "count", "AVG": "avg", "SUM": "sum", "MIN": "min", "MAX": "max",
                 "STDDEV": "stddev"}
MAX_CACHED_ANSWER = 256 * 1024
PRECISIONS = {"year": "yyyy", "month": "yyyy-MM", "day": "yyyy-MM-dd", "hour": "yyyy-MM-dd HH",
              "minute": "yyyy-MM-dd HH:mm"}


def _facet_groups(platform: Platform, rv: ReadableVersion, params: V1Params, where: Any,
                  disclosure: Disclosure | None = None) -> list[dict[str, Any]]:
    groups = []
    for name in params.facets:
        facet = compute_facet(platform.engine, rv.schema, rv.path, name, where, timezone=params.timezone,
                              disclosure=disclosure)
        refined = set(params.refine.get(name, []))
        group: dict[str, Any] = {
            "name": name,
            "count": facet.total,
            "facets": [
                {
                    "name": _facet_name(v.value),
                    "path": _facet_name(v.value),
                    "count": v.count,
                    "state": "refined" if _facet_name(v.value) in refined else "displayed",
                }
                for v in facet.values
            ],
        }
        if disclosure is not None:  # values withheld by the aggregation threshold
            group["suppressed"] = facet.suppressed
        groups.append(group)
    return groups


def _facet_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@router.get("/api/records/1.0/search/", summary="Opendatasoft v1: search records",
            openapi_extra=ods_params.V1_SEARCH.openapi())
def search(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    items = request.query_params.multi_items()
    params = parse_v1_params(items)
    if params.format not in {"json", "geojson"}:
        raise InvalidRequest("format must be json or geojson")
    # facet counts are aggregates: a grant of aggregates only gets them (thresholded) with
    # rows=0, and no records
    rv = readable(platform, principal, params.dataset, action=Action.AGGREGATE, audit=False)
    disclosure = disclosure_of(platform, rv)
    if disclosure is not None and (params.rows or not params.facets or params.format != "json"):
        raise AggregatesOnly("only aggregates may be read from this dataset: ask facet counts "
                             "with rows=0 and facet=FIELD")
    audit_access(platform, principal, rv, Action.READ if disclosure is None else Action.AGGREGATE)
    # A version never changes, so the same question about it always has the same answer.
    # A non-open dataset's answer depends on who asks (the grant's fields, rows and
    # aggregation threshold): its key names the caller's audience.
    audience = None if rv.public else principal.audience
    cache_key = ("v1-search", str(rv.path), audience,
                 tuple(sorted((k, v) for k, v in items if k != "apikey")))
    cached = platform.cache.get(cache_key)
    cache_status.note(cache_status.ANSWERS, cached is not None)
    if cached is None:
        answer = (_search(platform, rv, params) if disclosure is None
                  else _counts_only(platform, rv, params, disclosure))
        cached = (dumps(answer), len(answer.get("records", answer.get("features", []))))
        if len(cached[0]) <= MAX_CACHED_ANSWER:
            platform.cache.put(cache_key, cached)
    body, rows = cached
    # a cached answer serves its rows too
    platform.usage.record(rv.dataset_id, rows=rows, public=rv.public_use)
    return Response(body, media_type="application/json")


def _search(platform: Platform, rv: ReadableVersion, params: V1Params) -> dict[str, Any]:
    where = where_of(params, rv.schema)
    tz = timezone_of(params.timezone)
    query = Query(
        where=where, order_by=order_of(params), limit=params.rows, offset=params.start,
        with_row_number=True, record_id_fields=rv.record_key, timezone=params.timezone,
    )
    result = platform.engine.execute(query, rv.schema, rv.path, with_total=True)
    records = v1_records(platform, rv, result.records(), tz, params.fields)
    if params.format == "geojson":
        return {"type": "FeatureCollection", "features": [feature(r) for r in records]}
    body: dict[str, Any] = {"nhits": result.total, "parameters": params.echo(), "records": records}
    if params.facets:
        body["facet_groups"] = _facet_groups(platform, rv, params, where)
    return body


def _counts_only(platform: Platform, rv: ReadableVersion, params: V1Params,
                 disclosure: Disclosure) -> dict[str, Any]:
    """A search of ``rows=0`` under an aggregation threshold: the number of matching records
    (None when withheld) and the facets, thresholded; never a record."""
    where = where_of(params, rv.schema)
    total = platform.engine.execute(Query(select=(SelectItem(Aggregate("count"), "n"),), where=where),
                                    rv.schema, rv.path, disclosure=disclosure)
    return {"nhits": total.rows[0][0], "parameters": params.echo(), "records": [],
            "suppressed": total.suppressed,
            "facet_groups": _facet_groups(platform, rv, params, where, disclosure)}


@router.get("/api/records/1.0/download/", summary="Opendatasoft v1: download all records", response_model=None,
            openapi_extra=ods_params.V1_DOWNLOAD.openapi())
def download(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    return download_response(platform, principal, request.query_params.multi_items())


@router.get("/api/records/1.0/analyze/", summary="Opendatasoft v1: aggregate series",
            openapi_extra=ods_params.V1_ANALYZE.openapi())
def analyze(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    items = request.query_params.multi_items()
    params = parse_v1_params([(k, v) for k, v in items if k not in {"sort", "rows"}], windowed=False)
    raw = dict(items)
    rv = readable(platform, principal, params.dataset, action=Action.AGGREGATE)
    x_name = raw.get("x")
    if not x_name or rv.schema.get(x_name) is None:
        raise QueryError(f"x must name a field of the dataset, got {str(x_name)[:60]!r}")
    x_field = rv.schema.get(x_name)
    assert x_field is not None
    precision = raw.get("precision", "day")
    x_expr: Any = FieldRef(x_name)
    if x_field.type in {"date", "datetime"}:
        if precision not in PRECISIONS:
            raise QueryError(f"precision must be one of {sorted(PRECISIONS)}")
        x_expr = Function("date_format", (FieldRef(x_name), Literal(PRECISIONS[precision])))
    series = sorted({k.split(".")[1] for k in raw if k.startswith("y.") and k.count(".") == 2})
    if not series:
        raise QueryError("give at least one series: y.NAME.func=COUNT|AVG|SUM|MIN|MAX|STDDEV and y.NAME.expr=FIELD")
    select = [SelectItem(x_expr, "x")]
    for name in series:
        func = raw.get(f"y.{name}.func", "COUNT").upper()
        if func not in V1_AGGREGATES:
            raise QueryError(f"y.{name}.func: unknown function {func[:20]!r}")
        expr = raw.get(f"y.{name}.expr")
        arg = FieldRef(expr) if expr else None
        if arg is None and func != "COUNT":
            raise QueryError(f"y.{name}.expr must name a field for {func}")
        select.append(SelectItem(Aggregate(V1_AGGREGATES[func], arg), name))
    sort = raw.get("sort", "x")
    descending = sort.startswith("-")
    sort_key = sort.lstrip("-")
    if sort_key not in {"x", *series}:
        raise QueryError("sort must be x or a series name, optionally with -")
    query = Query(
        select=tuple(select), where=where_of(params, rv.schema), group_by=(SelectItem(x_expr),),
        order_by=(OrderItem(FieldRef(sort_key), descending=descending),),
        limit=min(_int_param(raw, "maxpoints", 1000), platform.settings.query_max_rows),
        timezone=params.timezone,
    )
    result = platform.engine.execute(query, rv.schema, rv.path,
                                     disclosure=disclosure_of(platform, rv))
    tz = timezone_of(params.timezone)
    points = []
    for row in result.records():
        x = row["x"]
        if x_field.type in {"date", "datetime"} and isinstance(x, str):
            x = _date_parts(x, precision)
        else:
            x = render_value(x, x_field.type, tz)
        points.append({"x": x, **{name: row[name] for name in series}})
    return JSONResponse(points)


def _int_param(raw: dict[str, str], name: str, default: int) -> int:
    try:
        value = int(raw.get(name, default))
    except ValueError:
        raise InvalidRequest(f"{name} must be a whole number") from None
    if value < 1:
        raise InvalidRequest(f"{name} must be positive")
    return value


def _date_parts(text: str, precision: str) -> dict[str, int]:
    """``2024-03-01 13`` at precision hour → {"year": 2024, "month": 3, "day": 1, "hour": 13}."""
    numbers = [int(p) for p in text.replace(" ", "-").replace(":", "-").split("-")]
    names = ["year", "month", "day", "hour", "minute"]
    return dict(zip(names, numbers, strict=False))


# --- the catalogue in v1 shape ------------------------------------------------------


def v1_dataset(dataset: Dataset, principal: Principal) -> dict[str, Any]:
    version = published_version(dataset)
    fields = published_fields(dataset, principal)
    features = dataset_features(fields)
    return {
        "datasetid": dataset.id,
        "has_records": dataset_row_count(dataset) > 0,
        "features": features,
        "metas": {
            "title": dataset.title_nl,
            "description": dataset.description_nl,
            "publisher": dataset.organisation,
            "license": dataset.licence,
            "theme": dataset.themes or None,
            "keyword": dataset.keywords or None,
            "language": "nl",
            "territory": [dataset.spatial] if dataset.spatial else None,
            "timezone": dataset.timezone,
            "records_count": dataset_row_count(dataset),
            "modified": dataset.updated_at.isoformat(),
            "data_processed": version.created_at.isoformat() if version else None,
            "metadata_processed": dataset.updated_at.isoformat(),
        },
        "fields": [  # labels and descriptions from the data dictionary, Dutch first (as the metas)
            {"name": e.name, "label": e.label("nl"), "type": ODS_TYPES[e.type],
             **({"description": e.description("nl")} if e.description("nl") else {}),
             **({"annotations": [{"name": "unit", "args": [e.unit]}]} if e.unit else {})}
            for e in field_dictionary.entries(fields, field_dictionary.descriptions(dataset))
        ],
        "attachments": [],
        "alternative_exports": [],
    }


@router.get("/api/datasets/1.0/search/", summary="Opendatasoft v1: search the catalogue",
            openapi_extra=ods_params.V1_CATALOG_SEARCH.openapi())
def datasets_search(
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    raw = dict(request.query_params.multi_items())
    rows = _int_param({"rows": raw.get("rows", "10")}, "rows", 10) if raw.get("rows") != "-1" else 10_000
    start = int(raw.get("start", "0")) if raw.get("start", "0").isdigit() else 0
    refine = {k[7:]: v for k, v in request.query_params.multi_items() if k.startswith("refine.")}
    listing = find(snapshot(platform, principal), CatalogueQuery(where=catalogue_filter(raw.get("q", ""), refine)))
    page = list(rendered_in_order(platform, principal, listing.catalogue,
                                  listing.ids[start : start + rows], "v1",
                                  lambda d: v1_dataset(d, principal)))
    parameters: dict[str, Any] = {"rows": rows, "start": start, "format": "json", "timezone": "UTC"}
    if raw.get("q"):
        parameters["q"] = raw["q"]
    return JSONResponse({"nhits": listing.total, "parameters": parameters, "datasets": page})


# v1 refine.NAME on the catalogue → the catalogue service's field names (others are ignored)
V1_CATALOG_REFINE = {"theme": "theme", "keyword": "keyword", "publisher": "organisation"}


def catalogue_filter(q: str, refine: dict[str, str]) -> Expr | None:
    """``q`` (free text, searched as the portal searches) and ``refine.*`` as a catalogue filter."""
    parts: list[Expr] = [Search(q.strip())] if q.strip() else []
    parts += [Compare("=", FieldRef(V1_CATALOG_REFINE[k]), Literal(v)) for k, v in refine.items()
              if k in V1_CATALOG_REFINE]
    return None if not parts else parts[0] if len(parts) == 1 else And(tuple(parts))


@router.get("/api/datasets/1.0/{dataset_id}/", summary="Opendatasoft v1: one dataset")
def dataset_one(
    dataset_id: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    with platform.db.session() as session:
        return JSONResponse(v1_dataset(gate.get_dataset(session, principal, dataset_id), principal))

