"""Tampering with the stored log directly with SQL is detected, on SQLite and PostgreSQL:
a changed field, a removed row, two rows' seq swapped, a row inserted, the end cut off, and a
whole tail rewritten consistently (caught by the signed checkpoint)."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from belfort.audit.log import checkpoint
from belfort.catalog.audit_chain import canonical, entry_of_row
from belfort.catalog.models import AuditEvent
from belfort.platform import Platform
from tests.audit.helpers import drop_guards, fill, report, sql


def test_an_untampered_log_verifies(platform: Platform) -> None:
    fill(platform)
    assert checkpoint(platform) is not None
    found = report(platform)
    assert found.ok, found.problems
    assert (found.entries, found.checkpoints, found.last_seq) == (7, 1, 7)


def test_the_database_refuses_update_and_delete(platform: Platform) -> None:
    fill(platform, accesses=1)
    checkpoint(platform)
    for statement in ("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1",
                      "DELETE FROM audit_events WHERE seq = 2",
                      "UPDATE audit_checkpoints SET hash = 'x'",
                      "DELETE FROM audit_checkpoints"):
        with pytest.raises(DBAPIError, match="append-only"):
            sql(platform, statement)
    assert report(platform).ok


def test_a_changed_field_is_detected(platform: Platform) -> None:
    fill(platform)
    drop_guards(platform)
    sql(platform, "UPDATE audit_events SET rows = 0 WHERE seq = 4")
    found = report(platform)
    assert found.first_bad_seq == 4 and "altered" in found.problems[0].message


def test_a_changed_detail_is_detected(platform: Platform) -> None:
    fill(platform)
    drop_guards(platform)
    sql(platform, "UPDATE audit_events SET detail = :d WHERE seq = 1",
        d=json.dumps({"fields": ["nothing"]}))
    assert report(platform).first_bad_seq == 1


def test_a_removed_row_is_detected(platform: Platform) -> None:
    fill(platform)
    drop_guards(platform)
    sql(platform, "DELETE FROM audit_events WHERE seq = 3")
    found = report(platform)
    assert found.first_bad_seq == 3 and not found.ok


def test_a_removed_last_row_is_detected(platform: Platform) -> None:
    fill(platform)
    drop_guards(platform)
    sql(platform, "DELETE FROM audit_events WHERE seq = 7")
    assert report(platform).first_bad_seq == 7


def test_two_rows_swapped_are_detected(platform: Platform) -> None:
    fill(platform)
    drop_guards(platform)
    sql(platform, "UPDATE audit_events SET seq = -1 WHERE seq = 3")
    sql(platform, "UPDATE audit_events SET seq = 3 WHERE seq = 5")
    sql(platform, "UPDATE audit_events SET seq = 5 WHERE seq = -1")
    assert report(platform).first_bad_seq == 3


def test_an_inserted_row_is_detected(platform: Platform) -> None:
    fill(platform)
    drop_guards(platform)
    with platform.db.session() as session:
        row = session.scalar(select(AuditEvent).where(AuditEvent.seq == 4))
        assert row is not None
        forged = {c.name: getattr(row, c.key) for c in AuditEvent.__table__.columns
                  if c.name != "id"}
    # make room: entries 5.. move up by one, the forged entry takes 5 and chains onto 4
    sql(platform, "UPDATE audit_events SET seq = seq + 100 WHERE seq >= 5")
    sql(platform, "UPDATE audit_events SET seq = seq - 99 WHERE seq >= 100")
    forged.update(seq=5, actor="key:innocent", prev_hash=forged["hash"])
    with platform.db.session() as session:
        event = AuditEvent(**forged)
        session.add(event)
        session.flush()
        event.hash = hashlib.sha256(canonical(5, event.at, entry_of_row(event),
                                              event.prev_hash or "")).hexdigest()
    assert report(platform).first_bad_seq == 6


def test_a_consistently_rewritten_tail_is_caught_by_the_checkpoint(platform: Platform) -> None:
    fill(platform)
    made = checkpoint(platform)
    assert made is not None and made.seq == 7
    fill(platform, accesses=2)  # entries 8-10 after the checkpoint
    drop_guards(platform)
    # the attacker rewrites entry 3 onwards, recomputing every hash and the head
    with platform.db.session() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.seq >= 2)
                               .order_by(AuditEvent.seq)).all()
        prev = rows[0].hash or ""
        for row in rows[1:]:
            if row.seq == 3:
                row.rows = 0
                row.actor = "key:somebody-else"
            row.prev_hash = prev
            row.hash = hashlib.sha256(canonical(row.seq or 0, row.at, entry_of_row(row),
                                                prev)).hexdigest()
            prev = row.hash
        session.execute(text("UPDATE audit_head SET hash = :h WHERE id = 1"), {"h": prev})
    found = report(platform)
    assert not found.ok
    assert found.first_bad_seq == 7  # the checkpoint's seq: the chain alone looks fine
    assert "signed checkpoint" in found.problems[0].message


def test_a_forged_checkpoint_signature_is_detected(platform: Platform) -> None:
    fill(platform)
    checkpoint(platform)
    drop_guards(platform)
    sql(platform, "UPDATE audit_checkpoints SET signature = :s",
        s="A" * 86 + "==")
    found = report(platform)
    assert found.first_bad_seq == 7 and "signature" in found.problems[0].message


def test_a_row_without_seq_is_detected(platform: Platform) -> None:
    fill(platform)
    sql(platform, "INSERT INTO audit_events (at, actor, action, detail) "
                  "VALUES (CURRENT_TIMESTAMP, 'x', 'read', '{}')")
    assert not report(platform).ok
