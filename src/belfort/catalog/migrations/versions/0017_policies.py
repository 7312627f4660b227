"""policies: ODRL policies and the parties they name

Additive: two new tables (``belfort.policy.policies``).

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0018"  # re-chained after main's 0018 (field classification)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policies",
        sa.Column("uid", sa.String(length=200), primary_key=True),
        sa.Column("dataset_id", sa.String(length=100), nullable=False),
        sa.Column("policy_type", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
    )
    op.create_index("ix_policies_dataset_id", "policies", ["dataset_id"])
    op.create_table(
        "policy_assignments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("policy_uid", sa.String(length=200),
                  sa.ForeignKey("policies.uid", ondelete="CASCADE"), nullable=False),
        sa.Column("dataset_id", sa.String(length=100), nullable=False),
        sa.Column("party", sa.String(length=250), nullable=False),
        sa.Column("rule", sa.String(length=20), nullable=False),
        sa.Column("actions", sa.String(length=100), nullable=False),
        sa.UniqueConstraint("policy_uid", "party", "rule"),
    )
    op.create_index("ix_policy_assignments_policy_uid", "policy_assignments", ["policy_uid"])
    op.create_index("ix_policy_assignments_party", "policy_assignments", ["party"])


def downgrade() -> None:
    op.drop_table("policy_assignments")
    op.drop_table("policies")
