"""Forecasts: an index on when each was made

Open dashboards ask for the newest ``twin_forecasts.made_us`` at every poll (a forecast
refresh is a change they push, ``belfort.dashboards.live.Mark.forecasts``); the index keeps
that one look-up instead of a scan of every forecast kept.

Revision ID: 0031
Revises: 0032
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_twin_forecasts_made_us", "twin_forecasts", ["made_us"])


def downgrade() -> None:
    op.drop_index("ix_twin_forecasts_made_us", table_name="twin_forecasts")
