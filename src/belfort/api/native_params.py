"""The native dialect: URL parameters of ``/api/belfort/v1/datasets/{id}/records`` → ``Query``.

    ?select=sensor,sum(aantal),count(*)   fields and aggregates (count, sum, avg, min, max,
                                          median, stddev; count(distinct f))
    &group_by=sensor                      group keys
    &order_by=-sum(aantal),sensor         "-" = descending
    &limit=100&offset=0
    &aantal__gte=10&sensor=Korenmarkt     filters: field[__op]=value, op one of
                                          eq (default), ne, gt, gte, lt, lte, in (comma list),
                                          isnull (true/false), contains, startswith
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from belfort.api.params import Param, ParamSpec, integer
from belfort.errors import QueryError
from belfort.query.compiler import like_escape
from belfort.query.model import (
    Aggregate,
    And,
    Compare,
    Expr,
    FieldRef,
    In,
    IsNull,
    Like,
    Literal,
    OrderItem,
    Query,
    SelectItem,
)

RECORDS = ParamSpec(
    Param("select", "Comma-separated fields and aggregates: `count(*)`, `count(distinct f)`, `sum(f)`, "
          "`avg(f)`, `min(f)`, `max(f)`, `median(f)`, `stddev(f)`. Default: every field.",
          example="telpunt,sum(aantal)"),
    Param("group_by", "Comma-separated group keys.", example="telpunt"),
    Param("order_by", "Comma-separated fields or aggregates; `-` in front sorts descending.",
          example="-sum(aantal)"),
    Param("limit", "Number of rows (default BELFORT_QUERY_DEFAULT_ROWS).", integer()),
    Param("offset", "Rows to skip.", integer(0)),
    Param("{field}[__{op}]", "Filters, ANDed: `field=value` (equal), or `field__op=value` with op one of "
          "`eq`, `ne`, `gt`, `gte`, `lt`, `lte`, `in` (comma list), `isnull` (true/false), `contains` "
          "(any case), `startswith`. Every other parameter name is read as a filter.",
          pattern=r".+", example={"aantal__gte": "10", "telpunt": "Korenmarkt"}),
    error=QueryError,
)
EXPORT = RECORDS.without("limit", "offset")

RESERVED = {"select", "group_by", "order_by", "limit", "offset", "version", "apikey", "include_total"}
COMPARISONS = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
AGGREGATE_PATTERN = re.compile(r"^(\w+)\(\s*(distinct\s+)?([^()]*?)\s*\)$", re.IGNORECASE)
MAX_PARAM_LENGTH = 4000
MAX_ITEMS = 100


def _split(value: str) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    if len(items) > MAX_ITEMS:
        raise QueryError(f"at most {MAX_ITEMS} items per parameter")
    return items


def parse_select_item(text: str) -> Expr:
    match = AGGREGATE_PATTERN.match(text)
    if not match:
        return FieldRef(text)
    func, distinct, arg = match.group(1).lower(), bool(match.group(2)), match.group(3)
    if arg == "*":
        if func != "count" or distinct:
            raise QueryError(f"{text!r}: only count(*) takes *")
        return Aggregate("count")
    return Aggregate(func, FieldRef(arg), distinct=distinct)


def parse_filter(name: str, value: str) -> Expr:
    field, _, op = name.partition("__")
    op = op or "eq"
    ref = FieldRef(field)
    if op in COMPARISONS:
        return Compare(COMPARISONS[op], ref, Literal(value))
    if op == "in":
        return In(ref, tuple(Literal(v) for v in _split(value)))
    if op == "isnull":
        flag = value.strip().lower()
        if flag not in {"true", "false", "1", "0"}:
            raise QueryError(f"{name}: use true or false")
        return IsNull(ref, negated=flag in {"false", "0"})
    if op == "contains":
        return Like(ref, f"%{like_escape(value)}%", ci=True)
    if op == "startswith":
        return Like(ref, f"{like_escape(value)}%")
    raise QueryError(f"unknown filter operator {op[:30]!r} in {name[:100]!r}")


def _int(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise QueryError(f"{name} must be a whole number") from None


def parse_records_params(items: Iterable[tuple[str, str]], default_limit: int) -> Query:
    """Build a Query from the request's query-string pairs (repeated filters are ANDed)."""
    params: dict[str, str] = {}
    filters: list[Expr] = []
    for name, value in items:
        if len(value) > MAX_PARAM_LENGTH or len(name) > 200:
            raise QueryError("parameter too long")
        if name in RESERVED:
            params[name] = value
        else:
            filters.append(parse_filter(name, value))
    select = tuple(SelectItem(parse_select_item(s)) for s in _split(params.get("select", "")))
    group_by = tuple(SelectItem(FieldRef(g)) for g in _split(params.get("group_by", "")))
    order_by = tuple(
        OrderItem(parse_select_item(o.lstrip("-")), descending=o.startswith("-"))
        for o in _split(params.get("order_by", ""))
    )
    limit = _int(params, "limit", default_limit)
    offset = _int(params, "offset", 0)
    if offset < 0 or limit < 0:
        raise QueryError("limit and offset must not be negative")
    return Query(
        select=select,
        where=And(tuple(filters)) if filters else None,
        group_by=group_by,
        order_by=order_by,
        limit=limit,
        offset=offset,
    )
