"""Opendatasoft Explore API v2.1 (``/api/explore/v2.1/…``), as newer Ghent code calls it.

ODSQL parameters (``select``, ``where``, ``group_by``, ``order_by``) are parsed by
``belfort.query.odsql`` into the one query model; ``refine``/``exclude`` become
conditions; the engine answers; every read passes the gate (``readable`` /
``gate.visible_datasets``). Errors get Opendatasoft's body in ``belfort.api.errors``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import FileResponse, StreamingResponse

from belfort.api.deps import get_platform, get_principal
from belfort.api.ods import v2_exports
from belfort.api.ods.common import (
    ODS_TYPES,
    ReadableVersion,
    dataset_row_count,
    iso_datetime,
    readable,
    record_timestamp,
    timezone_of,
)
from belfort.api.ods.records import _refinement
from belfort.api.responses import JSONResponse
from belfort.catalog.models import Dataset
from belfort.errors import InvalidRequest, NotFound, QueryError
from belfort.ingest.schema import TableSchema
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.query.facets import facet_key
from belfort.query.model import (
    RECORD_ID_COLUMN,
    ROW_NUMBER_COLUMN,
    Aggregate,
    And,
    Compare,
    Expr,
    FieldRef,
    Function,
    In,
    IsNull,
    Like,
    Literal,
    Not,
    Or,
    OrderItem,
    Query,
    RecordIdIs,
    Search,
    SelectItem,
)
from belfort.query.odsql import parse_group_by, parse_order_by, parse_select, parse_where

PREFIX = "/api/explore/v2.1"
router = APIRouter(tags=["opendatasoft explore v2.1"], default_response_class=JSONResponse)

MAX_LIMIT = 100
MAX_WINDOW = 10_000
MAX_GROUPED_WINDOW = 20_000
MAX_PARAM = 10_000
MAX_FACET_LIMIT = 1_000
LANGUAGES = {"en", "fr", "nl", "pt", "it", "ar", "de", "es", "ca", "eu", "sv"}


class RecordNotFound(NotFound):
    ods_error_code = "RecordNotFoundError"


# -- parameters ------------------------------------------------------------------------------


@dataclass
class V2Params:
    """The parsed parameters of a records, facets or exports call."""

    select: tuple[SelectItem, ...] = ()
    where: list[Expr] = field(default_factory=list)
    group_by: tuple[SelectItem, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = 10
    offset: int = 0
    refine: dict[str, list[str]] = field(default_factory=dict)
    exclude: dict[str, list[str]] = field(default_factory=dict)
    timezone: str = "UTC"
    lang: str = "nl"
    include_links: bool = False
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return timezone_of(self.timezone)


def _integer(raw: dict[str, str], name: str, default: int) -> int:
    text = raw.get(name, "").strip()
    if text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise InvalidRequest(
            f"Invalid value for {name} API parameter: {text[:30]!r} was found but an integer is expected."
        ) from None


def _resolve_aliases(select: tuple[SelectItem, ...], group_by: tuple[SelectItem, ...]) -> tuple[SelectItem, ...]:
    """``select=year(d) as y&group_by=y``: a group key naming a select alias groups by that
    expression (under the alias)."""
    aliases = {s.alias: s for s in select if s.alias and not isinstance(s.expr, Aggregate)}
    return tuple(
        SelectItem(aliases[g.expr.name].expr, g.alias or g.expr.name)
        if isinstance(g.expr, FieldRef) and g.expr.name in aliases else g
        for g in group_by
    )


def _facet_pairs(values: list[str], name: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for value in values:
        key, sep, facet_value = value.partition(":")
        if not sep or not key.strip():
            raise InvalidRequest(
                f"Invalid value for {name} API parameter: {value[:60]!r} was found but FIELD:VALUE is expected."
            )
        out.setdefault(key.strip(), []).append(facet_value)
    return out


def parse_params(request: Request, *, mode: str) -> V2Params:
    """``mode``: ``records`` (windowed limit), ``export`` (limit -1 = all) or ``facets``."""
    items = request.query_params.multi_items()
    raw: dict[str, str] = {}
    lists: dict[str, list[str]] = {"where": [], "refine": [], "exclude": []}
    for name, value in items:
        if len(value) > MAX_PARAM:
            raise InvalidRequest(f"Invalid value for {name[:40]} API parameter: longer than {MAX_PARAM} characters.")
        if name in lists:
            lists[name].append(value)
        else:
            raw[name] = value
    p = V2Params(raw=raw)
    if mode != "facets":
        p.select = parse_select(raw["select"]) if raw.get("select") else ()
        p.group_by = _resolve_aliases(p.select, parse_group_by(raw["group_by"]) if raw.get("group_by") else ())
        p.order_by = parse_order_by(raw["order_by"]) if raw.get("order_by") else ()
        if p.group_by and p.select:  # grouped results always carry their keys
            selected = {s.expr for s in p.select} | {s.alias for s in p.select if s.alias}
            keys = tuple(g for g in p.group_by if g.expr not in selected and g.alias not in selected)
            p.select = keys + p.select
    for text in lists["where"]:
        condition = parse_where(text)
        if condition != And(()):
            p.where.append(condition)
    p.refine = _facet_pairs(lists["refine"], "refine")
    p.exclude = _facet_pairs(lists["exclude"], "exclude")
    p.timezone = raw.get("timezone") or "UTC"
    timezone_of(p.timezone)
    p.lang = (raw.get("lang") or "nl").lower()
    if p.lang not in LANGUAGES:
        raise InvalidRequest(
            f"Invalid value for lang API parameter: {p.lang[:10]!r} was found but one of "
            f"{', '.join(sorted(LANGUAGES))} is expected."
        )
    p.include_links = v2_exports.flag(raw, "include_links", False)
    v2_exports.flag(raw, "include_app_metas", False)
    p.offset = _integer(raw, "offset", 0)
    if p.offset < 0:
        raise InvalidRequest(f"Invalid value for offset API parameter: {p.offset} was found but offset >= 0 is expected.")
    if mode == "export":
        limit = _integer(raw, "limit", -1)
        if limit < -1:
            raise InvalidRequest(f"Invalid value for limit API parameter: {limit} was found but limit >= -1 is expected.")
        p.limit = None if limit == -1 else limit
    elif mode == "records":
        grouped = bool(p.group_by)
        window = MAX_GROUPED_WINDOW if grouped else MAX_WINDOW
        top = MAX_GROUPED_WINDOW if grouped else MAX_LIMIT
        limit = _integer(raw, "limit", 10)
        if not 0 <= limit <= top:
            raise InvalidRequest(
                f"Invalid value for limit API parameter: {limit} was found but 0 <= limit <= {top} is expected."
            )
        if p.offset + limit > window:
            raise InvalidRequest(
                f"Invalid value for offset API parameter: offset + limit must not exceed {window} "
                f"(offset={p.offset}, limit={limit}); use the exports endpoint for more."
            )
        p.limit = limit
    return p


def conditions(p: V2Params, schema: TableSchema, *, skip_refine: str | None = None) -> Expr | None:
    """``where`` clauses ANDed with ``refine`` (values of one field ORed) and ``exclude``."""
    tz = p.tz
    parts: list[Expr] = list(p.where)
    for name, values in p.refine.items():
        if name == skip_refine:
            continue
        options = [_refinement(schema, name, v, tz) for v in values]
        parts.append(options[0] if len(options) == 1 else Or(tuple(options)))
    for name, values in p.exclude.items():
        parts.extend(Not(_refinement(schema, name, v, tz)) for v in values)
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


# -- records ---------------------------------------------------------------------------------


def _is_plain(query: Query) -> bool:
    return not query.group_by and not any(isinstance(s.expr, Aggregate) for s in query.select)


def _record_links(request: Request, dataset_id: str, record_id: str) -> list[dict[str, str]]:
    base = str(request.base_url).rstrip("/")
    return [{"rel": "self", "href": f"{base}{PREFIX}/catalog/datasets/{dataset_id}/records/{record_id}"},
            {"rel": "dataset", "href": f"{base}{PREFIX}/catalog/datasets/{dataset_id}"}]


def _with_identity(platform: Platform, rv: ReadableVersion, request: Request, rows: list[dict[str, Any]],
                   records: list[dict[str, Any]]) -> None:
    """``_id``, ``_timestamp`` and ``_links`` for ``include_links=true``."""
    stamps: dict[int, Any] = {}
    if rv.record_times is not None:
        stamps = platform.engine.record_timestamps(rv.record_times, [r[ROW_NUMBER_COLUMN] for r in rows])
    for row, record in zip(rows, records, strict=True):
        record["_id"] = row[RECORD_ID_COLUMN]
        record["_timestamp"] = record_timestamp(stamps.get(row[ROW_NUMBER_COLUMN], rv.created_at))
        record["_links"] = _record_links(request, rv.dataset_id, row[RECORD_ID_COLUMN])


@router.get(PREFIX + "/catalog/datasets/{dataset_id}/records", summary="Explore v2.1: query records")
def records(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    rv = readable(platform, principal, dataset_id)
    p = parse_params(request, mode="records")
    base = Query(select=p.select, where=conditions(p, rv.schema), group_by=p.group_by,
                 order_by=p.order_by, limit=p.limit, offset=p.offset, timezone=p.timezone)
    plain = _is_plain(base)
    identity = plain and p.include_links
    query = Query(**{**base.__dict__, "with_row_number": identity,
                     "record_id_fields": rv.record_key if identity else None})
    engine = platform.engine
    assert p.limit is not None
    if p.limit <= engine.max_rows:
        result = engine.execute(query, rv.schema, rv.path, with_total=plain or bool(p.group_by))
        rows, total = result.records(), result.total
    else:  # a grouped page larger than one engine call: several calls, each with its timeout
        rows, total = [], None
        for start in range(p.offset, p.offset + p.limit, engine.max_rows):
            size = min(engine.max_rows, p.offset + p.limit - start)
            part = engine.execute(Query(**{**query.__dict__, "limit": size, "offset": start}),
                                  rv.schema, rv.path, with_total=total is None)
            total = part.total if total is None else total
            rows.extend(part.records())
            if len(part.rows) < size:
                break
    types = v2_exports.column_types(query, rv.schema)
    out = [v2_exports.flat_record(row, types, p.tz) for row in rows]
    if identity:
        _with_identity(platform, rv, request, rows, out)
    body: dict[str, Any] = {"total_count": total if total is not None else len(out), "results": out}
    if p.include_links:
        body["_links"] = [{"rel": "self", "href": str(request.url)}]
    return JSONResponse(body)


@router.get(PREFIX + "/catalog/datasets/{dataset_id}/records/{record_id}", summary="Explore v2.1: one record")
def record(
    dataset_id: str,
    record_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    rv = readable(platform, principal, dataset_id)
    p = parse_params(request, mode="facets")
    select = parse_select(p.raw["select"]) if p.raw.get("select") else ()
    if any(isinstance(s.expr, Aggregate) for s in select):
        raise QueryError("a single record cannot be aggregated")
    query = Query(select=select, where=RecordIdIs(record_id[:200], rv.record_key),
                  record_id_fields=rv.record_key, limit=1, timezone=p.timezone)
    rows = platform.engine.execute(query, rv.schema, rv.path).records()
    if not rows:
        raise RecordNotFound(f"record {record_id[:100]!r} not found in dataset {rv.dataset_id!r}")
    return JSONResponse(v2_exports.flat_record(rows[0], v2_exports.column_types(query, rv.schema), p.tz))


@router.get(PREFIX + "/catalog/datasets/{dataset_id}/exports/{format}", summary="Explore v2.1: export records",
            response_model=None)
def export(
    dataset_id: str,
    format: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> StreamingResponse | FileResponse:
    rv = readable(platform, principal, dataset_id)
    p = parse_params(request, mode="export")
    fmt = format.lower()
    if fmt not in v2_exports.DATASET_FORMATS:
        raise InvalidRequest(f"Invalid value for format API parameter: {format[:30]!r} was found but one of "
                             f"{', '.join(v2_exports.DATASET_FORMATS)} is expected.")
    query = Query(select=p.select, where=conditions(p, rv.schema), group_by=p.group_by,
                  order_by=p.order_by, limit=p.limit, offset=p.offset, timezone=p.timezone)
    labels = None
    if v2_exports.flag(p.raw, "use_labels", False):
        labels = {f.name: f.title or f.name for f in rv.schema.fields}
    stream = platform.engine.stream(query, rv.schema, rv.path)
    return v2_exports.export_rows(platform, fmt, rv.dataset_id, stream.columns, stream.schema, stream.batches,
                                  v2_exports.column_types(query, rv.schema), p.tz, p.raw, labels)


@router.get(PREFIX + "/catalog/datasets/{dataset_id}/attachments", summary="Explore v2.1: attachments")
def attachments(
    dataset_id: str,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    with platform.db.session() as session:
        gate.get_dataset(session, principal, dataset_id)
    return JSONResponse({"links": [], "attachments": []})


# -- facets ----------------------------------------------------------------------------------

_FACET_CALL = re.compile(r"^\s*facet\s*\((?P<args>.*)\)\s*$", re.S | re.I)
_FACET_ARG = re.compile(
    r"""\s*(?P<key>[A-Za-z_]+)\s*=\s*(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^,]*?)\s*(?:,|$)""", re.S
)
FACET_SORTS = {"count", "-count", "alphanum", "-alphanum", "num", "-num"}


@dataclass
class FacetSpec:
    name: str
    disjunctive: bool = False
    sort: str = "-count"
    limit: int = 100


def parse_facet(text: str) -> FacetSpec:
    """``name`` or ``facet(name="X", disjunctive=true, sort="-count", limit=10)``."""
    call = _FACET_CALL.match(text)
    if call is None:
        if not re.fullmatch(r"\s*[A-Za-z_][A-Za-z0-9_.\-]*\s*", text):
            raise QueryError(f"invalid facet {text[:80]!r}: give a field name or facet(name=\"field\", …)")
        return FacetSpec(text.strip())
    args: dict[str, str] = {}
    rest, pos = call.group("args"), 0
    while pos < len(rest) and rest[pos:].strip():
        match = _FACET_ARG.match(rest, pos)
        if match is None or match.end() == pos:
            raise QueryError(f"invalid facet arguments at position {pos}: {rest[pos:pos + 40]!r}")
        value = match.group("value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        args[match.group("key").lower()] = value
        pos = match.end()
    unknown = set(args) - {"name", "disjunctive", "sort", "limit", "hierarchical", "separator"}
    if unknown or not args.get("name"):
        raise QueryError(f"facet() needs name=\"field\" and knows disjunctive, sort, limit; got {sorted(args)[:5]}")
    spec = FacetSpec(args["name"])
    if "disjunctive" in args:
        spec.disjunctive = v2_exports.flag(args, "disjunctive", False)
    if "sort" in args:
        if args["sort"] not in FACET_SORTS:
            raise QueryError(f"facet sort must be one of {', '.join(sorted(FACET_SORTS))}")
        spec.sort = args["sort"]
    if "limit" in args:
        spec.limit = _integer(args, "limit", 100)
        if not 1 <= spec.limit <= MAX_FACET_LIMIT:
            raise QueryError(f"facet limit must be between 1 and {MAX_FACET_LIMIT}")
    return spec


def _facet_counts(platform: Platform, rv: ReadableVersion, name: str, where: Expr | None, limit: int,
                  timezone: str, key: Expr | None = None) -> list[tuple[Any, int]]:
    """(value, count) of a field among the matching records, most frequent first (dates by
    year). Ordered by the select aliases, so a key with bound parameters is compiled once."""
    key = key or facet_key(rv.schema, name)
    has_value = IsNull(FieldRef(name), negated=True)
    query = Query(
        select=(SelectItem(key, "__value"), SelectItem(Aggregate("count"), "__count")),
        where=has_value if where is None else And((where, has_value)),
        group_by=(SelectItem(key),),
        order_by=(OrderItem(FieldRef("__count"), descending=True), OrderItem(FieldRef("__value"))),
        limit=limit, timezone=timezone,
    )
    return [(row[0], row[1]) for row in platform.engine.execute(query, rv.schema, rv.path).rows]


def facet_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _facet_entry(name: str, count: int | None, state: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "value": name, "state": state}
    if count is not None:
        entry["count"] = count
    return entry


def _sorted_values(values: list[tuple[str, Any, int]], sort: str) -> list[tuple[str, Any, int]]:
    if sort in {"count", "-count"}:
        return sorted(values, key=lambda v: (-v[2], v[0]))
    reverse = sort.startswith("-")
    if sort.endswith("num") and not sort.endswith("alphanum"):
        return sorted(values, key=lambda v: (v[1] is None, v[1] if isinstance(v[1], int | float) else 0), reverse=reverse)
    return sorted(values, key=lambda v: v[0], reverse=reverse)


def _date_path(value: str) -> str:
    """``2024-3`` / ``2024/03`` → ``2024/03`` (a date facet's path)."""
    parts = [part for part in re.split(r"[/-]", value.strip()) if part]
    return "/".join([parts[0], *(part.zfill(2) for part in parts[1:3])]) if parts else ""


def _refined(field_type: str, name: str, refined: list[str]) -> bool:
    if field_type in {"date", "datetime"}:  # a date facet is refined by 2024, 2024/03, …
        return any(_date_path(r) == name or _date_path(r).startswith(name + "/") for r in refined)
    return name in refined


DATE_LEVELS = ("yyyy/MM", "yyyy/MM/dd")


def _date_children(platform: Platform, rv: ReadableVersion, p: V2Params, name: str, where: Expr | None,
                   path: str, refined: list[str]) -> list[dict[str, Any]]:
    """Below a refined year its months, below a refined month its days (Opendatasoft's
    hierarchical date facets); ``value`` is the path to refine on, ``name`` the last part."""
    depth = path.count("/")
    if depth >= len(DATE_LEVELS):
        return []
    inside = _refinement(rv.schema, name, path, p.tz)
    key = Function("date_format", (FieldRef(name), Literal(DATE_LEVELS[depth])))
    counted = _facet_counts(platform, rv, name, inside if where is None else And((where, inside)),
                            MAX_FACET_LIMIT, p.timezone, key)
    children = []
    for value, count in sorted(counted, key=lambda vc: str(vc[0])):
        child_path = str(value)
        refined_here = _refined("date", child_path, refined)
        child = {"name": child_path.rsplit("/", 1)[-1], "value": child_path, "count": count,
                 "state": "refined" if refined_here else "displayed"}
        if refined_here:
            child["facets"] = _date_children(platform, rv, p, name, where, child_path, refined)
        children.append(child)
    return children


@router.get(PREFIX + "/catalog/datasets/{dataset_id}/facets", summary="Explore v2.1: facet values")
def facets(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    rv = readable(platform, principal, dataset_id)
    p = parse_params(request, mode="facets")
    specs = [parse_facet(v) for v in request.query_params.getlist("facet")]
    if not specs:  # no facet named: every text, boolean and date field
        specs = [FacetSpec(f.name) for f in rv.schema.fields if f.type in {"string", "boolean", "date", "datetime"}]
    groups = []
    for spec in specs:
        f = rv.schema.get(spec.name)
        where = conditions(p, rv.schema, skip_refine=spec.name if spec.disjunctive else None)
        fetch = spec.limit if spec.sort in {"count", "-count"} else MAX_FACET_LIMIT
        counted = _facet_counts(platform, rv, spec.name, where, fetch, p.timezone)
        values = _sorted_values([(facet_name(v), v, n) for v, n in counted], spec.sort)
        refined = p.refine.get(spec.name, [])
        entries = [
            _facet_entry(name, count, "refined" if f and _refined(f.type, name, refined) else "displayed")
            for name, _, count in values[: spec.limit]
        ]
        if f is not None and f.type in {"date", "datetime"}:
            for entry in entries:
                if entry["state"] == "refined":
                    entry["facets"] = _date_children(platform, rv, p, spec.name, where, entry["name"], refined)
        shown = {e["name"] for e in entries}
        entries.extend(_facet_entry(v, None, "excluded") for v in p.exclude.get(spec.name, []) if v not in shown)
        groups.append({"name": spec.name, "facets": entries})
    return JSONResponse({"links": [], "facets": groups})


# -- the catalogue ---------------------------------------------------------------------------


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def v2_dataset(dataset: Dataset, lang: str = "nl") -> dict[str, Any]:
    """One dataset in Explore v2.1's shape (``metas.default``, typed ``fields``)."""
    version = next((v for v in dataset.versions if v.number == dataset.published_version), None)
    fields = version.table_schema.get("fields", []) if version else []
    features = ["analyze"]
    if any(f["type"] in {"date", "datetime"} for f in fields):
        features.append("timeserie")
    if any(f["type"] in {"geopoint", "geometry"} for f in fields):
        features.append("geo")
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
            "timezone": None,
            "modified": iso_datetime(_utc(dataset.updated_at), utc),
            "data_processed": iso_datetime(_utc(version.created_at), utc) if version else None,
            "metadata_processed": iso_datetime(_utc(dataset.updated_at), utc),
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
        return {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right,
                ">": left > right, ">=": left >= right}[op]
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
        present.sort(key=lambda d, n=name: _catalog_values(d)[n], reverse=item.descending)
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


@router.get(PREFIX + "/catalog/datasets", summary="Explore v2.1: the catalogue")
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


@router.get(PREFIX + "/catalog/datasets/{dataset_id}", summary="Explore v2.1: one dataset")
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
            response_model=None)
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
        return StreamingResponse(v2_exports.json_export(iter(matches)), media_type="application/json",
                                 headers=disposition)
    if format == "csv":
        return StreamingResponse(v2_exports.catalog_csv(matches, p.raw), media_type="text/csv; charset=utf-8",
                                 headers=disposition)
    raise InvalidRequest(f"Invalid value for format API parameter: {format[:30]!r} was found but one of "
                         "csv, json is expected.")


@router.get(PREFIX + "/catalog/facets", summary="Explore v2.1: facets of the catalogue")
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
        values = _sorted_values([(k, k, n) for k, n in counts.items()], spec.sort)[: spec.limit]
        refined = p.refine.get(spec.name, [])
        groups.append({"name": spec.name, "facets": [
            _facet_entry(name, count, "refined" if name in refined else "displayed") for name, _, count in values
        ]})
    return JSONResponse({"links": [], "facets": groups})

