"""0007 adds the staff sessions table; additive, and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from belfort.catalog.database import alembic_config, make_engine


def test_0007_adds_and_removes_only_the_sessions_table(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        before = set(inspect(connection).get_table_names())
        command.upgrade(config, "0007")
        after = inspect(connection)
        assert set(after.get_table_names()) - before == {"staff_sessions"}
        columns = {c["name"] for c in after.get_columns("staff_sessions")}
        assert columns == {"token_hash", "key_id", "created_at", "expires_at"}
        command.downgrade(config, "0006")
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()
