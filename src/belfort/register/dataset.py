"""The register as the dataset ``verwerkingsregister-stad-gent``.

Whenever the register changes, ``publish_register_dataset`` writes the published
entries to a JSON file and ingests it through the normal write path
(``belfort.publishing.ingest_file``) as a new published version, so the Opendatasoft
APIs serve it like any dataset and the city's processing-register widget works
unchanged. Field names follow the widget's facets (``processor``, ``personaldata``,
``grantees``, ``type``, ``formal_framework``, ``audience``) and its records (``id``,
``name``); lists are multivalued text fields (separator ``;``): a facet counts each
value, ``refine=grantees:X`` matches any entry that names X, and the Explore API
returns them as JSON arrays.
"""

from __future__ import annotations

import shutil
from typing import Any

import orjson

from belfort.catalog import store as catalog_store
from belfort.catalog.models import ProcessingActivity
from belfort.platform import Platform
from belfort.policy.principals import Principal
from belfort.publishing import IngestOutcome, ingest_file
from belfort.register.model import LIST_SEPARATOR
from belfort.register.store import list_activities

REGISTER_DATASET = "verwerkingsregister-stad-gent"

# field → (title, description); every field is text
FIELDS: dict[str, tuple[str, str]] = {
    "id": ("Identificator", "GUID of the entry (as in its URI https://stad.gent/id/data-processing/activities/<id>)"),
    "name": ("Naam", "Name of the processing activity"),
    "description": ("Beschrijving", "What is done, and why"),
    "type": ("Categorie", "Category of processing"),
    "processor": ("Verwerkende dienst", "Department that processes the data"),
    "controller": ("Verwerkingsverantwoordelijke", "Controller (GDPR art. 30(1)(a))"),
    "formal_framework": ("Rechtmatigheid", "Legal basis (GDPR art. 6)"),
    "formal_framework_clarification": ("Verduidelijking", "The legal basis explained"),
    "legal_reference": ("Wettelijk kader", "Law or regulation the processing rests on"),
    "purposes": ("Doeleinden", "Purposes (GDPR art. 30(1)(b)); multivalued"),
    "data_subjects": ("Betrokkenen", "Categories of data subjects; multivalued"),
    "personaldata": ("Persoonsgegevens", "Types of personal data, sensitive ones included; multivalued"),
    "sensitive_personaldata": ("Gevoelige persoonsgegevens", "Types of sensitive personal data; multivalued"),
    "personaldata_details": ("Welke persoonsgegevens", "Each type with what exactly, one a line"),
    "grantees": ("Ontvangers", "Recipients; multivalued"),
    "retention": ("Bewaartermijn", "Retention period"),
    "third_country_transfers": ("Doorgifte aan derde landen", "Transfers to third countries"),
    "security_measures": ("Beveiligingsmaatregelen", "Technical and organisational security measures"),
    "audience": ("Doelgroep", "burger (citizens) or werknemer stad (city staff)"),
}
REPUBLISH_ATTEMPTS = 3
MULTIVALUED = ("purposes", "data_subjects", "personaldata", "sensitive_personaldata", "grantees")

METADATA: dict[str, Any] = {
    "title_nl": "Verwerkingsregister Stad Gent",
    "title_en": "Processing register of the City of Ghent",
    "description_nl": (
        "De verwerkingen van persoonsgegevens door Stad en OCMW Gent (AVG artikel 30): wat, waarom, "
        "op welke rechtsgrond, welke gegevens over wie, aan wie ze worden doorgegeven en hoe lang ze "
        "worden bewaard. Bijgewerkt bij elke wijziging van het register."
    ),
    "description_en": (
        "How the City of Ghent processes personal data (GDPR article 30): what, why, on which legal "
        "basis, which data about whom, who receives them and how long they are kept. Updated with "
        "every change to the register."
    ),
    "organisation": "Stad Gent",
    "themes": ["GOVE"],
    "keywords": ["privacy", "AVG", "GDPR", "verwerkingsregister", "persoonsgegevens"],
    "licence": "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0",
    "frequency": "irregular",
    "record_key": ["id"],
}


def _joined(values: list[str]) -> str:
    return LIST_SEPARATOR.join(v for v in values if v)


def register_row(activity: ProcessingActivity) -> dict[str, str | None]:
    """One entry as one record of the register dataset (every field present; empty: null)."""
    personal = list(activity.personal_data or [])
    sensitive = list(activity.sensitive_personal_data or [])
    types = list(dict.fromkeys(str(p.get("type") or "") for p in personal + sensitive))
    details = "\n".join(
        f"{p.get('type')}: {p.get('description')}" if p.get("description") else str(p.get("type"))
        for p in personal + sensitive
    )
    row = {
        "id": activity.id,
        "name": activity.name,
        "description": activity.description,
        "type": activity.category,
        "processor": activity.processor,
        "controller": activity.controller,
        "formal_framework": activity.legal_basis,
        "formal_framework_clarification": activity.legal_basis_explained,
        "legal_reference": activity.formal_framework,
        "purposes": _joined(list(activity.purposes or [])),
        "data_subjects": _joined(list(activity.data_subjects or [])),
        "personaldata": _joined(types),
        "sensitive_personaldata": _joined(list(dict.fromkeys(str(p.get("type") or "") for p in sensitive))),
        "personaldata_details": details,
        "grantees": _joined(list(activity.grantees or [])),
        "retention": activity.retention,
        "third_country_transfers": activity.third_country_transfers,
        "security_measures": activity.security_measures,
        "audience": activity.audience,
    }
    return {name: (row[name] or None) for name in FIELDS}


def publish_register_dataset(platform: Platform, principal: Principal) -> IngestOutcome:
    """A new published version of the register dataset from the published entries.

    Two changes at once each publish a version; should the one that read the register
    first commit last, its re-read after committing sees the other change and publishes
    again, so the newest version always holds the newest register.
    """
    for _ in range(REPUBLISH_ATTEMPTS):
        rows = _rows(platform)
        outcome = _publish(platform, principal, rows)
        if _rows(platform) == rows:
            break
    return outcome


def _rows(platform: Platform) -> list[dict[str, str | None]]:
    with platform.db.session() as session:
        return [register_row(a) for a in list_activities(session)]


def _publish(platform: Platform, principal: Principal, rows: list[dict[str, str | None]]) -> IngestOutcome:
    with platform.db.session() as session:
        exists = catalog_store.find_dataset(session, REGISTER_DATASET) is not None
    workdir = platform.lake.new_staging_dir()
    try:
        if rows:
            path = workdir / "verwerkingsregister.json"
            path.write_bytes(orjson.dumps(rows))
        else:  # an empty register is an empty dataset with the same fields
            path = workdir / "verwerkingsregister.csv"
            path.write_text(",".join(FIELDS) + "\n", encoding="utf-8")
        return ingest_file(
            platform, principal, REGISTER_DATASET, path,
            metadata=None if exists else dict(METADATA),
            format="json" if rows else "csv",
            overrides=dict.fromkeys(FIELDS, "string"),
            multivalued=dict.fromkeys(MULTIVALUED, LIST_SEPARATOR),
            source_name="verwerkingsregister",
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
