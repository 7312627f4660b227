"""The Spark backend answers as DuckDB does (issue 16, item 4).

One published version (ingested as any dataset is: text, whole and decimal numbers, dates,
moments, booleans, geopoints, a multivalued field, empty cells) and a shared corpus of
questions — filters, group-bys, order, paging, facets, search, geography, the ODSQL
functions — run on DuckDB and on Spark, both ``local[2]`` in this process and through a
real Spark Connect server (``tests/spark_connect.py``); the answers must be identical
(numbers compared as floats to 9 digits, moments in UTC, order where the question orders).
The gate's restrictions (a row filter with a field subset, an aggregation threshold) are
checked the same way, and so are the typed refusals of what Spark has no equivalent for.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.errors import AggregatesOnly, NotOnSpark, QueryError
from belfort.platform import Platform, make_engine
from belfort.policy.principals import CLI_ADMIN
from belfort.policy.reading import readable
from belfort.policy.restricted import restricted_file, restricted_schema
from belfort.publishing import ingest_file
from belfort.query.disclosure import Disclosure
from belfort.query.engine import QueryEngine, QueryResult
from belfort.query.facets import compute_facet, facet_query
from belfort.query.model import (
    Aggregate,
    Arithmetic,
    Compare,
    FieldRef,
    Function,
    InBBox,
    InPolygon,
    Literal,
    OrderItem,
    Query,
    RecordIdIs,
    Search,
    SelectItem,
)
from belfort.query.odsql import parse_query, parse_where
from belfort.query.spark import SparkEngine, SparkRouting
from belfort.schema import TableSchema
from belfort.settings import Settings
from tests.helpers import write
from tests.spark_connect import connect_session, connect_url
from tests.spark_session import spark_session

pytest.importorskip("pyspark", reason="the spark extra is part of the test extra")

DATASET = "meldingen"
WIJKEN = ["Centrum", "Noord", "Zuid", "Oost", "Sint-Amandsberg", "gentbrugge"]
TAGS = ["afval", "lawaai", "verkeer", "groen"]
ROWS = 400


def _csv() -> str:
    lines = ["naam;wijk;aantal;bedrag;datum;tijdstip;open;locatie;tags"]
    for i in range(ROWS):
        wijk = "" if i % 37 == 0 else WIJKEN[i % len(WIJKEN)]
        aantal = "" if i % 23 == 0 else str((i * 7) % 50 - 5)
        bedrag = f"{(i * 13) % 1000 / 8:.3f}".replace(".", ",")
        datum = (dt.date(2023, 1, 1) + dt.timedelta(days=i * 3)).isoformat()
        # moments around midnight and the DST changes, in Ghent's wall-clock time
        moment = dt.datetime(2024, 3, 30, 20, 0) + dt.timedelta(hours=i * 5, minutes=i % 60)
        lat, lon = 51.0 + (i % 20) * 0.005, 3.68 + (i % 17) * 0.006
        tags = "|".join(TAGS[j] for j in range(len(TAGS)) if (i >> j) & 1) if i % 5 else ""
        naam = f"Melding {i} {'Graslei' if i % 4 == 0 else 'korenmarkt'}"
        lines.append(
            f"{naam};{wijk};{aantal};{bedrag};{datum};{moment:%Y-%m-%d %H:%M:%S};"
            f"{'ja' if i % 3 else 'nee'};{lat:.5f},{lon:.5f};{tags}"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def published(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Platform, Path, TableSchema]]:
    root = tmp_path_factory.mktemp("spark")
    platform = Platform(
        Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'c.sqlite'}")
    )
    ingest_file(
        platform,
        CLI_ADMIN,
        DATASET,
        write(root / "meldingen.csv", _csv()),
        metadata={"title_nl": "Meldingen"},
        multivalued={"tags": "|"},
    )
    found = readable(platform, CLI_ADMIN, DATASET, count_use=False, audit=False)
    yield platform, found.path, found.schema
    platform.close()


@pytest.fixture(scope="module", params=["local", "connect"])
def spark(request: pytest.FixtureRequest) -> SparkEngine:
    """Spark in this process (``local[2]``) and through a real Spark Connect server."""
    if request.param == "connect":
        url = connect_url()
        return SparkEngine(url, max_rows=10_000, session=connect_session())
    return SparkEngine("local[2]", max_rows=10_000, session=spark_session())  # as the platform


def _norm(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(f"{float(value):.9g}") if math.isfinite(value) else value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def _rows(result: QueryResult, ordered: bool) -> list[tuple[Any, ...]]:
    rows = [tuple(_norm(v) for v in row) for row in result.rows]
    return rows if ordered else sorted(rows, key=repr)


# (ODSQL select, where, group_by, order_by, limit, offset)
CORPUS: list[tuple[str | None, str | None, str | None, str | None, int | None, int]] = [
    (None, None, None, "naam", 20, 0),
    (None, "aantal > 10 AND open = true", None, "aantal DESC, naam", 15, 5),
    ("naam, aantal", "aantal IS NULL OR wijk IS NULL", None, None, 100, 0),
    (
        "wijk, count(*) AS n, sum(aantal) AS s, avg(bedrag) AS a, min(datum) AS d0, "
        "max(tijdstip) AS t1",
        None,
        "wijk",
        "wijk",
        50,
        0,
    ),
    ("wijk, count(*) AS n", "aantal >= 0", "wijk", "n DESC, wijk", 3, 1),
    (
        "year(datum) AS y, month(datum) AS m, count(*) AS n",
        None,
        "year(datum), month(datum)",
        "y, m",
        100,
        0,
    ),
    ("hour(tijdstip) AS h, count(*) AS n", None, "hour(tijdstip)", "h", 100, 0),
    ("weekday(tijdstip) AS w, count(*) AS n", None, "weekday(tijdstip)", "w", 100, 0),
    (
        "date_format(tijdstip, 'yyyy-MM-dd HH') AS d, count(*) AS n",
        "datum < date'2023-03-01'",
        "date_format(tijdstip, 'yyyy-MM-dd HH')",
        "d",
        100,
        0,
    ),
    ("date_format(datum, 'dd/MM/yy EEE MMMM D') AS d", "aantal > 40", None, "d", 100, 0),
    (
        "range(bedrag, 25) AS r, count(*) AS n, max(bedrag) AS mx",
        None,
        "range(bedrag, 25)",
        "r",
        100,
        0,
    ),
    (
        "median(bedrag) AS me, percentile(bedrag, 90) AS p90, stddev(aantal) AS sd, "
        "count(distinct wijk) AS w",
        None,
        None,
        None,
        None,
        0,
    ),
    (
        "lower(wijk) AS lw, upper(naam) AS un, length(naam) AS ln",
        "wijk in ('Sint-Amandsberg', 'gentbrugge', 'Zuid')",
        None,
        "ln, un",
        30,
        0,
    ),
    ("naam", "startswith(naam, 'Melding 1')", None, "naam", 30, 10),
    (
        "naam, aantal * 2 + 1 AS x, aantal / 4 AS q, bedrag - aantal AS r",
        "aantal in (3, 9, 44)",
        None,
        "naam",
        100,
        0,
    ),
    (
        "abs(aantal) AS a, round(bedrag) AS b, floor(bedrag) AS c, ceil(bedrag) AS d",
        "aantal < 0",
        None,
        "a, b, c, d",
        100,
        0,
    ),
    (
        "naam",
        "tijdstip >= '2024-04-01T00:00:00' AND tijdstip < '2024-04-03'",
        None,
        "tijdstip",
        100,
        0,
    ),
    ("naam", "not open AND wijk != 'Centrum'", None, "naam DESC", 100, 0),
    ("naam, tags", "tags = 'lawaai'", None, "naam", 100, 0),
    ("naam", "distance(locatie, geom'POINT(3.72 51.05)', 800m)", None, "naam", 100, 0),
    ("naam", "search(naam, 'graslei')", None, "naam", 100, 0),
    ("naam", "'korenmarkt 3'", None, "naam", 100, 0),
    ("count(*) AS n, sum(bedrag) AS s", "ifnull(aantal, 0) = 0", None, None, None, 0),
]


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: " | ".join(str(p) for p in c[:4] if p))
def test_corpus_answers_alike(
    published: tuple[Platform, Path, TableSchema], spark: SparkEngine, case: tuple[Any, ...]
) -> None:
    platform, path, schema = published
    select, where, group_by, order_by, limit, offset = case
    query = parse_query(
        select=select, where=where, group_by=group_by, order_by=order_by, limit=limit, offset=offset
    )
    total = limit is not None and limit < 100  # the totals of the paged questions
    duck = platform.engine.execute(query, schema, path, with_total=total)
    sparked = spark.execute(query, schema, path, with_total=total)
    assert sparked.columns == duck.columns
    assert duck.rows, "a question of the corpus must find something"
    assert _rows(sparked, bool(order_by)) == _rows(duck, bool(order_by))
    assert sparked.total == duck.total


def test_model_only_questions_answer_alike(
    published: tuple[Platform, Path, TableSchema], spark: SparkEngine
) -> None:
    """Expressions no ODSQL text above reaches: bounding box, polygon, full-text search in
    all fields, another zone, distance() as a value, now(), a percentile at the edges."""
    platform, path, schema = published
    queries = [
        Query(
            select=(SelectItem(FieldRef("naam")),),
            where=InBBox("locatie", 51.02, 3.70, 51.06, 3.73),
            order_by=(OrderItem(FieldRef("naam")),),
        ),
        Query(
            select=(SelectItem(FieldRef("naam")),),
            where=InPolygon("locatie", ((51.0, 3.68), (51.09, 3.69), (51.05, 3.78))),
            order_by=(OrderItem(FieldRef("naam")),),
        ),
        Query(
            select=(SelectItem(FieldRef("naam")),),
            where=Search("melding 12"),
            order_by=(OrderItem(FieldRef("naam")),),
        ),
        Query(
            select=(
                SelectItem(Function("hour", (FieldRef("tijdstip"),)), "h"),
                SelectItem(Aggregate("count"), "n"),
            ),
            group_by=(SelectItem(Function("hour", (FieldRef("tijdstip"),))),),
            order_by=(OrderItem(FieldRef("h")),),
            timezone="America/New_York",
        ),
        Query(
            select=(
                SelectItem(FieldRef("naam")),
                SelectItem(
                    Function("distance", (FieldRef("locatie"), Literal(51.05), Literal(3.72))), "m"
                ),
            ),
            where=Compare("<", FieldRef("tijdstip"), Function("now")),
            order_by=(OrderItem(FieldRef("m")), OrderItem(FieldRef("naam"))),
            limit=25,
        ),
        Query(
            select=(
                SelectItem(Aggregate("percentile", FieldRef("aantal"), param=0)),
                SelectItem(Aggregate("percentile", FieldRef("aantal"), param=100)),
                SelectItem(Aggregate("sum", FieldRef("aantal"), distinct=True)),
                SelectItem(Aggregate("avg", FieldRef("aantal"), distinct=True)),
            )
        ),
        Query(
            with_row_number=True,
            where=parse_where("aantal = 7"),
            order_by=(OrderItem(FieldRef("wijk")),),
        ),
        Query(
            select=(
                SelectItem(Arithmetic("%", FieldRef("aantal"), Literal(7)), "r"),
                SelectItem(Aggregate("count"), "n"),
            ),
            group_by=(SelectItem(Arithmetic("%", FieldRef("aantal"), Literal(7))),),
            order_by=(OrderItem(FieldRef("r")),),
        ),
    ]
    for query in queries:
        duck = platform.engine.execute(query, schema, path, with_total=True)
        sparked = spark.execute(query, schema, path, with_total=True)
        assert duck.rows, query
        assert (_rows(sparked, True), sparked.total) == (_rows(duck, True), duck.total), query


def test_facets_alike(published: tuple[Platform, Path, TableSchema], spark: SparkEngine) -> None:
    platform, path, schema = published
    where = parse_where("aantal > 0")
    for name in ("wijk", "tags", "tijdstip", "open"):
        duck = compute_facet(platform.engine, schema, path, name, where, limit=10)
        sparked = compute_facet(spark, schema, path, name, where, limit=10)  # type: ignore[arg-type]
        assert duck.values, name
        assert [(v.value, v.count) for v in sparked.values] == [
            (v.value, v.count) for v in duck.values
        ]
        assert sparked.total == duck.total
    query = facet_query(schema, "tags", None, 10)  # Explore v2.1's facet question
    assert _rows(spark.execute(query, schema, path), True) == _rows(
        platform.engine.execute(query, schema, path), True
    )


def test_gate_restrictions_apply_alike(
    published: tuple[Platform, Path, TableSchema], spark: SparkEngine
) -> None:
    """A row filter with a field subset is a restricted file; an aggregation threshold is
    the disclosure rule: both engines release exactly the same."""
    platform, path, schema = published
    fields = frozenset({"wijk", "aantal", "open"})
    narrowed = restricted_file(platform.lake, path, schema, fields, "wijk != 'Centrum'")
    narrowed_schema = restricted_schema(schema, fields)
    query = parse_query(
        select="wijk, count(*) AS n, sum(aantal) AS s", group_by="wijk", order_by="wijk"
    )
    duck = platform.engine.execute(query, narrowed_schema, narrowed)
    sparked = spark.execute(query, narrowed_schema, narrowed)
    assert "Centrum" not in [row[0] for row in duck.rows]
    assert _rows(sparked, True) == _rows(duck, True)
    with pytest.raises(QueryError):  # a held-back field is unknown on both
        spark.execute(parse_query(select="naam"), narrowed_schema, narrowed)

    rule = Disclosure(min_group_size=70, population=parse_where("aantal >= 0"))
    grouped = parse_query(
        select="wijk, count(*) AS n", where="aantal > 2", group_by="wijk", order_by="wijk"
    )
    duck = platform.engine.execute(grouped, schema, path, disclosure=rule, with_total=True)
    sparked = spark.execute(grouped, schema, path, disclosure=rule, with_total=True)
    assert duck.suppressed > 0
    assert (_rows(sparked, True), sparked.suppressed, sparked.total) == (
        _rows(duck, True),
        duck.suppressed,
        duck.total,
    )
    with pytest.raises(AggregatesOnly):
        spark.execute(parse_query(select="wijk"), schema, path, disclosure=rule)


def test_what_spark_cannot_answer_is_a_typed_refusal(
    published: tuple[Platform, Path, TableSchema], spark: SparkEngine
) -> None:
    platform, path, schema = published
    refused = [
        Query(record_id_fields=()),
        Query(where=RecordIdIs("abc")),
        parse_query(select="date_format(datum, 'yyyy-ww') AS w"),
        Query(select=(SelectItem(Aggregate("median", FieldRef("aantal"), distinct=True)),)),
    ]
    for query in refused:
        with pytest.raises(NotOnSpark) as caught:
            spark.execute(query, schema, path)
        assert caught.value.http_status == 400 and caught.value.code == "not_on_spark"
    # the checks are the DuckDB compiler's: the same refusal on both
    for bad in (
        parse_query(select="sum(naam)"),
        Query(limit=50_000),
        parse_query(where="datum = 'gisteren'"),
    ):
        with pytest.raises(QueryError) as on_duck:
            platform.engine.execute(bad, schema, path)
        with pytest.raises(QueryError) as on_spark:
            spark.execute(bad, schema, path)
        assert on_spark.value.message == on_duck.value.message


def test_hostile_text_stays_a_value(
    published: tuple[Platform, Path, TableSchema], spark: SparkEngine
) -> None:
    """Quotes, backquotes, backslashes and SQL in values and aliases are bound or quoted."""
    platform, path, schema = published
    for text in ["x' OR '1'='1", "`; DROP TABLE x; --", "%_\\%' UNION SELECT 1 --"]:
        query = Query(
            select=(SelectItem(FieldRef("naam"), text),),
            where=Compare("!=", FieldRef("naam"), Literal(text)),
            limit=3,
            order_by=(OrderItem(FieldRef("naam")),),
        )
        duck, sparked = (
            platform.engine.execute(query, schema, path),
            spark.execute(query, schema, path),
        )
        assert sparked.columns == [text] and sparked.rows == duck.rows
        liked = parse_query(select="naam", where=f"naam like {_odsql_text(text)}")
        assert (
            spark.execute(liked, schema, path).rows
            == platform.engine.execute(liked, schema, path).rows
        )


def _odsql_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_routing_sends_big_versions_and_chosen_datasets_to_spark(
    published: tuple[Platform, Path, TableSchema], spark: SparkEngine
) -> None:
    platform, path, schema = published
    versions = platform.lake.versions_dir
    query = parse_query(select="count(*) AS n")
    by_size = SparkRouting(versions, spark, min_rows=ROWS)
    small = SparkRouting(versions, spark, min_rows=ROWS + 1)
    by_name = SparkRouting(versions, spark, datasets=frozenset({DATASET}))
    try:
        assert by_size.execute(query, schema, path).rows == [(ROWS,)] and by_size.sent_to_spark == 1
        assert small.execute(query, schema, path).rows == [(ROWS,)] and small.sent_to_spark == 0
        assert by_name.execute(query, schema, path).rows == [(ROWS,)] and by_name.sent_to_spark == 1
        # record ids stay DuckDB's (the same id whichever engine): answered there
        ids = by_name.execute(Query(record_id_fields=(), limit=2), schema, path)
        assert len(ids.rows) == 2 and by_name.sent_to_spark == 1
        found = by_name.execute(Query(where=RecordIdIs(ids.rows[0][-1]), limit=5), schema, path)
        assert found.rows == [ids.rows[0][:-1]] and by_name.sent_to_spark == 1
        derived = platform.lake.derived_path(path, "x.parquet")
        assert by_name.dataset_of(derived) == DATASET  # a restricted copy stays with its dataset
    finally:
        for engine in (by_size, small, by_name):
            QueryEngine.close(engine)


def test_settings_choose_the_engine(tmp_path: Path) -> None:
    """``BELFORT_SPARK_*`` make the platform's engine a ``SparkRouting``; the Spark session
    is made on first use only (a node starts while Spark is away)."""
    base = {"data_dir": tmp_path / "data", "database_url": f"sqlite:///{tmp_path / 'c.sqlite'}"}
    routed = make_engine(tmp_path, Settings(**base, spark_url="sc://spark.invalid:15002",
                                            spark_min_rows=5, spark_datasets=" a, b ,"),
                         max_rows=77)
    try:
        assert isinstance(routed, SparkRouting)
        assert (routed.datasets, routed.min_rows, routed.spark.max_rows) == ({"a", "b"}, 5, 77)
        assert routed.spark.url == "sc://spark.invalid:15002" and routed.spark._session is None
    finally:
        routed.close()
    plain = make_engine(tmp_path, Settings(**base))
    assert type(plain) is QueryEngine
    plain.close()
