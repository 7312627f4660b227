"""Filters compared in memory (``belfort.query.vector_filter``) match exactly the records
DuckDB's statement matches: random numeric filters with NULLs, fractions against integer
fields, literals on the left, text numbers, and/or/not at any depth; and the filters it must
leave to DuckDB (text, NaN, other types) it leaves."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.query.compiler_pages import compile_match_mask
from belfort.query.engine import QueryEngine
from belfort.query.model import (
    And,
    Compare,
    Expr,
    FieldRef,
    Function,
    In,
    IsNull,
    Literal,
    Not,
    Or,
    Query,
)
from belfort.query.vector_filter import match_mask, numeric_column
from belfort.schema import Field, TableSchema

SCHEMA = TableSchema(
    (
        Field("aantal", "integer"),
        Field("groot", "integer"),
        Field("bezetting", "number"),
        Field("vol", "number"),
        Field("naam", "string"),
        Field("raar", "number"),
    )
)
ROWS = 3000
OPS = ["=", "!=", "<", "<=", ">", ">="]


@pytest.fixture(scope="module")
def version(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, pa.Table]:
    versions = tmp_path_factory.mktemp("versions")
    path = versions / "v.parquet"
    rng = random.Random(7)
    table = pa.table(
        {
            "aantal": pa.array([None if i % 13 == 0 else rng.randint(-5, 20) for i in range(ROWS)],
                               pa.int64()),
            "groot": pa.array([rng.choice([2**62, -(2**62), 2**53 + 1, 0, 7]) for _ in range(ROWS)],
                              pa.int64()),
            "bezetting": pa.array(
                [None if i % 7 == 0 else round(rng.random(), 2) for i in range(ROWS)], pa.float64()
            ),
            "vol": pa.array(
                [rng.choice([0.0, -0.0, 1.5, -2.25, math.inf, -math.inf]) for _ in range(ROWS)],
                pa.float64(),
            ),
            "naam": pa.array([rng.choice(["a", "b", None]) for _ in range(ROWS)]),
            "raar": pa.array([math.nan if i % 11 == 0 else 1.0 for i in range(ROWS)], pa.float64()),
        }
    )
    pq.write_table(table, path, row_group_size=700)
    return versions, path, table


def _literal(rng: random.Random, field: str) -> object:
    choices: list[object] = [rng.randint(-6, 21), rng.randint(-6, 21) + 0.5, round(rng.random(), 2),
                             str(rng.randint(0, 10)), 0, 1.0, -0.0]
    if field == "groot":
        choices += [2**62, 2**53, 2**53 + 1, float(2**53), -(2**62) + 1, 2**63 - 1]
    if field == "vol":
        choices += [1.5, -2.25, 0.0]
    return rng.choice(choices)


def _comparison(rng: random.Random) -> Expr:
    field = rng.choice(["aantal", "groot", "bezetting", "vol"])
    compare = Compare(rng.choice(OPS), FieldRef(field), Literal(_literal(rng, field)))
    if rng.random() < 0.25:  # the literal on the left
        compare = Compare(compare.op, compare.right, compare.left)
    return compare


def _expression(rng: random.Random, depth: int = 0) -> Expr:
    if depth >= 3 or rng.random() < 0.35:
        return _comparison(rng)
    kind = rng.choice(["and", "or", "not"])
    if kind == "not":
        return Not(_expression(rng, depth + 1))
    items = tuple(_expression(rng, depth + 1) for _ in range(rng.randint(2, 3)))
    return And(items) if kind == "and" else Or(items)


def _duckdb_mask(engine: QueryEngine, path: Path, where: Expr) -> np.ndarray:
    compiled = compile_match_mask(Query(where=where), SCHEMA, 10_000)
    return engine._match_mask(compiled, path, None)


def _columns(table: pa.Table):  # type: ignore[no-untyped-def]
    return lambda name: numeric_column(table.column(name))


def test_random_numeric_filters_match_duckdb(version: tuple[Path, Path, pa.Table]) -> None:
    versions, path, table = version
    engine = QueryEngine(versions, max_rows=10_000)
    rng = random.Random(20261206)
    try:
        answered = 0
        for n in range(400):
            where = _expression(rng)
            got = match_mask(where, SCHEMA, _columns(table), ROWS)
            assert got is not None, where  # numbers only: always answered in memory
            want = _duckdb_mask(engine, path, where)
            assert got.dtype == bool and got.shape == (ROWS,)
            assert np.array_equal(got, want), (n, where, int(got.sum()), int(want.sum()))
            answered += 1
        assert answered == 400
    finally:
        engine.close()


def test_nulls_never_match_even_under_not(version: tuple[Path, Path, pa.Table]) -> None:
    _, _, table = version
    nulls = np.asarray(table.column("aantal").is_null().to_numpy(zero_copy_only=False))
    for where in (
        Not(Compare(">", FieldRef("aantal"), Literal(5))),
        Not(Not(Compare(">", FieldRef("aantal"), Literal(5)))),
        Or((
            Compare("<", FieldRef("aantal"), Literal(0)),
            Not(Compare("<", FieldRef("aantal"), Literal(0))),
        )),
    ):
        mask = match_mask(where, SCHEMA, _columns(table), ROWS)
        assert mask is not None and not mask[nulls].any()
    # false AND unknown is false, true OR unknown is true
    either = Or((
        Compare(">", FieldRef("aantal"), Literal(5)), Compare("=", FieldRef("groot"), Literal(7))
    ))
    mask = match_mask(either, SCHEMA, _columns(table), ROWS)
    groot = np.asarray(table.column("groot").to_numpy())
    assert mask is not None and mask[nulls & (groot == 7)].all()


@pytest.mark.parametrize(
    "where",
    [
        Compare("=", FieldRef("naam"), Literal("a")),  # text: DuckDB's collation and casts
        Compare(">", FieldRef("raar"), Literal(0.5)),  # NaN: DuckDB orders it above every number
        And((
            Compare(">", FieldRef("aantal"), Literal(1)),
            Compare("=", FieldRef("naam"), Literal("b")),
        )),
        Compare(">", FieldRef("aantal"), FieldRef("groot")),  # a field against a field
        Compare(">", FieldRef("aantal"), Literal(None)),
        In(FieldRef("aantal"), (Literal(1), Literal(2))),
        IsNull(FieldRef("aantal")),
        Compare(">", Function("abs", (FieldRef("aantal"),)), Literal(3)),
        Compare(">", FieldRef("aantal"), Literal(True)),
        Compare("~", FieldRef("aantal"), Literal(3)),
        And(()),
    ],
)
def test_what_it_leaves_to_duckdb(version: tuple[Path, Path, pa.Table], where: Expr) -> None:
    _, _, table = version
    assert match_mask(where, SCHEMA, _columns(table), ROWS) is None


def test_a_column_of_another_type_is_left_to_duckdb() -> None:
    assert numeric_column(pa.chunked_array([pa.array([1, 2], pa.int32())])) is None
    assert numeric_column(pa.chunked_array([pa.array([1.0, 2.0], pa.float32())])) is None
    assert numeric_column(pa.chunked_array([pa.array([1.0, math.nan])])) is None
    several = numeric_column(pa.chunked_array([pa.array([1, None]), pa.array([3])]))
    assert several is not None and several.values.tolist()[::2] == [1, 3]
    assert several.valid is not None and several.valid.tolist() == [True, False, True]
