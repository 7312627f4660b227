"""access: a classification per field, and the transparency listing of non-open datasets

Additive: ``field_descriptions.classification`` (a field classified above its dataset is
held back unless a policy grants it) and ``datasets.listed`` (the owner lists a non-open
dataset on the public transparency page, with its ``classification_reason``).

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("field_descriptions") as batch:
        batch.add_column(sa.Column("classification", sa.String(length=30), nullable=True))
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("listed", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("listed")
    with op.batch_alter_table("field_descriptions") as batch:
        batch.drop_column("classification")
