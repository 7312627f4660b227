"""0029 adds ``versions.quality_gate`` (the publication gate's record); additive — existing
versions keep NULL (published without a gate) — and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from belfort.catalog.database import alembic_config, make_engine


def _columns(connection: object) -> set[str]:
    return {c["name"] for c in inspect(connection).get_columns("versions")}


def test_0029_adds_the_gate_record_to_versions(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0026")
        assert "quality_gate" not in _columns(connection)
        connection.execute(text(
            "INSERT INTO datasets (id, title_nl, frequency, classification, listed, themes, "
            "keywords, record_key, personal_data, timezone, state, created_at, updated_at) "
            "VALUES ('d', 'D', 'daily', 'open', false, '[]', '[]', '[]', false, "
            "'Europe/Brussels', 'published', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO versions (dataset_id, number, schema, row_count, byte_size, checksum, "
            "path, source_format, source_details, validation, created_at) VALUES ('d', 1, '{}', "
            "6, 10, 'x', 'd/v1.parquet', 'csv', '{}', '{}', CURRENT_TIMESTAMP)"))
        command.upgrade(config, "0029")
        assert "quality_gate" in _columns(connection)
        assert connection.execute(text(
            "SELECT quality_gate FROM versions WHERE dataset_id = 'd'")).scalar_one() is None
        command.downgrade(config, "0026")
        assert "quality_gate" not in _columns(connection)
        assert connection.execute(text("SELECT count(*) FROM versions")).scalar_one() == 1
    engine.dispose()
