"""Flat metadata options (CLI flags, HTTP upload parameters) → DatasetMetadata fields.

One table, so ``belfort ingest --title …`` and ``POST …/ingest?title=…`` mean the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# option name → (metadata path, description for --help and the API docs)
METADATA_OPTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "title": (("title_nl",), "Title in Dutch."),
    "title_en": (("title_en",), "Title in English."),
    "description": (("description_nl",), "Description in Dutch."),
    "description_en": (("description_en",), "Description in English."),
    "organisation": (
        ("organisation",),
        "Publishing organisation: its name or slug as `belfort organisations list` shows it.",
    ),
    "contact_name": (("contact_point", "name"), "Contact point name."),
    "contact_email": (("contact_point", "email"), "Contact point e-mail address."),
    "themes": (
        ("themes",),
        "Comma-separated EU data themes: codes or names, e.g. TRAN,ENVI or Vervoer,Milieu "
        "(docs/metadata.md).",
    ),
    "keywords": (("keywords",), "Comma-separated keywords."),
    "licence": (
        ("licence",),
        "Licence from the list: URI, SPDX id or name, e.g. CC0-1.0, CC-BY-4.0, "
        "'Modellicentie Gratis Hergebruik' (docs/metadata.md).",
    ),
    "spatial": (
        ("spatial",),
        "Spatial coverage from the list: Gent, a deelgemeente or wijk, Vlaanderen, België.",
    ),
    "temporal_start": (("temporal", "start"), "Start of temporal coverage (YYYY-MM-DD)."),
    "temporal_end": (("temporal", "end"), "End of temporal coverage (YYYY-MM-DD)."),
    "frequency": (
        ("frequency",),
        "Update frequency: continuous, hourly, daily, weekly, monthly, quarterly, annual, "
        "irregular, never or unknown (Dutch names too).",
    ),
    "classification": (
        ("classification",),
        "open (default), internal, confidential or strictly-confidential.",
    ),
    "restriction": (
        ("restriction_reason",),
        "Why the dataset is not open, from the list: privacy, security, third-party-rights or "
        "in-preparation (required when not open).",
    ),
    "reason": (("classification_reason",), "Why the dataset is not open (required then)."),
    "listed": (
        ("listed",),
        "yes: a dataset that is not open is named on the public transparency page (title, "
        "owner, classification, reason), with a way to ask for access.",
    ),
    "steward": (("steward",), "The data steward responsible for the dataset."),
    "key": (
        ("record_key",),
        "Comma-separated fields that identify a record (stable record ids; default: all fields).",
    ),
    "personal_data": (
        ("personal_data",),
        "yes when the dataset holds personal data: it is then published only linked to a "
        "published processing register entry.",
    ),
    "processing_activity": (
        ("processing_activity",),
        "Identifier (GUID) of the dataset's processing register entry.",
    ),
    "rdf_mapping": (
        ("rdf_mapping",),
        "How its rows become linked data: the RDF mapping as JSON text (docs/linked-data.md).",
    ),
    "timezone": (
        ("timezone",),
        "IANA time zone of the source, e.g. Europe/London: times without a UTC offset in the "
        "file are read as local times there (default: the dataset's, for a new dataset "
        "Europe/Brussels). Applies to this and later versions.",
    ),
}

LIST_OPTIONS = {"themes", "keywords", "key"}


def metadata_from_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Only the options that were given (not None) become metadata changes."""
    changes: dict[str, Any] = {}
    for name, value in options.items():
        if value is None or name not in METADATA_OPTIONS:
            continue
        path, _ = METADATA_OPTIONS[name]
        if name in LIST_OPTIONS and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if len(path) == 1:
            changes[path[0]] = value
        else:
            changes.setdefault(path[0], {})[path[1]] = value
    return changes
