"""Gent in Cijfers breakdowns: an indicator's values per member of its breakdown (age group,
sex, instrument type, …) beside its totals

Additive: one new table, ``cijfers_member_values`` (the key of ``cijfers_values`` plus
``member``). The breakdown itself is part of an indicator's ``definition`` (JSON), so the
indicators' table is unchanged.

Revision ID: 0033
Revises: 0031
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cijfers_member_values",
        sa.Column(
            "indicator",
            sa.String(length=60),
            sa.ForeignKey("cijfers_indicators.code", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("geolevel", sa.String(length=10), primary_key=True),
        sa.Column("geoitem", sa.String(length=60), primary_key=True),
        sa.Column("period", sa.String(length=10), primary_key=True),
        sa.Column("member", sa.String(length=40), primary_key=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("missing", sa.Integer(), nullable=True),
        sa.Column("contributors", sa.BigInteger(), nullable=True),
        sa.Column("display", sa.String(length=12), nullable=True),
        sa.Column("source_version", sa.String(length=120), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("cijfers_member_values")
