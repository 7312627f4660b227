"""Opendatasoft Explore API v2.1 (``/api/explore/v2.1/…``), as newer Ghent code calls it.

ODSQL parameters (``select``, ``where``, ``group_by``, ``order_by``) are parsed by
``belfort.query.odsql`` into the one query model; ``refine``/``exclude`` become
conditions; the engine answers; every read passes the gate (``readable`` /
``gate.visible_datasets``). Errors get Opendatasoft's body in ``belfort.api.errors``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from belfort.api.deps import base_url, get_platform, get_principal
from belfort.api.fields import version_dictionary
from belfort.api.ods import params as ods_params
from belfort.api.ods import v2_exports
from belfort.api.ods.common import record_timestamp, timezone_of
from belfort.api.ods.records import _refinement
from belfort.api.responses import JSONResponse
from belfort.api.self_links import route_path
from belfort.errors import InvalidRequest, NotFound, QueryError
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.access import Action
from belfort.policy.principals import Principal
from belfort.policy.reading import ReadableVersion, audit_access, disclosure_of, readable
from belfort.query.disclosure import Disclosure
from belfort.query.facets import facet_query
from belfort.query.model import (
    RECORD_ID_COLUMN,
    ROW_NUMBER_COLUMN,
    Aggregate,
    And,
    Expr,
    FieldRef,
    Function,
    Literal,
    Not,
    Or,
    OrderItem,
    Query,
    RecordIdIs,
    SelectItem,
)
from belfort.query.odsql import parse_group_by, parse_order_by, parse_select, parse_where
from belfort.schema import TableSchema

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
    base = base_url(request)
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


@router.get(PREFIX + "/catalog/datasets/{dataset_id}/records", summary="Explore v2.1: query records",
            openapi_extra=ods_params.V2_RECORDS.openapi())
def records(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    rv = readable(platform, principal, dataset_id, action=Action.AGGREGATE, audit=False)
    disclosure = disclosure_of(platform, rv)  # a grant of aggregates only: the engine's k
    p = parse_params(request, mode="records")
    base = Query(select=p.select, where=conditions(p, rv.schema), group_by=p.group_by,
                 order_by=p.order_by, limit=p.limit, offset=p.offset, timezone=p.timezone)
    plain = _is_plain(base)
    audit_access(platform, principal, rv, Action.AGGREGATE if base.group_by or any(
        isinstance(s.expr, Aggregate) for s in base.select) else Action.READ)
    identity = plain and p.include_links
    query = Query(**{**base.__dict__, "with_row_number": identity,
                     "record_id_fields": rv.record_key if identity else None})
    engine = platform.engine
    assert p.limit is not None
    if p.limit <= engine.max_rows:
        result = engine.execute(query, rv.schema, rv.path, with_total=plain or bool(p.group_by),
                                disclosure=disclosure)
        rows, total, suppressed = result.records(), result.total, result.suppressed
    else:  # a grouped page larger than one engine call: several calls, each with its timeout
        rows, total, suppressed = [], None, 0
        for start in range(p.offset, p.offset + p.limit, engine.max_rows):
            size = min(engine.max_rows, p.offset + p.limit - start)
            part = engine.execute(Query(**{**query.__dict__, "limit": size, "offset": start}),
                                  rv.schema, rv.path, with_total=total is None,
                                  disclosure=disclosure)
            total = part.total if total is None else total
            suppressed = part.suppressed  # counted over all groups: the same in every part
            rows.extend(part.records())
            if len(part.rows) < size:
                break
    platform.usage.record(rv.dataset_id, rows=len(rows), public=rv.public_use)
    types = v2_exports.column_types(query, rv.schema)
    out = [v2_exports.flat_record(row, types, p.tz) for row in rows]
    v2_exports.split_lists(out, v2_exports.list_columns(query, rv.schema))
    if identity:
        _with_identity(platform, rv, request, rows, out)
    body: dict[str, Any] = {"total_count": total if total is not None else len(out), "results": out}
    if disclosure is not None:  # groups withheld by the aggregation threshold
        body["suppressed"] = suppressed
    if p.include_links:
        search = f"?{request.url.query}" if request.url.query else ""
        body["_links"] = [{"rel": "self", "href": f"{base_url(request)}{route_path(request)}{search}"}]
    return JSONResponse(body)


@router.get(PREFIX + "/catalog/datasets/{dataset_id}/records/{record_id}", summary="Explore v2.1: one record",
            openapi_extra=ods_params.V2_RECORD.openapi())
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
    out = [v2_exports.flat_record(rows[0], v2_exports.column_types(query, rv.schema), p.tz)]
    v2_exports.split_lists(out, v2_exports.list_columns(query, rv.schema))
    return JSONResponse(out[0])


@router.get(PREFIX + "/catalog/datasets/{dataset_id}/exports/{format}", summary="Explore v2.1: export records",
            response_model=None, openapi_extra=ods_params.V2_EXPORT.openapi())
def export(
    dataset_id: str,
    format: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> Response:
    rv = readable(platform, principal, dataset_id, action=Action.EXPORT)
    p = parse_params(request, mode="export")
    fmt = format.lower()
    if fmt not in v2_exports.DATASET_FORMATS:
        raise InvalidRequest(f"Invalid value for format API parameter: {format[:30]!r} was found but one of "
                             f"{', '.join(v2_exports.DATASET_FORMATS)} is expected.")
    query = Query(select=p.select, where=conditions(p, rv.schema), group_by=p.group_by,
                  order_by=p.order_by, limit=p.limit, offset=p.offset, timezone=p.timezone)
    labels = None
    use_labels = v2_exports.flag(p.raw, "use_labels", False)
    # the data dictionary: labels in the asked language, and the XLSX "Velden" sheet
    fields = version_dictionary(platform, rv) if use_labels or fmt == "xlsx" else None
    if use_labels and fields is not None:
        labels = {e.name: e.label(p.lang) for e in fields}
    stream = platform.engine.stream(query, rv.schema, rv.path)
    batches = platform.usage.count_rows(rv.dataset_id, stream.batches, public=rv.public_use)
    return v2_exports.export_rows(platform, fmt, rv.dataset_id, stream, batches,
                                  v2_exports.column_types(query, rv.schema), p.tz, p.raw, labels,
                                  v2_exports.list_columns(query, rv.schema), fields)


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
                  timezone: str, key: Expr | None = None, disclosure: Disclosure | None = None
                  ) -> tuple[list[tuple[Any, int]], int]:
    """(value, count) of a field among the matching records, most frequent first (dates by
    year), and how many values an aggregation threshold (``disclosure``) withheld."""
    query = facet_query(rv.schema, name, where, limit, timezone, key)
    result = platform.engine.execute(query, rv.schema, rv.path, disclosure=disclosure)
    return [(row[0], row[1]) for row in result.rows], result.suppressed


def facet_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def facet_entry(name: str, count: int | None, state: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "value": name, "state": state}
    if count is not None:
        entry["count"] = count
    return entry


def sorted_values(values: list[tuple[str, Any, int]], sort: str) -> list[tuple[str, Any, int]]:
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
                   path: str, refined: list[str], disclosure: Disclosure | None = None
                   ) -> tuple[list[dict[str, Any]], int]:
    """Below a refined year its months, below a refined month its days (Opendatasoft's
    hierarchical date facets); ``value`` is the path to refine on, ``name`` the last part."""
    depth = path.count("/")
    if depth >= len(DATE_LEVELS):
        return [], 0
    inside = _refinement(rv.schema, name, path, p.tz)
    key = Function("date_format", (FieldRef(name), Literal(DATE_LEVELS[depth])))
    counted, suppressed = _facet_counts(platform, rv, name,
                                        inside if where is None else And((where, inside)),
                                        MAX_FACET_LIMIT, p.timezone, key, disclosure)
    children = []
    for value, count in sorted(counted, key=lambda vc: str(vc[0])):
        child_path = str(value)
        refined_here = _refined("date", child_path, refined)
        child = {"name": child_path.rsplit("/", 1)[-1], "value": child_path, "count": count,
                 "state": "refined" if refined_here else "displayed"}
        if refined_here:
            _with_children(child, _date_children(platform, rv, p, name, where, child_path,
                                                 refined, disclosure), disclosure)
        children.append(child)
    return children, suppressed


def _with_children(entry: dict[str, Any], children: tuple[list[dict[str, Any]], int],
                   disclosure: Disclosure | None) -> None:
    """A refined date facet's values below it, and under a threshold how many it withheld."""
    entry["facets"] = children[0]
    if disclosure is not None:
        entry["suppressed"] = children[1]


@router.get(PREFIX + "/catalog/datasets/{dataset_id}/facets", summary="Explore v2.1: facet values",
            openapi_extra=ods_params.V2_FACETS.openapi())
def facets(
    dataset_id: str,
    request: Request,
    platform: Platform = Depends(get_platform),
    principal: Principal = Depends(get_principal),
) -> JSONResponse:
    # counts are aggregates: a grant of aggregates only gets them thresholded (its k)
    rv = readable(platform, principal, dataset_id, action=Action.AGGREGATE)
    disclosure = disclosure_of(platform, rv)
    p = parse_params(request, mode="facets")
    specs = [parse_facet(v) for v in request.query_params.getlist("facet")]
    if not specs:  # no facet named: every text, boolean and date field
        specs = [FacetSpec(f.name) for f in rv.schema.fields if f.type in {"string", "boolean", "date", "datetime"}]
    groups = []
    for spec in specs:
        f = rv.schema.get(spec.name)
        where = conditions(p, rv.schema, skip_refine=spec.name if spec.disjunctive else None)
        fetch = spec.limit if spec.sort in {"count", "-count"} else MAX_FACET_LIMIT
        counted, suppressed = _facet_counts(platform, rv, spec.name, where, fetch, p.timezone,
                                            disclosure=disclosure)
        values = sorted_values([(facet_name(v), v, n) for v, n in counted], spec.sort)
        refined = p.refine.get(spec.name, [])
        entries = [
            facet_entry(name, count, "refined" if f and _refined(f.type, name, refined) else "displayed")
            for name, _, count in values[: spec.limit]
        ]
        if f is not None and f.type in {"date", "datetime"}:
            for entry in entries:
                if entry["state"] == "refined":
                    _with_children(entry, _date_children(platform, rv, p, spec.name, where,
                                                         entry["name"], refined, disclosure),
                                   disclosure)
        shown = {e["name"] for e in entries}
        entries.extend(facet_entry(v, None, "excluded") for v in p.exclude.get(spec.name, []) if v not in shown)
        group: dict[str, Any] = {"name": spec.name, "facets": entries}
        if disclosure is not None:  # values withheld by the aggregation threshold
            group["suppressed"] = suppressed
        groups.append(group)
    return JSONResponse({"links": [], "facets": groups})


# -- the catalogue ---------------------------------------------------------------------------
