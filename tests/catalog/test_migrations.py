"""Migrations upgrade an existing catalogue without losing data (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from belfort.catalog.database import Database, alembic_config, make_engine


def test_upgrade_from_the_first_schema_keeps_datasets(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO datasets (id, title_nl, themes, keywords, frequency, classification, state, "
            "created_at, updated_at) VALUES ('oud', 'Oud', '[]', '[]', 'unknown', 'open', 'draft', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ))
    engine.dispose()
    db = Database(database_url)  # upgrades to the newest revision
    with db.engine.connect() as connection:
        row = connection.execute(text("SELECT title_nl, record_key FROM datasets WHERE id = 'oud'")).one()
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    db.dispose()
    assert row[0] == "Oud" and row[1] in ("[]", [])
    assert revision == ScriptDirectory.from_config(config).get_current_head()
