"""The one interpreter of catalogue filters.

A filter is an expression of the query model (``belfort.query.model``): ``And``, ``Or``,
``Not``, ``Compare``, ``In``, ``IsNull``, ``Like`` and ``Search`` over the service's field
names (``belfort.search.cards.FIELDS``). Each dialect parses its own syntax (v2.1 ``where`` and
``refine``, v1 ``refine.*``, the native API's parameters, the portal's facets) into these
objects; this module evaluates them over a catalogue snapshot, one boolean per dataset.

``Search`` is answered by the search index (typos, stems, compounds, synonyms), never by
substring matching, so a free-text search means the same in every dialect.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from belfort.errors import QueryError
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
from belfort.search.cards import FIELDS, SEARCHABLE, DatasetCard
from belfort.search.index import CatalogueIndex

SUPPORTED = "search(), comparisons, IN, LIKE, IS NULL, AND, OR and NOT"
MATCH_ALL = float(np.finfo(np.float64).tiny)
OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


class Evaluation:
    """Evaluates filters over ``cards`` (the snapshot's, in the order ``index`` holds them).

    ``metadata``: each card's ``DatasetCard.metadata`` in the query's language;
    ``facets``: per facet name, a function from wanted values to a boolean per card (the
    snapshot's facet columns), used for the common case of refining on facet values.
    """

    def __init__(self, cards: Sequence[DatasetCard], index: CatalogueIndex,
                 metadata: Callable[[], list[dict[str, Any]]],
                 facets: dict[str, Callable[[Sequence[str]], np.ndarray]]) -> None:
        self.cards = cards
        self.index = index
        self._metadata = metadata
        self.facets = facets
        self.searches: dict[Search, np.ndarray] = {}
        """Per search evaluated, its score per card (0 = no match)."""

    @property
    def metadata(self) -> list[dict[str, Any]]:
        return self._metadata()

    def mask(self, expr: Expr | None, within: np.ndarray | None = None) -> np.ndarray:
        """One boolean per card: does the card satisfy ``expr`` (everything when ``None``)?

        With ``within`` (a boolean per card) only those cards are asked about; the others
        are ``False``. ``AND`` asks its vectorised parts (searches, facets) first and the
        comparisons only about the cards still in the running.
        """
        everything = np.ones(len(self.cards), dtype=bool) if within is None else within
        if expr is None:
            return everything.copy()
        if isinstance(expr, And):
            out = everything.copy()
            for item in sorted(expr.items, key=self._cost):
                out &= self.mask(item, out)
            return out
        if isinstance(expr, Or):
            out = np.zeros(len(self.cards), dtype=bool)
            for item in expr.items:
                out |= self.mask(item, everything)
            return out
        if isinstance(expr, Not):
            negated: np.ndarray = everything & ~self.mask(expr.item, everything)
            return negated
        if isinstance(expr, Search):
            found: np.ndarray = everything & (self.scores(expr) > 0)
            return found
        fast = self._facet_mask(expr)
        if fast is not None:
            narrowed: np.ndarray = everything & fast
            return narrowed
        return self._per_card(_predicate(expr), everything)

    def _cost(self, expr: Expr) -> int:
        """Vectorised conditions (0) before those asked card by card (1)."""
        return 0 if isinstance(expr, Search) or self._facet_mask_shape(expr) else 1

    def _facet_mask(self, expr: Expr) -> np.ndarray | None:
        """``facet IN (values)`` / ``facet = value`` answered from the facet columns; ``None``
        when ``expr`` is not of that shape (then the general path answers, with the same
        result)."""
        shape = self._facet_mask_shape(expr)
        if shape is None:
            return None
        name, values = shape
        mask = self.facets[name](values)
        return ~mask if isinstance(expr, In) and expr.negated else mask

    def _facet_mask_shape(self, expr: Expr) -> tuple[str, list[str]] | None:
        if isinstance(expr, In) and isinstance(expr.expr, FieldRef):
            name, literals = expr.expr.name, expr.values
        elif (isinstance(expr, Compare) and expr.op == "=" and isinstance(expr.left, FieldRef)
              and isinstance(expr.right, Literal)):
            name, literals = expr.left.name, (expr.right,)
        else:
            return None
        values = [v.value for v in literals if isinstance(v, Literal) and isinstance(v.value, str) and v.value]
        if name not in self.facets or len(values) != len(literals):
            return None
        return name, values

    def scores(self, search: Search) -> np.ndarray:
        """The search index's score of every card for ``search`` (0 where it does not match;
        an empty search matches every card with the smallest positive score)."""
        if search not in self.searches:
            found = self.index.scores(search.text, fields=_index_fields(search))
            self.searches[search] = np.full(len(self.cards), MATCH_ALL) if found is None else found
        return self.searches[search]

    def _per_card(self, test: Callable[[dict[str, Any]], bool], within: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.cards), dtype=bool)
        metadata = self.metadata
        for i in np.flatnonzero(within).tolist():
            out[i] = test(metadata[i])
        return out


def ranking_searches(expr: Expr | None) -> list[Search]:
    """The searches every match satisfies (those ANDed at the top): their scores rank."""
    if isinstance(expr, Search):
        return [expr]
    if isinstance(expr, And):
        return [s for item in expr.items for s in ranking_searches(item)]
    return []


def check(expr: Expr | None) -> None:
    """Raise ``QueryError`` for a filter the interpreter cannot evaluate (before any work)."""
    if expr is None:
        return
    if isinstance(expr, And | Or):
        for item in expr.items:
            check(item)
    elif isinstance(expr, Not):
        check(expr.item)
    elif isinstance(expr, Search):
        _index_fields(expr)
    else:
        _predicate(expr)


def _index_fields(search: Search) -> tuple[str, ...] | None:
    if not search.fields:
        return None
    unknown = [f for f in search.fields if f not in SEARCHABLE]
    if unknown:
        raise QueryError(f"search() cannot search {unknown[0][:60]!r}; searchable: {', '.join(SEARCHABLE)}")
    return tuple(SEARCHABLE[f] for f in search.fields)


# -- comparisons over one card's metadata -------------------------------------------------


def _predicate(expr: Expr) -> Callable[[dict[str, Any]], bool]:
    """A test of one card's metadata; field names and the shape of ``expr`` are checked here,
    once, not per card."""
    if isinstance(expr, Compare):
        if isinstance(expr.left, Literal) and isinstance(expr.right, FieldRef):
            flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(expr.op, expr.op)
            return _compare_test(flipped, _field(expr.right), _literal(expr.left))
        return _compare_test(expr.op, _field(expr.left), _literal(expr.right))
    if isinstance(expr, In):
        name = _field(expr.expr)
        wanted = [_literal(v) for v in expr.values]
        negated = expr.negated
        return lambda m: any(_compare("=", m[name], w) for w in wanted) != negated
    if isinstance(expr, IsNull):
        name, negated = _field(expr.expr), expr.negated
        return lambda m: (m[name] in (None, [])) != negated
    if isinstance(expr, Like):
        name = _field(expr.expr)
        regex = re.compile(_like_regex(expr.pattern), re.I | re.S if expr.ci else re.S)
        negated = expr.negated

        def like(m: dict[str, Any]) -> bool:
            value = m[name]
            items = value if isinstance(value, list) else [value]
            return any(isinstance(v, str) and regex.fullmatch(v) for v in items) != negated

        return like
    raise QueryError(f"catalogue filters support {SUPPORTED}")


def _compare_test(op: str, name: str, right: Any) -> Callable[[dict[str, Any]], bool]:
    return lambda m: _compare(op, m[name], right)


def _literal(expr: Expr) -> Any:
    if not isinstance(expr, Literal):
        raise QueryError("catalogue filter: compare a field with a value")
    return expr.value


def _field(expr: Expr) -> str:
    if not isinstance(expr, FieldRef):
        raise QueryError("catalogue filter: only field names and values are supported")
    if expr.name not in FIELDS:
        raise QueryError(f"Unknown catalogue field {expr.name[:60]!r}; known: {', '.join(sorted(FIELDS))}")
    return expr.name


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, list):
        if op == "!=":
            return all(_compare(op, item, right) for item in left)
        return any(_compare(op, item, right) for item in left)
    if left is None:
        return op == "!=" and right is not None
    if isinstance(left, str) and isinstance(right, dt.datetime | dt.date):
        right = right.isoformat()
    elif isinstance(left, int | float) and isinstance(right, str):
        try:
            right = float(right)
        except ValueError:
            raise QueryError(f"catalogue filter: {right[:30]!r} is not a number") from None
    try:
        return bool(OPERATORS[op](left, right))
    except TypeError:
        raise QueryError("catalogue filter: these values cannot be compared") from None


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
