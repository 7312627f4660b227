"""0014 adds the compacted-file and compactor-state tables; additive, and it goes back down."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from belfort.catalog.database import alembic_config, make_engine


def test_0014_adds_and_removes_only_the_live_dataset_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
        before = set(inspect(connection).get_table_names())
        command.upgrade(config, "0014")
        assert set(inspect(connection).get_table_names()) - before == {
            "stream_parts", "stream_state"}
        state = connection.execute(text("SELECT name, generation, holder FROM stream_state"))
        assert state.all() == [("compaction", 0, None)]
        command.downgrade(config, "0010")
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()
