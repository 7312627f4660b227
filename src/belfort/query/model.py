"""The one internal query model.

Every dialect (the native JSON API today; Opendatasoft v1/v2.1, SPARQL views and
dashboard tiles later) parses its request into a ``Query`` and hands it to the
engine. The model is plain data: expressions over the fields of one dataset version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Union

LiteralValue = Union[None, bool, int, float, str, date, datetime]


@dataclass(frozen=True)
class FieldRef:
    name: str


@dataclass(frozen=True)
class Literal:
    value: LiteralValue


@dataclass(frozen=True)
class Arithmetic:
    op: str  # + - * / %
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Function:
    """A scalar function from the engine's whitelist (``compiler.SCALAR_FUNCTIONS``)."""

    name: str
    args: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class Aggregate:
    """count/sum/avg/min/max/median/stddev/percentile; ``arg`` None means count(*)."""

    func: str
    arg: Expr | None = None
    distinct: bool = False
    param: float | None = None  # percentile: 0–100


@dataclass(frozen=True)
class Compare:
    op: str  # = != < <= > >=
    left: Expr
    right: Expr


@dataclass(frozen=True)
class In:
    expr: Expr
    values: tuple[Expr, ...]
    negated: bool = False


@dataclass(frozen=True)
class IsNull:
    expr: Expr
    negated: bool = False


@dataclass(frozen=True)
class Like:
    """SQL LIKE with ``%`` and ``_``; case-insensitive when ``ci``."""

    expr: Expr
    pattern: str
    ci: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Search:
    """Full-text match: every word of ``text`` occurs (case-insensitively, as a substring)
    in at least one of ``fields`` — all text fields when ``fields`` is empty."""

    text: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class WithinDistance:
    """A geopoint field lies within ``meters`` of (lat, lon) (great-circle distance)."""

    field: str
    lat: float
    lon: float
    meters: float


@dataclass(frozen=True)
class InBBox:
    """A geopoint field lies in the box spanned by two corners (lat, lon)."""

    field: str
    lat1: float
    lon1: float
    lat2: float
    lon2: float


@dataclass(frozen=True)
class InPolygon:
    """A geopoint field lies inside the polygon ``points`` ((lat, lon), …; ring closed or not)."""

    field: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class RecordIdIs:
    """The record whose id (see ``Query.record_id_fields``) is ``value``."""

    value: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListValues:
    """Each value of a multivalued text field on its own row (a facet key only)."""

    field: str


@dataclass(frozen=True)
class ListContains:
    """The multivalued text field holds ``value`` among its values."""

    field: str
    value: str


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    item: Expr


Expr = Union[
    FieldRef, Literal, Arithmetic, Function, Aggregate, Compare, In, IsNull, Like,
    Search, WithinDistance, InBBox, InPolygon, RecordIdIs, ListValues, ListContains, And, Or, Not,
]


@dataclass(frozen=True)
class SelectItem:
    expr: Expr
    alias: str | None = None


@dataclass(frozen=True)
class OrderItem:
    expr: Expr
    descending: bool = False


@dataclass(frozen=True)
class Query:
    """SELECT … WHERE … GROUP BY … ORDER BY … LIMIT … OFFSET over one dataset version.

    ``select`` empty means every field. With ``group_by``, ``select`` may only hold
    group keys and aggregates.
    """

    select: tuple[SelectItem, ...] = ()
    where: Expr | None = None
    group_by: tuple[SelectItem, ...] = ()
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int = 0
    # Bookkeeping columns for dialects that identify records (not for grouped queries):
    # ROW_NUMBER_COLUMN (the row's position in the version file) and RECORD_ID_COLUMN
    # (a stable id from the values of ``record_id_fields``; see docs/record-ids.md).
    with_row_number: bool = False
    record_id_fields: tuple[str, ...] | None = None
    # The zone in which date functions (date_format, year(), …) read datetimes;
    # None: Ghent's own zone, Europe/Brussels. Opendatasoft dialects pass their
    # ``timezone`` parameter (default UTC there).
    timezone: str | None = None


ROW_NUMBER_COLUMN = "__row"
RECORD_ID_COLUMN = "__recordid"


def field_refs(expr: Expr | None) -> list[str]:
    """Names of all fields an expression mentions (for access checks and docs)."""
    if expr is None:
        return []
    if isinstance(expr, FieldRef):
        return [expr.name]
    if isinstance(expr, Search):
        return list(expr.fields)
    if isinstance(expr, WithinDistance | InBBox | InPolygon):
        return [expr.field]
    children: list[Expr | None] = []
    if isinstance(expr, Arithmetic | Compare):
        children = [expr.left, expr.right]
    elif isinstance(expr, Function):
        children = list(expr.args)
    elif isinstance(expr, Aggregate):
        children = [expr.arg]
    elif isinstance(expr, In):
        children = [expr.expr, *expr.values]
    elif isinstance(expr, IsNull | Like):
        children = [expr.expr]
    elif isinstance(expr, And | Or):
        children = list(expr.items)
    elif isinstance(expr, Not):
        children = [expr.item]
    return [name for child in children for name in field_refs(child)]
