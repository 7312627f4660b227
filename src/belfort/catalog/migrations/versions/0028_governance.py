"""Data governance: roles per organisation and dataset, metadata reviews, reminders sent
(belfort.governance)

Additive: three new tables, ``governance_roles``, ``governance_reviews`` and
``governance_reminders``.

Revision ID: 0028
Revises: 0029
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "governance_roles",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("scope_id", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("email_public", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("scope", "scope_id", "role"),
    )
    op.create_index("ix_governance_roles_scope_id", "governance_roles", ["scope_id"])
    op.create_table(
        "governance_reviews",
        sa.Column(
            "dataset_id",
            sa.String(length=100),
            sa.ForeignKey("datasets.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
    )
    op.create_table(
        "governance_reminders",
        sa.Column("recipient", sa.String(length=254), primary_key=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("governance_reminders")
    op.drop_table("governance_reviews")
    op.drop_index("ix_governance_roles_scope_id", table_name="governance_roles")
    op.drop_table("governance_roles")
