"""The catalogue as the portal shows it: dataset cards, catalogue search and facets.

One snapshot per catalogue generation and audience (the public, or staff who also see
internal and draft datasets), built from the database in one query and cached until the
next catalogue write by any process (``belfort.cache``). Searching, filtering, faceting
and sorting then happen in memory: a catalogue of 10,000 datasets is a few MB.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import selectinload

from belfort.catalog.models import Dataset
from belfort.platform import Platform
from belfort.policy import gate
from belfort.policy.principals import Principal
from belfort.search import CatalogueIndex, SearchDocument

FACETS = ("theme", "organisation", "keyword", "licence", "format", "frequency")
STAFF_FACETS = ("classification", "state")
SORTS = ("relevance", "title", "newest", "rows")
PER_PAGE = 20
MAX_FACET_VALUES = 12


@dataclass(frozen=True)
class FieldInfo:
    name: str
    type: str
    description: str | None = None
    unit: str | None = None


@dataclass(frozen=True)
class DatasetCard:
    """What a listing, a search and the home page need to know about one dataset."""

    id: str
    title_nl: str
    title_en: str | None
    description_nl: str | None
    description_en: str | None
    organisation: str | None
    themes: tuple[str, ...]
    keywords: tuple[str, ...]
    licence: str | None
    frequency: str
    classification: str
    state: str
    formats: tuple[str, ...]
    rows: int
    fields: tuple[FieldInfo, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        # computed once: search counts facet values over thousands of cards per request
        single = {"organisation": self.organisation, "licence": self.licence, "frequency": self.frequency,
                  "classification": self.classification, "state": self.state}
        values: dict[str, tuple[str, ...]] = {k: ((v,) if v else ()) for k, v in single.items()}
        values.update(theme=self.themes, keyword=self.keywords, format=self.formats)
        self.facets.update(values)

    def title(self, lang: str) -> str:
        return (self.title_en if lang == "en" and self.title_en else self.title_nl)

    def description(self, lang: str) -> str:
        text = self.description_en if lang == "en" and self.description_en else self.description_nl
        return text or ""

    def values(self, facet: str) -> tuple[str, ...]:
        """The dataset's values for one facet (a dataset may have several themes)."""
        return self.facets[facet]

    @property
    def has_geometry(self) -> bool:
        return any(f.type in {"geopoint", "geometry"} for f in self.fields)


class FacetColumn:
    """One facet over all cards as (card, value) pairs, so counting the values among
    thousands of matches is one ``bincount``."""

    def __init__(self, cards: list[DatasetCard], facet: str) -> None:
        self.values: list[str] = sorted({v for c in cards for v in c.facets[facet]})
        self.code = {v: i for i, v in enumerate(self.values)}
        pairs = [(i, self.code[v]) for i, c in enumerate(cards) for v in c.facets[facet]]
        self.card = np.array([p[0] for p in pairs], dtype=np.int64)
        self.value = np.array([p[1] for p in pairs], dtype=np.int64)

    def top(self, matched: np.ndarray, selected: list[str]) -> list[tuple[str, int]]:
        """The ``MAX_FACET_VALUES`` most frequent values among the ``matched`` cards (a
        boolean per card), most frequent first, then every selected value not among them."""
        found = np.bincount(self.value[matched[self.card]], minlength=len(self.values))
        present = np.flatnonzero(found)
        best = present[np.lexsort((present, -found[present]))][:MAX_FACET_VALUES]
        top = [(self.values[i], int(found[i])) for i in best]
        shown = {v for v, _ in top}
        top += [(v, int(found[self.code[v]]) if v in self.code else 0) for v in selected if v not in shown]
        return top


@dataclass
class CatalogueSnapshot:
    cards: list[DatasetCard]
    index: CatalogueIndex
    by_id: dict[str, DatasetCard] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)
    facet_columns: dict[str, FacetColumn] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.cards}
        self.position = {c.id: i for i, c in enumerate(self.cards)}
        self.facet_columns = {f: FacetColumn(self.cards, f) for f in FACETS + STAFF_FACETS}


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


_BUILDING = {False: threading.Lock(), True: threading.Lock()}


def snapshot(platform: Platform, principal: Principal) -> CatalogueSnapshot:
    """The catalogue ``principal`` may see, cached per catalogue generation.

    After a catalogue change one request per audience builds the new snapshot (and its
    search index); requests arriving meanwhile wait for it instead of building their own.
    """
    generation = platform.generation.current()
    key = ("portal-catalogue", principal.is_admin)
    cached = platform.cache.get(key)
    if cached is not None and cached[0] == generation:
        snapshot: CatalogueSnapshot = cached[1]
        return snapshot
    with _BUILDING[principal.is_admin]:
        cached = platform.cache.get(key)
        if cached is not None and cached[0] == generation:
            snapshot = cached[1]
            return snapshot
        return _build(platform, principal, key, generation)


def _build(platform: Platform, principal: Principal, key: tuple[str, bool], generation: object) -> CatalogueSnapshot:
    with platform.db.session() as session:
        datasets = session.scalars(
            gate.visible_datasets(principal).options(
                selectinload(Dataset.versions), selectinload(Dataset.distributions)
            )
        ).all()
        cards = [_card(d) for d in datasets]
    documents = [
        SearchDocument(
            id=c.id, title_nl=c.title_nl, title_en=c.title_en, description_nl=c.description_nl,
            description_en=c.description_en, keywords=c.keywords, organisation=c.organisation,
            field_names=tuple(n for f in c.fields for n in (f.name, f.description) if n),
            themes=c.themes, state=c.state,
        )
        for c in cards
    ]
    built = CatalogueSnapshot(cards, CatalogueIndex.build(documents, platform.settings.search_synonyms_file))
    platform.cache.put(key, (generation, built))
    return built


def _card(dataset: Dataset) -> DatasetCard:
    version = next((v for v in dataset.versions if v.number == dataset.published_version), None)
    if version is None and dataset.versions:
        version = dataset.versions[-1]  # staff see drafts by their newest version
    fields = tuple(
        FieldInfo(f["name"], f["type"], f.get("description"), f.get("unit"))
        for f in (version.table_schema.get("fields", []) if version else [])
    )
    return DatasetCard(
        id=dataset.id, title_nl=dataset.title_nl, title_en=dataset.title_en,
        description_nl=dataset.description_nl, description_en=dataset.description_en,
        organisation=dataset.organisation, themes=tuple(dataset.themes or ()),
        keywords=tuple(dataset.keywords or ()), licence=dataset.licence, frequency=dataset.frequency,
        classification=dataset.classification, state=dataset.state,
        formats=tuple(sorted(d.format for d in dataset.distributions)),
        rows=version.row_count if version else 0, fields=fields,
        created_at=dataset.created_at, updated_at=dataset.updated_at,
    )


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
    query = query.strip()[:500]
    facets = FACETS + (STAFF_FACETS if staff else ())
    selected = {k: v for k, v in selected.items() if k in facets and v}
    hits = catalogue.index.search(query)
    matches = [catalogue.by_id[h.id] for h in hits if h.id in catalogue.by_id]
    if selected:
        wanted = {f: set(values) for f, values in selected.items()}
        matches = [c for c in matches if all(wanted[f].intersection(c.facets[f]) for f in wanted)]
    if sort == "title" or (sort == "relevance" and not query):
        matches.sort(key=lambda c: c.title_nl.casefold())
    elif sort == "newest":
        matches.sort(key=lambda c: c.updated_at, reverse=True)
    elif sort == "rows":
        matches.sort(key=lambda c: c.rows, reverse=True)
    matched = np.zeros(len(catalogue.cards), dtype=bool)
    matched[[catalogue.position[c.id] for c in matches]] = True
    facet_values = {
        f: [FacetValue(v, n, v in selected.get(f, []))
            for v, n in catalogue.facet_columns[f].top(matched, selected.get(f, []))]
        for f in facets
    }
    pages = max(1, math.ceil(len(matches) / PER_PAGE))
    page = min(max(page, 1), pages)
    return SearchPage(
        query=query, cards=matches[(page - 1) * PER_PAGE: page * PER_PAGE], total=len(matches),
        page=page, pages=pages, facets=facet_values, selected=selected,
        sort=sort if sort in SORTS else "relevance",
    )


def figures(catalogue: CatalogueSnapshot, usage: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """The home page's figures; ``usage`` is ``UsageCounter.totals()`` (all datasets, so
    rows served include those of datasets that are no longer visible)."""
    return {
        "datasets": len(catalogue.cards),
        "organisations": len({c.organisation for c in catalogue.cards if c.organisation}),
        "rows": sum(c.rows for c in catalogue.cards),
        "rows_served": sum(rows for _, rows in usage.values()),
    }
