"""0009 adds the organisations table and merges free-text metadata onto the controlled lists.

Upgraded from 0007 to 0009 by revision id (another helper's 0008 is chained in between
when merged; 0009 must not depend on it).
"""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import inspect, text

from belfort.catalog.database import alembic_config, make_engine
from belfort.linked.vocabularies import CC0, CC_BY_4

ROWS = [
    # id, themes, licence, organisation, spatial
    ("a", ["Vervoer"], "CC0", "Stad Gent", "gent"),
    ("b", ["TRAN"], "cc-by 4.0", "stad gent", None),
    ("c", ["mobiliteit", "Milieu"], None, "Stad Gent", "Sint-Amandsberg"),
    ("d", ["Eigen thema"], "https://example.org/eigen", "Mobiliteitsbedrijf", "Ergens"),
    ("e", [], None, " stad  gent ", None),
]


def _insert(connection, row: tuple) -> None:  # type: ignore[no-untyped-def]
    connection.execute(
        text(
            "INSERT INTO datasets (id, title_nl, themes, keywords, licence, organisation, spatial, "
            "frequency, classification, state, record_key, personal_data, timezone, created_at, "
            "updated_at) VALUES (:id, :id, :themes, '[]', :licence, :organisation, :spatial, "
            "'unknown', 'open', 'draft', '[]', false, 'Europe/Brussels', CURRENT_TIMESTAMP, "
            "CURRENT_TIMESTAMP)"
        ),
        {
            "id": row[0],
            "themes": json.dumps(row[1]),
            "licence": row[2],
            "organisation": row[3],
            "spatial": row[4],
        },
    )


def test_0009_merges_duplicates_onto_the_lists(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        before = set(inspect(connection).get_table_names())
        for row in ROWS:
            _insert(connection, row)
        command.upgrade(config, "0009")  # by id: through 0008 (field descriptions) if it is there
        after = set(inspect(connection).get_table_names())
        assert "organisations" in after - before
        found = {
            r[0]: r[1:]
            for r in connection.execute(
                text("SELECT id, themes, licence, organisation, spatial FROM datasets ORDER BY id")
            )
        }
        orgs = {
            r[0]: r[1] for r in connection.execute(text("SELECT slug, name_nl FROM organisations"))
        }
        command.downgrade(config, "-1")  # 0009 alone: it removes only its table
        assert set(inspect(connection).get_table_names()) == after - {"organisations"}
        command.downgrade(config, "0007")
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()

    def themes(value: object) -> list[str]:
        return json.loads(value) if isinstance(value, str) else list(value)  # type: ignore[arg-type]

    assert themes(found["a"][0]) == ["TRAN"] and themes(found["b"][0]) == ["TRAN"]
    assert themes(found["c"][0]) == ["TRAN", "ENVI"]
    assert themes(found["d"][0]) == ["Eigen thema"]  # on no list: kept as it was
    assert found["a"][1] == CC0.uri and found["b"][1] == CC_BY_4.uri
    assert found["d"][1] == "https://example.org/eigen"
    assert {found[i][2] for i in "abce"} == {"Stad Gent"}  # one organisation, its usual spelling
    assert found["d"][2] == "Mobiliteitsbedrijf"
    assert found["a"][3] == "Gent" and found["c"][3] == "Sint-Amandsberg"
    assert found["d"][3] == "Ergens"
    assert orgs == {"stad-gent": "Stad Gent", "mobiliteitsbedrijf": "Mobiliteitsbedrijf"}


def test_0009_on_an_empty_catalogue_creates_the_city(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
        orgs = connection.execute(text("SELECT slug, name_nl, name_en FROM organisations")).all()
    engine.dispose()
    assert [tuple(o) for o in orgs] == [("stad-gent", "Stad Gent", "City of Ghent")]
