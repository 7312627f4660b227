"""0010 adds the live-stream tables; additive, and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from belfort.catalog.database import alembic_config, make_engine


def test_0010_adds_and_removes_only_the_stream_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
        before = set(inspect(connection).get_table_names())
        command.upgrade(config, "0010")
        after = inspect(connection)
        assert set(after.get_table_names()) - before == {
            "sensors", "observations", "device_refusals"}
        uniques = {tuple(u["column_names"]) for u in after.get_unique_constraints("observations")}
        assert ("sensor_id", "property", "phenomenon_us") in uniques
        command.downgrade(config, "0009")
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()
