"""source time zone per dataset: naive times in its files are read in this IANA zone

Existing datasets keep Europe/Brussels, the zone every version so far was read in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(
            sa.Column(
                "timezone", sa.String(length=64), nullable=False, server_default="Europe/Brussels"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("timezone")
