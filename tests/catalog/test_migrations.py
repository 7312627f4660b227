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


def test_upgrade_to_source_timezones_keeps_old_datasets_at_brussels(database_url: str) -> None:
    """0005 adds the source time zone; datasets from before it were all read as Ghent time."""
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO datasets (id, title_nl, themes, keywords, frequency, classification, state, "
            "record_key, personal_data, created_at, updated_at) VALUES ('oud', 'Oud', '[]', '[]', "
            "'unknown', 'open', 'draft', '[]', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ))
    engine.dispose()
    db = Database(database_url)
    try:
        with db.engine.connect() as connection:
            zone = connection.execute(text("SELECT timezone FROM datasets WHERE id = 'oud'")).scalar_one()
        with db.session() as session:
            from belfort.catalog.models import Dataset
            from belfort.catalog.store import dataset_to_dict

            old = session.get(Dataset, "oud")
            assert old is not None
            assert dataset_to_dict(old)["timezone"] == "Europe/Brussels"
    finally:
        db.dispose()
    assert zone == "Europe/Brussels"
    # and back down: 0005's downgrade removes the column again
    engine = make_engine(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    with engine.connect() as connection:
        columns = connection.execute(text("SELECT * FROM datasets WHERE id = 'oud'")).keys()
    engine.dispose()
    assert "timezone" not in columns
