"""record identity: a dataset's record key and each version's record timestamps

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("record_key", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("record_times_path", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("record_times_path")
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("record_key")
