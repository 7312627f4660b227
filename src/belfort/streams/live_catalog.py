"""Live datasets in the catalogue and in every process's registry.

Each dataset id that sensors feed gets catalogue rows (published, open, with complete
metadata and a data dictionary) for its observations and their rollups, and one version
marked ``source_format="live"`` whose schema is the live schema; its file is an empty
placeholder, because the read path (``belfort.policy.reading``) answers from the current
live file instead (``live_file``). ``sync`` creates what is missing and registers the
sources; it runs at start-up, after ``belfort sensors add``, from the compactor, and from
the read path at most every ``SYNC_SECONDS`` — so a dataset whose first sensor another
process registered is live here within seconds (no live state only one process knows).

``publish_live_dataset`` is the same for any other ``LiveSource`` (crowding's
``druktebarometer-info``, say): catalogue rows once, then ``live_registry(...).add``.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from belfort.catalog import field_dictionary, organisations, store
from belfort.catalog.metadata import Classification
from belfort.catalog.models import Dataset, Sensor, Version
from belfort.lake.store import sha256_of
from belfort.platform import Platform
from belfort.schema import TableSchema
from belfort.streams.live import live_registry
from belfort.streams.live_data import ObservationSource
from belfort.streams.live_schema import (
    RAW,
    ROLLUPS,
    LiveDataset,
    arrow_schema,
    field_texts,
    live_datasets_of,
    table_schema,
)
from belfort.streams.snapshots import live_dir, live_files

SYNC_SECONDS = 2.0
LIVE_FORMAT = "live"
ACTOR = "belfort-live"
ORGANISATION = "Stad Gent"


def publish_live_dataset(
    platform: Platform, dataset_id: str, metadata: dict[str, Any], schema: pa.Schema,
    fields: TableSchema, texts: dict[str, dict[str, str | None]] | None = None,
) -> bool:
    """Create a live dataset's catalogue rows unless they exist (idempotent, safe when two
    processes do it at once). True when this call created them; False when they existed —
    also when the id is taken by a dataset that is not live (it is then left alone and
    ``is_live`` says False)."""
    with platform.db.session() as session:
        if session.get(Dataset, dataset_id) is not None:
            return False
    directory = live_dir(platform, dataset_id)
    directory.mkdir(parents=True, exist_ok=True)
    placeholder = directory / "leeg.parquet"
    if not placeholder.exists():  # two processes at once: each renames a whole file
        temporary = directory / f".leeg-{uuid.uuid4().hex}.tmp"
        pq.write_table(schema.empty_table(), temporary)
        temporary.replace(placeholder)
    try:
        with platform.db.session() as session:
            if session.get(Dataset, dataset_id) is not None:
                return False
            _ensure_organisation(session)
            dataset = store.create_dataset(session, dataset_id, metadata)
            store.add_version(
                session, dataset, number=1, table_schema=fields.to_dict(), row_count=0,
                byte_size=placeholder.stat().st_size, checksum=sha256_of(placeholder),
                path=str(placeholder.relative_to(platform.lake.root)),
                source=f"live:{dataset_id}", source_format=LIVE_FORMAT,
                source_details={"live": True}, validation={}, created_by=ACTOR,
            )
            store.publish_version(session, dataset, 1)
            if texts:
                field_dictionary.set_texts(
                    session, dataset,
                    {name: field_dictionary.FieldTexts(**t) for name, t in texts.items()}, ACTOR)
            store.record_audit(session, ACTOR, "create_live_dataset", dataset_id)
    except IntegrityError:  # another process created it first
        return False
    platform.generation.bump()
    return True


def _ensure_organisation(session: Any) -> None:
    if organisations.find_organisation(session, ORGANISATION) is None:
        organisations.add_organisation(session, "stad-gent", {
            "name_nl": ORGANISATION, "name_en": "City of Ghent", "homepage": "https://stad.gent"})
        session.flush()


def is_live(platform: Platform, dataset_id: str) -> bool:
    """Whether the dataset's published version is a live one (not a dataset of files that
    happens to have the id a sensor names)."""
    with platform.db.session() as session:
        found = session.scalar(
            select(Version.source_format).join(Dataset, Dataset.id == Version.dataset_id)
            .where(Dataset.id == dataset_id, Version.number == Dataset.published_version))
    return found == LIVE_FORMAT


class _Sync:
    def __init__(self, _platform: Platform) -> None:
        self.lock = threading.Lock()
        self.at = float("-inf")
        self.known: set[str] = set()


def sync(platform: Platform, *, force: bool = False) -> list[str]:
    """Catalogue rows and registered sources for every dataset sensors feed; the ids of the
    live datasets registered now. At most every ``SYNC_SECONDS`` unless ``force``."""
    state = platform.component(_Sync, _Sync)
    if not force and time.monotonic() - state.at < SYNC_SECONDS:
        return []
    with state.lock:
        if not force and time.monotonic() - state.at < SYNC_SECONDS:
            return []
        with platform.db.session() as session:
            sources = sorted(set(session.scalars(select(Sensor.dataset_id).distinct())))
        registry = live_registry(platform)
        added: list[str] = []
        for source_id in sources:
            for dataset in live_datasets_of(source_id):
                if dataset.id in state.known:
                    continue
                _publish(platform, dataset)
                if is_live(platform, dataset.id):
                    registry.add(ObservationSource(dataset))
                    added.append(dataset.id)
                state.known.add(dataset.id)
        state.at = time.monotonic()
        return added


DATASET_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def sync_for(platform: Platform, dataset_id: str) -> bool:
    """For a dataset the gate did not find: when sensors feed it (or it is a rollup of one
    they feed) and it is not registered here yet, sync now. True when it is live now."""
    state = platform.component(_Sync, _Sync)
    if dataset_id in state.known or not DATASET_ID.fullmatch(dataset_id):
        return False  # no sensor can feed an id that is no slug (nor reach PostgreSQL with NUL)
    candidates = [dataset_id] + [dataset_id.removesuffix("-" + kind) for kind in ROLLUPS
                                 if dataset_id.endswith("-" + kind)]
    with platform.db.session() as session:
        fed = session.scalar(select(Sensor.id).where(Sensor.dataset_id.in_(candidates)).limit(1))
    if fed is None:
        return False
    sync(platform, force=True)
    return live_registry(platform).get(dataset_id) is not None


def _publish(platform: Platform, dataset: LiveDataset) -> bool:
    metadata = dataset.metadata()
    if dataset.kind != RAW:  # a rollup starts as protected as its observations
        with platform.db.session() as session:
            source = session.get(Dataset, dataset.source_id)
            if source is not None and source.classification != Classification.OPEN.value:
                metadata = {**metadata, "classification": source.classification,
                            "classification_reason": source.classification_reason,
                            "restriction_reason": source.restriction_reason}
    return publish_live_dataset(platform, dataset.id, metadata,
                                arrow_schema(dataset.fields), table_schema(dataset.fields),
                                field_texts(dataset.fields))


_RANK = {level.value: rank for rank, level in enumerate(Classification)}


def follow_classification(session: Session, source: Dataset, actor: str) -> list[str]:
    """A live dataset's rollups (counts per quarter-hour, hour, day) are at least as protected
    as its observations: each rollup classified below ``source`` is raised to its
    classification and reason (audited). A rollup opened again afterwards is a steward's
    explicit choice and stays open until the observations' classification changes again.
    The ids raised."""
    raised: list[str] = []
    for rollup in live_datasets_of(source.id)[1:]:
        row = session.get(Dataset, rollup.id)
        if row is None or _RANK[row.classification] >= _RANK[source.classification]:
            continue
        if session.scalar(select(Version.source_format).where(
                Version.dataset_id == row.id, Version.number == row.published_version)
        ) != LIVE_FORMAT:
            continue  # a dataset of files that happens to have a rollup's id
        row.classification = source.classification
        row.classification_reason = source.classification_reason
        row.restriction_reason = source.restriction_reason
        store.record_audit(session, actor, "follow_classification", row.id,
                           source=source.id, classification=source.classification)
        raised.append(row.id)
    return raised


def live_file(platform: Platform, dataset_id: str) -> Path | None:
    """The current file of a live dataset (None: not a live dataset — also when a dataset of
    files has the id a registered source names: it is left alone, as ``is_live`` says)."""
    sync(platform)
    source = live_registry(platform).get(dataset_id)
    if source is None or not platform.cache.current(("is-live", dataset_id),
                                                    lambda: is_live(platform, dataset_id)):
        return None
    return live_files(platform).current(source)
