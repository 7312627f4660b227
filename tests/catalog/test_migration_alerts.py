"""0022 adds the crowding alerts' tables; additive, and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from belfort.catalog.database import alembic_config, make_engine

NEW = {"alert_rules", "alert_advice", "alerts", "alert_lease"}


def test_0022_adds_and_removes_only_the_alert_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0015")
        before = set(inspect(connection).get_table_names())
        command.upgrade(config, "0022")
        after = inspect(connection)
        assert set(after.get_table_names()) - before == NEW
        assert {c["name"] for c in after.get_columns("alerts")} >= {
            "rule_id", "zone_id", "level", "raised_at", "cleared_at", "acknowledged_by",
            "advice", "explanation", "deliveries", "changed_us"}
        assert {fk["referred_table"] for fk in after.get_foreign_keys("alert_rules")} == {
            "zones"}
        command.downgrade(config, "0015")
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()
