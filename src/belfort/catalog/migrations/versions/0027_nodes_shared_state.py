"""state that several nodes share through the database: the catalogue generation and quota counts

Additive: two new tables. ``catalogue_generation`` holds one row (id 1) whose ``value`` every
catalogue write increments (``belfort.cache.DatabaseGeneration``, PostgreSQL catalogues);
``quota_counts`` holds one row per caller and fixed quota window
(``belfort.api.quotas.DatabaseWindowCounter``). The embedded SQLite catalogue has both tables
but keeps using the generation file and in-process counters, as before.

Revision ID: 0027
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    generation = op.create_table(
        "catalogue_generation",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(generation, [{"id": 1, "value": 1}])
    op.create_table(
        "quota_counts",
        sa.Column("bucket", sa.String(length=64), primary_key=True),
        sa.Column("window_start", sa.BigInteger(), primary_key=True),
        sa.Column("calls", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_quota_counts_window_start", "quota_counts", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_quota_counts_window_start", table_name="quota_counts")
    op.drop_table("quota_counts")
    op.drop_table("catalogue_generation")
