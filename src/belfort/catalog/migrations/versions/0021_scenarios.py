"""what-if scenarios: the street links of the zone graph and the scenarios that were run

Additive: two new tables (``belfort.twin.scenarios``).

Revision ID: 0021
Revises: 0022 (re-chained after main's 0022 on merging; the brief said 0015)
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"  # chain: 0015 → 0022 → 0020 → 0021
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zone_links",
        sa.Column("id", sa.String(length=100), primary_key=True),
        sa.Column("from_zone", sa.String(length=100),
                  sa.ForeignKey("zones.id", ondelete="CASCADE"), nullable=False),
        sa.Column("to_zone", sa.String(length=100),
                  sa.ForeignKey("zones.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("width_m", sa.Float(), nullable=False),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_zone_links_from_zone", "zone_links", ["from_zone"])
    op.create_index("ix_zone_links_to_zone", "zone_links", ["to_zone"])
    op.create_table(
        "twin_scenarios",
        sa.Column("id", sa.String(length=16), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("closures", sa.JSON(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
    )
    op.create_index("ix_twin_scenarios_created_at", "twin_scenarios", ["created_at"])


def downgrade() -> None:
    op.drop_table("twin_scenarios")
    op.drop_table("zone_links")
