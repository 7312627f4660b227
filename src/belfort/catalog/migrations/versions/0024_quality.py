"""data quality: rules per dataset, reports and per-rule results over time (belfort.quality)

Additive: three new tables, ``quality_rules``, ``quality_reports`` and ``quality_results``.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_rules",
        sa.Column("dataset_id", sa.String(length=100),
                  sa.ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("inferred", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "quality_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dataset_id", sa.String(length=100),
                  sa.ForeignKey("datasets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("row_count", sa.BigInteger(), nullable=True),
        sa.Column("elapsed_ms", sa.Float(), nullable=True),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("timeliness", sa.JSON(), nullable=False),
    )
    op.create_index("ix_quality_reports_dataset_id", "quality_reports", ["dataset_id"])
    op.create_index("ix_quality_reports_measured_at", "quality_reports", ["measured_at"])
    op.create_table(
        "quality_results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Integer(),
                  sa.ForeignKey("quality_reports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("dimension", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("checked", sa.BigInteger(), nullable=False),
        sa.Column("failing", sa.BigInteger(), nullable=False),
        sa.Column("examples", sa.JSON(), nullable=False),
    )
    op.create_index("ix_quality_results_report_id", "quality_results", ["report_id"])


def downgrade() -> None:
    op.drop_table("quality_results")
    op.drop_table("quality_reports")
    op.drop_table("quality_rules")
