"""The write path: ingest a file into a dataset version and publish it; change metadata,
state and the published version. The HTTP API and the CLI both call these functions, so
rights, rules and the audit log are the same whichever way a change comes in.

Order of events, chosen so that no half-written version is ever visible:

1. check rights, identifier and metadata (fail before reading any data);
2. read, validate and convert the file into ``staging/`` (nothing visible yet);
3. rename the finished Parquet file into ``versions/`` (atomic);
4. commit the catalogue row (version, publication, audit) in one transaction.

A process killed before step 4 leaves at most an unreferenced file, which readers
never see and garbage collection removes.
"""

from __future__ import annotations

import logging
import random
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from belfort import metrics
from belfort.catalog import field_dictionary, store
from belfort.catalog.metadata import LifecycleState, check_slug
from belfort.catalog.models import Dataset
from belfort.catalog.register_rules import check_entry_exists, require_register_entry
from belfort.errors import Conflict, DatasetExists, InvalidRequest, QualityGateBlocked, UnknownField
from belfort.ingest.limits import IngestLimits
from belfort.ingest.pipeline import IngestResult, convert_to_parquet
from belfort.lake.store import sha256_of
from belfort.platform import Platform
from belfort.policy.gate import PUBLIC_STATES, get_dataset, require_write
from belfort.policy.principals import Principal
from belfort.policy.redaction import redact_url  # a harvested URL may carry ?apikey=
from belfort.quality import gate as quality_gate
from belfort.quality import hook as quality_hook
from belfort.query.record_times import write_record_times
from belfort.schema import TableSchema
from belfort.streams.live_catalog import follow_classification

COMMIT_ATTEMPTS = 8
log = logging.getLogger(__name__)
PublishedHook = Callable[[Platform, str], None]


class _AfterPublish:
    def __init__(self) -> None:
        self.hooks: list[PublishedHook] = []


def after_publish(platform: Platform) -> list[PublishedHook]:
    """Work that follows a newly published version of a dataset — or a change of its state or
    classification — ``hook(platform, dataset_id)`` (a platform component; higher layers
    append to it, e.g. Gent in Cijfers' recomputation). A failing hook is logged, never
    raised into the write path."""
    return platform.component(_AfterPublish, lambda _p: _AfterPublish()).hooks


def _published(platform: Platform, dataset_id: str) -> None:
    for hook in list(after_publish(platform)):
        try:
            hook(platform, dataset_id)
        except Exception:  # noqa: BLE001 — the version is published whatever a follower does
            log.exception("after publishing %s: %r failed", dataset_id, hook)


@dataclass
class IngestOutcome:
    dataset_id: str
    version: int
    row_count: int
    published: bool
    schema: dict[str, Any]
    report: dict[str, Any]
    source_details: dict[str, Any]


def ingest_file(
    platform: Platform,
    principal: Principal,
    dataset_id: str,
    source: Path,
    *,
    metadata: Mapping[str, Any] | None = None,
    format: str | None = None,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    draft: bool = False,
    source_name: str | None = None,
    progress: Callable[[int], None] | None = None,
    multivalued: Mapping[str, str] | None = None,
    fields: Mapping[str, field_dictionary.FieldTexts] | None = None,
    override_reason: str | None = None,
    trigger: str = "ingest",
) -> IngestOutcome:
    """Turn ``source`` into a new version of ``dataset_id``; publish it unless ``draft``.

    ``metadata`` holds DatasetMetadata fields to set; a new dataset needs at least
    ``title_nl`` (the identifier is used when none is given). ``multivalued`` names
    text fields that hold several values joined by a separator (field → separator).
    ``fields`` describes fields of the file (the data dictionary, ``--fields``): set in the
    same transaction as the version, refused with it when a field is not in the file.

    Publishing (not ``draft``) passes the publication gate first (``belfort.quality.gate``):
    the dataset's quality rules run over the staged file; below its classification's minimum
    nothing is kept (``QualityGateBlocked``, audited with ``trigger``) unless
    ``override_reason`` gives a written reason.
    """
    require_write(principal)
    check_slug(dataset_id)
    changes = dict(metadata or {})
    reason = quality_gate.check_reason(platform.settings, override_reason)
    zone, classification = _check_metadata_first(platform, dataset_id, changes, draft)

    staging = platform.lake.new_staging_dir()
    try:
        staged = staging / "data.parquet"
        result = convert_to_parquet(
            source,
            staged,
            format=format,
            sheet=sheet,
            overrides=overrides,
            max_examples=platform.settings.max_report_examples,
            max_invalid_rows=platform.settings.max_invalid_rows,
            progress=progress,
            timezone=zone,
            limits=ingest_limits(platform),
        )
        if multivalued:
            result.schema = _with_separators(result.schema, multivalued)
        if fields:
            _check_described(result.schema, fields)
        source_checksum = sha256_of(source)
        now = datetime.now(UTC)
        times = _record_times(platform, dataset_id, changes, staged, result, now, staging)
        gate_record = None
        if not draft:  # on the STAGED file: nothing is visible yet
            gate_record = _pass_gate(
                platform, principal, dataset_id, classification, reason, None, trigger,
                quality_gate.Staged(staged, result.schema, result.report.to_dict(),
                                    result.row_count, zone),
            )
        outcome = _commit(
            platform, principal, dataset_id, changes, staged, result,
            source_name=redact_url(source_name or source.name), source_checksum=source_checksum, draft=draft,
            record_times=times, now=now, fields=fields, gate_record=gate_record,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    # every version is measured, in the background: never slows or fails the publication
    quality_hook.after_publish(platform, dataset_id, outcome.version,
                               "publish" if outcome.published else "ingest")
    return outcome


def _pass_gate(
    platform: Platform,
    principal: Principal,
    dataset_id: str,
    classification: str,
    reason: str | None,
    version: int | None,
    trigger: str,
    staged: quality_gate.Staged,
) -> dict[str, Any] | None:
    """The gate's record for the version about to be published; a refusal is audited (in a
    transaction of its own) and raised."""
    verdict = quality_gate.evaluate(platform, dataset_id, classification, staged)
    try:
        return quality_gate.decide(dataset_id, verdict, reason, principal.actor)
    except QualityGateBlocked as exc:
        metrics.QUALITY_GATE_BLOCKED.inc()
        quality_gate.record_blocked(platform, principal.actor, dataset_id, version, exc, trigger)
        raise


def _check_described(schema: TableSchema, fields: Mapping[str, field_dictionary.FieldTexts]) -> None:
    """A fields file describes fields of the file being ingested (before anything is kept)."""
    unknown = sorted(name for name in fields if schema.get(name) is None)
    if unknown:
        raise UnknownField(
            f"the fields file describes {', '.join(repr(n[:60]) for n in unknown[:10])}, which the "
            f"file does not have; its fields are: {', '.join(schema.names)[:2000]}"
        )


def ingest_limits(platform: Platform) -> IngestLimits:
    """The ingest limits of this platform's settings (``BELFORT_INGEST_MAX_*``)."""
    settings = platform.settings
    return IngestLimits(
        max_columns=settings.ingest_max_columns,
        max_cells=settings.ingest_max_cells,
        max_decompressed_bytes=settings.ingest_max_decompressed_bytes,
        max_shared_strings=settings.ingest_max_shared_strings,
        max_shared_strings_bytes=settings.ingest_max_shared_strings_bytes,
    )


def _with_separators(schema: TableSchema, multivalued: Mapping[str, str]) -> TableSchema:
    """The schema with multivalued text fields marked (``Field.separator``)."""
    for name, separator in multivalued.items():
        f = schema.get(name)
        if f is None or f.type != "string":
            raise InvalidRequest(f"multivalued field {name[:100]!r} must be a text field of the file")
        if not 1 <= len(separator) <= 5 or separator.isspace():
            raise InvalidRequest("a multivalued field's separator is 1-5 characters, not only spaces")
    return TableSchema(fields=tuple(
        replace(f, separator=multivalued[f.name]) if f.name in multivalued else f for f in schema.fields
    ))


def _record_times(
    platform: Platform,
    dataset_id: str,
    changes: dict[str, Any],
    staged: Path,
    result: IngestResult,
    now: datetime,
    staging: Path,
) -> Path | None:
    """Record timestamps for the new version, against the newest existing version.

    Also checks the record key names fields of the new file.
    """
    names = result.schema.names
    with platform.db.session() as session:
        dataset = store.find_dataset(session, dataset_id)
        key = list(changes.get("record_key") or (dataset.record_key if dataset else []) or [])
        unknown = [k for k in key if k not in names]
        if unknown:
            raise InvalidRequest(
                f"record key names unknown field(s) {unknown}; fields are: {', '.join(names)}"
            )
        previous = dataset.versions[-1] if dataset and dataset.versions else None
        if previous is None:
            return None
        previous_fields = [f["name"] for f in previous.table_schema.get("fields", [])]
        previous_file = platform.lake.version_file(previous.path)
        previous_times = (
            platform.lake.version_file(previous.record_times_path) if previous.record_times_path else None
        )
        previous_created = previous.created_at
    out = staging / "record-times.parquet"
    write_record_times(
        staged, names, key, previous_file, previous_fields, previous_times, previous_created, now, out
    )
    return out


def _check_metadata_first(
    platform: Platform, dataset_id: str, changes: dict[str, Any], draft: bool
) -> tuple[str, str]:
    """Check the metadata before any data is read; the source time zone the file is read in
    and the classification the version is published under."""
    with platform.db.session() as session:
        dataset = store.find_dataset(session, dataset_id)
        if dataset is None:
            changes.setdefault("title_nl", dataset_id)
            changes.setdefault("timezone", platform.settings.default_source_timezone)
            metadata = store.checked_metadata(session, changes)
            public = not draft
        else:
            if dataset.state == LifecycleState.ARCHIVED.value and not draft:
                raise Conflict(f"dataset {dataset_id!r} is archived; restore it before publishing")
            # raises InvalidRequest when invalid (UnknownTerm: off the controlled lists)
            metadata = store.checked_metadata(session, changes, dataset)
            public = not draft or dataset.state in PUBLIC_STATES
        # the personal-data rule, before any data is read (the commit checks it again)
        check_entry_exists(session, metadata.processing_activity)
        if public:
            require_register_entry(session, dataset_id, metadata.personal_data, metadata.processing_activity)
    return metadata.timezone, str(metadata.classification.value)


def _commit(
    platform: Platform,
    principal: Principal,
    dataset_id: str,
    changes: dict[str, Any],
    staged: Path,
    result: IngestResult,
    *,
    source_name: str,
    source_checksum: str,
    draft: bool,
    record_times: Path | None,
    now: datetime,
    fields: Mapping[str, field_dictionary.FieldTexts] | None = None,
    gate_record: dict[str, Any] | None = None,
) -> IngestOutcome:
    stored = platform.lake.commit_version_file(staged, dataset_id)
    stored_times = None
    try:
        # (inside: when this one fails, e.g. the object store went away, ``stored`` goes too)
        stored_times = (
            platform.lake.commit_version_file(record_times, dataset_id) if record_times else None
        )
        for attempt in range(COMMIT_ATTEMPTS):
            try:
                with platform.db.session() as session:
                    # Lock the dataset row: concurrent ingests then take numbers in turn.
                    dataset = store.find_dataset(session, dataset_id, lock=True)
                    if dataset is None:
                        dataset = store.create_dataset(session, dataset_id, changes)
                    elif changes:
                        store.update_metadata(session, dataset, changes)
                    number = store.next_version_number(session, dataset_id)
                    version_row = store.add_version(
                        session,
                        dataset,
                        number=number,
                        table_schema=result.schema.to_dict(),
                        row_count=result.row_count,
                        byte_size=stored.byte_size,
                        checksum=stored.checksum,
                        path=stored.relative_path,
                        source=source_name[:500],
                        source_format=result.source_format,
                        source_details=result.source_details,
                        source_checksum=source_checksum,
                        validation=result.report.to_dict(),
                        record_times_path=stored_times.relative_path if stored_times else None,
                        created_by=principal.actor,
                        created_at=now,
                    )
                    if not draft:
                        store.publish_version(session, dataset, number)
                        version_row.quality_gate = gate_record
                        quality_gate.audit_override(session, principal.actor, dataset_id, number,
                                                    gate_record)
                    store.record_audit(
                        session, principal.actor, "ingest", dataset_id,
                        version=number, rows=result.row_count, published=not draft,
                        source=source_name[:200],
                    )
                    if fields:
                        described = field_dictionary.set_texts(session, dataset, fields, principal.actor)
                        store.record_audit(session, principal.actor, "describe_fields", dataset_id,
                                           fields=described)
                    published = dataset.published_version == number
                platform.generation.bump()
                metrics.INGESTED_VERSIONS.labels("yes" if published else "no").inc()
                metrics.INGESTED_ROWS.inc(result.row_count)
                if published:
                    _published(platform, dataset_id)
                return IngestOutcome(
                    dataset_id=dataset_id,
                    version=number,
                    row_count=result.row_count,
                    published=published,
                    schema=result.schema.to_dict(),
                    report=result.report.to_dict(),
                    source_details=result.source_details,
                )
            except (IntegrityError, OperationalError, DatasetExists) as exc:
                # Another process created the dataset or took the number first, or
                # (SQLite) another writer holds the database: try again shortly.
                if isinstance(exc, OperationalError) and not _is_busy(exc):
                    raise
                if attempt == COMMIT_ATTEMPTS - 1:
                    raise Conflict(
                        f"dataset {dataset_id!r} is being changed by another ingest; try again"
                    ) from None
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    except BaseException:
        platform.lake.discard(stored.relative_path)
        if stored_times:
            platform.lake.discard(stored_times.relative_path)
        raise
    raise AssertionError("unreachable")


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "busy" in text


# --- changes to an existing dataset (shared by the HTTP API and the CLI) -----------


def _change_dataset(
    platform: Platform,
    principal: Principal,
    dataset_id: str,
    action: str,
    change: Callable[[Session, Dataset], None],
    **audit: Any,
) -> dict[str, Any]:
    """Apply ``change`` to a dataset the principal may write, audit it, return the result."""
    require_write(principal)
    with platform.db.session() as session:
        dataset = get_dataset(session, principal, dataset_id)
        change(session, dataset)
        store.record_audit(session, principal.actor, action, dataset_id, **audit)
        result = store.dataset_to_dict(dataset)
    platform.generation.bump()
    return result


def update_dataset_metadata(
    platform: Platform, principal: Principal, dataset_id: str, changes: dict[str, Any]
) -> dict[str, Any]:
    def change(session: Session, dataset: Dataset) -> None:
        store.update_metadata(session, dataset, changes)
        if "classification" in changes:
            follow_classification(session, dataset, principal.actor)
        if "rdf_mapping" in changes:  # a new mapping must fit the version readers see
            store.check_rdf_mapping(dataset.rdf_mapping, store.current_schema(session, dataset))

    result = _change_dataset(platform, principal, dataset_id, "update_metadata", change,
                             fields=sorted(changes))
    if "classification" in changes:  # who may read it changed: followers look again
        _published(platform, dataset_id)
    return result


def change_dataset_state(
    platform: Platform, principal: Principal, dataset_id: str, state: str
) -> dict[str, Any]:
    result = _change_dataset(
        platform, principal, dataset_id, "change_state",
        lambda session, dataset: store.change_state(session, dataset, state),
        state=state,
    )
    _published(platform, dataset_id)  # published, withdrawn or archived: followers look again
    return result


def publish_dataset_version(
    platform: Platform, principal: Principal, dataset_id: str, number: int,
    override_reason: str | None = None,
) -> dict[str, Any]:
    """Make version ``number`` the published one, through the publication gate
    (``belfort.quality.gate``: its file measured against the classification's minimum;
    ``override_reason`` publishes a blocked version anyway, audited)."""
    require_write(principal)
    reason = quality_gate.check_reason(platform.settings, override_reason)
    with platform.db.session() as session:
        dataset = get_dataset(session, principal, dataset_id)
        classification = dataset.classification
        version = next((v for v in dataset.versions if v.number == number), None)
        gated = version is not None and quality_gate.thresholds(platform.settings, classification).active
        staged = None if version is None or not gated else quality_gate.Staged(
            Path(version.path), TableSchema.from_dict(version.table_schema or {}),
            dict(version.validation or {}), version.row_count, dataset.timezone, staged=False,
        )
    # an unknown version: publish_version below says so (VersionNotFound)
    if staged is not None:  # fetched into this node's cache outside the transaction
        staged = replace(staged, path=platform.lake.version_file(str(staged.path)))
    gate_record = None if staged is None else _pass_gate(
        platform, principal, dataset_id, classification, reason, number, "publish", staged)

    def change(session: Session, dataset: Dataset) -> None:
        store.publish_version(session, dataset, number)
        row = next((v for v in dataset.versions if v.number == number), None)
        if row is not None:
            row.quality_gate = gate_record
        quality_gate.audit_override(session, principal.actor, dataset_id, number, gate_record)

    result = _change_dataset(platform, principal, dataset_id, "publish", change, version=number)
    quality_hook.after_publish(platform, dataset_id, number)  # in the background
    _published(platform, dataset_id)
    return result


def save_organisation(
    platform: Platform, principal: Principal, slug: str, data: dict[str, Any], *, create: bool
) -> dict[str, Any]:
    """Add (``create``) or change a publishing organisation (admin only), audited; a new
    Dutch name is written to its datasets in the same transaction."""
    from belfort.catalog import organisations

    require_write(principal)
    with platform.db.session() as session:
        if create:
            org = organisations.add_organisation(session, slug, data)
        else:
            org = organisations.set_organisation(session, slug, data)
        store.record_audit(session, principal.actor, "add_organisation" if create else "set_organisation",
                           None, organisation=org.slug, fields=sorted(data))
        result = organisations.organisation_to_dict(org)
    platform.generation.bump()
    return result


def classify_field(
    platform: Platform, principal: Principal, dataset_id: str, field: str, level: str | None,
) -> bool:
    """Classify one field of a dataset (``None``: as the dataset); a field classified above
    what a principal reads is held back from it (``belfort.policy.gate``). Audited; the
    catalogue generation moves when it changed."""
    require_write(principal)
    with platform.db.session() as session:
        dataset = get_dataset(session, principal, dataset_id)
        changed = field_dictionary.set_classification(session, dataset, field, level,
                                                      principal.actor)
        if changed:
            store.record_audit(session, principal.actor, "classify_field", dataset_id,
                               field=field[:300], classification=level)
    if changed:
        platform.generation.bump()
    return changed


def describe_fields(
    platform: Platform, principal: Principal, dataset_id: str,
    texts: Mapping[str, field_dictionary.FieldTexts],
) -> list[str]:
    """Set the data dictionary's texts of some fields (``belfort.catalog.field_dictionary``:
    checked texts, fields of the newest version); audited, and the catalogue generation moves
    when something changed. Returns the fields whose texts changed."""
    require_write(principal)
    with platform.db.session() as session:
        dataset = get_dataset(session, principal, dataset_id)
        changed = field_dictionary.set_texts(session, dataset, texts, principal.actor)
        if changed:
            store.record_audit(session, principal.actor, "describe_fields", dataset_id,
                               fields=changed[:200])
    if changed:
        platform.generation.bump()
    return changed
