"""0017 (re-chained after 0016) adds the policies and policy_assignments tables;
additive, and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from belfort.catalog.database import alembic_config, make_engine


def test_0017_adds_and_removes_only_the_policy_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0016")
        before = set(inspect(connection).get_table_names())
        command.upgrade(config, "0017")
        after = inspect(connection)
        assert set(after.get_table_names()) - before == {"policies", "policy_assignments"}
        assert {"uid", "dataset_id", "document", "source", "enabled", "expires_at",
                "created_by", "updated_by"} <= {c["name"] for c in after.get_columns("policies")}
        assert {"policy_uid", "dataset_id", "party", "rule", "actions"} <= {
            c["name"] for c in after.get_columns("policy_assignments")}
        command.downgrade(config, "0016")
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()
