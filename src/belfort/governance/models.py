"""The governance tables (migration 0028): roles, metadata reviews, reminders sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from belfort.catalog.models import Base, UTCDateTime, utcnow


class GovernanceRole(Base):
    """One role (owner, steward, custodian, DPO) of an organisation (the default of its
    datasets) or of one dataset (an override)."""

    __tablename__ = "governance_roles"
    __table_args__ = (UniqueConstraint("scope", "scope_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(12))  # "organisation" or "dataset"
    scope_id: Mapped[str] = mapped_column(String(100), index=True)  # slug or dataset id
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    email_public: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MetadataReview(Base):
    """When a steward last said a dataset's metadata is still right."""

    __tablename__ = "governance_reviews"

    dataset_id: Mapped[str] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))


class ReminderSent(Base):
    """The last digest sent to one recipient (an e-mail address or ``webhook``): when, and
    a fingerprint of its items (an unchanged worklist is not sent again)."""

    __tablename__ = "governance_reminders"

    recipient: Mapped[str] = mapped_column(String(254), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64))
    items: Mapped[int] = mapped_column(Integer, default=0)
