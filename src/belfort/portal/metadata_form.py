"""The staff metadata form: its controlled lists, reading it back, and its problems in the
page's language.

Every field the CLI and the API accept that a steward describes is on the form (titles,
descriptions, organisation, contact point, themes, keywords, licence, spatial and temporal
coverage, frequency, classification and its reason, steward, source time zone); themes, licence,
organisation, spatial coverage, frequency and the reason a dataset is not open are chosen from
the catalogue's lists
(``belfort.catalog.vocabularies``, ``belfort.catalog.organisations``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from belfort.catalog.metadata import RESTRICTION_REASON_LABELS, Classification
from belfort.catalog.organisations import list_organisations
from belfort.linked import vocabularies as v
from belfort.platform import Platform

TEXT_FIELDS = (
    "title_nl",
    "title_en",
    "description_nl",
    "description_en",
    "organisation",
    "licence",
    "frequency",
    "classification",
    "restriction_reason",
    "classification_reason",
    "timezone",
    "spatial",
    "steward",
)
NESTED = {
    "contact_name": ("contact_point", "name"),
    "contact_email": ("contact_point", "email"),
    "temporal_start": ("temporal", "start"),
    "temporal_end": ("temporal", "end"),
}
MAX_TEXT = 20_000
MAX_TERMS = 50


@dataclass(frozen=True)
class Option:
    value: str
    label_nl: str
    label_en: str

    def label(self, lang: str) -> str:
        return self.label_nl if lang == "nl" else self.label_en


@dataclass(frozen=True)
class Lists:
    """What the form's selects and checkboxes offer."""

    themes: tuple[Option, ...]
    licences: tuple[Option, ...]
    frequencies: tuple[Option, ...]
    places: tuple[tuple[str, tuple[Option, ...]], ...]  # (group key, places)
    organisations: tuple[Option, ...]
    classifications: tuple[str, ...]
    restriction_reasons: tuple[Option, ...]


def metadata_lists(platform: Platform) -> Lists:
    with platform.db.session() as session:
        organisations = tuple(
            Option(o.name_nl, o.name_nl, o.name_en or o.name_nl)
            for o in list_organisations(session)
        )
    groups: dict[str, list[Option]] = {}
    for place in v.PLACES:
        groups.setdefault(place.kind, []).append(
            Option(place.name_nl, place.name_nl, place.name_en)
        )
    return Lists(
        themes=tuple(
            Option(code, f"{c.label_nl} ({code})", f"{c.label_en} ({code})")
            for code, c in v.THEMES.items()
        ),
        licences=tuple(Option(lic.uri, lic.label_nl, lic.label_en) for lic in v.LICENCES),
        frequencies=tuple(
            Option(value, c.label_nl or value, c.label_en) for value, c in v.FREQUENCIES.items()
        ),
        places=tuple(
            (kind, tuple(groups[kind]))
            for kind in ("gemeente", "deelgemeente", "wijk", "gewest", "land")
            if kind in groups
        ),
        organisations=organisations,
        classifications=tuple(c.value for c in Classification),
        restriction_reasons=tuple(
            Option(reason.value, labels["nl"], labels["en"])
            for reason, labels in RESTRICTION_REASON_LABELS.items()
        ),
    )


def licence_labels() -> dict[str, dict[str, str]]:
    """Licence URI → readable name per language (facets and the dataset page)."""
    return {lic.uri: {"nl": lic.label_nl, "en": lic.label_en} for lic in v.LICENCES}


def metadata_from_form(form: FormData, *, complete: bool) -> dict[str, Any]:
    """The metadata changes a posted form asks for. ``complete``: the form shows every field,
    so an emptied field clears it; otherwise (a new upload) empty fields are left out."""
    changes: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name not in form and not complete:
            continue
        value = str(form.get(name, "")).strip()[:MAX_TEXT]
        if value:
            changes[name] = value
        elif complete and name in form and name not in ("title_nl", "classification", "timezone"):
            changes[name] = "unknown" if name == "frequency" else None
    for name, (outer, inner) in NESTED.items():
        value = str(form.get(name, "")).strip()[:MAX_TEXT]
        if value or (complete and name in form):
            changes.setdefault(outer, {})[inner] = value or None
    themes = [str(t).strip()[:200] for t in form.getlist("themes") if str(t).strip()]
    # a themes field typed as text (comma-separated) is read too
    themes = [part.strip() for t in themes for part in t.split(",") if part.strip()]
    if themes or (complete and "themes_shown" in form):
        changes["themes"] = themes[:MAX_TERMS]
    keywords = [k.strip()[:200] for k in str(form.get("keywords", "")).split(",") if k.strip()]
    if keywords or (complete and "keywords" in form):
        changes["keywords"] = keywords[:MAX_TERMS]
    return changes


def typed_values(form: FormData) -> dict[str, Any]:
    """What the steward typed, shaped like a dataset's metadata, to show it again."""
    values: dict[str, Any] = {name: str(form.get(name, ""))[:MAX_TEXT] for name in TEXT_FIELDS}
    for name, (outer, inner) in NESTED.items():
        values.setdefault(outer, {})[inner] = str(form.get(name, ""))[:MAX_TEXT]
    values["themes"] = [str(t)[:200] for t in form.getlist("themes")][:MAX_TERMS]
    values["keywords"] = [
        k.strip()[:200] for k in str(form.get("keywords", "")).split(",") if k.strip()
    ][:MAX_TERMS]
    return values
