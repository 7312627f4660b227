"""request counts: how many requests a party made under a policy per period window

Additive: one new table (``belfort.policy.counts``), for ODRL ``count`` constraints.

Revision ID: 0020
Revises: 0022 (re-chained after main's 0022 on merging; the brief said 0015)
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0022"  # re-chained on merging main (0015 → 0022 → 0020); the brief gave 0015
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "policy_request_counts",
        sa.Column("policy_uid", sa.String(length=200),
                  sa.ForeignKey("policies.uid", ondelete="CASCADE"), primary_key=True),
        sa.Column("party", sa.String(length=300), primary_key=True),
        sa.Column("window", sa.String(length=80), primary_key=True),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("resets_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_policy_request_counts_resets_at", "policy_request_counts",
                    ["resets_at"])


def downgrade() -> None:
    op.drop_index("ix_policy_request_counts_resets_at", table_name="policy_request_counts")
    op.drop_table("policy_request_counts")
