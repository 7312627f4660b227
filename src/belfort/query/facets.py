"""Facets: how many records have each value of a field, under the current filters.

Used by every dialect that shows facets (Opendatasoft v1 ``facet_groups``, v2.1
``facets``, the portal's search filters). Date and datetime fields facet by year,
as Opendatasoft's first level does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from belfort.errors import QueryError
from belfort.query.disclosure import Disclosure
from belfort.query.engine import QueryEngine
from belfort.query.model import (
    Aggregate,
    And,
    Expr,
    FieldRef,
    Function,
    IsNull,
    ListValues,
    Literal,
    OrderItem,
    Query,
    SelectItem,
)
from belfort.schema import TableSchema

FACETABLE = {"string", "integer", "number", "boolean", "date", "datetime"}
DEFAULT_FACET_LIMIT = 100


@dataclass
class FacetValue:
    value: Any
    count: int


@dataclass
class Facet:
    name: str
    total: int | None  # records with a value for this field (None: withheld by a threshold)
    values: list[FacetValue]
    suppressed: int = 0  # values withheld by an aggregation threshold


def facet_key(schema: TableSchema, name: str) -> Expr:
    f = schema.get(name)
    if f is None:
        raise QueryError(f"unknown facet field {name[:100]!r}", details={"field": name[:100]})
    if f.type not in FACETABLE:
        raise QueryError(f"cannot facet on a {f.type} field ({name!r})")
    if f.type in {"date", "datetime"}:
        return Function("date_format", (FieldRef(name), Literal("yyyy")))
    if f.separator:  # a multivalued field counts each of its values
        return ListValues(name)
    return FieldRef(name)


def facet_query(schema: TableSchema, name: str, where: Expr | None, limit: int,
                timezone: str | None = None, key: Expr | None = None) -> Query:
    """The question behind one facet as Explore v2.1 asks it: each value of ``name`` (or of
    ``key``, e.g. a date's month) with its number of records among those matching ``where``
    that have a value, most frequent first, then by value. Ordered by the select aliases, so
    a key with bound parameters is compiled once."""
    key = key or facet_key(schema, name)
    has_value = IsNull(FieldRef(name), negated=True)
    return Query(
        select=(SelectItem(key, "__value"), SelectItem(Aggregate("count"), "__count")),
        where=has_value if where is None else And((where, has_value)),
        group_by=(SelectItem(key),),
        order_by=(OrderItem(FieldRef("__count"), descending=True), OrderItem(FieldRef("__value"))),
        limit=limit, timezone=timezone,
    )


def compute_facet(
    engine: QueryEngine,
    schema: TableSchema,
    path: Path,
    name: str,
    where: Expr | None,
    *,
    limit: int = DEFAULT_FACET_LIMIT,
    sort: str = "count",
    timezone: str | None = None,
    disclosure: Disclosure | None = None,
) -> Facet:
    """Values of ``name`` with their counts among the records matching ``where``.

    ``sort`` is ``count`` (most frequent first, then by value) or ``alphanum``. Under an
    aggregation threshold (``disclosure``) the values and the total are the released ones:
    a value with fewer than k records (and the values that would reveal it through the
    total) is left out and counted in ``suppressed``; a total below k is None.
    """
    key = facet_key(schema, name)
    order = (
        (OrderItem(Aggregate("count"), descending=True), OrderItem(key))
        if sort == "count"
        else (OrderItem(key),)
    )
    has_value = IsNull(FieldRef(name), negated=True)
    condition = has_value if where is None else And((where, has_value))
    query = Query(
        select=(SelectItem(key, "value"), SelectItem(Aggregate("count"), "count")),
        where=condition,
        group_by=(SelectItem(key),),
        order_by=order,
        limit=limit,
        timezone=timezone,
    )
    result = engine.execute(query, schema, path, disclosure=disclosure)
    total = engine.execute(
        Query(select=(SelectItem(Aggregate("count"), "n"),), where=condition), schema, path,
        disclosure=disclosure,
    ).rows[0][0]
    return Facet(
        name=name,
        total=total,
        values=[FacetValue(value=row[0], count=row[1]) for row in result.rows],
        suppressed=result.suppressed,
    )
