"""0024 adds the data-quality tables (rules, reports, results); additive, a report's results go
with it, and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from belfort.catalog.database import alembic_config, make_engine

QUALITY = {"quality_rules", "quality_reports", "quality_results"}


def test_0024_adds_the_quality_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0023")
        tables = set(inspect(connection).get_table_names())
        assert not QUALITY & tables
        command.upgrade(config, "0024")
        assert set(inspect(connection).get_table_names()) == tables | QUALITY
        connection.execute(text(
            "INSERT INTO datasets (id, title_nl, frequency, classification, listed, themes, "
            "keywords, record_key, personal_data, timezone, state, created_at, updated_at) "
            "VALUES ('d', 'D', 'daily', 'open', false, '[]', '[]', '[]', false, "
            "'Europe/Brussels', 'published', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO quality_rules (dataset_id, rules, inferred, updated_at) "
            "VALUES ('d', '[]', true, CURRENT_TIMESTAMP)"))
        report = connection.execute(text(
            "INSERT INTO quality_reports (dataset_id, version, measured_at, trigger, status, "
            "row_count, dimensions, timeliness) VALUES ('d', 1, CURRENT_TIMESTAMP, 'cli', 'ok', "
            "6, '{}', '{}') RETURNING id")).scalar_one()
        connection.execute(text(
            "INSERT INTO quality_results (report_id, rule_id, dimension, rule, checked, failing, "
            f"examples) VALUES ({int(report)}, 'required:naam', 'completeness', '{{}}', 6, 1, "
            "'[]')"))
        connection.execute(text(f"DELETE FROM quality_reports WHERE id = {int(report)}"))
        assert connection.execute(text("SELECT count(*) FROM quality_results")).scalar_one() == 0
        command.downgrade(config, "0023")
        assert set(inspect(connection).get_table_names()) == tables
    engine.dispose()
