"""0026 adds Gent in Cijfers' indicators and values; additive, and it goes back down cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from belfort.catalog.database import alembic_config, make_engine


def test_0026_adds_indicators_and_values(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0027")
        tables = set(inspect(connection).get_table_names())
        assert not {"cijfers_indicators", "cijfers_values"} & tables
        command.upgrade(config, "0026")
        assert set(inspect(connection).get_table_names()) == tables | {
            "cijfers_indicators", "cijfers_values"}
        connection.execute(text(
            "INSERT INTO cijfers_indicators (code, name_nl, name_en, description_nl, "
            "description_en, theme, unit, decimals, threshold, period_type, geolevels, sources, "
            "kind, modelled, updated_at) VALUES ('bev_totaal', 'Inwoners', 'Inhabitants', '', '', "
            "'demografie', 'personen', 0, 5, 'year', '[\"wijk\"]', '[]', 'table', false, "
            "CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO cijfers_values (indicator, geolevel, geoitem, period, value, missing, "
            "contributors, display, source_version) VALUES ('bev_totaal', 'wijk', '1', '2024', "
            "NULL, -99997, NULL, NULL, 'modelled')"))
        command.downgrade(config, "0027")
        assert set(inspect(connection).get_table_names()) == tables
    engine.dispose()


def test_0033_adds_member_values_and_goes_back(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0031")
        tables = set(inspect(connection).get_table_names())
        assert "cijfers_member_values" not in tables
        command.upgrade(config, "0033")
        assert set(inspect(connection).get_table_names()) == tables | {"cijfers_member_values"}
        connection.execute(text(
            "INSERT INTO cijfers_indicators (code, name_nl, name_en, description_nl, "
            "description_en, theme, unit, decimals, threshold, period_type, geolevels, sources, "
            "kind, modelled, updated_at) VALUES ('telpunten', 'Telpunten', 'Counting points', "
            "'', '', '', '', 0, 5, 'year', '[\"wijk\"]', '[]', 'query', false, "
            "CURRENT_TIMESTAMP)"))
        for member in ("camera", "wifi"):
            connection.execute(text(
                "INSERT INTO cijfers_member_values (indicator, geolevel, geoitem, period, member, "
                "value, contributors, display) VALUES ('telpunten', 'wijk', '1', '2024', :m, 3, "
                "3, '< 5')"), {"m": member})
        command.downgrade(config, "0031")
        assert set(inspect(connection).get_table_names()) == tables
    engine.dispose()
