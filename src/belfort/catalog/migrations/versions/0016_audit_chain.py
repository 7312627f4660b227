"""audit trail: the hash chain, its head, signed checkpoints, append-only triggers

``audit_events`` keeps its rows and gains the chain's columns: the existing rows are
chained in the order they were written (by id) — the history staff already rely on stays in
one log and is covered by the chain from now on. ``audit_head`` holds the chain's last seq
and hash (every append locks it); ``audit_checkpoints`` the signed checkpoints. Triggers
refuse UPDATE and DELETE on both log tables (and TRUNCATE on PostgreSQL).

Revision ID: 0016
Revises: 0018 (the brief gave 0013; re-chained after main's 0018)
Create Date: 2026-12-06
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from belfort.catalog.audit_chain import GENESIS, HEAD_ID, Entry, entry_hash, kind_of_actor
from belfort.catalog.models import UTCDateTime

revision = "0016"
down_revision = "0018"  # re-chained after main's 0018 (the brief gave 0013)
branch_labels = None
depends_on = None

LOG_TABLES = ("audit_events", "audit_checkpoints")


def _columns() -> list[sa.Column[Any]]:
    """The chain's columns of ``audit_events`` (new objects each time: a column belongs to
    one table)."""
    return [
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("principal_kind", sa.String(length=20), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=True),
        sa.Column("row_filter", sa.Text(), nullable=True),
        sa.Column("purpose", sa.String(length=200), nullable=True),
        sa.Column("policy_id", sa.String(length=200), nullable=True),
        sa.Column("rows", sa.BigInteger(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=True),
    ]


def _chain_existing_rows(connection: sa.Connection) -> tuple[int, str]:
    events = sa.table(
        "audit_events", sa.column("id", sa.Integer()), sa.column("at", UTCDateTime()),
        sa.column("actor", sa.String()), sa.column("action", sa.String()),
        sa.column("dataset_id", sa.String()), sa.column("detail", sa.JSON()),
        sa.column("seq", sa.BigInteger()), sa.column("principal_kind", sa.String()),
        sa.column("outcome", sa.String()), sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    seq, prev = 0, GENESIS
    rows = connection.execute(
        sa.select(events.c.id, events.c.at, events.c.actor, events.c.action,
                  events.c.dataset_id, events.c.detail).order_by(events.c.id)
    ).all()
    update = (
        events.update().where(events.c.id == sa.bindparam("row_id"))
        .values(seq=sa.bindparam("n"), principal_kind=sa.bindparam("kind"),
                outcome=sa.bindparam("result"), prev_hash=sa.bindparam("prev"),
                hash=sa.bindparam("digest"))
    )
    batch: list[dict[str, object]] = []
    for row_id, at, actor, action, dataset_id, detail in rows:
        seq += 1
        entry = Entry(actor=actor, action=action, dataset=dataset_id,
                      kind=kind_of_actor(actor), detail=detail or {})
        # the stored values are what the chain covers: hash exactly what is in the row
        digest = entry_hash(seq, at, entry, prev)
        batch.append({"row_id": row_id, "n": seq, "kind": entry.kind, "result": "ok",
                      "prev": prev, "digest": digest})
        prev = digest
        if len(batch) >= 1000:
            connection.execute(update, batch)
            batch = []
    if batch:
        connection.execute(update, batch)
    return seq, prev


def upgrade() -> None:
    for column in _columns():
        op.add_column("audit_events", column)
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("seq", sa.BigInteger(), nullable=False, unique=True),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=200), nullable=False),
    )
    connection = op.get_bind()
    seq, head = _chain_existing_rows(connection)
    op.create_index("ix_audit_events_seq", "audit_events", ["seq"], unique=True)
    op.create_index("ix_audit_events_actor", "audit_events", ["actor"])
    op.create_index("ix_audit_events_action", "audit_events", ["action"])
    connection.execute(sa.text("INSERT INTO audit_head (id, seq, hash) VALUES (:id, :seq, :h)"),
                       {"id": HEAD_ID, "seq": seq, "h": head})
    if connection.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION belfort_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit trail is append-only (%: %)', TG_TABLE_NAME, TG_OP; "
            "END $$"
        )
        for table in LOG_TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION belfort_audit_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION belfort_audit_append_only()")
    else:
        for table in LOG_TABLES:
            for verb in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                           "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END")


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for table in LOG_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS belfort_audit_append_only()")
    else:
        for table in LOG_TABLES:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.drop_index("ix_audit_events_actor", table_name="audit_events")
    op.drop_index("ix_audit_events_seq", table_name="audit_events")
    with op.batch_alter_table("audit_events") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
