"""No Belfort code path changes or removes an audit entry or checkpoint (the database's
triggers refuse it too: tests/audit/test_tamper.py)."""

from __future__ import annotations

import re

from tests.conftest import REPO_ROOT

FORBIDDEN = re.compile(
    r"(update|delete)\(\s*(AuditEvent|AuditCheckpoint)\b"
    r"|(UPDATE|DELETE\s+FROM|TRUNCATE)\s+(TABLE\s+)?audit_(events|checkpoints)\b"
    r"|query\(\s*(AuditEvent|AuditCheckpoint)\s*\)[^\n]*\.(delete|update)\(",
    re.IGNORECASE,
)


def test_no_code_updates_or_deletes_audit_entries() -> None:
    offenders = []
    for path in (REPO_ROOT / "src" / "belfort").rglob("*.py"):
        if path.name == "0016_audit_chain.py":  # chains the entries written before it
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_pattern_finds_what_it_should() -> None:
    for line in ("session.execute(delete(AuditEvent).where(x))", "update(AuditCheckpoint)",
                 'text("DELETE FROM audit_events WHERE seq = 3")', "UPDATE audit_events SET a=1",
                 "session.query(AuditEvent).filter_by(a=1).delete()"):
        assert FORBIDDEN.search(line), line
    assert not FORBIDDEN.search("UPDATE audit_head SET seq = seq + 1")
