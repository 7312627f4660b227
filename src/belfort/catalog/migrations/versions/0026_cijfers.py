"""Gent in Cijfers: indicators and their values per area and period (belfort.cijfers)

Additive: two new tables, ``cijfers_indicators`` and ``cijfers_values``.

Revision ID: 0026
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cijfers_indicators",
        sa.Column("code", sa.String(length=60), primary_key=True),
        sa.Column("name_nl", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("description_nl", sa.Text(), nullable=False),
        sa.Column("description_en", sa.Text(), nullable=False),
        sa.Column("theme", sa.String(length=60), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("period_type", sa.String(length=10), nullable=False),
        sa.Column("first_period", sa.String(length=10), nullable=True),
        sa.Column("last_period", sa.String(length=10), nullable=True),
        sa.Column("geolevels", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=True),
        sa.Column("modelled", sa.Boolean(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "cijfers_values",
        sa.Column(
            "indicator",
            sa.String(length=60),
            sa.ForeignKey("cijfers_indicators.code", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("geolevel", sa.String(length=10), primary_key=True),
        sa.Column("geoitem", sa.String(length=60), primary_key=True),
        sa.Column("period", sa.String(length=10), primary_key=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("missing", sa.Integer(), nullable=True),
        sa.Column("contributors", sa.BigInteger(), nullable=True),
        sa.Column("display", sa.String(length=12), nullable=True),
        sa.Column("source_version", sa.String(length=120), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("cijfers_values")
    op.drop_table("cijfers_indicators")
