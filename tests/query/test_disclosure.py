"""Aggregation thresholds through the engine (belfort.query.disclosure): what a principal
limited to aggregates is told, and what it is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from belfort.errors import AggregatesOnly, DisclosureRefused, Forbidden
from belfort.query.disclosure import Disclosure, check_query
from belfort.query.engine import QueryEngine
from belfort.query.model import (
    Aggregate,
    And,
    Compare,
    FieldRef,
    IsNull,
    ListContains,
    Literal,
    Not,
    OrderItem,
    Query,
    RecordIdIs,
    Search,
    SelectItem,
)
from belfort.schema import Field, TableSchema

SCHEMA = TableSchema(
    (
        Field("wijk", "string"),
        Field("leeftijd", "string"),
        Field("naam", "string"),
        Field("inkomen", "integer"),
    )
)
# wijk → people: Binnenstad 30, Brugse Poort 12, Ledeberg 9 (one short of k), Muide 2
SIZES = {"Binnenstad": 30, "Brugse Poort": 12, "Ledeberg": 9, "Muide": 2}
K10 = Disclosure(min_group_size=10)


def people() -> pa.Table:
    wijk, leeftijd, naam, inkomen = [], [], [], []
    for w, size in SIZES.items():
        for i in range(size):
            wijk.append(w)
            leeftijd.append("jong" if i % 2 else "oud")
            naam.append(f"{w}-{i}")
            inkomen.append(1000 + 100 * i)
    return pa.table({"wijk": wijk, "leeftijd": leeftijd, "naam": naam, "inkomen": inkomen})


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[QueryEngine, Path]]:
    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "people.parquet"
    pq.write_table(people(), path)
    engine = QueryEngine(
        versions,
        timeout_seconds=10,
        max_rows=1000,
        result_cache_bytes=8 << 20,
        result_cache_max_rows=1000,
    )
    yield engine, path
    engine.close()


def count_by(*keys: str, where: object = None, limit: int | None = None) -> Query:
    group = tuple(SelectItem(FieldRef(k)) for k in keys)
    return Query(
        select=(*group, SelectItem(Aggregate("count"), "n")),
        group_by=group,
        where=where,  # type: ignore[arg-type]
        order_by=(OrderItem(FieldRef(keys[0])),),
        limit=limit,
    )


def test_grouped_counts_small_groups_and_their_partner_are_withheld(setup) -> None:
    engine, path = setup
    plain = engine.execute(count_by("wijk"), SCHEMA, path)
    assert dict(plain.rows) == SIZES and plain.suppressed == 0
    result = engine.execute(count_by("wijk"), SCHEMA, path, disclosure=K10, with_total=True)
    # Muide (2) and Ledeberg (9) are below k; together 11 >= k, so the total 53 minus the
    # released 42 gives only their sum
    assert dict(result.rows) == {"Binnenstad": 30, "Brugse Poort": 12}
    assert result.suppressed == 2 and result.total == 2
    assert all(n >= 10 for _, n in result.rows)


def test_k_boundary(setup) -> None:
    engine, path = setup
    at_two = engine.execute(count_by("wijk"), SCHEMA, path, disclosure=Disclosure(2))
    assert dict(at_two.rows) == SIZES  # Muide's 2 >= k = 2
    at_three = engine.execute(count_by("wijk"), SCHEMA, path, disclosure=Disclosure(3))
    # Muide's 2 < 3, and Ledeberg (the next smallest) goes with it
    assert dict(at_three.rows) == {"Binnenstad": 30, "Brugse Poort": 12}


def test_one_small_group_takes_the_next_smallest_with_it(setup) -> None:
    engine, path = setup
    # without Muide: Binnenstad 30, Brugse Poort 12, Ledeberg 9 — total 51; releasing 30 and
    # 12 would give Ledeberg = 51 - 42 = 9, so Brugse Poort is withheld too
    where = Compare("!=", FieldRef("wijk"), Literal("Muide"))
    rule = Disclosure(10, population=where)  # the grant's rows: everyone but Muide
    result = engine.execute(count_by("wijk", where=where), SCHEMA, path, disclosure=rule)
    assert dict(result.rows) == {"Binnenstad": 30}
    assert result.suppressed == 2


def test_sums_and_averages_follow_the_counts(setup) -> None:
    engine, path = setup
    query = Query(
        select=(
            SelectItem(FieldRef("wijk")),
            SelectItem(Aggregate("sum", FieldRef("inkomen")), "s"),
            SelectItem(Aggregate("avg", FieldRef("inkomen")), "a"),
        ),
        group_by=(SelectItem(FieldRef("wijk")),),
        order_by=(OrderItem(FieldRef("wijk")),),
    )
    result = engine.execute(query, SCHEMA, path, disclosure=K10)
    assert [r[0] for r in result.rows] == ["Binnenstad", "Brugse Poort"]
    assert result.rows[0][1] == sum(1000 + 100 * i for i in range(30))
    assert result.rows[1][2] == pytest.approx(1000 + 100 * 5.5)


def test_total_without_grouping(setup) -> None:
    engine, path = setup
    total = Query(select=(SelectItem(Aggregate("count"), "n"),))
    assert engine.execute(total, SCHEMA, path, disclosure=K10).rows == [(53,)]
    muide = Compare("=", FieldRef("wijk"), Literal("Muide"))
    small = engine.execute(
        Query(select=(SelectItem(Aggregate("count"), "n"),), where=muide),
        SCHEMA,
        path,
        disclosure=K10,
    )
    assert small.rows == [(None,)] and small.suppressed == 1  # marked, never a wrong number


def test_zero_total_is_disclosive_by_default(setup) -> None:
    engine, path = setup
    nobody = Compare("=", FieldRef("wijk"), Literal("Nergens"))
    query = Query(select=(SelectItem(Aggregate("count"), "n"),), where=nobody)
    assert engine.execute(query, SCHEMA, path, disclosure=K10).rows == [(None,)]
    zeros_ok = Disclosure(10, suppress_zeros=False)
    assert engine.execute(query, SCHEMA, path, disclosure=zeros_ok).rows == [(0,)]


def test_two_keys_hide_enough_for_every_margin(setup) -> None:
    engine, path = setup
    result = engine.execute(count_by("wijk", "leeftijd"), SCHEMA, path, disclosure=Disclosure(5))
    released = {(w, a): n for w, a, n in result.rows}
    assert all(n >= 5 for n in released.values())
    # per wijk margin (a query by wijk alone) minus what this one released is never one cell
    for w in SIZES:
        cells = [(w, a) for a in ("jong", "oud")]
        hidden = [c for c in cells if c not in released]
        assert len(hidden) != 1, f"{w}: one hidden cell = margin - released"


def test_paging_cuts_after_suppression(setup) -> None:
    engine, path = setup
    first = engine.execute(count_by("wijk", limit=1), SCHEMA, path, disclosure=K10, with_total=True)
    assert first.rows == [("Binnenstad", 30)] and first.total == 2
    second = engine.execute(
        Query(**{**count_by("wijk").__dict__, "limit": 1, "offset": 1}),
        SCHEMA,
        path,
        disclosure=K10,
    )
    assert second.rows == [("Brugse Poort", 12)]


def test_row_reads_refused_in_every_form(setup) -> None:
    engine, path = setup
    for query in (
        Query(),
        Query(select=(SelectItem(FieldRef("naam")),)),
        Query(select=(SelectItem(Aggregate("count")),), with_row_number=True),
        Query(select=(SelectItem(Aggregate("count")),), record_id_fields=()),
    ):
        with pytest.raises(AggregatesOnly):
            engine.execute(query, SCHEMA, path, disclosure=K10)
    with pytest.raises(AggregatesOnly):
        engine.stream(Query(), SCHEMA, path, disclosure=K10)
    assert issubclass(AggregatesOnly, Forbidden) and AggregatesOnly.http_status == 403


@pytest.mark.parametrize(
    "agg",
    [
        Aggregate("min", FieldRef("inkomen")),
        Aggregate("max", FieldRef("inkomen")),
        Aggregate("median", FieldRef("inkomen")),
        Aggregate("percentile", FieldRef("inkomen"), param=50),
        Aggregate("sum", FieldRef("inkomen"), distinct=True),
    ],
)
def test_functions_that_return_one_row_are_refused(setup, agg: Aggregate) -> None:
    engine, path = setup
    query = Query(
        select=(SelectItem(FieldRef("wijk")), SelectItem(agg, "x")),
        group_by=(SelectItem(FieldRef("wijk")),),
    )
    with pytest.raises(DisclosureRefused):
        engine.execute(query, SCHEMA, path, disclosure=K10)
    # hidden in the order, too
    ordered = Query(
        select=(SelectItem(FieldRef("wijk")),),
        group_by=(SelectItem(FieldRef("wijk")),),
        order_by=(OrderItem(agg),),
    )
    with pytest.raises(DisclosureRefused):
        engine.execute(ordered, SCHEMA, path, disclosure=K10)


def test_count_distinct_and_stddev_allowed(setup) -> None:
    engine, path = setup
    query = Query(
        select=(
            SelectItem(Aggregate("count", FieldRef("naam"), distinct=True), "d"),
            SelectItem(Aggregate("stddev", FieldRef("inkomen")), "s"),
        )
    )
    assert engine.execute(query, SCHEMA, path, disclosure=K10).rows[0][0] == 53


def test_differencing_everyone_minus_one_is_withheld(setup) -> None:
    """The attacker asks the total, then the total of everyone but one named person."""
    engine, path = setup
    total = Query(select=(SelectItem(Aggregate("sum", FieldRef("inkomen")), "s"),))
    everyone = engine.execute(total, SCHEMA, path, disclosure=K10).rows[0][0]
    assert everyone is not None
    minus_one = Query(
        select=total.select, where=Compare("!=", FieldRef("naam"), Literal("Muide-1"))
    )
    result = engine.execute(minus_one, SCHEMA, path, disclosure=K10)
    assert result.rows == [(None,)]  # the 1 left out is fewer than k: nothing released
    # grouped, the same
    grouped = count_by("wijk", where=Not(Compare("=", FieldRef("naam"), Literal("Binnenstad-3"))))
    assert engine.execute(grouped, SCHEMA, path, disclosure=K10).rows == []


def test_differencing_within_the_grant_population(setup) -> None:
    """The left-out rows are counted within the principal's own rows (its row filter), not
    the whole file: rows it may not see do not make a one-person difference look large."""
    engine, path = setup
    mine = Compare("=", FieldRef("wijk"), Literal("Binnenstad"))
    rule = Disclosure(10, population=mine)
    minus_one = And((mine, Compare("!=", FieldRef("naam"), Literal("Binnenstad-7"))))
    query = Query(select=(SelectItem(Aggregate("sum", FieldRef("inkomen")), "s"),), where=minus_one)
    assert engine.execute(query, SCHEMA, path, disclosure=rule).rows == [(None,)]
    # without knowing the population, the file's other 23 rows hide the difference
    assert engine.execute(query, SCHEMA, path, disclosure=K10).rows != [(None,)]


def test_filter_fields_limit_what_may_be_filtered(setup) -> None:
    engine, path = setup
    rule = Disclosure(10, filter_fields=frozenset({"wijk"}))
    ok = count_by("leeftijd", where=Compare("=", FieldRef("wijk"), Literal("Binnenstad")))
    assert engine.execute(ok, SCHEMA, path, disclosure=rule).rows
    for where in (
        Compare("=", FieldRef("naam"), Literal("Muide-1")),
        Search("Muide-1"),
        ListContains("naam", "Muide-1"),
        RecordIdIs("abc"),
    ):
        with pytest.raises(DisclosureRefused):
            engine.execute(count_by("wijk", where=where), SCHEMA, path, disclosure=rule)


def test_record_id_filter_refused_even_without_filter_fields() -> None:
    with pytest.raises(DisclosureRefused):
        check_query(count_by("wijk", where=RecordIdIs("x")), K10)


def test_rule_validation() -> None:
    for bad in (0, -1):
        with pytest.raises(ValueError):
            Disclosure(bad)
    for eps in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError):
            Disclosure(10, epsilon=eps)


def test_cached_answers_never_cross_rules(setup) -> None:
    """The engine keeps answers by SQL: an unrestricted answer is never served under a
    threshold, and the thresholded one never to an unrestricted caller."""
    engine, path = setup
    for _ in range(2):  # the second round is served from kept answers
        assert len(engine.execute(count_by("wijk"), SCHEMA, path).rows) == 4
        assert len(engine.execute(count_by("wijk"), SCHEMA, path, disclosure=K10).rows) == 2
    assert len(engine.execute(count_by("wijk"), SCHEMA, path, disclosure=Disclosure(2)).rows) == 4
    assert K10.cache_key != Disclosure(10, suppress_zeros=False).cache_key


def test_noise_on_counts_is_differentially_private_not_threshold_breaking(setup) -> None:
    _, path = setup
    rule = Disclosure(10, epsilon=1.0)
    uncached = QueryEngine(path.parent, timeout_seconds=10, max_rows=1000)  # keeps no answers
    seen = set()
    try:
        for _ in range(30):
            result = uncached.execute(count_by("wijk"), SCHEMA, path, disclosure=rule)
            # which groups are released is decided on the true counts
            assert [w for w, _ in result.rows] == ["Binnenstad", "Brugse Poort"]
            seen.update(n for _, n in result.rows)
            assert all(isinstance(n, int) and n >= 0 for _, n in result.rows)
    finally:
        uncached.close()
    assert seen - {30, 12}, "counts were never noised"
    assert all(abs(n - 30) < 40 or abs(n - 12) < 40 for n in seen)


def test_a_noised_answer_is_the_same_when_asked_again(setup) -> None:
    """Kept under the question and the rule: repeating a question does not average the
    noise away (within the process's answer cache)."""
    engine, path = setup
    rule = Disclosure(10, epsilon=0.1)  # scale 10: two draws are rarely equal
    first = engine.execute(count_by("wijk"), SCHEMA, path, disclosure=rule).rows
    for _ in range(5):
        assert engine.execute(count_by("wijk"), SCHEMA, path, disclosure=rule).rows == first
    other = Disclosure(10, epsilon=0.1, suppress_zeros=False)  # another rule: its own answer
    assert engine.execute(count_by("wijk"), SCHEMA, path, disclosure=other).suppressed == 2


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from("abcdef"), st.sampled_from("xyz")), min_size=1, max_size=80),
    st.integers(min_value=2, max_value=12),
    st.booleans(),
)
def test_property_no_small_group_released(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]], k: int, two: bool
) -> None:
    versions = tmp_path_factory.mktemp("versions")
    path = versions / "t.parquet"
    pq.write_table(
        pa.table(
            {
                "wijk": [a for a, _ in rows],
                "leeftijd": [b for _, b in rows],
                "naam": [str(i) for i in range(len(rows))],
                "inkomen": list(range(len(rows))),
            }
        ),
        path,
    )
    engine = QueryEngine(versions, timeout_seconds=10, max_rows=1000)
    try:
        keys = ("wijk", "leeftijd") if two else ("wijk",)
        result = engine.execute(count_by(*keys), SCHEMA, path, disclosure=Disclosure(k))
    finally:
        engine.close()
    true: dict[tuple[str, ...], int] = {}
    for a, b in rows:
        key = (a, b) if two else (a,)
        true[key] = true.get(key, 0) + 1
    released = {tuple(r[:-1]): r[-1] for r in result.rows}
    assert all(n >= k and true[key] == n for key, n in released.items())
    assert result.suppressed == len(true) - len(released)
    hidden = [n for key, n in true.items() if key not in released]
    residual = len(rows) - sum(released.values())
    if released and len(rows) >= k:  # the total is released too: total - released cells
        assert residual not in hidden
        assert residual == 0 or residual >= k


def test_facets_release_only_safe_values_and_a_safe_total(setup) -> None:
    from belfort.query.facets import compute_facet

    engine, path = setup
    plain = compute_facet(engine, SCHEMA, path, "wijk", None)
    assert {v.value: v.count for v in plain.values} == SIZES and plain.total == 53
    facet = compute_facet(engine, SCHEMA, path, "wijk", None, disclosure=K10)
    assert {v.value: v.count for v in facet.values} == {"Binnenstad": 30, "Brugse Poort": 12}
    assert facet.total == 53 and facet.suppressed == 2
    assert facet.total - sum(v.count for v in facet.values) >= 10  # Muide + Ledeberg together
    muide = compute_facet(
        engine,
        SCHEMA,
        path,
        "leeftijd",
        Compare("=", FieldRef("wijk"), Literal("Muide")),
        disclosure=K10,
    )
    assert muide.values == [] and muide.total is None


def test_too_many_groups_refused_not_exhausting(setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """Grouping by a unique field makes one group per person: all suppressed, but reading
    millions of them is refused up front (a 403, not a slow 500)."""
    from belfort.query import disclosure
    from belfort.query import engine as engine_module

    engine, path = setup
    monkeypatch.setattr(disclosure, "MAX_GROUPS", 40)
    monkeypatch.setattr(engine_module, "MAX_GROUPS", 40)
    with pytest.raises(DisclosureRefused):
        engine.execute(count_by("naam"), SCHEMA, path, disclosure=K10)
    assert engine.execute(count_by("wijk"), SCHEMA, path, disclosure=K10).rows


def test_settings_give_the_rule_its_zeros_and_noise(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from belfort.settings import load_settings

    default = load_settings()
    assert default.threshold_suppress_zeros is True and default.threshold_epsilon is None
    monkeypatch.setenv("BELFORT_THRESHOLD_SUPPRESS_ZEROS", "false")
    monkeypatch.setenv("BELFORT_THRESHOLD_EPSILON", "0.5")
    s = load_settings()
    rule = Disclosure(10, suppress_zeros=s.threshold_suppress_zeros, epsilon=s.threshold_epsilon)
    assert rule == Disclosure(10, suppress_zeros=False, epsilon=0.5)
    for bad in ("0", "-1", "lots", "inf", "nan"):
        monkeypatch.setenv("BELFORT_THRESHOLD_EPSILON", bad)
        with pytest.raises(ValidationError):
            load_settings()


def test_conditions_inside_aggregates_are_refused(setup) -> None:
    """avg(naam = 'X') over a large group is one person's share: a filter in disguise."""
    engine, path = setup
    one = Compare("=", FieldRef("naam"), Literal("Binnenstad-3"))
    for agg in (
        Aggregate("count", one),
        Aggregate("avg", one),
        Aggregate("sum", Not(IsNull(FieldRef("inkomen")))),
    ):
        query = Query(
            select=(SelectItem(FieldRef("wijk")), SelectItem(agg, "x")),
            group_by=(SelectItem(FieldRef("wijk")),),
        )
        with pytest.raises(DisclosureRefused):
            engine.execute(query, SCHEMA, path, disclosure=K10)


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "a\x00b", "x" * 100_000])
def test_hostile_filter_values_are_a_clean_answer_or_4xx(setup, value: str) -> None:
    from belfort.errors import BelfortError

    engine, path = setup
    query = count_by("wijk", where=Compare("=", FieldRef("naam"), Literal(value)))
    try:
        result = engine.execute(query, SCHEMA, path, disclosure=K10)
    except BelfortError as exc:
        assert 400 <= exc.http_status < 500
    else:  # nobody matches: the rows left out are everyone (>= k), nothing released
        assert result.rows == []


def test_grouping_by_a_condition_that_singles_out_one_person(setup) -> None:
    """Group by (wijk, naam = X): X's cell is 1, and neither the wijk's margin nor the
    condition's margin may give it back by subtraction."""
    engine, path = setup
    one = Compare("=", FieldRef("naam"), Literal("Binnenstad-3"))
    query = Query(
        select=(
            SelectItem(FieldRef("wijk")),
            SelectItem(one, "is_x"),
            SelectItem(Aggregate("count"), "n"),
        ),
        group_by=(SelectItem(FieldRef("wijk")), SelectItem(one)),
    )
    released = {(w, x): n for w, x, n in engine.execute(query, SCHEMA, path, disclosure=K10).rows}
    assert ("Binnenstad", True) not in released
    assert ("Binnenstad", False) not in released  # else 30 (by wijk) - 29 = 1
    false_cells = [n for (w, x), n in released.items() if x is False]
    assert 53 - 1 - sum(false_cells) >= 10  # the "not X" margin minus released: not one cell


def test_multivalued_facet_counts_its_population_by_rows(tmp_path: Path) -> None:
    """A multivalued field counts a record once per value: the population rule counts the
    records themselves (a filter leaving out 3 records is caught although their values
    would add up to more)."""
    from belfort.query.facets import compute_facet

    versions = tmp_path / "versions"
    versions.mkdir()
    path = versions / "tags.parquet"
    tags = ["b;c"] * 3 + ["a;b;c"] * 20 + ["a"] * 12
    pq.write_table(pa.table({"tags": tags, "nr": list(range(35))}), path)
    schema = TableSchema((Field("tags", "string", separator=";"), Field("nr", "integer")))
    engine = QueryEngine(versions, timeout_seconds=10, max_rows=1000)
    try:
        facet = compute_facet(engine, schema, path, "tags", None, disclosure=K10)
        assert {v.value: v.count for v in facet.values} == {"a": 32, "b": 23, "c": 23}
        # leaving out the 3 "b;c" records: 72 values remain, but only 32 records of 35
        without_three = Compare(">=", FieldRef("nr"), Literal(3))
        plain = compute_facet(engine, schema, path, "tags", without_three)
        assert {v.value: v.count for v in plain.values} == {"a": 32, "b": 20, "c": 20}
        withheld = compute_facet(engine, schema, path, "tags", without_three, disclosure=K10)
        assert withheld.values == [] and withheld.total is None
    finally:
        engine.close()
