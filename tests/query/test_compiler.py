from __future__ import annotations

import pytest

from belfort.errors import QueryError
from belfort.query.compiler import SOURCE, compile_count, compile_query, label_of
from belfort.query.model import (
    Aggregate,
    And,
    Arithmetic,
    Compare,
    FieldRef,
    Function,
    In,
    Literal,
    Not,
    OrderItem,
    Query,
    SelectItem,
)
from belfort.schema import Field, TableSchema

SCHEMA = TableSchema(
    (
        Field("sensor", "string"),
        Field("aantal", "integer"),
        Field("gemiddelde", "number"),
        Field("dag", "date"),
        Field("tijdstip", "datetime"),
        Field("open", "boolean"),
        Field("locatie", "geopoint"),
    )
)


def test_user_values_are_bound_never_inlined() -> None:
    hostile = "x'; DROP TABLE datasets; --"
    compiled = compile_query(
        Query(where=Compare("=", FieldRef("sensor"), Literal(hostile))), SCHEMA, 100
    )
    assert hostile not in compiled.sql
    assert hostile in compiled.params
    assert compiled.params[0] is SOURCE


def test_field_names_are_checked_against_the_schema() -> None:
    with pytest.raises(QueryError, match="unknown field"):
        compile_query(Query(select=(SelectItem(FieldRef('sensor" FROM x --')),)), SCHEMA, 100)


@pytest.mark.parametrize(
    ("field", "value"),
    [("aantal", "veel"), ("dag", "31/02/2024"), ("open", "misschien"), ("gemiddelde", "nan")],
)
def test_literals_that_do_not_fit_the_field_type_are_refused(field: str, value: str) -> None:
    with pytest.raises(QueryError, match="not a valid"):
        compile_query(Query(where=Compare("=", FieldRef(field), Literal(value))), SCHEMA, 100)


def test_text_literals_are_coerced_to_the_field_type() -> None:
    compiled = compile_query(
        Query(
            where=And(
                (
                    Compare(">=", FieldRef("aantal"), Literal("10")),
                    Compare("=", FieldRef("open"), Literal("ja")),
                    Compare("<", FieldRef("dag"), Literal("2024-12-31")),
                )
            )
        ),
        SCHEMA,
        100,
    )
    assert 10 in compiled.params and True in compiled.params
    assert any(str(p) == "2024-12-31" for p in compiled.params)


def test_geopoints_cannot_be_compared_or_grouped() -> None:
    with pytest.raises(QueryError, match="geopoint"):
        compile_query(Query(where=Compare("=", FieldRef("locatie"), Literal("1"))), SCHEMA, 100)
    with pytest.raises(QueryError, match="geopoint"):
        compile_query(Query(group_by=(SelectItem(FieldRef("locatie")),)), SCHEMA, 100)


def test_grouping_requires_aggregates_or_keys() -> None:
    with pytest.raises(QueryError, match="grouped by or aggregated"):
        compile_query(
            Query(
                select=(SelectItem(FieldRef("sensor")), SelectItem(FieldRef("aantal"))),
                group_by=(SelectItem(FieldRef("sensor")),),
            ),
            SCHEMA,
            100,
        )


def test_aggregates_check_their_argument_types() -> None:
    with pytest.raises(QueryError, match="numeric"):
        compile_query(Query(select=(SelectItem(Aggregate("sum", FieldRef("sensor"))),)), SCHEMA, 100)
    with pytest.raises(QueryError, match="unknown aggregate"):
        compile_query(Query(select=(SelectItem(Aggregate("evil", FieldRef("aantal"))),)), SCHEMA, 100)
    with pytest.raises(QueryError, match="not allowed here"):
        compile_query(
            Query(where=Compare(">", Aggregate("sum", FieldRef("aantal")), Literal(1))), SCHEMA, 100
        )


def test_limits_are_enforced() -> None:
    with pytest.raises(QueryError, match="maximum"):
        compile_query(Query(limit=101), SCHEMA, 100)
    with pytest.raises(QueryError, match="negative"):
        compile_query(Query(limit=-1), SCHEMA, 100)
    with pytest.raises(QueryError, match="at most"):
        compile_query(
            Query(where=In(FieldRef("aantal"), tuple(Literal(i) for i in range(1001)))), SCHEMA, 100
        )


def test_deeply_nested_expressions_are_refused_not_crashing() -> None:
    expr = Compare("=", FieldRef("aantal"), Literal(1))
    for _ in range(200):
        expr = Not(expr)
    with pytest.raises(QueryError, match="nested too deeply"):
        compile_query(Query(where=expr), SCHEMA, 100)


def test_unknown_functions_are_refused() -> None:
    with pytest.raises(QueryError, match="unknown function"):
        compile_query(
            Query(select=(SelectItem(Function("read_csv", (Literal("/etc/passwd"),))),)), SCHEMA, 100
        )


def test_labels_follow_opendatasoft_style() -> None:
    assert label_of(Aggregate("count")) == "count(*)"
    assert label_of(Aggregate("count", FieldRef("sensor"), distinct=True)) == "count(distinct sensor)"
    assert label_of(Arithmetic("*", FieldRef("aantal"), Literal(2))) == "aantal * 2"


def test_count_of_groups() -> None:
    compiled = compile_count(Query(group_by=(SelectItem(FieldRef("sensor")),)), SCHEMA)
    assert "GROUP BY" in compiled.sql and compiled.sql.startswith("SELECT count(*) FROM (")


def test_order_by_an_aggregate_label() -> None:
    compiled = compile_query(
        Query(
            select=(SelectItem(FieldRef("sensor")), SelectItem(Aggregate("sum", FieldRef("aantal")))),
            group_by=(SelectItem(FieldRef("sensor")),),
            order_by=(OrderItem(Aggregate("sum", FieldRef("aantal")), descending=True),),
        ),
        SCHEMA,
        100,
    )
    assert 'ORDER BY "sum(aantal)" DESC' in compiled.sql
