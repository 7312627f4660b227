"""0028 adds the governance tables (roles, reviews, reminders sent); additive, a dataset's
review goes with the dataset, one role per scope and key, and it goes back down cleanly."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from belfort.catalog.database import alembic_config, make_engine

GOVERNANCE = {"governance_roles", "governance_reviews", "governance_reminders"}


def test_0028_adds_the_governance_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0029")
        tables = set(inspect(connection).get_table_names())
        assert not GOVERNANCE & tables
        command.upgrade(config, "0028")
        assert set(inspect(connection).get_table_names()) == tables | GOVERNANCE
        connection.execute(text(
            "INSERT INTO datasets (id, title_nl, frequency, classification, listed, themes, "
            "keywords, record_key, personal_data, timezone, state, created_at, updated_at) "
            "VALUES ('d', 'D', 'daily', 'open', false, '[]', '[]', '[]', false, "
            "'Europe/Brussels', 'published', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        role = ("INSERT INTO governance_roles (scope, scope_id, role, name, email, email_public, "
                "updated_at) VALUES ('dataset', 'd', 'owner', 'An', NULL, false, "
                "CURRENT_TIMESTAMP)")
        connection.execute(text(role))
        with pytest.raises(IntegrityError), connection.begin_nested():
            connection.execute(text(role))  # one owner per dataset
        connection.execute(text(
            "INSERT INTO governance_reviews (dataset_id, reviewed_at, reviewed_by) "
            "VALUES ('d', CURRENT_TIMESTAMP, 'an')"))
        connection.execute(text(
            "INSERT INTO governance_reminders (recipient, sent_at, fingerprint, items) "
            "VALUES ('an@stad.gent', CURRENT_TIMESTAMP, 'abc', 2)"))
        connection.execute(text("DELETE FROM datasets WHERE id = 'd'"))
        assert connection.execute(text("SELECT count(*) FROM governance_reviews")
                                  ).scalar_one() == 0
        command.downgrade(config, "0029")
        assert set(inspect(connection).get_table_names()) == tables
    engine.dispose()
