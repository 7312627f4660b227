"""Appending to the audit trail: what an entry holds, staff actions in the transaction of
their change, concurrent appends from threads and processes, the batched writer, and the
periodic checkpoints."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from belfort.audit import log as audit_log_module
from belfort.audit.log import audit_log, checkpoint, record_access
from belfort.catalog import store
from belfort.catalog.audit_chain import GENESIS
from belfort.catalog.models import AuditCheckpoint, AuditEvent
from belfort.platform import Platform
from belfort.settings import Settings
from tests.audit.helpers import fill, report

REPO = Path(__file__).resolve().parents[2]


def entries(platform: Platform) -> list[AuditEvent]:
    audit_log(platform).flush()
    with platform.db.session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def test_an_access_entry_holds_who_what_why_and_how_much(platform: Platform) -> None:
    record_access(platform, "person:an", "person", "fietsen", "aggregate", ["telling", "dag"],
                  "dag >= date'2026-01-01'", "dpv:ResearchAndDevelopment", "policy-3", 42)
    [entry] = entries(platform)
    assert (entry.seq, entry.actor, entry.principal_kind, entry.action, entry.dataset_id) == (
        1, "person:an", "person", "aggregate", "fietsen")
    assert entry.fields == ["dag", "telling"] and entry.rows == 42
    assert entry.row_filter == "dag >= date'2026-01-01'"
    assert (entry.purpose, entry.policy_id, entry.outcome) == (
        "dpv:ResearchAndDevelopment", "policy-3", "allowed")
    assert entry.prev_hash == GENESIS and entry.hash and len(entry.hash) == 64


def test_staff_actions_are_chained_and_roll_back_with_their_change(platform: Platform) -> None:
    with platform.db.session() as session:
        store.record_audit(session, "key:k1", "ingest", "fietsen", version=1)
    with pytest.raises(RuntimeError), platform.db.session() as session:
        store.record_audit(session, "key:k1", "ingest", "fietsen", version=2)
        raise RuntimeError("the change fails")
    with platform.db.session() as session:
        store.record_audit(session, "cli", "change_state", "fietsen", state="published")
    found = entries(platform)
    assert [(e.seq, e.action, e.principal_kind) for e in found] == [
        (1, "ingest", "key"), (2, "change_state", "system")]
    assert found[1].prev_hash == found[0].hash
    assert report(platform).ok


def test_an_access_in_the_callers_transaction(platform: Platform) -> None:
    with platform.db.session() as session:
        record_access(session, "key:k2", "key", "fietsen", "export", None, None, None, None, 7)
    [entry] = entries(platform)
    assert entry.fields is None and entry.rows == 7 and report(platform).ok


def test_hostile_values_are_stored_and_still_verify(platform: Platform) -> None:
    nasty = "<script>alert(1)</script>\x00" + "x" * 50_000
    record_access(platform, nasty, "person", nasty, "read", [nasty, "\x00"], nasty, nasty,
                  nasty, 1)
    audit_log(platform).flush()
    with platform.db.session() as session:
        store.record_audit(session, "key:k", "update_metadata", "d", note=nasty,
                           nested={"a": [nasty, 1.5, None, True]})
    found = entries(platform)
    assert len(found) == 2 and "\x00" not in found[0].actor and len(found[0].actor) == 100
    assert report(platform).ok


def test_two_threads_appending_at_once_make_one_chain(platform: Platform) -> None:
    def worker(name: str) -> None:
        for i in range(40):
            if i % 2:
                record_access(platform, name, "key", "fietsen", "read", None, None, None,
                              None, i)
            else:
                with platform.db.session() as session:
                    store.record_audit(session, name, "update_metadata", "fietsen", i=i)

    threads = [threading.Thread(target=worker, args=(f"key:t{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e.seq for e in entries(platform)] == list(range(1, 81))
    assert report(platform).ok


APPENDER = """
import sys
from belfort.audit.log import record_access
from belfort.platform import Platform
from belfort.settings import Settings
platform = Platform(Settings(data_dir=sys.argv[1], database_url=sys.argv[2]))
for i in range(int(sys.argv[4])):
    record_access(platform, sys.argv[3], "key", "fietsen", "read", None, None, None, None, i)
platform.close()
"""


def test_two_processes_appending_at_once_make_one_chain(platform: Platform,
                                                        settings: Settings) -> None:
    fill(platform, accesses=1)
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, str(settings.data_dir),
                               settings.effective_database_url, f"key:p{n}", "60"], cwd=REPO)
             for n in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    found = entries(platform)
    assert [e.seq for e in found] == list(range(1, 123))
    assert {e.actor for e in found[2:]} == {"key:p0", "key:p1"}
    assert report(platform).ok


def test_the_batched_writer_loses_nothing_on_a_clean_shutdown(settings: Settings) -> None:
    platform = Platform(settings.model_copy(update={"audit_flush_ms": 200.0}))
    try:
        for i in range(250):
            record_access(platform, "key:b", "key", "fietsen", "read", None, None, None, None, i)
        assert audit_log(platform)._queue  # queued, not written yet
    finally:
        platform.close()
    platform = Platform(settings)
    try:
        assert [e.rows for e in entries(platform)] == list(range(250))
        assert report(platform).ok
    finally:
        platform.close()


def stored(platform: Platform) -> int:
    """Entries in the database, without flushing this process's queue."""
    with platform.db.session() as session:
        return len(session.scalars(select(AuditEvent.seq)).all())


def test_the_batched_writer_writes_within_its_window(settings: Settings) -> None:
    platform = Platform(settings.model_copy(update={"audit_flush_ms": 50.0}))
    try:
        record_access(platform, "key:b", "key", "fietsen", "read", None, None, None, None, 1)
        deadline = time.monotonic() + 10
        while not stored(platform) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert stored(platform) == 1
    finally:
        platform.close()


KILLED = """
import sys, time
from belfort.audit.log import record_access
from belfort.platform import Platform
from belfort.settings import Settings
platform = Platform(Settings(data_dir=sys.argv[1], database_url=sys.argv[2], audit_flush_ms=20))
i = 0
while True:
    record_access(platform, "key:killed", "key", "fietsen", "read", None, None, None, None, i)
    i += 1
    if i % 50 == 0:
        print(i, flush=True)
        time.sleep(0.005)
"""


def test_a_process_killed_while_appending_leaves_a_chain_that_verifies(
        platform: Platform, settings: Settings) -> None:
    proc = subprocess.Popen([sys.executable, "-c", KILLED, str(settings.data_dir),
                             settings.effective_database_url], cwd=REPO,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for _ in range(20):  # ~1,000 entries queued, most of them written
            proc.stdout.readline()
        time.sleep(0.1)
    finally:
        proc.kill()  # SIGKILL: no clean shutdown
        proc.wait(timeout=30)
    written = stored(platform)
    assert written > 0
    assert report(platform).ok  # what was written is whole; the unwritten queue is lost
    fill(platform, accesses=1)  # and the chain goes on from there
    assert report(platform).ok and report(platform).last_seq == written + 2


def test_a_checkpoint_every_n_entries(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_log_module, "CHECK_INTERVAL_SECONDS", 0.0)
    platform = Platform(settings.model_copy(update={"audit_checkpoint_every": 5,
                                                    "audit_flush_ms": 0.0}))
    try:
        fill(platform, accesses=11)  # 12 entries; the staff action is entry 1
        with platform.db.session() as session:
            seqs = list(session.scalars(select(AuditCheckpoint.seq).order_by(AuditCheckpoint.seq)))
        assert seqs == [5, 10]  # checked after each access
        assert report(platform).checkpoints == 2 and report(platform).ok
    finally:
        platform.close()


def test_a_checkpoint_after_minutes(settings: Settings) -> None:
    platform = Platform(settings.model_copy(update={"audit_checkpoint_minutes": 0.05}))
    try:
        fill(platform, accesses=1)
        assert audit_log(platform).maybe_checkpoint(force=True) is None  # not 3 s old yet
        time.sleep(3.1)
        audit_log(platform).maybe_checkpoint(force=True)  # or the writer's thread did already
        with platform.db.session() as session:
            assert list(session.scalars(select(AuditCheckpoint.seq))) == [2]
        assert audit_log(platform).maybe_checkpoint(force=True) is None  # head signed already
        assert checkpoint(platform) is None
    finally:
        platform.close()
