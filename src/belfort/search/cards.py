"""What catalogue search knows about one dataset: its card.

A card is built once per catalogue generation from a ``Dataset`` row (with its versions and
distributions loaded) and holds everything a listing, a search, a facet or a catalogue filter
reads, so none of them touches the database again. ``values`` gives the card's metadata under
the service's field names (``FIELDS``); every dialect maps its own names onto those.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from belfort.catalog.models import Dataset
from belfort.search.index import SearchDocument

# The catalogue fields a filter or a sort may name, and what they hold.
FIELDS: dict[str, str] = {
    "id": "the dataset id",
    "title": "the title (English with lang=en when the dataset has one, else Dutch)",
    "description": "the description (same language rule as the title)",
    "theme": "the themes (a list)",
    "keyword": "the keywords (a list)",
    "organisation": "the publishing organisation",
    "licence": "the licence",
    "language": "the data's language (always nl)",
    "territory": "the spatial coverage (a list)",
    "modified": "when the metadata last changed, ISO 8601 in UTC",
    "records_count": "rows of the published version (0 without one)",
    "rows": "rows of the published version, or of the newest version for staff",
    "features": "analyze, timeserie (has dates), geo (has geometry)",
    "has_records": "whether the published version has rows",
    "format": "the distribution formats (a list)",
    "frequency": "the update frequency",
    "classification": "open, internal, ...",
    "state": "the life-cycle state",
}
# Fields whose values are lists: a comparison holds when it holds for one item.
FACETABLE = ("theme", "organisation", "keyword", "licence", "format", "frequency",
             "classification", "state", "language", "features")
# search(field, "text") may name these; they are the search index's fields.
SEARCHABLE = {"title": "title", "description": "description", "keyword": "keywords",
              "theme": "themes", "organisation": "organisation"}


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
    records_count: int = 0
    """Rows of the published version (``rows`` falls back to the newest version for staff)."""
    features: tuple[str, ...] = ("analyze",)
    """Opendatasoft's features of the published version's fields."""
    territory: str | None = None
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        # computed once: search counts facet values over thousands of cards per request
        single = {"organisation": self.organisation, "licence": self.licence, "frequency": self.frequency,
                  "classification": self.classification, "state": self.state}
        values: dict[str, tuple[str, ...]] = {k: ((v,) if v else ()) for k, v in single.items()}
        values.update(theme=self.themes, keyword=self.keywords, format=self.formats, language=("nl",),
                      features=self.features)
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

    def metadata(self, lang: str = "nl") -> dict[str, Any]:
        """The card under the service's field names (``FIELDS``), as catalogue filters read it:
        lists for list fields (``None`` when empty), ``modified`` as ISO 8601 in UTC."""
        english = lang == "en"
        return {
            "id": self.id,
            "title": (english and self.title_en) or self.title_nl,
            "description": (english and self.description_en) or self.description_nl,
            "theme": list(self.themes) or None,
            "keyword": list(self.keywords) or None,
            "organisation": self.organisation,
            "licence": self.licence,
            "language": "nl",
            "territory": [self.territory] if self.territory else None,
            "modified": iso_utc(self.updated_at),
            "records_count": self.records_count,
            "rows": self.rows,
            "features": list(self.features),
            "has_records": self.records_count > 0,
            "format": list(self.formats) or None,
            "frequency": self.frequency,
            "classification": self.classification,
            "state": self.state,
        }

    def document(self) -> SearchDocument:
        """What the search index reads of this dataset."""
        return SearchDocument(
            id=self.id, title_nl=self.title_nl, title_en=self.title_en, description_nl=self.description_nl,
            description_en=self.description_en, keywords=self.keywords, organisation=self.organisation,
            field_names=tuple(n for f in self.fields for n in (f.name, f.description) if n),
            themes=self.themes, state=self.state,
        )


def iso_utc(value: dt.datetime) -> str:
    """``2024-07-15T11:36:45+00:00`` (milliseconds when there are any), as the Opendatasoft
    dialects render ``modified``."""
    utc = value.astimezone(dt.UTC)
    return utc.isoformat(timespec="milliseconds" if utc.microsecond else "seconds")


def features_of(fields: list[dict[str, Any]]) -> tuple[str, ...]:
    """Opendatasoft's ``features`` of a dataset with these fields."""
    features = ["analyze"]
    if any(f["type"] in {"date", "datetime"} for f in fields):
        features.append("timeserie")
    if any(f["type"] in {"geopoint", "geometry"} for f in fields):
        features.append("geo")
    return tuple(features)


def card_of(dataset: Dataset, held_back: frozenset[str] = frozenset()) -> DatasetCard:
    """The card of a dataset row whose versions and distributions are loaded, without the
    fields ``held_back`` (``gate.held_back_fields``: not even their names)."""
    published = next((v for v in dataset.versions if v.number == dataset.published_version), None)
    version = published
    if version is None and dataset.versions:
        version = dataset.versions[-1]  # staff see drafts by their newest version
    fields = tuple(
        FieldInfo(f["name"], f["type"], f.get("description"), f.get("unit"))
        for f in (version.table_schema.get("fields", []) if version else [])
        if f["name"] not in held_back
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
        records_count=published.row_count if published else 0,
        features=features_of([f for f in (published.table_schema.get("fields", []) if published
                                          else []) if f["name"] not in held_back]),
        territory=dataset.spatial,
    )
