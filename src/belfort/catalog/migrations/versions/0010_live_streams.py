"""live streams: sensors, the hot store of observations, and refused device messages

Additive: three new tables (``belfort.streams``).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sensors",
        sa.Column("id", sa.String(length=100), primary_key=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("observed_property", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=50), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("zone_id", sa.String(length=100), nullable=True, index=True),
        sa.Column("counting", sa.String(length=20), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("dataset_id", sa.String(length=100), nullable=False, index=True),
        sa.Column("min_value", sa.Float(), nullable=True),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("credential_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=True),
        sa.Column("sensor_id", sa.String(length=100), nullable=False),
        sa.Column("property", sa.String(length=100), nullable=False),
        sa.Column("phenomenon_us", sa.BigInteger(), nullable=False),
        sa.Column("phenomenon_end_us", sa.BigInteger(), nullable=True),
        sa.Column("result_us", sa.BigInteger(), nullable=False),
        sa.Column("received_us", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("quality", sa.String(length=16), nullable=False),
        sa.Column("weight", sa.Float(), nullable=True),
        sa.UniqueConstraint("sensor_id", "property", "phenomenon_us"),
    )
    op.create_table(
        "device_refusals",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("minute", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("device", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("minute", "device", "channel", "reason"),
    )


def downgrade() -> None:
    op.drop_table("device_refusals")
    op.drop_table("observations")
    op.drop_table("sensors")
