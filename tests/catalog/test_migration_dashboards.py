"""0013 adds the dashboards table; additive, and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from belfort.catalog.database import alembic_config, make_engine


def test_0013_adds_and_removes_only_the_dashboards_table(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0012")
        before = set(inspect(connection).get_table_names())
        command.upgrade(config, "0013")
        after = inspect(connection)
        assert set(after.get_table_names()) - before == {"dashboards"}
        columns = {c["name"] for c in after.get_columns("dashboards")}
        assert {"id", "source", "spec", "revision"} <= columns
        command.downgrade(config, "0012")
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()
