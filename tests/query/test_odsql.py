"""ODSQL (Opendatasoft Explore API v2.1) → the internal query model.

Needs no fixtures: ``pytest --noconftest tests/query/test_odsql.py`` works.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from belfort.errors import QueryError
from belfort.query.compiler import compile_query
from belfort.query.engine import QueryEngine
from belfort.query.model import (
    Aggregate,
    And,
    Arithmetic,
    Compare,
    FieldRef,
    Function,
    In,
    InBBox,
    InPolygon,
    IsNull,
    Like,
    Literal,
    Not,
    Or,
    OrderItem,
    Query,
    Search,
    SelectItem,
    WithinDistance,
)
from belfort.query.odsql import (
    MAX_DEPTH,
    ODSQLError,
    parse_group_by,
    parse_order_by,
    parse_query,
    parse_select,
    parse_where,
)
from belfort.schema import Field, TableSchema

F = FieldRef
L = Literal
UTC = dt.timezone.utc


def eq(name: str, value: object) -> Compare:
    return Compare("=", F(name), L(value))  # type: ignore[arg-type]


# -- where ------------------------------------------------------------------------------------

WHERE_CASES = [
    # comparisons and literals
    ("a = 1", eq("a", 1)),
    ("a=1", eq("a", 1)),
    ("a == 1", eq("a", 1)),
    ("a != 1", Compare("!=", F("a"), L(1))),
    ("a <> 1", Compare("!=", F("a"), L(1))),
    ("a < 1.5", Compare("<", F("a"), L(1.5))),
    ("a <= -2", Compare("<=", F("a"), L(-2))),
    ("a > -0.25", Compare(">", F("a"), L(-0.25))),
    ("a >= .5", Compare(">=", F("a"), L(0.5))),
    ("a >= 1e3", Compare(">=", F("a"), L(1000.0))),
    ("a: 18", eq("a", 18)),
    ('name = "Korenmarkt"', eq("name", "Korenmarkt")),
    ("name = 'Korenmarkt'", eq("name", "Korenmarkt")),
    (r'name = "it\"s"', eq("name", 'it"s')),
    ("name = 'it''s'", eq("name", "it's")),
    (r"name = 'it\'s'", eq("name", "it's")),
    (r'name = "a\\b\nc\u00e9"', eq("name", "a\\b\nc\u00e9")),
    ('name = ""', eq("name", "")),
    ("open = true", eq("open", True)),
    ("open = FALSE", eq("open", False)),
    ("`my field` = 1", eq("my field", 1)),
    ("`12` > 10", Compare(">", F("12"), L(10))),
    ("`and`: \"value\"", eq("and", "value")),
    (r"`a\`b` = 1", eq("a`b", 1)),
    ("1 < a", Compare("<", L(1), F("a"))),
    ("a = b", Compare("=", F("a"), F("b"))),
    # dates
    ("d >= date'2024-01-01'", Compare(">=", F("d"), L(dt.date(2024, 1, 1)))),
    ("d >= DATE'2018/04/01'", Compare(">=", F("d"), L(dt.date(2018, 4, 1)))),
    ("d > date'1972'", Compare(">", F("d"), L(dt.date(1972, 1, 1)))),
    ("d >= date'2008-12'", Compare(">=", F("d"), L(dt.date(2008, 12, 1)))),
    ("t < date'2017-04-03T08:02'", Compare("<", F("t"), L(dt.datetime(2017, 4, 3, 8, 2)))),
    ("t < date'2024-01-01T10:00:00Z'",
     Compare("<", F("t"), L(dt.datetime(2024, 1, 1, 10, tzinfo=UTC)))),
    ("t < date'2024-07-01T00:00:00+02:00'",
     Compare("<", F("t"), L(dt.datetime(2024, 7, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))))),
    ("t < date\"2024-01-01 10:30\"", Compare("<", F("t"), L(dt.datetime(2024, 1, 1, 10, 30)))),
    ("t < now()", Compare("<", F("t"), Function("now"))),
    # boolean operators and precedence: OR < AND < NOT < comparison < + - < * /
    ("a = 1 AND b = 2", And((eq("a", 1), eq("b", 2)))),
    ("a = 1 and b = 2 and c = 3", And((eq("a", 1), eq("b", 2), eq("c", 3)))),
    ("a = 1 OR b = 2 AND c = 3", Or((eq("a", 1), And((eq("b", 2), eq("c", 3)))))),
    ("(a = 1 OR b = 2) AND c = 3", And((Or((eq("a", 1), eq("b", 2))), eq("c", 3)))),
    ("NOT a = 1", Not(eq("a", 1))),
    ("not a = 1 and b = 2", And((Not(eq("a", 1)), eq("b", 2)))),
    ("NOT NOT a = 1", eq("a", 1)),
    ("NOT (a = 1 OR b = 2)", Not(Or((eq("a", 1), eq("b", 2))))),
    ("a + 1 * 2 = 3", Compare("=", Arithmetic("+", F("a"), Arithmetic("*", L(1), L(2))), L(3))),
    ("(a + 1) * 2 = 3", Compare("=", Arithmetic("*", Arithmetic("+", F("a"), L(1)), L(2)), L(3))),
    ("a - b - c > 0", Compare(">", Arithmetic("-", Arithmetic("-", F("a"), F("b")), F("c")), L(0))),
    ("a / 2 >= b * 2", Compare(">=", Arithmetic("/", F("a"), L(2)), Arithmetic("*", F("b"), L(2)))),
    ("field_name * 2 = (10 + 1) * 2",
     Compare("=", Arithmetic("*", F("field_name"), L(2)),
             Arithmetic("*", Arithmetic("+", L(10), L(1)), L(2)))),
    ("-a < 0", Compare("<", Arithmetic("-", L(0), F("a")), L(0))),
    ("a > - 3", Compare(">", F("a"), L(-3))),
    ("a > - -3", Compare(">", F("a"), L(3))),
    # IN, NOT IN, ranges
    ('a IN (1, 2, 3)', In(F("a"), (L(1), L(2), L(3)))),
    ('a in ("x")', In(F("a"), (L("x"),))),
    ('a NOT IN ("x", "y")', In(F("a"), (L("x"), L("y")), negated=True)),
    ("a IN [1..10]", And((Compare(">=", F("a"), L(1)), Compare("<=", F("a"), L(10))))),
    ("a IN ]1..10[", And((Compare(">", F("a"), L(1)), Compare("<", F("a"), L(10))))),
    ("a: [1 TO 10[", And((Compare(">=", F("a"), L(1)), Compare("<", F("a"), L(10))))),
    ("d IN [date'2017'..date'2018']",
     And((Compare(">=", F("d"), L(dt.date(2017, 1, 1))), Compare("<=", F("d"), L(dt.date(2018, 1, 1)))))),
    ("a NOT IN [1..2]", Not(And((Compare(">=", F("a"), L(1)), Compare("<=", F("a"), L(2)))))),
    # IS
    ("a IS NULL", IsNull(F("a"))),
    ("a is not null", IsNull(F("a"), negated=True)),
    ("flag IS TRUE", eq("flag", True)),
    ("flag is false", eq("flag", False)),
    ("flag IS NOT TRUE", Or((IsNull(F("flag")), eq("flag", False)))),
    ("flag", eq("flag", True)),  # boolean field filter
    ("flag AND a = 1", And((eq("flag", True), eq("a", 1)))),
    ("true", L(True)),
    # LIKE: contains every word, case-insensitively; * is a wildcard; % and _ are literal
    ('name LIKE "star"', Like(F("name"), "%star%", ci=True)),
    ('name like "school*"', Like(F("name"), "%school%", ci=True)),
    ('name LIKE "sch*ol"', Like(F("name"), "%sch%ol%", ci=True)),
    ('name LIKE "50%_off"', Like(F("name"), "%50\\%\\_off%", ci=True)),
    ('name NOT LIKE "star"', Like(F("name"), "%star%", ci=True, negated=True)),
    ('name LIKE "star wars"',
     And((Like(F("name"), "%star%", ci=True), Like(F("name"), "%wars%", ci=True)))),
    ('name LIKE ""', Like(F("name"), "%", ci=True)),
    # full-text search
    ('"paris"', Search("paris")),
    ("'paris'", Search("paris")),
    ('"action movies"', Search("action movies")),
    ('"film*"', Search("film")),
    ('"tree" AND "flower"', And((Search("tree"), Search("flower")))),
    ('"tree" OR "car"', Or((Search("tree"), Search("car")))),
    ('NOT "dog"', Not(Search("dog"))),
    ('"dog" AND NOT "cat"', And((Search("dog"), Not(Search("cat"))))),
    ('search(name, "camera")', Search("camera", ("name",))),
    ('SEARCH("camera")', Search("camera")),
    ('search(name, `beschrijving`, "camera wifi")', Search("camera wifi", ("name", "beschrijving"))),
    ('suggest(name, "cam")', Search("cam", ("name",))),
    ('startswith(name, "Gent")', Function("startswith", (F("name"), L("Gent")))),
    ('startswith(a, b, "G")',
     Or((Function("startswith", (F("a"), L("G"))), Function("startswith", (F("b"), L("G")))))),
    ('NOT startswith(name, "x")', Not(Function("startswith", (F("name"), L("x"))))),
    # scalar functions
    ("year(d) = 2024", Compare("=", Function("year", (F("d"),)), L(2024))),
    ("MONTH(d) >= 6", Compare(">=", Function("month", (F("d"),)), L(6))),
    ("date_format(d, 'dd') = '08'",
     Compare("=", Function("date_format", (F("d"), L("dd"))), L("08"))),
    ("length(name) > 3", Compare(">", Function("length", (F("name"),)), L(3))),
    ("lower(name) = 'x'", Compare("=", Function("lower", (F("name"),)), L("x"))),
    ("ifnull(a, 0) > 1", Compare(">", Function("ifnull", (F("a"), L(0))), L(1))),
    ("hour(t) IN (8, 9)", In(Function("hour", (F("t"),)), (L(8), L(9)))),
    # geography: WKT and GeoJSON write longitude first, the model (lat, lon)
    ("within_distance(locatie, geom'POINT(3.72 51.05)', 10km)",
     WithinDistance("locatie", 51.05, 3.72, 10_000.0)),
    ("within_distance(locatie, GEOM'POINT(3.72 51.05)', 500m)",
     WithinDistance("locatie", 51.05, 3.72, 500.0)),
    ("within_distance(locatie, geom'POINT(3.72 51.05)', 1.5km)",
     WithinDistance("locatie", 51.05, 3.72, 1500.0)),
    ("within_distance(locatie, geom'POINT(3.72 51.05)', 2mi)",
     WithinDistance("locatie", 51.05, 3.72, 2 * 1609.344)),
    ("within_distance(locatie, geom'POINT(3.72 51.05)', 100yd)",
     WithinDistance("locatie", 51.05, 3.72, 100 * 0.9144)),
    ("within_distance(locatie, geom'POINT(3.72 51.05)', 10ft)",
     WithinDistance("locatie", 51.05, 3.72, 10 * 0.3048)),
    ("within_distance(locatie, geom'POINT(3.72 51.05)', 10 KM)",
     WithinDistance("locatie", 51.05, 3.72, 10_000.0)),
    ("within_distance(locatie, geom'POINT(3.72 51.05)', 250)",
     WithinDistance("locatie", 51.05, 3.72, 250.0)),
    ("within_distance(locatie, geometry'POINT(3.72 51.05)', 0m)",
     WithinDistance("locatie", 51.05, 3.72, 0.0)),
    ("""within_distance(locatie, geom'{"type": "Point", "coordinates": [3.72, 51.05]}', 1km)""",
     WithinDistance("locatie", 51.05, 3.72, 1000.0)),
    ("distance(locatie, geom'POINT(3.72 51.05)', 1km)", WithinDistance("locatie", 51.05, 3.72, 1000.0)),
    ("distance(locatie, geom'POINT(3.72 51.05)') < 100",
     Compare("<", Function("distance", (F("locatie"), L(51.05), L(3.72))), L(100))),
    ("in_bbox(locatie, 51.0, 3.7, 51.1, 3.8)", InBBox("locatie", 51.0, 3.7, 51.1, 3.8)),
    ("in_bbox(locatie, -37.82, 144.94, -37.80, 144.97)", InBBox("locatie", -37.82, 144.94, -37.80, 144.97)),
    ("bbox(locatie, geom'POINT(3.7 51.1)', geom'POINT(3.8 51.0)')", InBBox("locatie", 51.1, 3.7, 51.0, 3.8)),
    ("intersects(locatie, geom'POLYGON((3.7 51.0, 3.8 51.0, 3.8 51.1, 3.7 51.0))')",
     InPolygon("locatie", ((51.0, 3.7), (51.0, 3.8), (51.1, 3.8), (51.0, 3.7)))),
    ("within(locatie, geom'POLYGON((3.7 51.0, 3.8 51.0, 3.8 51.1))')",
     InPolygon("locatie", ((51.0, 3.7), (51.0, 3.8), (51.1, 3.8)))),
    ("disjoint(locatie, geom'POLYGON((3.7 51.0, 3.8 51.0, 3.8 51.1))')",
     Not(InPolygon("locatie", ((51.0, 3.7), (51.0, 3.8), (51.1, 3.8))))),
    ("polygon(locatie, geom'POLYGON((3.7 51.0, 3.8 51.0, 3.8 51.1))')",
     InPolygon("locatie", ((51.0, 3.7), (51.0, 3.8), (51.1, 3.8)))),
    ("geometry(locatie, geom'POLYGON((3.7 51.0, 3.8 51.0, 3.8 51.1))', WITHIN)",
     InPolygon("locatie", ((51.0, 3.7), (51.0, 3.8), (51.1, 3.8)))),
    ("intersects(locatie, geom'POINT(3.72 51.05)')", WithinDistance("locatie", 51.05, 3.72, 1.0)),
    ("intersects(locatie, geom'MULTIPOLYGON(((3.7 51.0, 3.8 51.0, 3.8 51.1)), ((4 50, 4.1 50, 4.1 50.1)))')",
     Or((InPolygon("locatie", ((51.0, 3.7), (51.0, 3.8), (51.1, 3.8))),
         InPolygon("locatie", ((50.0, 4.0), (50.0, 4.1), (50.1, 4.1)))))),
    ("""intersects(locatie, geom'{"type": "Polygon", "coordinates": [[[3.7, 51.0], [3.8, 51.0], [3.8, 51.1], [3.7, 51.0]]]}')""",
     InPolygon("locatie", ((51.0, 3.7), (51.0, 3.8), (51.1, 3.8), (51.0, 3.7)))),
    # keywords are case-insensitive, spaces optional, field names keep their case
    ("A=1 aNd NoT B iS nUlL", And((eq("A", 1), Not(IsNull(F("B")))))),
    ("(((a = 1)))", eq("a", 1)),
    ("", And(())),
    ("   ", And(())),
    # a field may share its name with a function when it is not called
    ("year = 2024 AND count > 1", And((eq("year", 2024), Compare(">", F("count"), L(1))))),
    ("date = date'2024-01-01'", eq("date", dt.date(2024, 1, 1))),
]


@pytest.mark.parametrize(("text", "expected"), WHERE_CASES, ids=[c[0][:60] for c in WHERE_CASES])
def test_where(text: str, expected: object) -> None:
    assert parse_where(text) == expected


# -- select, group_by, order_by --------------------------------------------------------------

SELECT_CASES = [
    ("*", ()),
    ("", ()),
    ("a", (SelectItem(F("a")),)),
    ("a, b, c", (SelectItem(F("a")), SelectItem(F("b")), SelectItem(F("c")))),
    ("a AS my_a, b", (SelectItem(F("a"), "my_a"), SelectItem(F("b")))),
    ("a as `my a`", (SelectItem(F("a"), "my a"),)),
    ("a * 2 AS twice", (SelectItem(Arithmetic("*", F("a"), L(2)), "twice"),)),
    ("2 * population as double_population",
     (SelectItem(Arithmetic("*", L(2), F("population")), "double_population"),)),
    ('"hello" as hello', (SelectItem(L("hello"), "hello"),)),
    ("length(country_name)", (SelectItem(Function("length", (F("country_name"),))),)),
    ("count(*)", (SelectItem(Aggregate("count")),)),
    ("COUNT(*) as n", (SelectItem(Aggregate("count"), "n"),)),
    ("count(a)", (SelectItem(Aggregate("count", F("a"))),)),
    ("count(distinct a)", (SelectItem(Aggregate("count", F("a"), distinct=True)),)),
    ("sum(population) as sum_population", (SelectItem(Aggregate("sum", F("population")), "sum_population"),)),
    ("avg(a), min(a), max(a), median(a)",
     tuple(SelectItem(Aggregate(f, F("a"))) for f in ("avg", "min", "max", "median"))),
    ("percentile(age, 95)", (SelectItem(Aggregate("percentile", F("age"), param=95)),)),
    ("percentile(age, 2.5) as p", (SelectItem(Aggregate("percentile", F("age"), param=2.5), "p"),)),
    ("stddev(a)", (SelectItem(Aggregate("stddev", F("a"))),)),
    ("sum(a * 2)", (SelectItem(Aggregate("sum", Arithmetic("*", F("a"), L(2)))),)),
    ("sum(a) / count(*) as gemiddeld",
     (SelectItem(Arithmetic("/", Aggregate("sum", F("a")), Aggregate("count")), "gemiddeld"),)),
    ("year(d) as y, count(*)", (SelectItem(Function("year", (F("d"),)), "y"), SelectItem(Aggregate("count")))),
    ("distance(locatie, geom'POINT(3.72 51.05)') as m",
     (SelectItem(Function("distance", (F("locatie"), L(51.05), L(3.72))), "m"),)),
    ("date_format(t, \"yyyy-MM\") as maand",
     (SelectItem(Function("date_format", (F("t"), L("yyyy-MM"))), "maand"),)),
    ("now() as nu", (SelectItem(Function("now"), "nu"),)),
]


@pytest.mark.parametrize(("text", "expected"), SELECT_CASES, ids=[c[0][:60] or "empty" for c in SELECT_CASES])
def test_select(text: str, expected: object) -> None:
    assert parse_select(text) == expected


GROUP_BY_CASES = [
    ("my_field", (SelectItem(F("my_field")),)),
    ("my_field as myfield", (SelectItem(F("my_field"), "myfield"),)),
    ("my_field1, my_field2 as my_field", (SelectItem(F("my_field1")), SelectItem(F("my_field2"), "my_field"))),
    ("year(date) as y", (SelectItem(Function("year", (F("date"),)), "y"),)),
    ("hour(t)", (SelectItem(Function("hour", (F("t"),)),),)),
    ("range(population, 5)", (SelectItem(Function("range", (F("population"), L(5))),),)),
    ("RANGE(n, 0.5) AS bucket", (SelectItem(Function("range", (F("n"), L(0.5))), "bucket"),)),
    ("date_format(date_field, \"YYYY-MM-dd'T'HH\")",
     (SelectItem(Function("date_format", (F("date_field"), L("YYYY-MM-dd'T'HH"))),),)),
    ("city, year(birth_date) as birth_year",
     (SelectItem(F("city")), SelectItem(Function("year", (F("birth_date"),)), "birth_year"))),
    ("", ()),
]


@pytest.mark.parametrize(("text", "expected"), GROUP_BY_CASES, ids=[c[0][:60] or "empty" for c in GROUP_BY_CASES])
def test_group_by(text: str, expected: object) -> None:
    assert parse_group_by(text) == expected


ORDER_BY_CASES = [
    ("name", (OrderItem(F("name")),)),
    ("city ASC", (OrderItem(F("city")),)),
    ("f desc, count(*) asc", (OrderItem(F("f"), descending=True), OrderItem(Aggregate("count")))),
    ("count(*) DESC", (OrderItem(Aggregate("count"), descending=True),)),
    ("population_count DESC", (OrderItem(F("population_count"), descending=True),)),
    ("avg(age), gender", (OrderItem(Aggregate("avg", F("age"))), OrderItem(F("gender")))),
    ("city DESC, birth_year ASC", (OrderItem(F("city"), True), OrderItem(F("birth_year")))),
    ("distance(geo, geom'POINT(2.35 48.85)')",
     (OrderItem(Function("distance", (F("geo"), L(48.85), L(2.35)))),)),
    ("sum(aantal) desc", (OrderItem(Aggregate("sum", F("aantal")), True),)),
    ("`Naam met spatie` desc", (OrderItem(F("Naam met spatie"), True),)),
    ("", ()),
]


@pytest.mark.parametrize(("text", "expected"), ORDER_BY_CASES, ids=[c[0][:60] or "empty" for c in ORDER_BY_CASES])
def test_order_by(text: str, expected: object) -> None:
    assert parse_order_by(text) == expected


# -- real calls ---------------------------------------------------------------------------------


def test_processing_register_widget() -> None:
    """The processing-register widget: search a register by name, listed by name."""
    q = parse_query(where='search(name, "camera")', order_by="name", limit=20)
    assert q == Query(where=Search("camera", ("name",)), order_by=(OrderItem(F("name")),), limit=20)


def test_crowd_gauge() -> None:
    """The crowd gauge: people in the last hour at one counting point, and per hour today."""
    q = parse_query(
        select="sum(aantal) as passanten, count(*) as metingen",
        where="telpunt_id = 'TP01' and tijdstip >= date'2024-07-20T10:00:00+02:00' and tijdstip < now()",
    )
    assert q.select == (SelectItem(Aggregate("sum", F("aantal")), "passanten"),
                        SelectItem(Aggregate("count"), "metingen"))
    assert q.where == And((
        eq("telpunt_id", "TP01"),
        Compare(">=", F("tijdstip"), L(dt.datetime(2024, 7, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=2))))),
        Compare("<", F("tijdstip"), Function("now")),
    ))
    per_hour = parse_query(
        select="hour(tijdstip) as uur, sum(aantal) as passanten",
        group_by="hour(tijdstip) as uur",
        order_by="uur",
    )
    assert per_hour.group_by == (SelectItem(Function("hour", (F("tijdstip"),)), "uur"),)
    assert per_hour.order_by == (OrderItem(F("uur")),)


def test_ghent_examples() -> None:
    near_korenmarkt = parse_where(
        "within_distance(locatie, geom'POINT(3.72135 51.05455)', 500m) and instrument in ('camera', 'wifi')"
    )
    assert near_korenmarkt == And((
        WithinDistance("locatie", 51.05455, 3.72135, 500.0),
        In(F("instrument"), (L("camera"), L("wifi"))),
    ))
    q = parse_query(
        select="date_format(tijdstip, 'yyyy-MM') as maand, sum(aantal) as totaal",
        where=["telpunt_id = 'TP01'", "year(tijdstip) = 2024"],
        group_by="date_format(tijdstip, 'yyyy-MM') as maand",
        order_by="totaal desc",
        limit="10",
        offset="5",
    )
    assert q.where == And((eq("telpunt_id", "TP01"), Compare("=", Function("year", (F("tijdstip"),)), L(2024))))
    assert q.limit == 10 and q.offset == 5
    assert parse_query(limit=-1).limit is None
    assert parse_query(where=["", "a = 1"]).where == eq("a", 1)


# -- errors ----------------------------------------------------------------------------------------

ERROR_CASES = [
    # (parser, text, position, message fragment)
    (parse_where, "a = 1 AND AND b", 10, 'Unexpected token "AND" at position 10: expected a value'),
    (parse_where, "a = ", 4, "Unexpected end of input at position 4: expected a value"),
    (parse_where, "a = 1 b", 6, 'Unexpected token "b" at position 6'),
    (parse_where, "(a = 1", 6, "expected ) to close the parenthesis"),
    (parse_where, "a = 1)", 5, 'Unexpected token ")"'),
    (parse_where, 'name = "abc', 7, "Unterminated string at position 7"),
    (parse_where, "`abc = 1", 0, "Unterminated field name"),
    (parse_where, "`` = 1", 0, "Empty field name"),
    (parse_where, "a = 1 = 2", 6, "comparisons cannot be chained"),
    (parse_where, "a ~ 1", 2, "Unexpected character '~'"),
    (parse_where, "5", 0, "Expected a condition"),
    (parse_where, "a + 1", 0, "Expected a condition"),
    (parse_where, "a = 1 AND 5", 10, "Expected a condition"),
    (parse_where, "(a = 1) + 2 > 0", 0, "Expected a value"),
    (parse_where, "count(*) > 1", 0, "Aggregate count() is not allowed in where"),
    (parse_where, "foo(a) = 1", 0, "Unknown function foo()"),
    (parse_where, "year(a, b) = 1", 0, "year() takes 1 argument"),
    (parse_where, "a LIKE b", 7, "a quoted pattern after LIKE"),
    (parse_where, "a IS 5", 5, "NULL, TRUE or FALSE after IS"),
    (parse_where, "a IN ()", 6, "expected a value"),
    (parse_where, "a IN [1, 2]", 7, ".. or TO"),
    (parse_where, "d > date'2024-13-45'", 4, "Invalid date literal"),
    (parse_where, "d > date'yesterday'", 4, "Invalid date literal"),
    (parse_where, "a = geom'POINT(1 2)'", 4, "Misplaced geometry literal"),
    (parse_where, "within_distance(g, geom'POINT(3.7 51)', 10 parsecs)", 43, "Unknown distance unit"),
    (parse_where, "within_distance(g, geom'POINT(3.7 51)')", 38, "a comma, then a distance"),
    (parse_where, "within_distance(g, geom'POLYGON((0 0, 1 0, 1 1))', 1km)", 19, "Expected a point"),
    (parse_where, "within_distance(g, geom'POINT(51.05 3.72 x)', 1km)", 19, "Invalid geometry literal"),
    (parse_where, "within_distance(g, geom'POINT(200 51)', 1km)", 19, "longitude first"),
    (parse_where, "within_distance(g, geom'LINESTRING(0 0, 1 1)', 1km)", 19, "not supported yet"),
    (parse_where, "intersects(g, geom'POLYGON((0 0, 1 0, 1 1, 0 0), (0.1 0.1, 0.2 0.1, 0.2 0.2, 0.1 0.1))')",
     14, "holes are not supported yet"),
    (parse_where, "intersects(g, geom'{\"type\": \"Polygon\"')", 14, "invalid GeoJSON"),
    (parse_where, "within_distance(lower(g), geom'POINT(3 51)', 1km)", 16, "a geo field name"),
    (parse_where, "in_bbox(g, 1, 2, 3)", 18, "a comma, then the lon2 coordinate"),
    (parse_where, 'startswith("x")', 0, "not supported yet"),
    (parse_where, "now(days=-1) < t", 4, "now() with arguments is not supported yet"),
    (parse_where, "a NOT = 1", 2, 'Unexpected token "NOT"'),
    (parse_where, "a = NOT b", 4, 'Unexpected token "NOT"'),
    (parse_where, "a = 1e999", 4, "Number out of range"),
    (parse_where, "a = " + "9" * 50, 4, "Number too long"),
    (parse_select, "*, a", 0, "* together with other expressions is not supported yet"),
    (parse_select, "a,", 2, "Unexpected end of input at position 2: expected an expression"),
    (parse_select, ", a", 0, "expected an expression"),
    (parse_select, "a b", 2, "expected AS, a comma or the end of the clause"),
    (parse_select, "a as", 4, "a label after AS"),
    (parse_select, "sum(count(a))", 4, "inside another aggregate"),
    (parse_select, "percentile(a, 101)", 14, "Percentile out of range"),
    (parse_select, "percentile(a)", 12, "a comma, then the percentile"),
    (parse_select, "envelope(geo)", 0, "not supported yet"),
    (parse_select, "bbox(geo)", 0, "not supported yet"),
    (parse_select, "include(pop)", 0, "not supported yet"),
    (parse_select, "count(*", 7, ") to close count("),
    (parse_group_by, "count(*)", 0, "not allowed in group_by"),
    (parse_group_by, "range(n, ]10, 50[)", 9, "Static ranges are not supported yet"),
    (parse_group_by, "range(d, 1 day)", 11, "Date ranges"),
    (parse_group_by, "range(n, 0)", 9, "Invalid range width"),
    (parse_order_by, "a up", 2, "expected ASC, DESC, a comma or the end of the clause"),
    (parse_order_by, "a desc desc", 7, "expected a comma or the end"),
]


@pytest.mark.parametrize(("parser", "text", "position", "fragment"), ERROR_CASES,
                         ids=[f"{c[0].__name__}:{c[1][:50]}" for c in ERROR_CASES])
def test_errors_say_where_and_why(parser, text: str, position: int, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ODSQLError) as info:
        parser(text)
    err = info.value
    assert isinstance(err, QueryError)  # the HTTP layer turns it into a 400
    assert fragment in err.message
    assert err.details["position"] == position
    assert f"at position {position}" in err.message
    assert err.to_dict()["position"] == position


def test_error_names_the_clause() -> None:
    with pytest.raises(ODSQLError) as info:
        parse_query(select="a", where="a =", order_by="b")
    assert info.value.details["clause"] == "where"
    with pytest.raises(ODSQLError, match="Invalid limit"):
        parse_query(limit="ten")
    with pytest.raises(ODSQLError, match="must not be negative"):
        parse_query(offset=-5)


# -- hostile input ---------------------------------------------------------------------------

HOSTILE = [
    '"unterminated',
    "'unterminated",
    "`unterminated",
    "date'2024-01-01",
    "geom'POINT(1 2)",
    "(" * 5000 + "a = 1" + ")" * 5000,
    "(" * 4000 + "a = 1",
    "(" * (MAX_DEPTH + 1) + "a = 1" + ")" * (MAX_DEPTH + 1),
    "NOT " * 2000 + "a",
    "- " * 3000 + "1 = 1",
    "lower(" * 1000 + "a" + ")" * 1000,
    "count(" * 500 + "a" + ")" * 500,
    '"' + "x" * 100_000 + '"',
    "a = '" + "y" * 100_000,
    "a = 1 OR " * 2000 + "a = 1",
    "\0",
    "a\0 = 1",
    "a = \"\0\"",
    "\u202e = 1",
    "a = 1 \ufeff",
    "名前 = 'x'",
    "a = ²",
    "a = .²",
    "a = 1²",
    "\U0001F600",
    "a =\u00a01",
    'x"; DROP TABLE t; --',
    "x'; DROP TABLE t; --",
    "a = 1; DROP TABLE t",
    "a = 1 -- comment",
    "a = 1 /* comment */",
    "`a`; DROP TABLE t",
    "a = 1 UNION SELECT * FROM secrets",
    "geom'" + "POLYGON((" + ", ".join(f"{i % 90} {i % 80}" for i in range(2000)) + "))'",
    "intersects(g, geom'" + "[" * 5000 + "')",
    "intersects(g, geom'{" + '"a":[' * 3000 + "')",
    "in_bbox(g, " + "-" * 100 + "1, 2, 3, 4)",
    "a IN (" + ", ".join(["1"] * 1500) + ")",
    "1" * 10_001,
    "date'" + "9" * 100 + "'",
    "date'2024-01-01T99:99'",
    "\\",
    "'\\",
    '"\\u12"',
    "..",
    "[1..2]",
    "a IN [",
    "a : ]",
]


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t[:30]) for t in HOSTILE])
def test_hostile_input_only_ever_raises_odsql_error(text: str) -> None:
    for parser in (parse_where, parse_select, parse_group_by, parse_order_by):
        try:
            result = parser(text)
        except ODSQLError as e:
            assert isinstance(e.details["position"], int)
            assert 0 <= e.details["position"] <= len(text)
        else:
            assert result is not None


def test_sql_injection_stays_a_value() -> None:
    """Quotes and semicolons inside a string literal are just characters of the value."""
    assert parse_where('name = "x\\"; DROP TABLE t; --"') == eq("name", 'x"; DROP TABLE t; --')
    assert parse_where("name = 'x''; DROP TABLE t; --'") == eq("name", "x'; DROP TABLE t; --")
    assert parse_where('`x"; DROP TABLE t; --` = 1') == eq('x"; DROP TABLE t; --', 1)


def test_limits() -> None:
    ok = "(" * (MAX_DEPTH - 2) + "a = 1" + ")" * (MAX_DEPTH - 2)  # the operand 1 is a level too
    assert parse_where(ok) == eq("a", 1)
    with pytest.raises(ODSQLError, match="nested too deeply"):
        parse_where("(" * MAX_DEPTH + "a = 1" + ")" * MAX_DEPTH)
    with pytest.raises(ODSQLError, match="too long") as info:
        parse_where("a = '" + "x" * 10_000 + "'")
    assert info.value.details["position"] == 10_000
    with pytest.raises(ODSQLError, match="Too many values"):
        parse_where("a IN (" + ", ".join(["1"] * 1001) + ")")
    with pytest.raises(ODSQLError):
        parse_where(None)  # type: ignore[arg-type]


# -- properties ------------------------------------------------------------------------------

ODSQL_ALPHABET = st.sampled_from(
    list("abcxyz_019 .,()[]=<>!+-*/:'\"`\\\0\n\t%;") +
    ["and ", "or ", "not ", " in ", " like ", " is ", "null", "true", "date'", "geom'", "count(",
     "search(", "within_distance(", "POINT(", "km", "é", "\u202e", "\U0001F600"]
)
ARBITRARY_TEXT = st.one_of(st.text(max_size=200), st.lists(ODSQL_ALPHABET, max_size=60).map("".join))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ARBITRARY_TEXT)
def test_arbitrary_text_gives_a_model_or_odsql_error(text: str) -> None:
    for parser in (parse_where, parse_select, parse_group_by, parse_order_by):
        try:
            parser(text)
        except ODSQLError as e:
            assert 0 <= e.details["position"] <= max(len(text), 10_000)


FIELDS = st.sampled_from(["a", "b", "naam", "plaatsen", "`veld met spatie`", "`and`"])
NUMBERS = st.one_of(st.integers(-10**9, 10**9).map(str), st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: f"{f:.4f}"))
STRINGS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20).map(
    lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
)
VALUES = st.one_of(FIELDS, NUMBERS, STRINGS, st.just("date'2024-05-01'"), st.just("true"))
ARITH = st.recursive(
    st.one_of(FIELDS, NUMBERS),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        inner.map(lambda e: f"({e})"),
        inner.map(lambda e: f"abs({e})"),
    ),
    max_leaves=8,
)
COMPARISONS = st.one_of(
    st.tuples(st.one_of(FIELDS, ARITH), st.sampled_from(["=", "!=", "<>", "<", "<=", ">", ">="]), VALUES)
    .map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.tuples(FIELDS, st.lists(VALUES, min_size=1, max_size=4)).map(lambda t: f"{t[0]} in ({', '.join(t[1])})"),
    st.tuples(FIELDS, st.booleans()).map(lambda t: f"{t[0]} is {'not ' if t[1] else ''}null"),
    st.tuples(FIELDS, STRINGS).map(lambda t: f"{t[0]} like {t[1]}"),
    STRINGS,
    st.tuples(FIELDS, STRINGS).map(lambda t: f"search({t[0]}, {t[1]})"),
    st.just("within_distance(locatie, geom'POINT(3.72 51.05)', 2km)"),
    st.just("in_bbox(locatie, 51.0, 3.7, 51.1, 3.8)"),
)
CONDITIONS = st.recursive(
    COMPARISONS,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" AND ", " or ", " And "]), inner).map("".join),
        inner.map(lambda c: f"NOT ({c})"),
        inner.map(lambda c: f"({c})"),
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(CONDITIONS)
def test_generated_valid_where_clauses_parse(text: str) -> None:
    parse_where(text)


SELECT_ITEMS = st.one_of(
    FIELDS, ARITH, st.just("count(*)"), FIELDS.map(lambda f: f"sum({f})"),
    FIELDS.map(lambda f: f"count(distinct {f})"), FIELDS.map(lambda f: f"percentile({f}, 90)"),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(SELECT_ITEMS, st.one_of(st.none(), st.just("label"))), min_size=1, max_size=5))
def test_generated_valid_select_clauses_parse(items: list[tuple[str, str | None]]) -> None:
    text = ", ".join(expr + (f" as {alias}" if alias else "") for expr, alias in items)
    assert len(parse_select(text)) == len(items)


# -- end to end: the parsed model fits the compiler and runs on DuckDB -------------------------

SCHEMA = TableSchema((
    Field("naam", "string"), Field("instrument", "string"), Field("plaatsen", "integer"),
    Field("oppervlakte", "number"), Field("locatie", "geopoint"), Field("tijdstip", "datetime"),
    Field("in_dienst", "date"), Field("binnenstad", "boolean"),
))
PLACES = [  # naam, instrument, plaatsen, oppervlakte, lat, lon, binnenstad
    ("Korenmarkt", "camera", 3100, 1900.0, 51.05455, 3.72135, True),
    ("Veldstraat", "camera", 1650, 2300.0, 51.05180, 3.72250, True),
    ("Vrijdagmarkt", "wifi", 650, 1500.5, 51.0571, 3.7268, True),
    ("Gent-Sint-Pieters", "camera", 6000, 2600.0, 51.0359, 3.7105, False),
    ("Dampoort", "telraam", 300, 800.0, 51.0563, 3.7403, False),
]


@pytest.fixture
def engine_run(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "telpunten.parquet"
    start = dt.datetime(2024, 7, 1, 8, tzinfo=UTC)
    pq.write_table(pa.table({
        "naam": [p[0] for p in PLACES], "instrument": [p[1] for p in PLACES],
        "plaatsen": [p[2] for p in PLACES], "oppervlakte": [p[3] for p in PLACES],
        "locatie": pa.array([{"lat": p[4], "lon": p[5]} for p in PLACES],
                            pa.struct([("lat", pa.float64()), ("lon", pa.float64())])),
        "tijdstip": pa.array([start + dt.timedelta(days=40 * i) for i in range(5)], pa.timestamp("us", tz="UTC")),
        "in_dienst": [dt.date(2021 + i % 3, 3, 1) for i in range(5)],
        "binnenstad": [p[6] for p in PLACES],
    }), path)
    engine = QueryEngine(tmp_path)

    def _run(**params: object) -> list[dict]:
        return engine.execute(parse_query(**params), SCHEMA, path).records()  # type: ignore[arg-type]

    yield _run
    engine.close()


COMPILE_CASES = [
    dict(where='search(naam, "markt")', order_by="naam"),
    dict(where='"markt" and not "vrijdag"'),
    dict(where="within_distance(locatie, geom'POINT(3.72135 51.05455)', 500m) and instrument in ('camera', 'wifi')"),
    dict(where="in_bbox(locatie, 51.05, 3.71, 51.06, 3.73) or plaatsen >= 5000"),
    dict(where="intersects(locatie, geom'POLYGON((3.715 51.05, 3.715 51.065, 3.745 51.05, 3.715 51.05))')"),
    dict(where="disjoint(locatie, geom'POLYGON((3.715 51.05, 3.715 51.065, 3.745 51.05))')"),
    dict(where="naam like 'markt*' and binnenstad and in_dienst >= date'2021/01/01'"),
    dict(where="tijdstip < now() and year(tijdstip) = 2024 and plaatsen in [300..3100["),
    dict(where="plaatsen / oppervlakte > 0.5 and naam is not null and startswith(naam, 'Ko')"),
    dict(select="naam, plaatsen * 2 as dubbel, distance(locatie, geom'POINT(3.72135 51.05455)') as m",
         order_by="m asc", limit=3),
    dict(select="instrument, count(*) as n, sum(plaatsen) as totaal, avg(oppervlakte), percentile(plaatsen, 50)",
         group_by="instrument", order_by="count(*) desc, instrument"),
    dict(select="date_format(tijdstip, 'yyyy-MM') as maand, count(*) as n",
         group_by="date_format(tijdstip, 'yyyy-MM')", order_by="maand"),
    dict(group_by="range(plaatsen, 1000) as emmer, binnenstad", order_by="emmer"),
    dict(select="count(distinct instrument) as soorten, median(plaatsen), max(tijdstip), min(in_dienst)"),
    dict(where="binnenstad is true and not instrument = 'wifi'", select="*", order_by="naam desc", offset=1),
]


@pytest.mark.parametrize("params", COMPILE_CASES, ids=[str(i) for i in range(len(COMPILE_CASES))])
def test_parsed_queries_compile(params: dict) -> None:
    compiled = compile_query(parse_query(**params), SCHEMA, max_rows=100)
    assert compiled.sql.startswith("SELECT ")
    assert "DROP" not in compiled.sql


def test_parsed_queries_run(engine_run) -> None:  # type: ignore[no-untyped-def]
    rows = engine_run(where='search(naam, "markt")', order_by="naam")
    assert [r["naam"] for r in rows] == ["Korenmarkt", "Vrijdagmarkt"]
    rows = engine_run(select="naam", where="within_distance(locatie, geom'POINT(3.72135 51.05455)', 500m)",
                      order_by="naam")
    assert [r["naam"] for r in rows] == ["Korenmarkt", "Veldstraat", "Vrijdagmarkt"]
    rows = engine_run(select="instrument, count(*) as n, sum(plaatsen) as totaal", group_by="instrument",
                      order_by="n desc, instrument")
    assert rows[0] == {"instrument": "camera", "n": 3, "totaal": 10750}
    rows = engine_run(select="naam", where="naam like 'MARKT' and not naam like 'vrijdag*'")
    assert [r["naam"] for r in rows] == ["Korenmarkt"]
    rows = engine_run(select="naam", where="plaatsen in ]650..6000]", order_by="plaatsen desc")
    assert [r["naam"] for r in rows] == ["Gent-Sint-Pieters", "Korenmarkt", "Veldstraat"]
    rows = engine_run(select="naam, distance(locatie, geom'POINT(3.72135 51.05455)') as m", order_by="m", limit=1)
    assert rows[0]["naam"] == "Korenmarkt" and rows[0]["m"] == pytest.approx(0, abs=0.01)
    rows = engine_run(select="naam", where="binnenstad is not true", order_by="naam")
    assert [r["naam"] for r in rows] == ["Dampoort", "Gent-Sint-Pieters"]
    rows = engine_run(select="naam", where="naam = 'x\"; DROP TABLE t; --'")
    assert rows == []


def test_compiler_still_checks_fields_and_types() -> None:
    with pytest.raises(QueryError, match="unknown field"):
        compile_query(parse_query(where="bestaat_niet = 1"), SCHEMA, max_rows=10)
    with pytest.raises(QueryError):
        compile_query(parse_query(where="naam > 1 and plaatsen = 'veel'"), SCHEMA, max_rows=10)
