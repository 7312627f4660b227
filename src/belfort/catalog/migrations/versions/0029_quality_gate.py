"""Publication gate: the gate's record on each version (belfort.quality.gate)

Additive: a nullable JSON column ``versions.quality_gate`` (passed / overridden, with who,
when, the written reason and the figures); existing versions were published without a gate.

Revision ID: 0029
Revises: 0026
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.add_column(sa.Column("quality_gate", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("versions") as batch:
        batch.drop_column("quality_gate")
