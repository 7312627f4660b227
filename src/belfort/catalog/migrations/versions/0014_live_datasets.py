"""live datasets: compacted observation and rollup files, the compactor's shared state

Additive: two new tables (``belfort.streams.compaction``).

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stream_parts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dataset_id", sa.String(length=100), nullable=False, index=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False, index=True),
        sa.Column("path", sa.String(length=500), nullable=False, unique=True),
        sa.Column("row_count", sa.BigInteger(), nullable=False),
        sa.Column("first_us", sa.BigInteger(), nullable=False),
        sa.Column("last_us", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "stream_state",
        sa.Column("name", sa.String(length=50), primary_key=True),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=True),
        sa.Column("lease_until_us", sa.BigInteger(), nullable=False),
    )
    op.bulk_insert(
        sa.table("stream_state", sa.column("name", sa.String),
                 sa.column("generation", sa.BigInteger), sa.column("holder", sa.String),
                 sa.column("lease_until_us", sa.BigInteger)),
        [{"name": "compaction", "generation": 0, "holder": None, "lease_until_us": 0}],
    )


def downgrade() -> None:
    op.drop_table("stream_state")
    op.drop_table("stream_parts")
