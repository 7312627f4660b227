"""The published versions that ``exists`` rules read (``rules.Reference``), by dataset id.

Who may read what is decided by the caller: the API passes only the datasets the saving
principal may read (through the policy gate), so a rule can never compare against a dataset
its author could not see; a later run reads what was accepted then, as long as that dataset
is still published as a file. A live dataset has no version file to compare with."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from belfort.catalog import store as catalog_store
from belfort.catalog.metadata import LifecycleState
from belfort.platform import Platform
from belfort.quality.rules import Reference
from belfort.schema import TableSchema
from belfort.streams.live_catalog import LIVE_FORMAT

MAX_REFERENCES = 20  # datasets one rule set may compare with
READ_STATES = {LifecycleState.PUBLISHED, LifecycleState.DEPRECATED}  # still served


def lookup(session: Session, platform: Platform, dataset_ids: Iterable[str]
           ) -> dict[str, Reference]:
    """The published file version of each of ``dataset_ids`` that has one."""
    found: dict[str, Reference] = {}
    for dataset_id in list(dataset_ids)[:MAX_REFERENCES]:
        dataset = catalog_store.find_dataset(session, dataset_id)
        if dataset is None or dataset.state not in READ_STATES:
            continue
        number = dataset.published_version
        version = next((v for v in dataset.versions if v.number == number), None)
        if version is None or version.source_format == LIVE_FORMAT:
            continue
        found[dataset_id] = Reference(TableSchema.from_dict(version.table_schema or {}),
                                      str(platform.lake.version_file(version.path)))
    return found
