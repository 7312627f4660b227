"""identity: scoped, expiring API keys; staff sessions of people signed in through OIDC

Additive: ``api_keys`` gains ``organisation`` and ``expires_at``; ``staff_sessions`` gains
the person's principal (``subject``, ``person_name``, ``role``, ``organisation``,
``groups``, ``staff_roles``) and its ``key_id`` may be empty (a person's session has no
key). Existing keys keep working unchanged (no organisation, no expiry).

Revision ID: 0015
Revises: 0016 (re-chained after main's 0018 and 0016 on merging; the brief said 0013)
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0019"  # re-chained: 0013 → 0018 → 0016 → 0017 → 0019 → 0015 (the brief gave 0013)
branch_labels = None
depends_on = None

SESSION_COLUMNS = ("subject", "person_name", "role", "organisation", "groups", "staff_roles")


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("organisation", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("staff_sessions") as batch:
        batch.alter_column("key_id", existing_type=sa.String(length=32), nullable=True)
        batch.add_column(sa.Column("subject", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("person_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("role", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("organisation", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("groups", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("staff_roles", sa.JSON(), nullable=True))


def downgrade() -> None:
    # a person's session cannot exist without a key: those sessions end
    op.execute(sa.text("DELETE FROM staff_sessions WHERE key_id IS NULL"))
    with op.batch_alter_table("staff_sessions") as batch:
        for column in SESSION_COLUMNS:
            batch.drop_column(column)
        batch.alter_column("key_id", existing_type=sa.String(length=32), nullable=False)
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("expires_at")
        batch.drop_column("organisation")
