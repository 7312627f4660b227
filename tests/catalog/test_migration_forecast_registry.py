"""0023 adds the forecast model registry and the forecasts made; additive, and it goes back
down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from belfort.catalog.database import alembic_config, make_engine


def test_0023_adds_the_registry_and_the_forecasts(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0021")
        tables = set(inspect(connection).get_table_names())
        assert not {"twin_models", "twin_forecasts"} & tables
        command.upgrade(config, "0023")
        assert set(inspect(connection).get_table_names()) == tables | {"twin_models",
                                                                       "twin_forecasts"}
        connection.execute(text(
            "INSERT INTO twin_models (version, created_at, train_first_hour, train_last_hour, "
            "timezone, country, horizon, sensors, features, parameters, artefact, "
            "training_seconds, status, live_hours, degraded) VALUES ('gbm-1', "
            "CURRENT_TIMESTAMP, 'a', 'b', 'Europe/Brussels', 'BE', 48, '[]', '[]', '{}', "
            "'twin-models/gbm-1.json', 1.5, 'active', 0, false)"))
        connection.execute(text(
            "INSERT INTO twin_forecasts (kind, subject, origin_us, model_version, made_us, "
            "reason) VALUES ('sensor', 'TP01', 1, 'gbm-1', 2, 'too little history')"))
        command.downgrade(config, "0021")
        assert set(inspect(connection).get_table_names()) == tables
    engine.dispose()
