"""The Opendatasoft v1 ``q`` language parsed into Belfort's query model."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from belfort.errors import QueryError
from belfort.query.compiler import compile_query
from belfort.query.model import (
    And,
    Compare,
    FieldRef,
    InPolygon,
    IsNull,
    Like,
    Literal,
    Not,
    Or,
    Query,
    Search,
    WithinDistance,
)
from belfort.query.ods_q import MAX_DEPTH, MAX_Q_LENGTH, QSyntaxError, parse_q
from belfort.schema import Field, TableSchema

SCHEMA = TableSchema((
    Field("naam", "string"), Field("omschrijving", "string"), Field("col", "string"),
    Field("plaatsen", "integer"), Field("prijs", "number"), Field("open", "boolean"),
    Field("datum", "date"), Field("tijdstip", "datetime"), Field("locatie", "geopoint"),
))
NAMES = SCHEMA.names
TYPES = {f.name: f.type for f in SCHEMA.fields}
NOW = dt.datetime(2024, 5, 15, 12, 30, tzinfo=dt.UTC)  # a Wednesday
D = dt.date

F = FieldRef


def L(value: object) -> Literal:  # noqa: N802
    return Literal(value)  # type: ignore[arg-type]


def parse(q: str, **kwargs: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {"field_names": NAMES, "field_types": TYPES, "now": NOW}
    options.update(kwargs)
    return parse_q(q, **options)  # type: ignore[arg-type]


def between(name: str, low: object, high: object) -> And:
    return And((Compare(">=", F(name), L(low)), Compare("<", F(name), L(high))))


CASES = [
    # -- nothing to filter: the crowd gauge calls q= ------------------------------------
    ("", None),
    ("   ", None),
    ("\t\n ", None),
    ("\x00\x00", None),
    # -- full text -----------------------------------------------------------------------
    ("film", Search("film")),
    ("Korenmarkt,", Search("Korenmarkt")),  # punctuation around a word is not searched
    ("film*", Search("film")),  # a prefix; Search matches substrings anyway
    ("*", Search("")),
    ("Gent-Sint-Pieters", Search("Gent-Sint-Pieters")),
    ("l'eau", Search("l'eau")),  # an apostrophe does not open a quote
    ('"rue de la paix"', Search("rue de la paix")),
    ('"rue  de\tla paix "', Search("rue de la paix")),
    ("'rue de la paix'", Search("rue de la paix")),
    ('"say \\"hi\\""', Search('say "hi"')),
    ('""', Search("")),
    ("foo:bar", Search("foo:bar")),  # unknown field: plain text, as on Opendatasoft
    ("foo >= 3", And((Search("foo"), Search(">="), Search("3")))),
    ("#hashtag", Search("hashtag")),
    # -- boolean operators: NOT > AND > OR ----------------------------------------------------
    ("film trees", And((Search("film"), Search("trees")))),
    ("film AND trees", And((Search("film"), Search("trees")))),
    ("film OR trees", Or((Search("film"), Search("trees")))),
    ("film OR trees AND paris", Or((Search("film"), And((Search("trees"), Search("paris")))))),
    ("(film OR trees) AND paris", And((Or((Search("film"), Search("trees"))), Search("paris")))),
    ("(film OR trees) paris", And((Or((Search("film"), Search("trees"))), Search("paris")))),
    ("NOT film trees", And((Not(Search("film")), Search("trees")))),
    ("film NOT trees", And((Search("film"), Not(Search("trees"))))),
    ("NOT (a OR b)", Not(Or((Search("a"), Search("b"))))),
    ("NOT NOT a", Not(Not(Search("a")))),
    ("a OR b OR c", Or((Search("a"), Search("b"), Search("c")))),
    ("(a b) (c d)", And((Search("a"), Search("b"), Search("c"), Search("d")))),
    ("((((a))))", Search("a")),
    ("-film trees", And((Not(Search("film")), Search("trees")))),
    ('-"rue de la paix"', Not(Search("rue de la paix"))),
    ("+film", Search("film")),
    ("a - b", And((Search("a"), Search("-"), Search("b")))),
    # keywords in lower case act as operators (ODSQL is case-insensitive) where they fit…
    ("film and trees", And((Search("film"), Search("trees")))),
    ("film or trees", Or((Search("film"), Search("trees")))),
    ("not film", Not(Search("film"))),
    # …and are words where they do not
    ("rock and", And((Search("rock"), Search("and")))),
    ("and", Search("and")),
    ("or not", And((Search("or"), Search("not")))),
    ('"AND"', Search("AND")),
    # -- Ghent's generic search component: q=text and col:'val' ------------------------------
    ("text and col:'val'", And((Search("text"), Search("val", ("col",))))),
    ("zwembad and col:'Van Eyck'", And((Search("zwembad"), Search("Van Eyck", ("col",))))),
    ("Rabot and naam:'t Dreupelkot'", And((Search("Rabot"), Search("t Dreupelkot", ("naam",))))),
    # -- field queries on text: full text within that field ----------------------------------
    ("naam:markt", Search("markt", ("naam",))),
    ("naam: markt", Search("markt", ("naam",))),
    ("naam=markt", Search("markt", ("naam",))),
    ("naam==markt", Search("markt", ("naam",))),
    ('naam:"Sint Pieters"', Search("Sint Pieters", ("naam",))),
    ("naam:markt*", Search("markt", ("naam",))),
    ("naam:*", IsNull(F("naam"), negated=True)),
    ("naam>m", Compare(">", F("naam"), L("m"))),
    ("naam:markt OR omschrijving:station",
     Or((Search("markt", ("naam",)), Search("station", ("omschrijving",))))),
    ("naam", Search("naam")),  # a field name alone is a word
    # -- numbers ------------------------------------------------------------------------------
    ("plaatsen:10", Compare("=", F("plaatsen"), L(10))),
    ("plaatsen = 10", Compare("=", F("plaatsen"), L(10))),
    ("plaatsen>=10", Compare(">=", F("plaatsen"), L(10))),
    ("plaatsen > 10", Compare(">", F("plaatsen"), L(10))),
    ("plaatsen<-5", Compare("<", F("plaatsen"), L(-5))),
    ("plaatsen<=1e3", Compare("<=", F("plaatsen"), L(1000.0))),
    ('plaatsen:"10"', Compare("=", F("plaatsen"), L(10))),
    ("prijs>2.5", Compare(">", F("prijs"), L(2.5))),
    ("plaatsen:[10 TO 20]",
     And((Compare(">=", F("plaatsen"), L(10)), Compare("<=", F("plaatsen"), L(20))))),
    ("plaatsen:{10 TO 20}",
     And((Compare(">", F("plaatsen"), L(10)), Compare("<", F("plaatsen"), L(20))))),
    ("plaatsen:[10 to 20}",
     And((Compare(">=", F("plaatsen"), L(10)), Compare("<", F("plaatsen"), L(20))))),
    ("plaatsen:[* TO 20]", Compare("<=", F("plaatsen"), L(20))),
    ("plaatsen:[10 TO *]", Compare(">=", F("plaatsen"), L(10))),
    ("plaatsen:[* TO *]", IsNull(F("plaatsen"), negated=True)),
    ("prijs > 10000 AND datum < 1965",
     And((Compare(">", F("prijs"), L(10000)), Compare("<", F("datum"), L(D(1965, 1, 1)))))),
    ("open:true", Compare("=", F("open"), L("true"))),
    # -- dates: a partial date is a period ------------------------------------------------------
    ("datum:2018", between("datum", D(2018, 1, 1), D(2019, 1, 1))),
    ("datum:2018/02", between("datum", D(2018, 2, 1), D(2018, 3, 1))),
    ("datum:2018-12", between("datum", D(2018, 12, 1), D(2019, 1, 1))),
    ("datum:2018/02/11", Compare("=", F("datum"), L(D(2018, 2, 11)))),
    ("tijdstip:2018/02/11", between("tijdstip", D(2018, 2, 11), D(2018, 2, 12))),
    ("datum>=2002", Compare(">=", F("datum"), L(D(2002, 1, 1)))),
    ("datum >= 2013/02/11", Compare(">=", F("datum"), L(D(2013, 2, 11)))),
    ("datum>2018/05", Compare(">=", F("datum"), L(D(2018, 6, 1)))),
    ("datum<2018/05", Compare("<", F("datum"), L(D(2018, 5, 1)))),
    ("tijdstip<=2016/09", Compare("<", F("tijdstip"), L(D(2016, 10, 1)))),
    ("datum: [1950 TO 2000]", between("datum", D(1950, 1, 1), D(2001, 1, 1))),
    ("datum:[2018/01/01 TO 2018/01/31]", between("datum", D(2018, 1, 1), D(2018, 2, 1))),
    ("datum:{2018 TO 2020}", between("datum", D(2019, 1, 1), D(2020, 1, 1))),
    ("tijdstip>=2018-01-01T10:00:00",
     Compare(">=", F("tijdstip"), L(dt.datetime(2018, 1, 1, 10)))),
    ("tijdstip<2018/1/2T10:00Z",
     Compare("<", F("tijdstip"), L(dt.datetime(2018, 1, 2, 10, tzinfo=dt.UTC)))),
    ('tijdstip>="2018-01-01T10:00:00+01:00"', Compare(">=", F("tijdstip"), L(
        dt.datetime(2018, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))))),
    # -- #now ---------------------------------------------------------------------------------
    ("tijdstip>=#now()", Compare(">=", F("tijdstip"), L(NOW))),
    ("tijdstip>#now(days=-7)", Compare(">", F("tijdstip"), L(NOW - dt.timedelta(days=7)))),
    ("tijdstip > #now(days=-1, hours=+2)",
     Compare(">", F("tijdstip"), L(NOW - dt.timedelta(days=1) + dt.timedelta(hours=2)))),
    ("tijdstip >= #now(years=-1, hours=-1)",
     Compare(">=", F("tijdstip"), L(dt.datetime(2023, 5, 15, 11, 30, tzinfo=dt.UTC)))),
    ("datum >= #now(months=-3, day=31)",
     Compare(">=", F("datum"), L(dt.datetime(2024, 2, 29, 12, 30, tzinfo=dt.UTC)))),
    ("datum < #now(year=2001)",
     Compare("<", F("datum"), L(dt.datetime(2001, 5, 15, 12, 30, tzinfo=dt.UTC)))),
    ("tijdstip >= #now(hour=0, minute=0, second=0)",
     Compare(">=", F("tijdstip"), L(dt.datetime(2024, 5, 15, tzinfo=dt.UTC)))),
    # the Tuesday before last, and Monday after next (documented examples)
    ("datum = #now(weeks=-2, weekday=1)",
     Compare("=", F("datum"), L(dt.datetime(2024, 5, 7, 12, 30, tzinfo=dt.UTC)))),
    ("datum = #now(weekday=MO(2))",
     Compare("=", F("datum"), L(dt.datetime(2024, 5, 27, 12, 30, tzinfo=dt.UTC)))),
    ("datum = #now(weekday=we(-1))",
     Compare("=", F("datum"), L(NOW))),
    ("tijdstip:[#now(days=-7) TO #now()]", And((
        Compare(">=", F("tijdstip"), L(NOW - dt.timedelta(days=7))),
        Compare("<=", F("tijdstip"), L(NOW))))),
    # -- functions -----------------------------------------------------------------------------
    ("#null(naam)", IsNull(F("naam"))),
    ("NOT #null(naam)", Not(IsNull(F("naam")))),
    ('#exact(naam, "Korenmarkt")', Compare("=", F("naam"), L("Korenmarkt"))),
    ("#exact(naam,'fruit tree')", Compare("=", F("naam"), L("fruit tree"))),
    ("#exact(plaatsen, 10)", Compare("=", F("plaatsen"), L("10"))),  # the compiler coerces
    ('#exact(datum, "2018/02/11")', Compare("=", F("datum"), L(D(2018, 2, 11)))),
    ('#startswith(naam,"anon")', Like(F("naam"), "anon%")),
    ('#startswith(naam, "50%_\\\\x")', Like(F("naam"), "50\\%\\_\\\\x%")),
    ("#STARTSWITH(naam,'Van ')", Like(F("naam"), "Van %")),
    ('#distance("48.866667,2.333333",1000)', WithinDistance("locatie", 48.866667, 2.333333, 1000)),
    ("#distance(locatie, 48.8, 2.3, 1000)", WithinDistance("locatie", 48.8, 2.3, 1000)),
    ('#distance(locatie, "48.8,2.3", 1km)', WithinDistance("locatie", 48.8, 2.3, 1000)),
    ('#distance("51.05,3.72,250")', WithinDistance("locatie", 51.05, 3.72, 250)),
    ('#polygon(locatie,"(40.1,-7.3),(52.0,-7.3),(52.0,16.1),(40.1,16.1),(40.1,-7.3)")', InPolygon(
        "locatie", ((40.1, -7.3), (52.0, -7.3), (52.0, 16.1), (40.1, 16.1), (40.1, -7.3)))),
    ('#polygon(locatie, "((51,3.7), (51.1, 3.7),(51.1,3.8))")',
     InPolygon("locatie", ((51, 3.7), (51.1, 3.7), (51.1, 3.8)))),
    ('#polygon("(51,3.7),(51.1,3.7),(51.1,3.8)")',
     InPolygon("locatie", ((51, 3.7), (51.1, 3.7), (51.1, 3.8)))),
    ('station #distance("51.05,3.72",500) plaatsen>0', And((
        Search("station"), WithinDistance("locatie", 51.05, 3.72, 500),
        Compare(">", F("plaatsen"), L(0))))),
    # -- SQL-looking text is just text ------------------------------------------------------------
    ("'; DROP TABLE records; --", And((
        Search("';"), Search("DROP"), Search("TABLE"), Search("records"), Search("--")))),
    ('naam:"x\' OR 1=1 --"', Search("x' OR 1=1 --", ("naam",))),
    ("1=1", Search("1=1")),
    # -- odd Unicode --------------------------------------------------------------------------------
    ("café Ghent\u00a0centrum", And((Search("café"), Search("Ghent"), Search("centrum")))),
    ("a\x00b", And((Search("a"), Search("b")))),
    ("\ud800x", Search("x")),  # a lone surrogate is dropped like a control character
    ("日本 🚲", And((Search("日本"), Search("🚲")))),
    ("ǅungla", Search("ǅungla")),
]


@pytest.mark.parametrize(("q", "expected"), CASES, ids=[repr(c[0])[:60] for c in CASES])
def test_parses(q: str, expected: object) -> None:
    assert parse(q) == expected


UNTYPED_CASES = [
    # Without field types a value is typed by its looks.
    ("naam:markt", Search("markt", ("naam",))),
    ("naam:'9000'", Search("9000", ("naam",))),
    ("plaatsen:10", Compare("=", F("plaatsen"), L(10))),
    ("plaatsen>=10", Compare(">=", F("plaatsen"), L(10))),
    ("datum>=2002", Compare(">=", F("datum"), L(2002))),  # a bare year is a number here
    ("datum>=2013/02/11", Compare(">=", F("datum"), L(D(2013, 2, 11)))),
    ("datum:2018/02", between("datum", D(2018, 2, 1), D(2018, 3, 1))),
    ("datum:2018/02/11", between("datum", D(2018, 2, 11), D(2018, 2, 12))),
    ("naam>m", Compare(">", F("naam"), L("m"))),
    ("text and col:'val'", And((Search("text"), Search("val", ("col",))))),
]


@pytest.mark.parametrize(("q", "expected"), UNTYPED_CASES, ids=[c[0] for c in UNTYPED_CASES])
def test_parses_without_field_types(q: str, expected: object) -> None:
    assert parse_q(q, field_names=NAMES, now=NOW) == expected


ERRORS = [
    # (q, position, part of the message)
    ('"rue de la paix', 0, "unterminated quote"),
    ('film "abc', 5, "unterminated quote"),
    ("(film OR trees", 0, "never closed"),
    ("a (b (c)", 2, "never closed"),
    ("film)", 4, "without a matching"),
    ("()", 0, "empty parentheses"),
    (")", 0, "where a term was expected"),
    ("AND", 0, "AND needs a term before it"),
    ("OR film", 0, "OR needs a term before it"),
    ("film AND", 5, "AND needs a term after it"),
    ("film OR", 5, "OR needs a term after it"),
    ("a AND AND b", 2, "AND needs a term after it"),
    ("film NOT", 5, "NOT needs a term after it"),
    ("(a OR)", 3, "OR needs a term after it"),
    ("naam:", 0, "value is missing"),
    ("naam: ", 0, "value is missing"),
    ("(naam:)", 1, "value is missing"),
    ("plaatsen>=", 0, "value is missing"),
    ("plaatsen>abc", 9, "not a number"),
    ("plaatsen:1e999", 9, "out of range"),
    ("plaatsen:" + "9" * 30, 9, "out of range"),
    ("datum>=gisteren", 7, "not a date"),
    ("datum:2018/13/01", 6, "not a date"),
    ("datum:[2018 2019]", 12, "[a TO b]"),
    ("datum:[2018 TO 2019", 6, "never closed"),
    ("datum>=[2018 TO 2019]", 7, "[a TO b]"),
    ("naam:(a OR b)", 5, "around the whole"),
    ("#null()", 0, "one field"),
    ("#null(naam,)", 11, "empty argument"),
    ("#null(naam", 0, "never closed"),
    ("#null(naam, col)", 0, "one field"),
    ("#null(bestaat_niet)", 6, "unknown field"),
    ('#exact(naam)', 0, "a field and a value"),
    ('#startswith(bestaat_niet, "x")', 12, "unknown field"),
    ("#now()", 0, "is a value"),
    ("#attr(naam, user)", 0, "not supported"),
    ("#frobnicate(x)", 0, "unknown function"),
    ('#distance("48.8",1000)', 0, "needs a point and a distance"),
    ('#distance("95,2.3",1000)', 10, "latitude"),
    ('#distance("48.8,200",1000)', 10, "longitude"),
    ('#distance("48.8,2.3",-5)', 21, "positive"),
    ('#distance("a,b",1)', 10, "not a number"),
    ('#polygon(locatie, "(1,2),(3,4)")', 18, "3 to"),
    ('#polygon(locatie, "1,2,3,4,5,6")', 18, "(lat,lon)"),
    ("plaatsen>=#null(naam)", 10, "only #now()"),
    ("datum>#now(days=1", 6, "never closed"),
    ("datum>#now(dayz=1)", 11, "no parameter"),
    ("datum>#now(days)", 11, "name=value"),
    ("datum>#now(days=1, days=2)", 19, "twice"),
    ("datum>#now(months=1.5)", 11, "whole number"),
    ("datum>#now(month=13)", 11, "out of range"),
    ("datum>#now(years=9000)", 11, "out of range"),
    ("datum>#now(days=99999999999)", 11, "out of range"),
    ("datum>#now(weekday=ZZ)", 11, "weekday"),
    ("datum>#now(weekday=MO(0))", 11, "weekday"),
    ("a " * 101, 200, "more than 100 terms"),
    ('"' + " ".join(["w"] * 21) + '"', 0, "at most 20 words"),
]


@pytest.mark.parametrize(("q", "position", "message"), ERRORS, ids=[e[0][:40] for e in ERRORS])
def test_syntax_errors_say_where_and_why(q: str, position: int, message: str) -> None:
    with pytest.raises(QSyntaxError) as caught:
        parse(q)
    assert message in caught.value.message
    assert caught.value.details == {"position": position}
    assert f"at position {position}" in caught.value.message
    assert isinstance(caught.value, QueryError) and caught.value.http_status == 400


def test_distance_without_a_field_needs_exactly_one_geopoint_field() -> None:
    with pytest.raises(QSyntaxError, match="name the geopoint field"):
        parse_q('#distance("51.0,3.7",100)', field_names=NAMES)  # types unknown
    assert parse_q('#distance(locatie,"51.0,3.7",100)', field_names=NAMES) == WithinDistance(
        "locatie", 51.0, 3.7, 100)


def test_now_defaults_to_the_current_time() -> None:
    before = dt.datetime.now(dt.UTC)
    expr = parse_q("tijdstip>=#now(hours=-1)", field_names=NAMES)
    after = dt.datetime.now(dt.UTC)
    assert isinstance(expr, Compare) and isinstance(expr.right, Literal)
    moment = expr.right.value
    assert isinstance(moment, dt.datetime)
    assert before - dt.timedelta(hours=1) <= moment <= after - dt.timedelta(hours=1)


# -- hostile input ----------------------------------------------------------------------------


def test_length_is_capped() -> None:
    assert parse("a" * MAX_Q_LENGTH) == Search("a" * MAX_Q_LENGTH)
    with pytest.raises(QSyntaxError, match="longer than 10000") as caught:
        parse("a" * (MAX_Q_LENGTH + 1))
    assert caught.value.details == {"position": MAX_Q_LENGTH}


@pytest.mark.parametrize("q", [
    "(" * 5000 + "a" + ")" * 4999,
    "(" * 5000,
    "NOT " * 2400 + "a",
    "-(" * 3000 + "a",
    "-a " * 2000,
])
def test_deep_nesting_is_refused_not_a_crash(q: str) -> None:
    with pytest.raises(QSyntaxError, match="nested more than|more than 100 terms"):
        parse(q)


def test_a_run_of_dashes_is_punctuation_not_nesting() -> None:
    assert parse("-" * 5000 + "a") == Search("a")


def test_the_deepest_allowed_query_still_compiles() -> None:
    q = "(NOT " * (MAX_DEPTH // 2) + "plaatsen:[1 TO 2] OR a b" + ")" * (MAX_DEPTH // 2)
    compile_query(Query(where=parse(q)), SCHEMA, 100)
    with pytest.raises(QSyntaxError, match="nested"):
        parse("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))


def test_sql_looking_text_only_travels_as_parameters() -> None:
    q = "naam:\"'); DROP TABLE x; --\" OR '; DELETE FROM y; --' \"\\\"\""
    compiled = compile_query(Query(where=parse(q)), SCHEMA, 100)
    assert "DROP" not in compiled.sql and "DELETE" not in compiled.sql
    assert any("DROP" in str(p) for p in compiled.params)
    assert any("DELETE" in str(p) for p in compiled.params)


# -- the output fits the compiler ----------------------------------------------------------------


@pytest.mark.parametrize("q", [
    "text and col:'val'",
    "station OR (naam:markt -plaatsen:0)",
    "datum:[2018 TO 2020] AND tijdstip<=2016/09 AND tijdstip>#now(days=-7)",
    "plaatsen:{10 TO *] prijs<=2.5 open:ja",
    '#null(omschrijving) OR #exact(naam,"Korenmarkt") OR #startswith(naam,"Vrij")',
    '#distance("51.05,3.72",1000) OR #polygon(locatie,"(51,3.7),(51.1,3.7),(51.1,3.8)")',
    "naam:* NOT #null(datum)",
])
def test_parsed_queries_compile(q: str) -> None:
    compiled = compile_query(Query(where=parse(q)), SCHEMA, 100)
    assert compiled.sql.startswith("SELECT") and " WHERE " in compiled.sql


def test_type_mistakes_surface_as_query_errors_from_the_compiler() -> None:
    with pytest.raises(QueryError, match="geopoint"):
        compile_query(Query(where=parse("locatie:abc")), SCHEMA, 100)
    with pytest.raises(QueryError, match="not a valid boolean"):
        compile_query(Query(where=parse("open:misschien")), SCHEMA, 100)
    with pytest.raises(QueryError, match="not a valid date"):  # no field types given
        compile_query(Query(where=parse_q("datum>=2002", field_names=NAMES)), SCHEMA, 100)


# -- run on DuckDB -------------------------------------------------------------------------------

PLACES = [  # naam, omschrijving, col, plaatsen, datum, (lat, lon)
    ("Vrijdagmarkt", "Parking onder de markt", "parking", 650, D(2018, 3, 1), (51.0571, 3.7268)),
    ("Korenmarkt", "Plein in de binnenstad", "plein", 0, D(2019, 6, 1), (51.0546, 3.7213)),
    ("Gent-Sint-Pieters", "Station met fietsenstalling", "station", 10000, None, (51.0359, 3.7108)),
    ("Dampoort", "Station en P+R", "station", 300, D(2018, 12, 31), (51.0563, 3.7403)),
]


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    from belfort.query.engine import QueryEngine

    schema = TableSchema((
        Field("naam", "string"), Field("omschrijving", "string"), Field("col", "string"),
        Field("plaatsen", "integer"), Field("datum", "date"), Field("locatie", "geopoint"),
    ))
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "plaatsen.parquet"
    pq.write_table(pa.table({
        "naam": [p[0] for p in PLACES], "omschrijving": [p[1] for p in PLACES],
        "col": [p[2] for p in PLACES], "plaatsen": [p[3] for p in PLACES],
        "datum": pa.array([p[4] for p in PLACES], pa.date32()),
        "locatie": pa.array([{"lat": p[5][0], "lon": p[5][1]} for p in PLACES],
                            pa.struct([("lat", pa.float64()), ("lon", pa.float64())])),
    }), path)
    engine = QueryEngine(versions)
    types = {f.name: f.type for f in schema.fields}

    def _run(q: str) -> set[str]:
        where = parse_q(q, field_names=schema.names, field_types=types, now=NOW)
        return {r["naam"] for r in engine.execute(Query(where=where), schema, path).records()}

    yield _run
    engine.close()


def test_queries_run_on_duckdb(run) -> None:  # type: ignore[no-untyped-def]
    everything = {p[0] for p in PLACES}
    assert run("") == everything
    assert run("station") == {"Gent-Sint-Pieters", "Dampoort"}
    assert run("station and col:'station'") == {"Gent-Sint-Pieters", "Dampoort"}
    assert run("markt and col:'parking'") == {"Vrijdagmarkt"}
    assert run("station -fiets") == {"Dampoort"}
    assert run("naam:markt OR plaatsen>=5000") == {"Vrijdagmarkt", "Korenmarkt", "Gent-Sint-Pieters"}
    assert run("datum:2018") == {"Vrijdagmarkt", "Dampoort"}
    assert run("datum<=2018/03") == {"Vrijdagmarkt"}
    assert run("datum:[2018/06 TO 2019]") == {"Korenmarkt", "Dampoort"}
    assert run("#null(datum)") == {"Gent-Sint-Pieters"}
    assert run('#startswith(naam,"Gent-")') == {"Gent-Sint-Pieters"}
    assert run('#exact(col,"plein")') == {"Korenmarkt"}
    assert run('#distance("51.0546,3.7213",600)') == {"Korenmarkt", "Vrijdagmarkt"}
    assert run("'; DROP TABLE x; --") == set()
    assert run('"P+R"') == {"Dampoort"}


# -- properties --------------------------------------------------------------------------------

TOKENS = [
    "AND", "OR", "NOT", "and", "or", "not", "(", ")", '"', "'", "-", "+", "*", ":", "[", "]",
    "{", "}", "TO", "#", "#now(", "#null(", "#exact(", "#distance(", "#polygon(", ",", "=",
    ">=", "<", "naam", "naam:", "plaatsen>", "datum:", "datum>=", "tijdstip<", "locatie",
    "2018", "2018/02", "2018-02-30", "10", "-5", "1e309", "days=-1", "weekday=MO(2)", "\x00",
    "\ud800", "é", "markt", '"a b"', "'x y'", "[1 TO 2]", "{* TO 3}", "51.0,3.7",
]
QUERIES = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)), max_size=30).map("".join),
    st.lists(st.sampled_from(TOKENS), max_size=30).map(" ".join),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUERIES, st.booleans())
def test_any_text_gives_a_model_or_a_syntax_error(q: str, typed: bool) -> None:
    try:
        expr = parse_q(q, field_names=NAMES, field_types=TYPES if typed else None, now=NOW)
    except QSyntaxError as exc:
        assert 0 <= exc.details["position"] <= len(q)
        return
    if expr is None:
        assert all(c.isspace() or unicodedata.category(c) in {"Cc", "Cs"} for c in q)
        return
    try:  # and whatever parsed is either compiled or refused with a QueryError
        compiled = compile_query(Query(where=expr), SCHEMA, 100)
    except QueryError:
        return
    assert compiled.sql.startswith("SELECT")


NOW_ARGS = st.fixed_dictionaries({}, optional={
    "years": st.integers(-50, 50), "months": st.integers(-30, 30), "weeks": st.integers(-60, 60),
    "days": st.integers(-400, 400), "hours": st.integers(-50, 50), "minutes": st.integers(-99, 99),
    "year": st.integers(1990, 2030), "month": st.integers(1, 12), "day": st.integers(1, 31),
    "hour": st.integers(0, 23), "minute": st.integers(0, 59),
    "weekday": st.tuples(st.integers(0, 6), st.sampled_from([-2, -1, 1, 2, 3])),
})


@settings(max_examples=300, deadline=None)
@given(NOW_ARGS, st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1)))
def test_now_follows_dateutil_relativedelta(args: dict, base: dt.datetime) -> None:  # type: ignore[type-arg]
    relativedelta = pytest.importorskip("dateutil.relativedelta")
    names = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    text = ", ".join(
        f"weekday={names[v[0]]}({v[1]:+d})" if k == "weekday" else f"{k}={v:+d}" if k.endswith("s") else f"{k}={v}"
        for k, v in args.items()
    )
    expr = parse_q(f"datum>=#now({text})", field_names=NAMES, now=base)
    options = dict(args)
    if "weekday" in options:
        day, nth = options.pop("weekday")
        options["weekday"] = getattr(relativedelta, names[day])(nth)
    assert expr == Compare(">=", F("datum"), L(base + relativedelta.relativedelta(**options)))
