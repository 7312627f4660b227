"""forecast model registry and the forecasts made (belfort.twin.forecasting)

Additive: two new tables, ``twin_models`` and ``twin_forecasts``.

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "twin_models",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(length=60), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("train_first_hour", sa.String(length=40), nullable=False),
        sa.Column("train_last_hour", sa.String(length=40), nullable=False),
        sa.Column("timezone", sa.String(length=60), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.Column("horizon", sa.Integer(), nullable=False),
        sa.Column("sensors", sa.JSON(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("backtest", sa.JSON(), nullable=True),
        sa.Column("artefact", sa.String(length=500), nullable=False),
        sa.Column("training_seconds", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("live_mae", sa.Float(), nullable=True),
        sa.Column("live_mase", sa.Float(), nullable=True),
        sa.Column("live_coverage", sa.Float(), nullable=True),
        sa.Column("live_hours", sa.Integer(), nullable=False),
        sa.Column("live_updated_us", sa.BigInteger(), nullable=True),
        sa.Column("degraded", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_twin_models_created_at", "twin_models", ["created_at"])
    op.create_index("ix_twin_models_status", "twin_models", ["status"])
    op.create_table(
        "twin_forecasts",
        sa.Column("kind", sa.String(length=10), primary_key=True),
        sa.Column("subject", sa.String(length=100), primary_key=True),
        sa.Column("origin_us", sa.BigInteger(), primary_key=True),
        sa.Column("model_version", sa.String(length=60), nullable=True),
        sa.Column("made_us", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_twin_forecasts_model_version", "twin_forecasts", ["model_version"])


def downgrade() -> None:
    op.drop_table("twin_forecasts")
    op.drop_table("twin_models")
