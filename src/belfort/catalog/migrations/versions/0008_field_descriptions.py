"""field descriptions: the data dictionary (a title, description and unit per field, in Dutch
and English), kept per dataset and field name so it survives new versions

Additive: a new table only.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "field_descriptions",
        sa.Column("dataset_id", sa.String(length=100),
                  sa.ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("field", sa.String(length=300), primary_key=True),
        sa.Column("title_nl", sa.String(length=200), nullable=True),
        sa.Column("title_en", sa.String(length=200), nullable=True),
        sa.Column("description_nl", sa.Text(), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("unit", sa.String(length=50), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("field_descriptions")
