"""0012 adds the zones table of crowding; additive, and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from belfort.catalog.database import alembic_config, make_engine


def test_0012_adds_and_removes_only_the_zones_table(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0011")
        before = set(inspect(connection).get_table_names())
        command.upgrade(config, "0012")
        after = inspect(connection)
        assert set(after.get_table_names()) - before == {"zones"}
        assert {c["name"] for c in after.get_columns("zones")} == {
            "id", "name", "geometry", "area_m2", "area_computed", "density", "dwell_seconds",
            "centre", "created_at"}
        command.downgrade(config, "0011")
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()
