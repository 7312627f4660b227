"""public usage: requests and rows served to the public, apart from all use

The home page's figures count use by the public only (issue 11): reads by staff and admin
keys, which may be of restricted datasets or versions, are traceable use but no public
figure. Use counted before this revision is not split; it stays in ``requests``/``rows``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dataset_usage") as batch:
        for name in ("public_requests", "public_rows"):
            batch.add_column(sa.Column(name, sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("dataset_usage") as batch:
        batch.drop_column("public_rows")
        batch.drop_column("public_requests")
