"""The catalogue search service: which datasets match, in which order, with which facet counts.

Every way of asking the catalogue — the portal's search page, the native API's ``?q=``,
Opendatasoft v1 ``/api/datasets/1.0/search/`` and Explore v2.1 ``catalog/datasets``,
``catalog/facets`` and ``catalog/exports`` — goes through ``find``, so the same words give
the same datasets everywhere. Dialects parse their own syntax into a ``CatalogueQuery`` (a
filter of the query model over the field names in ``belfort.search.cards.FIELDS``, and an
explicit sort if they have one); free text is a ``Search`` node answered by the search index.

One snapshot per catalogue generation and audience (the public, or staff who also see
internal and draft datasets), built from ``gate.visible_datasets`` in one query and kept until
the next catalogue write by any process (``belfort.cache``). Searching, filtering, faceting and
sorting then happen in memory: a catalogue of 10,000 datasets is a few MB.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session, selectinload

from belfort.catalog.models import Dataset
from belfort.errors import QueryError
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.query.model import Expr
from belfort.search.cards import FACETABLE, FIELDS, DatasetCard, FieldInfo, card_of
from belfort.search.filters import Evaluation, check, ranking_searches
from belfort.search.index import CatalogueIndex

__all__ = ["FACETABLE", "FIELDS", "CatalogueQuery", "CatalogueSnapshot", "DatasetCard", "FacetColumn",
           "FieldInfo", "Listing", "SortKey", "datasets_in_order", "find", "rendered_in_order", "snapshot"]


@dataclass(frozen=True)
class SortKey:
    """An explicit sort on one of ``FIELDS``; datasets without a value come last either way.
    Text sorts ignore case."""

    field: str
    descending: bool = False


ID_ORDER = (SortKey("id"),)
TITLE_ORDER = (SortKey("title"), SortKey("id"))


@dataclass(frozen=True)
class CatalogueQuery:
    """One question to the catalogue.

    ``where``: a filter (``belfort.search.filters``); free text is a ``Search`` in it.
    ``sort``: the dialect's explicit sort, or empty: then matches of a search come in the
    search index's relevance order, and without a search in ``default_order``.
    ``lang``: the language ``title`` and ``description`` are compared and sorted in.
    """

    where: Expr | None = None
    sort: tuple[SortKey, ...] = ()
    default_order: tuple[SortKey, ...] = ID_ORDER
    lang: str = "nl"


class FacetColumn:
    """One facet over all cards as (card, value) pairs, so counting the values among
    thousands of matches is one ``bincount``."""

    def __init__(self, cards: Sequence[DatasetCard], facet: str) -> None:
        self.values: list[str] = sorted({v for c in cards for v in c.facets[facet]})
        self.code = {v: i for i, v in enumerate(self.values)}
        pairs = [(i, self.code[v]) for i, c in enumerate(cards) for v in c.facets[facet]]
        self.card = np.array([p[0] for p in pairs], dtype=np.int64)
        self.value = np.array([p[1] for p in pairs], dtype=np.int64)
        self.size = len(cards)

    def counts(self, matched: np.ndarray) -> list[tuple[str, int]]:
        """Every value among the ``matched`` cards (a boolean per card) with its count, most
        frequent first, then in value order."""
        found = np.bincount(self.value[matched[self.card]], minlength=len(self.values))
        present = np.flatnonzero(found)
        best = present[np.lexsort((present, -found[present]))]
        return [(self.values[i], int(found[i])) for i in best]

    def having(self, values: Sequence[str]) -> np.ndarray:
        """One boolean per card: does it have one of ``values``?"""
        codes = [self.code[v] for v in values if v in self.code]
        mask = np.zeros(self.size, dtype=bool)
        mask[self.card[np.isin(self.value, codes)]] = True
        return mask

    def count_of(self, matched: np.ndarray, value: str) -> int:
        code = self.code.get(value)
        return 0 if code is None else int(np.count_nonzero(matched[self.card[self.value == code]]))


@dataclass
class CatalogueSnapshot:
    cards: list[DatasetCard]
    index: CatalogueIndex
    by_id: dict[str, DatasetCard] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)
    facet_columns: dict[str, FacetColumn] = field(default_factory=dict)
    title_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per card, its place in the search index's title order (how relevance ties break)."""
    view: tuple[str, frozenset[str]] = ("", frozenset())
    """The ``view`` it was built for (what keys answers rendered from it)."""

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.cards}
        self.position = {c.id: i for i, c in enumerate(self.cards)}
        self.facet_columns = {f: FacetColumn(self.cards, f) for f in FACETABLE}
        if [d.id for d in self.index.documents] != [c.id for c in self.cards]:
            raise ValueError("the index must hold the snapshot's cards, in the same order")
        self.title_rank = self.index.title_rank
        self._metadata: dict[str, list[dict[str, Any]]] = {}
        self._orders: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def metadata(self, lang: str) -> list[dict[str, Any]]:
        """Every card's ``DatasetCard.metadata`` in ``lang`` (Dutch unless English), computed on
        first use and kept with the snapshot."""
        lang = "en" if lang == "en" else "nl"
        found = self._metadata.get(lang)
        if found is None:  # two threads may both build it: the same list either way
            found = self._metadata[lang] = [c.metadata(lang) for c in self.cards]
        return found

    def order_of(self, name: str, lang: str) -> tuple[np.ndarray, np.ndarray]:
        """Per card, the rank of its value of field ``name`` among all values (equal values,
        equal ranks; text without case) and whether it has none; computed on first use."""
        lang = "en" if lang == "en" else "nl"
        found = self._orders.get((name, lang))
        if found is None:
            values = [_value(m, name) for m in self.metadata(lang)]
            code = {v: i for i, v in enumerate(sorted({v for v in values if v is not None}))}
            rank = np.array([code.get(v, 0) if v is not None else 0 for v in values], dtype=np.int64)
            missing = np.array([v is None for v in values], dtype=bool)
            found = self._orders[(name, lang)] = (rank, missing)
        return found


@dataclass
class Listing:
    """The answer to a ``CatalogueQuery``: every match, in order, and the facet counts."""

    catalogue: CatalogueSnapshot
    cards: list[DatasetCard]
    matched: np.ndarray
    """One boolean per card of the snapshot."""

    @property
    def total(self) -> int:
        return len(self.cards)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.cards]

    def facet(self, name: str) -> list[tuple[str, int]]:
        """The values of facet ``name`` (one of ``FACETABLE``) among the matches, with counts."""
        if name not in self.catalogue.facet_columns:
            raise QueryError(f"unknown catalogue facet {name[:60]!r}; known: {', '.join(FACETABLE)}")
        return self.catalogue.facet_columns[name].counts(self.matched)


# -- the snapshot ------------------------------------------------------------------------------

def snapshot(platform: Platform, principal: Principal) -> CatalogueSnapshot:
    """The catalogue ``principal`` may see, cached per catalogue generation and audience.

    After a catalogue change one request per audience builds the new snapshot (and its
    search index); requests arriving meanwhile wait for it instead of building their own
    (``Platform.cache.current``).
    """
    seen = view(platform, principal)
    built: CatalogueSnapshot = platform.cache.current(
        ("catalogue-snapshot", seen), lambda: _build(platform, principal, seen)
    )
    return built


def view(platform: Platform, principal: Principal) -> tuple[str, frozenset[str]]:
    """What keys an answer about the catalogue besides its generation: the principal's
    audience and the datasets policies grant it now (time windows and counts change that
    without a catalogue write)."""
    granted: frozenset[str] = frozenset()
    if not principal.is_admin:
        with platform.db.session() as session:
            granted = gate.granted_datasets(session, principal)
    return principal.audience, granted


def _build(platform: Platform, principal: Principal, seen: tuple[str, frozenset[str]],
           ) -> CatalogueSnapshot:
    with platform.db.session() as session:
        datasets = session.scalars(
            gate.visible_datasets(principal, session).options(
                selectinload(Dataset.versions), selectinload(Dataset.distributions)
            )
        ).all()
        cards = [card_of(d, gate.held_back_fields(principal, d)) for d in datasets]
    index = CatalogueIndex.build([c.document() for c in cards], platform.settings.search_synonyms_file)
    return CatalogueSnapshot(cards, index, view=seen)


_CHUNK = 500


def datasets_in_order(session: Session, principal: Principal, ids: Sequence[str]) -> list[Dataset]:
    """The catalogue rows of ``ids``, in that order, read through the gate (with versions and
    distributions), for a dialect that renders whole datasets. An id that is no longer
    visible (a write since the snapshot) is left out."""
    by_id: dict[str, Dataset] = {}
    for start in range(0, len(ids), _CHUNK):  # bounded IN lists, whatever the database
        by_id.update((d.id, d) for d in session.scalars(
            gate.visible_datasets(principal, session).where(Dataset.id.in_(list(ids[start:start + _CHUNK]))).options(
                selectinload(Dataset.versions), selectinload(Dataset.distributions)
            )
        ))
    return [by_id[i] for i in ids if i in by_id]


def rendered_in_order(platform: Platform, principal: Principal, catalogue: CatalogueSnapshot,
                      ids: Sequence[str], kind: Hashable,
                      render: Callable[[Dataset], dict[str, Any]]) -> Sequence[dict[str, Any]]:
    """``render`` of each dataset of ``ids`` (``datasets_in_order``), kept like ``catalogue``,
    the snapshot the ids came from: until the next catalogue write, per its ``view``. A
    catalogue page is the
    same answer for everyone with the same view until the catalogue changes, and rendering it
    (a catalogue read, the data dictionary, every field) is most of a listing's cost. ``kind``
    names the rendering (its dialect and language); callers must not change what they get."""
    def build() -> tuple[dict[str, Any], ...]:
        with platform.db.session() as session:
            return tuple(render(d) for d in datasets_in_order(session, principal, ids))

    rendered: tuple[dict[str, Any], ...] = platform.cache.current(
        ("rendered-datasets", kind, catalogue.view, tuple(ids)), build)
    return rendered


# -- answering -------------------------------------------------------------------------------


def find(catalogue: CatalogueSnapshot, query: CatalogueQuery) -> Listing:
    """Every dataset of ``catalogue`` that satisfies ``query.where``, in the query's order.

    Raises ``QueryError`` for a filter or sort the service cannot evaluate.
    """
    check(query.where)
    for key in query.sort + query.default_order:
        if key.field not in FIELDS:
            raise QueryError(f"cannot sort the catalogue by {key.field[:60]!r}; known: {', '.join(sorted(FIELDS))}")
    evaluation = Evaluation(
        catalogue.cards, catalogue.index, lambda: catalogue.metadata(query.lang),
        {name: column.having for name, column in catalogue.facet_columns.items()},
    )
    matched = evaluation.mask(query.where)
    positions = np.flatnonzero(matched)
    searches = ranking_searches(query.where)
    if query.sort or not searches:
        order = _sorted(catalogue, query.lang, positions, query.sort or query.default_order)
    else:
        # relevance: the index's order (its score, then title); several searches add up
        relevance = np.sum([evaluation.scores(s) for s in searches], axis=0)
        order = positions[np.lexsort((catalogue.title_rank[positions], -relevance[positions]))].tolist()
    return Listing(catalogue, [catalogue.cards[i] for i in order], matched)


def _sorted(catalogue: CatalogueSnapshot, lang: str, positions: np.ndarray, keys: tuple[SortKey, ...]
            ) -> list[int]:
    """``positions`` ordered by ``keys``, then by dataset id; a card without a value for a key
    comes after those with one, whatever the direction."""
    columns = [catalogue.order_of("id", lang)[0][positions]]  # np.lexsort: the last column leads
    for key in reversed(keys):
        rank, missing = catalogue.order_of(key.field, lang)
        columns += [-rank[positions] if key.descending else rank[positions], missing[positions]]
    ordered: list[int] = positions[np.lexsort(columns)].tolist()
    return ordered


def _value(metadata: dict[str, Any], name: str) -> Any:
    value = metadata[name]
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, list):
        return tuple(str(v).casefold() for v in value) or None
    return value
