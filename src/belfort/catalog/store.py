"""Catalogue operations: datasets, their metadata, versions, states and distributions.

Functions take an open SQLAlchemy session; the caller owns the transaction. Access
rules are not checked here — callers go through ``belfort.policy.gate`` first.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from belfort.catalog import audit_chain
from belfort.catalog.metadata import (
    DEFAULT_SOURCE_TIMEZONE,
    TRANSITIONS,
    DatasetMetadata,
    LifecycleState,
    check_slug,
)
from belfort.catalog.models import MAX_NUMBER, Dataset, Distribution, Version
from belfort.catalog.organisations import resolve_organisation
from belfort.catalog.register_rules import check_entry_exists, require_register_entry
from belfort.catalog.vocabularies import canonical_terms
from belfort.errors import (
    Conflict,
    DatasetExists,
    InvalidRequest,
    MetadataInvalid,
    UnknownTerm,
    VersionNotFound,
)

EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "parquet": ("application/vnd.apache.parquet", "Parquet"),
    "csv": ("text/csv", "CSV"),
    "json": ("application/json", "JSON"),
}


def validate_metadata(data: dict[str, Any]) -> DatasetMetadata:
    """DatasetMetadata from a plain dict, with pydantic's errors turned into one clear message."""
    try:
        return DatasetMetadata(**data)
    except ValidationError as exc:  # each error also as data: pages say it in their language
        errors = [dict(e) for e in exc.errors()]
        raise MetadataInvalid.from_errors("metadata", errors, limit=len(errors), loc_chars=10_000,
                                          msg_chars=1_000_000) from None


def canonical_changes(session: Session, changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` with free text mapped onto the controlled lists (themes, licence,
    frequency, spatial coverage, organisation); ``UnknownTerm`` for what is on none."""
    problems: list[dict[str, Any]] = []
    try:
        changes = canonical_terms(changes)
    except UnknownTerm as exc:
        problems.extend(exc.details["problems"])
    organisation = changes.get("organisation")
    if isinstance(organisation, str) and organisation.strip():
        try:
            changes = {**changes, "organisation": resolve_organisation(session, organisation)}
        except UnknownTerm as exc:
            problems.extend(exc.details["problems"])
    elif isinstance(organisation, str):
        changes = {**changes, "organisation": None}
    if problems:
        raise UnknownTerm("; ".join(p["message_en"] for p in problems), details={"problems": problems})
    return changes


def checked_metadata(
    session: Session, changes: dict[str, Any], dataset: Dataset | None = None
) -> DatasetMetadata:
    """The metadata ``changes`` make (of a new dataset, or applied to ``dataset``), with free
    text mapped onto the controlled lists; one error names every problem (UnknownTerm when
    a value is on no list, InvalidRequest otherwise)."""
    unknown: UnknownTerm | None = None
    try:
        canonical = canonical_changes(session, changes)
    except UnknownTerm as exc:
        unknown = exc
        fields = {p["field"] for p in exc.details["problems"]}
        canonical = {k: v for k, v in changes.items() if k not in fields}
    try:
        metadata = (merged_metadata(dataset, canonical) if dataset is not None
                    else validate_metadata(canonical))
    except InvalidRequest as exc:
        if unknown is None:
            raise
        raise UnknownTerm(f"{unknown.message}; {exc.message}", details={
            **unknown.details, "other_problems": exc.details.get("problems", [])}) from None
    if unknown is not None:
        raise unknown
    return metadata


def metadata_of(dataset: Dataset) -> DatasetMetadata:
    return DatasetMetadata.model_validate(dict(
        title_nl=dataset.title_nl,
        title_en=dataset.title_en,
        description_nl=dataset.description_nl,
        description_en=dataset.description_en,
        organisation=dataset.organisation,
        contact_point={"name": dataset.contact_name, "email": dataset.contact_email},
        themes=list(dataset.themes or []),
        keywords=list(dataset.keywords or []),
        licence=dataset.licence,
        spatial=dataset.spatial,
        temporal={"start": dataset.temporal_start, "end": dataset.temporal_end},
        frequency=dataset.frequency,
        classification=dataset.classification,
        classification_reason=dataset.classification_reason,
        restriction_reason=dataset.restriction_reason,
        listed=bool(dataset.listed),
        steward=dataset.steward,
        record_key=list(dataset.record_key or []),
        personal_data=bool(dataset.personal_data),
        processing_activity=dataset.processing_activity,
        rdf_mapping=dataset.rdf_mapping,
        timezone=dataset.timezone or DEFAULT_SOURCE_TIMEZONE,
    ))


def _apply(dataset: Dataset, metadata: DatasetMetadata) -> None:
    data = metadata.model_dump(mode="json")
    dataset.title_nl = data["title_nl"]
    dataset.title_en = data["title_en"]
    dataset.description_nl = data["description_nl"]
    dataset.description_en = data["description_en"]
    dataset.organisation = data["organisation"]
    dataset.contact_name = data["contact_point"]["name"]
    dataset.contact_email = data["contact_point"]["email"]
    dataset.themes = data["themes"]
    dataset.keywords = data["keywords"]
    dataset.licence = data["licence"]
    dataset.spatial = data["spatial"]
    dataset.temporal_start = data["temporal"]["start"]
    dataset.temporal_end = data["temporal"]["end"]
    dataset.frequency = data["frequency"]
    dataset.classification = data["classification"]
    dataset.classification_reason = data["classification_reason"]
    dataset.restriction_reason = data["restriction_reason"]
    dataset.listed = data["listed"]
    dataset.steward = data["steward"]
    dataset.record_key = data["record_key"]
    dataset.personal_data = data["personal_data"]
    dataset.processing_activity = data["processing_activity"]
    dataset.rdf_mapping = data["rdf_mapping"]
    dataset.timezone = data["timezone"]


def find_dataset(session: Session, dataset_id: str, *, lock: bool = False) -> Dataset | None:
    """The dataset or None; ``lock`` holds its row until the transaction ends
    (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers anyway)."""
    if lock:
        return session.scalar(select(Dataset).where(Dataset.id == dataset_id).with_for_update())
    return session.get(Dataset, dataset_id)


def create_dataset(session: Session, dataset_id: str, changes: dict[str, Any]) -> Dataset:
    """A new dataset in state draft. ``changes`` must hold at least ``title_nl``."""
    check_slug(dataset_id)
    if session.get(Dataset, dataset_id) is not None:
        raise DatasetExists(f"dataset {dataset_id!r} already exists")
    metadata = checked_metadata(session, changes)
    check_entry_exists(session, metadata.processing_activity)
    dataset = Dataset(
        id=dataset_id, state=LifecycleState.DRAFT.value, themes=[], keywords=[], record_key=[]
    )
    _apply(dataset, metadata)
    session.add(dataset)
    refresh_distributions(session, dataset)
    return dataset


def merged_metadata(dataset: Dataset, changes: dict[str, Any]) -> DatasetMetadata:
    """The dataset's metadata with ``changes`` applied, validated as a whole."""
    current = metadata_of(dataset).model_dump(mode="json")
    for key, value in changes.items():
        if key in ("contact_point", "temporal") and isinstance(value, dict):
            current[key] = {**current[key], **value}
        else:
            current[key] = value
    if changes.get("classification") == "open" and "classification_reason" not in changes:
        current["classification_reason"] = None
    if changes.get("classification") == "open":
        current["restriction_reason"] = None
    return validate_metadata(current)


def update_metadata(session: Session, dataset: Dataset, changes: dict[str, Any]) -> Dataset:
    """Change some metadata fields; the merged result is validated as a whole.

    A dataset the public reads must keep meeting the personal-data rule
    (``belfort.catalog.register_rules``).
    """
    metadata = checked_metadata(session, changes, dataset)
    check_entry_exists(session, metadata.processing_activity)
    if dataset.state in (LifecycleState.PUBLISHED.value, LifecycleState.DEPRECATED.value):
        require_register_entry(session, dataset.id, metadata.personal_data, metadata.processing_activity)
    _apply(dataset, metadata)
    return dataset


def check_rdf_mapping(mapping: dict[str, Any] | None, table_schema: dict[str, Any] | None) -> None:
    """An RDF mapping names only fields of the version's schema (InvalidRequest otherwise)."""
    if mapping is None or table_schema is None:
        return
    from belfort.linked.mapping import validate_mapping

    validate_mapping(mapping, table_schema)


def current_schema(session: Session, dataset: Dataset) -> dict[str, Any] | None:
    """The schema of the published version, else of the newest one."""
    query = select(Version.table_schema).where(Version.dataset_id == dataset.id)
    if dataset.published_version is not None:
        query = query.where(Version.number == dataset.published_version)
    return session.scalar(query.order_by(Version.number.desc()).limit(1))


def next_version_number(session: Session, dataset_id: str) -> int:
    highest = session.scalar(
        select(func.max(Version.number)).where(Version.dataset_id == dataset_id)
    )
    return (highest or 0) + 1


def add_version(session: Session, dataset: Dataset, **fields: Any) -> Version:
    """Record a new immutable version (its file is already in the lake)."""
    check_rdf_mapping(dataset.rdf_mapping, fields.get("table_schema"))
    version = Version(dataset_id=dataset.id, **fields)
    session.add(version)
    session.flush()
    return version


def publish_version(session: Session, dataset: Dataset, number: int) -> None:
    """Make version ``number`` the one readers see; a draft dataset becomes published.

    A deprecated dataset stays deprecated (still readable, still flagged) when it gets
    a new version; un-deprecating is an explicit state change.
    """
    exists = None if not 1 <= number <= MAX_NUMBER else session.scalar(
        select(Version.id).where(Version.dataset_id == dataset.id, Version.number == number)
    )
    if exists is None:
        raise VersionNotFound(f"dataset {dataset.id!r} has no version {number}")
    if dataset.state == LifecycleState.ARCHIVED.value:
        raise Conflict(f"dataset {dataset.id!r} is archived; restore it first")
    check_rdf_mapping(dataset.rdf_mapping, session.scalar(
        select(Version.table_schema).where(Version.dataset_id == dataset.id, Version.number == number)))
    require_register_entry(session, dataset.id, dataset.personal_data, dataset.processing_activity)
    dataset.published_version = number
    if dataset.state == LifecycleState.DRAFT.value:
        dataset.state = LifecycleState.PUBLISHED.value


def change_state(session: Session, dataset: Dataset, target: str) -> None:
    """Move along the life cycle (draft → published → deprecated → archived)."""
    try:
        new = LifecycleState(target)
    except ValueError:
        raise InvalidRequest(
            f"unknown state {target[:40]!r}; use one of {[s.value for s in LifecycleState]}"
        ) from None
    current = LifecycleState(dataset.state)
    if new == current:
        return
    if new not in TRANSITIONS[current]:
        raise Conflict(f"cannot go from {current.value} to {new.value}")
    if new in (LifecycleState.PUBLISHED, LifecycleState.DEPRECATED):
        require_register_entry(session, dataset.id, dataset.personal_data, dataset.processing_activity)
    if new == LifecycleState.PUBLISHED and dataset.published_version is None:
        if not dataset.versions:
            raise Conflict(f"dataset {dataset.id!r} has no version to publish")
        dataset.published_version = dataset.versions[-1].number
    dataset.state = new.value


def refresh_distributions(session: Session, dataset: Dataset) -> None:
    """One distribution per export format, each served by the native API."""
    existing = {d.format for d in dataset.distributions}
    for fmt, (media_type, label) in EXPORT_FORMATS.items():
        if fmt not in existing:
            dataset.distributions.append(
                Distribution(
                    format=fmt,
                    media_type=media_type,
                    title=f"{dataset.title_nl} ({label})",
                    access_path=f"/api/belfort/v1/datasets/{dataset.id}/exports/{fmt}",
                )
            )


def record_audit(
    session: Session, actor: str, action: str, dataset_id: str | None, **detail: Any
) -> None:
    """Append a staff (or platform) action to the audit chain, in ``session``'s transaction:
    the entry commits, or rolls back, with the change it records."""
    audit_chain.append(session, audit_chain.Entry(actor=actor, action=action,
                                                  dataset=dataset_id, detail=detail))


def version_to_dict(version: Version) -> dict[str, Any]:
    return {
        "number": version.number,
        "schema": version.table_schema,
        "row_count": version.row_count,
        "byte_size": version.byte_size,
        "checksum": version.checksum,
        "source": version.source,
        "source_format": version.source_format,
        "source_details": version.source_details,
        "source_checksum": version.source_checksum,
        "validation": version.validation,
        "created_by": version.created_by,
        "created_at": version.created_at.isoformat(),
        "quality_gate": version.quality_gate,
    }


def dataset_to_dict(dataset: Dataset, *, include_versions: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"id": dataset.id}
    out.update(metadata_of(dataset).model_dump(mode="json"))
    out.update(
        {
            "state": dataset.state,
            "published_version": dataset.published_version,
            "created_at": dataset.created_at.isoformat(),
            "updated_at": dataset.updated_at.isoformat(),
            "distributions": [
                {
                    "format": d.format,
                    "media_type": d.media_type,
                    "title": d.title,
                    "access_url": d.access_path,
                }
                for d in dataset.distributions
            ],
        }
    )
    if include_versions:
        out["versions"] = [version_to_dict(v) for v in dataset.versions]
    return out
