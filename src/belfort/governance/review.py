"""Metadata reviews: a steward says a dataset's description is still right ("metadata
reviewed"); a dataset whose last review (or, never reviewed, its creation) is older than
``BELFORT_GOVERNANCE_REVIEW_MONTHS`` is stale."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from belfort.catalog import store as catalog_store
from belfort.catalog.models import Dataset, utcnow
from belfort.errors import DatasetNotFound
from belfort.governance.models import MetadataReview

MONTH = timedelta(days=30.44)


def mark_reviewed(session: Session, actor: str, dataset_id: str) -> MetadataReview:
    """Record a review of ``dataset_id``'s metadata now; audited."""
    if len(dataset_id) > 100 or session.get(Dataset, dataset_id) is None:
        raise DatasetNotFound(f"dataset {dataset_id[:90]!r} not found")
    row = session.get(MetadataReview, dataset_id)
    if row is None:
        row = MetadataReview(dataset_id=dataset_id)
        session.add(row)
    row.reviewed_at, row.reviewed_by = utcnow(), actor[:100]
    session.flush()
    catalog_store.record_audit(session, actor, "governance.metadata_reviewed", dataset_id)
    return row


def last_reviewed(session: Session, dataset_id: str) -> datetime | None:
    row = session.get(MetadataReview, dataset_id)
    return row.reviewed_at if row is not None else None


def review_due(dataset: Dataset, reviewed: datetime | None, now: datetime,
               months: int) -> datetime:
    """When the next review is due: ``months`` after the last one (or the creation)."""
    return (reviewed or dataset.created_at) + months * MONTH


def is_stale(dataset: Dataset, reviewed: datetime | None, now: datetime, months: int) -> bool:
    return review_due(dataset, reviewed, now, months) <= now
