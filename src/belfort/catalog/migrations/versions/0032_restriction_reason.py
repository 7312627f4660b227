"""Restriction reason: every dataset that is not open names why, from a fixed list

Adds the nullable column ``datasets.restriction_reason`` (privacy, security,
third-party-rights, in-preparation) beside the free-text ``classification_reason``, which
stays the explanation. Existing datasets that are not open get ``in-preparation``: nobody
chose a reason for them yet, and it is the one reason that claims nothing about their
content; their owners should review it (docs/access.md#transparency). Open datasets keep NULL.

Revision ID: 0032
Revises: 0028
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("restriction_reason", sa.String(30), nullable=True))
    op.execute(
        "UPDATE datasets SET restriction_reason = 'in-preparation' WHERE classification <> 'open'"
    )


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("restriction_reason")
