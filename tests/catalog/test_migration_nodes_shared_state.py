"""0027 adds the shared catalogue generation (one row, starting at 1) and the quota counts of
several nodes; additive, and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from belfort.catalog.database import alembic_config, make_engine


def test_0027_adds_the_generation_row_and_the_quota_counts(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0024")
        tables = set(inspect(connection).get_table_names())
        assert not {"catalogue_generation", "quota_counts"} & tables
        command.upgrade(config, "0027")
        assert set(inspect(connection).get_table_names()) == tables | {"catalogue_generation",
                                                                       "quota_counts"}
        rows = connection.execute(text("SELECT id, value FROM catalogue_generation")).all()
        assert [tuple(row) for row in rows] == [(1, 1)]
        connection.execute(text(
            "INSERT INTO quota_counts (bucket, window_start, calls) VALUES ('ab', 0, 1)"))
        command.downgrade(config, "0024")
        assert set(inspect(connection).get_table_names()) == tables
    engine.dispose()
