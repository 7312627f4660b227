"""0011 adds the SensorThings tables; additive, and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from belfort.catalog.database import alembic_config, make_engine

STA_TABLES = {"sta_things", "sta_locations", "sta_thing_locations", "sta_sensors",
              "sta_observed_properties", "sta_datastreams"}


def test_0011_adds_and_removes_only_the_sensorthings_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        below = ScriptDirectory.from_config(config).get_revision("0011").down_revision
        assert isinstance(below, str)  # one parent (the integrator may re-chain it)
        command.upgrade(config, below)
        before = set(inspect(connection).get_table_names())
        command.upgrade(config, "0011")
        after = inspect(connection)
        assert set(after.get_table_names()) - before == STA_TABLES
        uniques = {tuple(u["column_names"])
                   for u in after.get_unique_constraints("sta_datastreams")}
        assert ("belfort_sensor_id", "property") in uniques
        command.downgrade(config, below)
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()
