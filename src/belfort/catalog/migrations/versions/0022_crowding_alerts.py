"""crowding alerts: rules per zone, operators' advice, alerts, the evaluator's lease
(``belfort.twin.alerts``)

Additive: four new tables.

Revision ID: 0022
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("zone_id", sa.String(length=100),
                  sa.ForeignKey("zones.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("clear_below", sa.Float(), nullable=False),
        sa.Column("min_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_hours", sa.Integer(), nullable=True),
        sa.Column("webhook_url", sa.String(length=500), nullable=True),
        sa.Column("emails", sa.JSON(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("since_us", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_alert_rules_zone_id", "alert_rules", ["zone_id"])
    op.create_table(
        "alert_advice",
        sa.Column("zone_id", sa.String(length=100),
                  sa.ForeignKey("zones.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("level", sa.String(length=20), primary_key=True),
        sa.Column("text_nl", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("zone_id", sa.String(length=100), nullable=False),
        sa.Column("zone_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("advice", sa.JSON(), nullable=True),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("deliveries", sa.JSON(), nullable=True),
        sa.Column("changed_us", sa.BigInteger(), nullable=False),
    )
    for column in ("rule_id", "zone_id", "raised_at", "cleared_at", "changed_us"):
        op.create_index(f"ix_alerts_{column}", "alerts", [column])
    op.create_table(
        "alert_lease",
        sa.Column("name", sa.String(length=50), primary_key=True),
        sa.Column("holder", sa.String(length=100), nullable=True),
        sa.Column("lease_until_us", sa.BigInteger(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("alert_lease")
    op.drop_table("alerts")
    op.drop_table("alert_advice")
    op.drop_table("alert_rules")
