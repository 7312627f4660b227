"""Aggregation thresholds: what a principal limited to aggregates may be told.

The gate sets a ``Disclosure`` per request from the principal's grant
(``Grant.min_group_size``); the engine (``QueryEngine.execute(..., disclosure=...)``)
then answers only aggregate questions, and only with groups of at least ``k`` rows
(``suppression.suppress``: primary and secondary suppression). What it does, in order:

1. **Refuse what reveals rows** (``check_query``): record listings, row numbers and record
   ids (``AggregatesOnly``); aggregates that return one row's value or a few rows' values
   (min, max, median, percentile, sum/avg of distinct values); conditions inside an
   aggregate (``avg(name = 'X')`` is a filter the rules below never see); record-id filters;
   filters on fields outside ``filter_fields`` (``DisclosureRefused``).
2. **Count contributors**: the query is run over all its groups (not just the page) with
   each group's row count and key values (``counted_query``: columns added when not
   selected already). The released answer is kept under the question and the rule.
3. **Population rule** (against differencing with "everyone" vs. "everyone but one"): when
   the query filters, the filtered rows and the rows the filter leaves out of the
   ``population`` (the grant's row filter; all rows when None) must each be none or at
   least ``k``; otherwise nothing is released.
4. **Suppress** cells below ``k`` (and zeros when ``suppress_zeros``) and the cells needed
   so that no suppressed one follows from the released margins; suppressed groups are
   *omitted* (an omitted group's key may itself be the secret: "somebody on this street"),
   their number reported as ``suppressed``. A query without grouping is one cell: when
   suppressed its row is kept with every value ``None`` (Eurostat ":c").
5. **Noise** (optional, ``epsilon``): each released count gets discrete Laplace noise of
   scale 1/epsilon (OpenDP), so one query is epsilon-differentially private for counts.
   Sums and averages are thresholded, not noised.

What this cannot prevent (docs/access.md, "Aggregation thresholds"): two overlapping
filters that each pass every rule but differ by one person (A vs. A minus one) — only a
privacy budget across queries stops that; restricting ``filter_fields`` to coarse fields
and noise make it costly.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from belfort.errors import AggregatesOnly, DisclosureRefused
from belfort.query import suppression
from belfort.query.model import (
    Aggregate,
    And,
    Compare,
    Expr,
    FieldRef,
    In,
    InBBox,
    InPolygon,
    IsNull,
    Like,
    ListContains,
    ListValues,
    Not,
    Or,
    Query,
    RecordIdIs,
    Search,
    SelectItem,
    WithinDistance,
    field_refs,
)

SAFE_AGGREGATES = frozenset({"count", "sum", "avg", "stddev"})
# a condition inside an aggregate is a filter the row rules never see: avg(name = 'X') over
# a large group is the share of one person
PREDICATES = (Compare, In, IsNull, Like, Search, WithinDistance, InBBox, InPolygon, RecordIdIs,
              ListContains, And, Or, Not)
COUNT_COLUMN = "__contributors"
KEY_COLUMN = "__key"
MAX_GROUPS = 200_000  # groups a thresholded question may have (all are read to suppress)


@dataclass(frozen=True)
class Disclosure:
    """The threshold one request is answered under (the engine's ``disclosure`` option).

    ``min_group_size``: k, the fewest rows a released group may have.
    ``suppress_zeros``: treat a zero count as disclosive (the default, as Eurostat does).
    ``epsilon``: when set, differential-privacy noise on released counts.
    ``filter_fields``: the fields a filter may name (None: any field of the query's schema).
    ``population``: the rows the principal may aggregate (the grant's row filter, parsed);
    the population rule compares a filter with it.
    """

    min_group_size: int
    suppress_zeros: bool = True
    epsilon: float | None = None
    filter_fields: frozenset[str] | None = None
    population: Expr | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.min_group_size, int) or self.min_group_size < 1:
            raise ValueError("min_group_size must be a positive integer")
        if self.epsilon is not None and not (math.isfinite(self.epsilon) and self.epsilon > 0):
            raise ValueError("epsilon must be a positive number")

    @property
    def cache_key(self) -> str:
        """Tells every two rules apart (for caches of answers given under a rule)."""
        return repr(self)


@dataclass
class Released:
    """The rows that may be shown, and how many groups were withheld."""

    rows: list[tuple[Any, ...]]
    suppressed: int
    reason: str | None = None  # "population": the population rule withheld everything


def check_query(query: Query, rule: Disclosure) -> None:
    """Refuse a question that reads rows or can reveal one row's value under ``rule``."""
    grouped = bool(query.group_by)
    if query.with_row_number or query.record_id_fields is not None:
        raise AggregatesOnly("only aggregates may be read from this dataset")
    if not grouped and not any(isinstance(s.expr, Aggregate) for s in query.select):
        raise AggregatesOnly("only aggregates may be read from this dataset")
    if len(query.group_by) > suppression.MAX_KEYS:
        raise DisclosureRefused(
            f"at most {suppression.MAX_KEYS} group keys under an aggregation threshold"
        )
    for expr in _expressions(query):
        for agg in _walk(expr):
            if isinstance(agg, Aggregate) and not _safe(agg):
                raise DisclosureRefused(
                    f"{agg.func}{' distinct' if agg.distinct else ''} can reveal single "
                    "records and is not allowed under an aggregation threshold",
                    details={"function": agg.func},
                )
            if isinstance(agg, Aggregate) and any(
                isinstance(node, PREDICATES) for node in _walk(agg.arg)
            ):
                raise DisclosureRefused(
                    "conditions inside an aggregate are not allowed under an aggregation "
                    "threshold; filter with where instead",
                    details={"function": agg.func},
                )
    for item in _walk(query.where):
        if isinstance(item, RecordIdIs):
            raise DisclosureRefused("filters on record ids are not allowed on aggregates")
        if isinstance(item, Search) and not item.fields and rule.filter_fields is not None:
            raise DisclosureRefused("full-text search is not allowed on this dataset")
    if rule.filter_fields is not None:
        refused = sorted(_filtered_fields(query.where) - rule.filter_fields)
        if refused:
            raise DisclosureRefused(
                "these fields may not be filtered on: " + ", ".join(n[:100] for n in refused[:5]),
                details={"fields": [n[:100] for n in refused[:5]]},
            )


def check_groups(rows: Sequence[Any]) -> None:
    """Refuse a question with more groups than are suppressed in reasonable time."""
    if len(rows) > MAX_GROUPS:
        raise DisclosureRefused(
            f"more than {MAX_GROUPS:,} groups under an aggregation threshold; group more coarsely"
        )


@dataclass(frozen=True)
class Layout:
    """Where a counted row holds what: the caller's columns first (``visible`` of them),
    then each group key and the row count — reusing a selected key or ``count(*)``."""

    visible: int
    keys: tuple[int, ...]
    count: int


def counted_query(query: Query) -> tuple[Query, Layout]:
    """The query over all its groups with each group's keys and row count (appended when not
    selected already; the page is cut after suppression), and where they are in a row."""
    select = tuple(query.select or query.group_by)
    extra: list[SelectItem] = []
    keys = []
    for i, g in enumerate(query.group_by):
        found = next((j for j, item in enumerate(select) if item.expr == g.expr), None)
        if found is None:
            found = len(select) + len(extra)
            extra.append(SelectItem(g.expr, f"{KEY_COLUMN}{i}"))
        keys.append(found)
    count = next(
        (j for j, item in enumerate(select) if item.expr == Aggregate("count")), None
    )
    if count is None:
        count = len(select) + len(extra)
        extra.append(SelectItem(Aggregate("count"), COUNT_COLUMN))
    layout = Layout(len(select), tuple(keys), count)
    return replace(query, select=select + tuple(extra), limit=None, offset=0), layout


def needs_filtered_count(query: Query) -> bool:
    """Whether the filtered population is not simply the sum of the group counts (a
    multivalued key counts a row once per value)."""
    return any(isinstance(g.expr, ListValues) for g in query.group_by)


def release(
    query: Query, rule: Disclosure, rows: Sequence[tuple[Any, ...]], layout: Layout,
    filtered: int | None, population: Callable[[], int],
) -> Released:
    """Apply the population rule, suppression and noise to the rows of ``counted_query``
    (all groups, in the query's order); the page (offset, limit) is cut by the caller."""
    k = rule.min_group_size
    width = len(query.group_by)
    visible = layout.visible
    counts = [int(row[layout.count]) for row in rows]
    if query.where is not None:
        matched = sum(counts) if filtered is None else filtered
        left_out = population() - matched
        if 0 < matched < k or 0 < left_out < k:
            return _withheld(query, rows, visible, "population")
    if not width:  # one cell: the total
        count = counts[0] if counts else 0
        if count < k and (count > 0 or rule.suppress_zeros):
            return _withheld(query, rows, visible, None)
        return Released(_noised(query, rule, [tuple(r[:visible]) for r in rows]), 0)
    keys = [tuple(row[i] for i in layout.keys) for row in rows]
    hidden = suppression.suppress(keys, counts, k, suppress_zeros=rule.suppress_zeros)
    kept = [tuple(row[:visible]) for i, row in enumerate(rows) if i not in hidden]
    return Released(_noised(query, rule, kept), len(hidden))


def _withheld(query: Query, rows: Sequence[Any], visible: int, reason: str | None) -> Released:
    if query.group_by:
        return Released([], len(rows), reason)
    return Released([(None,) * visible], 1, reason)


def _noised(query: Query, rule: Disclosure, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    if rule.epsilon is None or not rows:
        return rows
    select = query.select or query.group_by
    positions = [
        i for i, item in enumerate(select)
        if isinstance(item.expr, Aggregate) and item.expr.func == "count"
    ]
    if not positions:
        return rows
    noise = _laplace(rule.epsilon)
    out = []
    for row in rows:
        values = list(row)
        for i in positions:
            if values[i] is not None:
                values[i] = max(0, int(noise(int(values[i]))))
        out.append(tuple(values))
    return out


def _laplace(epsilon: float) -> Callable[[int], int]:
    """OpenDP's discrete Laplace mechanism for a count (sensitivity 1): epsilon-DP."""
    import opendp.prelude as dp

    dp.enable_features("contrib")
    space = dp.atom_domain(T=int), dp.absolute_distance(T=int)
    measurement = dp.m.make_laplace(*space, scale=1.0 / epsilon)
    return lambda value: int(measurement(value))


def _filtered_fields(where: Expr | None) -> set[str]:
    """Every field a filter names, including the multivalued and geographic forms."""
    names = set(field_refs(where))
    for node in _walk(where):
        if isinstance(node, ListContains | ListValues | WithinDistance | InBBox | InPolygon):
            names.add(node.field)
    return names


def _safe(agg: Aggregate) -> bool:
    if agg.func not in SAFE_AGGREGATES:
        return False
    return not agg.distinct or agg.func == "count"


def _expressions(query: Query) -> Iterator[Expr]:
    for item in (*query.select, *query.group_by):
        yield item.expr
    for order in query.order_by:
        yield order.expr


def _walk(expr: Any) -> Iterator[Any]:
    """Every node of an expression tree (dataclass fields, tuples of them)."""
    if expr is None:
        return
    if isinstance(expr, tuple):
        for item in expr:
            yield from _walk(item)
        return
    if not dataclasses.is_dataclass(expr) or isinstance(expr, type):
        return
    yield expr
    if isinstance(expr, FieldRef):
        return
    for f in dataclasses.fields(expr):
        yield from _walk(getattr(expr, f.name))
