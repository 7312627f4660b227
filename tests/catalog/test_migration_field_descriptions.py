"""0008 adds the data dictionary's table; additive, existing datasets keep their data, and it
goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from belfort.catalog.database import alembic_config, make_engine


def test_0008_adds_and_removes_only_the_field_descriptions_table(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        connection.execute(
            text(
                "INSERT INTO datasets (id, title_nl, themes, keywords, frequency, classification, "
                "state, record_key, personal_data, created_at, updated_at) VALUES ('oud', 'Oud', "
                "'[]', '[]', 'unknown', 'open', 'draft', '[]', false, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP)"
            )
        )
        before = set(inspect(connection).get_table_names())
        command.upgrade(config, "0008")
        after = inspect(connection)
        assert set(after.get_table_names()) - before == {"field_descriptions"}
        columns = {c["name"] for c in after.get_columns("field_descriptions")}
        assert columns == {
            "dataset_id",
            "field",
            "title_nl",
            "title_en",
            "description_nl",
            "description_en",
            "unit",
            "updated_by",
            "updated_at",
        }
        connection.execute(
            text(
                "INSERT INTO field_descriptions (dataset_id, field, title_nl, unit, updated_at) "
                "VALUES ('oud', 'aantal', 'Aantal', 'fietsers', CURRENT_TIMESTAMP)"
            )
        )
        title = connection.execute(
            text("SELECT title_nl FROM datasets WHERE id = 'oud'")
        ).scalar_one()
        assert title == "Oud"
        command.downgrade(config, "0007")
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()
