"""linked data: the processing register, personal-data links and RDF mappings of datasets

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processing_activities",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=200), nullable=True),
        sa.Column("processor", sa.String(length=200), nullable=True),
        sa.Column("controller", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.String(length=200), nullable=True),
        sa.Column("legal_basis_explained", sa.Text(), nullable=True),
        sa.Column("formal_framework", sa.String(length=300), nullable=True),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("data_subjects", sa.JSON(), nullable=False),
        sa.Column("grantees", sa.JSON(), nullable=False),
        sa.Column("personal_data", sa.JSON(), nullable=False),
        sa.Column("sensitive_personal_data", sa.JSON(), nullable=False),
        sa.Column("retention", sa.String(length=300), nullable=True),
        sa.Column("third_country_transfers", sa.Text(), nullable=True),
        sa.Column("security_measures", sa.Text(), nullable=True),
        sa.Column("audience", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for column in ("category", "processor", "audience", "state"):
        op.create_index(f"ix_processing_activities_{column}", "processing_activities", [column])
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(
            sa.Column("personal_data", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("processing_activity", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("rdf_mapping", sa.JSON(), nullable=True))
        batch.create_index("ix_datasets_processing_activity", ["processing_activity"])
        batch.create_foreign_key(
            "fk_datasets_processing_activity", "processing_activities",
            ["processing_activity"], ["id"], ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_constraint("fk_datasets_processing_activity", type_="foreignkey")
        batch.drop_index("ix_datasets_processing_activity")
        batch.drop_column("rdf_mapping")
        batch.drop_column("processing_activity")
        batch.drop_column("personal_data")
    for column in ("category", "processor", "audience", "state"):
        op.drop_index(f"ix_processing_activities_{column}", "processing_activities")
    op.drop_table("processing_activities")
