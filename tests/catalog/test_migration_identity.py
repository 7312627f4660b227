"""0015 adds scoped, expiring keys and people's staff sessions; additive, and it goes back
down cleanly (people's sessions end: they have no key)."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from belfort.catalog.database import alembic_config, make_engine


def test_0015_adds_key_scopes_and_person_sessions(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        before = ScriptDirectory.from_config(config).get_revision("0015").down_revision
        assert isinstance(before, str)
        command.upgrade(config, before)
        connection.execute(text(
            "INSERT INTO api_keys (id, name, role, secret_hash, created_at) "
            "VALUES ('k1', 'oud', 'admin', 'h1', CURRENT_TIMESTAMP)"))
        tables = set(inspect(connection).get_table_names())
        command.upgrade(config, "0015")
        after = inspect(connection)
        assert set(after.get_table_names()) == tables
        keys = {c["name"]: c for c in after.get_columns("api_keys")}
        assert {"organisation", "expires_at"} <= set(keys)
        sessions = {c["name"]: c for c in after.get_columns("staff_sessions")}
        assert {"subject", "person_name", "role", "organisation", "groups",
                "staff_roles"} <= set(sessions)
        assert sessions["key_id"]["nullable"]
        old = connection.execute(text("SELECT role, organisation, expires_at FROM api_keys")).one()
        assert tuple(old) == ("admin", None, None)  # an existing key works as before
        connection.execute(text(
            "INSERT INTO staff_sessions "
            "(token_hash, key_id, subject, role, created_at, expires_at) "
            "VALUES ('t1', NULL, 'alice', 'read', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        command.downgrade(config, before)
        left = {c["name"] for c in inspect(connection).get_columns("api_keys")}
        assert not {"organisation", "expires_at"} & left
        assert connection.execute(text("SELECT count(*) FROM staff_sessions")).scalar_one() == 0
        assert connection.execute(text("SELECT count(*) FROM api_keys")).scalar_one() == 1
    engine.dispose()
