"""Full-text search, geographic filters and the special functions, run on DuckDB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.errors import QueryError
from belfort.query.engine import QueryEngine
from belfort.query.model import (
    Aggregate,
    FieldRef,
    Function,
    InBBox,
    InPolygon,
    Literal,
    Not,
    OrderItem,
    Query,
    Search,
    SelectItem,
    WithinDistance,
)
from belfort.schema import Field, TableSchema

SCHEMA = TableSchema((
    Field("naam", "string"), Field("omschrijving", "string"), Field("plaatsen", "integer"),
    Field("locatie", "geopoint"), Field("tijdstip", "datetime"),
))
# Real places in Ghent (lat, lon)
PLACES = [
    ("Vrijdagmarkt", "Parking onder de markt", 650, 51.0571, 3.7268),
    ("Korenmarkt", "Plein in de binnenstad_50%", 0, 51.0546, 3.7213),
    ("Gent-Sint-Pieters", "Station met fietsenstalling", 10000, 51.0359, 3.7108),
    ("Dampoort", "Station en P+R", 300, 51.0563, 3.7403),
    ("Oostakker", "Deelgemeente", 0, 51.1010, 3.7800),
]


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "plaatsen.parquet"
    start = dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC)
    pq.write_table(pa.table({
        "naam": [p[0] for p in PLACES], "omschrijving": [p[1] for p in PLACES],
        "plaatsen": [p[2] for p in PLACES],
        "locatie": pa.array([{"lat": p[3], "lon": p[4]} for p in PLACES],
                            pa.struct([("lat", pa.float64()), ("lon", pa.float64())])),
        "tijdstip": pa.array([start + dt.timedelta(hours=i) for i in range(5)], pa.timestamp("us", tz="UTC")),
    }), path)
    engine = QueryEngine(versions)

    def _run(query: Query) -> list[dict]:
        return engine.execute(query, SCHEMA, path).records()

    yield _run
    engine.close()


def names(rows: list[dict]) -> set[str]:
    return {r["naam"] for r in rows}


def test_search_needs_every_word_in_some_text_field(run) -> None:  # type: ignore[no-untyped-def]
    assert names(run(Query(where=Search("station")))) == {"Gent-Sint-Pieters", "Dampoort"}
    assert names(run(Query(where=Search("STATION fiets")))) == {"Gent-Sint-Pieters"}
    assert names(run(Query(where=Search("markt", ("naam",))))) == {"Vrijdagmarkt", "Korenmarkt"}
    assert names(run(Query(where=Search("50%")))) == {"Korenmarkt"}  # % is literal, not a wildcard
    assert names(run(Query(where=Search("d_50")))) == {"Korenmarkt"}
    assert names(run(Query(where=Search("_")))) == {"Korenmarkt"}
    assert names(run(Query(where=Not(Search("station"))))) == {"Vrijdagmarkt", "Korenmarkt", "Oostakker"}
    with pytest.raises(QueryError, match="unknown field"):
        run(Query(where=Search("x", ("bestaat_niet",))))


def test_within_distance_uses_great_circle_metres(run) -> None:  # type: ignore[no-untyped-def]
    # Korenmarkt → Vrijdagmarkt is about 440 m
    assert names(run(Query(where=WithinDistance("locatie", 51.0546, 3.7213, 300)))) == {"Korenmarkt"}
    assert names(run(Query(where=WithinDistance("locatie", 51.0546, 3.7213, 600)))) == {"Korenmarkt", "Vrijdagmarkt"}
    rows = run(Query(select=(SelectItem(FieldRef("naam")),
                             SelectItem(Function("distance", (FieldRef("locatie"), Literal(51.0546), Literal(3.7213))), "m")),
                     order_by=(OrderItem(FieldRef("m")),), limit=2))
    assert rows[0]["m"] == pytest.approx(0, abs=0.01)
    assert rows[1]["naam"] == "Vrijdagmarkt" and 400 < rows[1]["m"] < 480


def test_bbox_and_polygon(run) -> None:  # type: ignore[no-untyped-def]
    inner_city = InBBox("locatie", 51.05, 3.71, 51.06, 3.73)
    assert names(run(Query(where=inner_city))) == {"Vrijdagmarkt", "Korenmarkt"}
    # Dampoort lies inside this triangle's bounding box but outside the triangle itself.
    triangle = InPolygon("locatie", ((51.05, 3.715), (51.065, 3.715), (51.05, 3.745)))
    assert names(run(Query(where=triangle))) == {"Vrijdagmarkt", "Korenmarkt"}
    box = InBBox("locatie", 51.05, 3.715, 51.065, 3.745)
    assert "Dampoort" in names(run(Query(where=box)))
    with pytest.raises(QueryError, match="polygon"):
        run(Query(where=InPolygon("locatie", ((51.0, 3.7), (51.1, 3.8)))))
    with pytest.raises(QueryError, match="latitude"):
        run(Query(where=WithinDistance("locatie", 95.0, 3.7, 10)))
    with pytest.raises(QueryError, match="not a geopoint"):
        run(Query(where=WithinDistance("naam", 51.0, 3.7, 10)))


def test_date_format_groups_in_ghent_time_and_range_buckets(run) -> None:  # type: ignore[no-untyped-def]
    by_year = run(Query(
        select=(SelectItem(Function("date_format", (FieldRef("tijdstip"), Literal("yyyy"))), "jaar"),
                SelectItem(Aggregate("count"))),
        group_by=(SelectItem(Function("date_format", (FieldRef("tijdstip"), Literal("yyyy")))),),
        order_by=(OrderItem(FieldRef("jaar")),),
    ))
    # 2024-12-31 23:30 UTC is already 2025 in Ghent (UTC+1)
    assert by_year == [{"jaar": "2025", "count(*)": 5}]
    buckets = run(Query(
        select=(SelectItem(Function("range", (FieldRef("plaatsen"), Literal(500))), "emmer"),
                SelectItem(Aggregate("count"))),
        group_by=(SelectItem(Function("range", (FieldRef("plaatsen"), Literal(500)))),),
        order_by=(OrderItem(FieldRef("emmer")),),
    ))
    assert buckets == [{"emmer": 0, "count(*)": 3}, {"emmer": 500, "count(*)": 1}, {"emmer": 10000, "count(*)": 1}]
    with pytest.raises(QueryError, match="unsupported letter"):
        run(Query(select=(SelectItem(Function("date_format", (FieldRef("tijdstip"), Literal("yyyy'; --Q")))),)))


def test_startswith_and_now(run) -> None:  # type: ignore[no-untyped-def]
    from belfort.query.model import Compare
    assert names(run(Query(where=Function("startswith", (FieldRef("naam"), Literal("Gent")))))) == {"Gent-Sint-Pieters"}
    assert len(run(Query(where=Compare("<", FieldRef("tijdstip"), Function("now"))))) == 5
