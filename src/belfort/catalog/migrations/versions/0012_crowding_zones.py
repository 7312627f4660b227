"""crowding: the zones whose crowding is estimated (``belfort.twin``)

Additive: one new table.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"  # re-chained after main's 0011 (the brief gave 0010)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zones",
        sa.Column("id", sa.String(length=100), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("area_computed", sa.Boolean(), nullable=False),
        sa.Column("density", sa.Float(), nullable=True),
        sa.Column("dwell_seconds", sa.Float(), nullable=True),
        sa.Column("centre", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("zones")
