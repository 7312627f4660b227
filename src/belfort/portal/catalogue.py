"""The catalogue as the portal shows it: the search page's facets, sorts and pages.

Which datasets match, in which order, and how many have each facet value is the catalogue
search service's answer (``belfort.search.catalogue``), the same one every API dialect
gives; this module only turns the page's parameters into a ``CatalogueQuery`` and the
answer into one page with the facet values worth showing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from belfort.query.model import And, Expr, FieldRef, In, Literal, Search
from belfort.search.catalogue import (
    TITLE_ORDER,
    CatalogueQuery,
    CatalogueSnapshot,
    DatasetCard,
    SortKey,
    find,
    snapshot,
)

__all__ = ["FACETS", "PER_PAGE", "SORTS", "STAFF_FACETS", "DatasetCard", "SearchPage", "figures",
           "query_of", "search", "snapshot"]

FACETS = ("theme", "organisation", "keyword", "licence", "format", "frequency")
STAFF_FACETS = ("classification", "state")
SORTS = ("relevance", "title", "newest", "rows")
SORT_KEYS: dict[str, tuple[SortKey, ...]] = {
    "title": TITLE_ORDER,
    "newest": (SortKey("modified", descending=True),),
    "rows": (SortKey("rows", descending=True),),
}
PER_PAGE = 20
MAX_FACET_VALUES = 12
MAX_QUERY = 500
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass
class SearchPage:
    query: str
    cards: list[DatasetCard]
    total: int
    page: int
    pages: int
    facets: dict[str, list[FacetValue]]
    selected: dict[str, list[str]]
    sort: str


def query_of(query: str, selected: dict[str, list[str]], sort: str = "relevance") -> CatalogueQuery:
    """The search page's question: the words, every selected facet (values of one facet
    ORed, facets ANDed) and the sort (relevance is the service's ranking; without words,
    the title order)."""
    parts: list[Expr] = [Search(query)] if query else []
    parts += [In(FieldRef(f), tuple(Literal(v) for v in values)) for f, values in selected.items()]
    where = None if not parts else parts[0] if len(parts) == 1 else And(tuple(parts))
    return CatalogueQuery(where=where, sort=SORT_KEYS.get(sort, ()), default_order=TITLE_ORDER)


def search(
    catalogue: CatalogueSnapshot,
    query: str,
    selected: dict[str, list[str]],
    *,
    sort: str = "relevance",
    page: int = 1,
    staff: bool = False,
) -> SearchPage:
    """One page of datasets matching ``query`` and every selected facet value, with the
    counts of each facet's values among the matches."""
    query = _clean(query)
    facets = FACETS + (STAFF_FACETS if staff else ())
    selected = {k: cleaned for k, v in selected.items() if k in facets
                if (cleaned := [c for c in map(_clean, v) if c])}
    listing = find(catalogue, query_of(query, selected, sort))
    facet_values = {f: _shown(listing.facet(f), selected.get(f, []), catalogue, listing.matched, f)
                    for f in facets}
    pages = max(1, math.ceil(listing.total / PER_PAGE))
    page = min(max(page, 1), pages)
    return SearchPage(
        query=query, cards=listing.cards[(page - 1) * PER_PAGE: page * PER_PAGE], total=listing.total,
        page=page, pages=pages, facets=facet_values, selected=selected,
        sort=sort if sort in SORTS else "relevance",
    )


def _clean(text: str) -> str:
    """What a person can type in a search box or a filter: control characters (NUL, …)
    removed, at most ``MAX_QUERY`` characters (the page echoes it in chips and fields)."""
    return CONTROL.sub("", text).strip()[:MAX_QUERY]


def _shown(counts: list[tuple[str, int]], selected: list[str], catalogue: CatalogueSnapshot,
           matched: Any, facet: str) -> list[FacetValue]:
    """The ``MAX_FACET_VALUES`` most frequent values, then every selected value not among them."""
    top = counts[:MAX_FACET_VALUES]
    shown = {v for v, _ in top}
    column = catalogue.facet_columns[facet]
    top += [(v, column.count_of(matched, v)) for v in selected if v not in shown]
    return [FacetValue(v, n, v in selected) for v, n in top]


def figures(catalogue: CatalogueSnapshot, usage: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """The home page's figures; ``usage`` is ``UsageCounter.public_totals()``: the public's
    use of every dataset it could read when it read it (a dataset no longer visible keeps
    the rows it served; no admin's or staff member's read counts)."""
    return {
        "datasets": len(catalogue.cards),
        "organisations": len({c.organisation for c in catalogue.cards if c.organisation}),
        "rows": sum(c.rows for c in catalogue.cards),
        "rows_served": sum(rows for _, rows in usage.values()),
    }
