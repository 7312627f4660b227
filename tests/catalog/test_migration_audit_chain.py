"""0016 chains the audit events written before it (in the order they were written), adds
the head and checkpoint tables and the append-only triggers; it goes back down cleanly."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from belfort.audit.verify import verify
from belfort.catalog.database import Database, alembic_config, make_engine


def test_0016_chains_the_old_events_and_goes_back_down(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    script = ScriptDirectory.from_config(config).get_revision("0016")
    assert script is not None and isinstance(script.down_revision, str)
    below = script.down_revision  # the revision 0016 follows (the integrator re-chains it)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, below)
        before = set(inspect(connection).get_table_names())
        old_columns = {c["name"] for c in inspect(connection).get_columns("audit_events")}
        at = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=dt.timezone.utc)
        for i, (actor, action) in enumerate([("key:abc", "ingest"), ("cli", "change_state"),
                                             ("harvester", "harvest_metadata")]):
            connection.execute(
                text("INSERT INTO audit_events (at, actor, action, dataset_id, detail) "
                     "VALUES (:at, :actor, :action, 'fietsen', :detail)"),
                {"at": at + dt.timedelta(seconds=i), "actor": actor, "action": action,
                 "detail": '{"version": %d, "note": "\\u00e9t\\u00e9"}' % i})
        command.upgrade(config, "0016")
        after = inspect(connection)
        assert set(after.get_table_names()) - before == {"audit_head", "audit_checkpoints"}
        rows = connection.execute(text(
            "SELECT seq, principal_kind, prev_hash, hash FROM audit_events ORDER BY id")).all()
        assert [(r[0], r[1]) for r in rows] == [(1, "key"), (2, "system"), (3, "system")]
        assert rows[1][2] == rows[0][3] and rows[2][2] == rows[1][3]
        assert connection.execute(text("SELECT seq, hash FROM audit_head")).one() == (
            3, rows[2][3])
        command.downgrade(config, below)
        assert set(inspect(connection).get_table_names()) == before
        assert {c["name"] for c in inspect(connection).get_columns("audit_events")} == old_columns
        assert connection.execute(text("SELECT count(*) FROM audit_events")).scalar() == 3
        command.upgrade(config, "0016")
    engine.dispose()
    db = Database(database_url)  # the newest schema; the migrated chain verifies
    try:
        with db.session() as session:
            report = verify(session, [])
        assert report.ok and report.entries == 3, report.problems
    finally:
        db.dispose()
