"""Shared by the audit trail's tests: filling the log, tampering with it as an attacker with
the database's owner rights would (the append-only triggers dropped first)."""

from __future__ import annotations

from sqlalchemy import text

from belfort.audit.log import audit_log, record_access
from belfort.audit.verify import Report, verify
from belfort.catalog import store
from belfort.platform import Platform


def fill(platform: Platform, accesses: int = 6) -> None:
    """A staff action and ``accesses`` reads of a restricted dataset."""
    with platform.db.session() as session:
        store.record_audit(session, "key:admin1", "update_metadata", "fietsen", fields=["title"])
    for i in range(accesses):
        record_access(platform, f"person:user{i % 2}", "person", "fietsen", "read",
                      ["telling", "locatie"], "locatie = 'Korenmarkt'", "dpv:ServiceProvision",
                      "policy-7", 10 + i)
    audit_log(platform).flush()  # the batched writer's queue (BELFORT_AUDIT_FLUSH_MS)


def report(platform: Platform) -> Report:
    with platform.db.session() as session:
        return verify(session, [audit_log(platform).signer.public])


def drop_guards(platform: Platform) -> None:
    """What an attacker owning the database does first: remove the append-only triggers."""
    with platform.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for table in ("audit_events", "audit_checkpoints"):
                conn.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
        else:
            for table in ("audit_events", "audit_checkpoints"):
                for verb in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER {table}_no_{verb}"))


def sql(platform: Platform, statement: str, **params: object) -> None:
    with platform.db.engine.begin() as conn:
        conn.execute(text(statement), params)
