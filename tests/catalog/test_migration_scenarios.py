"""0021 adds the zone graph's street links and the kept scenarios; additive, and it goes
back down cleanly; a zone's removal removes its links (the foreign key cascades)."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from belfort.catalog.database import alembic_config, make_engine


def test_0021_adds_links_and_scenarios(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        before = ScriptDirectory.from_config(config).get_revision("0021").down_revision
        assert isinstance(before, str)
        command.upgrade(config, before)
        tables = set(inspect(connection).get_table_names())
        assert not {"zone_links", "twin_scenarios"} & tables
        command.upgrade(config, "0021")
        assert set(inspect(connection).get_table_names()) == tables | {"zone_links",
                                                                       "twin_scenarios"}
        for zone in ("a", "b"):
            connection.execute(text(
                "INSERT INTO zones (id, name, geometry, area_m2, area_computed, centre, "
                "created_at) VALUES (:id, :id, '{}', 100, false, false, CURRENT_TIMESTAMP)"),
                {"id": zone})
        connection.execute(text(
            "INSERT INTO zone_links (id, from_zone, to_zone, width_m, length_m, created_at) "
            "VALUES ('ab', 'a', 'b', 5, 100, CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO twin_scenarios (id, name, closures, start_at, end_at, created_by, "
            "created_at, result) VALUES ('0123456789abcdef', 'x', '[]', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP, 'key:k', CURRENT_TIMESTAMP, '{}')"))
        connection.execute(text("DELETE FROM zones WHERE id = 'b'"))
        assert connection.execute(text("SELECT count(*) FROM zone_links")).scalar_one() == 0
        command.downgrade(config, before)
        assert set(inspect(connection).get_table_names()) == tables
    engine.dispose()
