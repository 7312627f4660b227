"""Cell suppression (belfort.query.suppression): primary and secondary, as an attacker sees it."""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from belfort.query.suppression import lines_of, suppress


def one_key(counts: list[int]) -> tuple[list[tuple[str]], list[int]]:
    return [(f"g{i}",) for i in range(len(counts))], counts


def test_k_boundary_one_below_is_suppressed_k_itself_is_released() -> None:
    keys, counts = one_key([9, 10, 11, 50, 60])
    hidden = suppress(keys, counts, 10)
    assert 0 in hidden  # 9 < k
    assert 3 not in hidden and 4 not in hidden
    # k itself is safe: with 9 hidden, the next-smallest (10) goes too, secondary
    assert hidden == {0, 1}


def test_nothing_small_nothing_suppressed() -> None:
    keys, counts = one_key([10, 10, 25])
    assert suppress(keys, counts, 10) == set()


def test_total_minus_released_never_gives_a_single_small_cell() -> None:
    # total = 103; with only the 3 hidden, 103 - 100 = 3 would reveal it
    keys, counts = one_key([3, 40, 60])
    hidden = suppress(keys, counts, 10)
    assert hidden == {0, 1}
    released = sum(c for i, c in enumerate(counts) if i not in hidden)
    assert sum(counts) - released == 43 >= 10


def test_two_small_cells_summing_below_k_take_a_third() -> None:
    # 1 + 2 = 3 < k: the residual would bound each to 1 and 2
    keys, counts = one_key([1, 2, 30, 40])
    hidden = suppress(keys, counts, 10)
    assert hidden == {0, 1, 2}


def test_zeros_disclosive_by_default() -> None:
    keys, counts = one_key([0, 20, 30])
    assert 0 in suppress(keys, counts, 10)
    assert suppress(keys, counts, 10, suppress_zeros=False) == set()


def test_deterministic_ties_by_key() -> None:
    keys = [("b",), ("a",), ("c",)]
    counts = [5, 12, 12]
    assert suppress(keys, counts, 10) == {0, 1}  # the 12 of "a" (sorts before "c")
    # the same table in another row order suppresses the same groups
    again = suppress(list(reversed(keys)), list(reversed(counts)), 10)
    assert {keys[2 - i] for i in again} == {("b",), ("a",)}


def test_two_way_table_protects_every_margin() -> None:
    #        b1  b2  b3
    # a1      3  15  20
    # a2     20  25  30
    keys = [("a1", "b1"), ("a1", "b2"), ("a1", "b3"), ("a2", "b1"), ("a2", "b2"), ("a2", "b3")]
    counts = [3, 15, 20, 20, 25, 30]
    hidden = suppress(keys, counts, 10)
    assert 0 in hidden
    assert_safe(keys, counts, 10, hidden)


def test_bridge_between_two_cycles_is_repaired() -> None:
    # a cell whose value the row and column margins fix although every line hides two
    keys = [(a, b) for a in range(4) for b in range(4)]
    counts = [3 if (a, b) in {(0, 0), (1, 1)} else 50 for a, b in keys]
    hidden = suppress(keys, counts, 10)
    assert_safe(keys, counts, 10, hidden)


def test_more_than_six_keys_refused() -> None:
    try:
        suppress([(1,) * 7], [3], 10)
    except ValueError:
        return
    raise AssertionError("seven keys accepted")


def derivable(
    keys: list[tuple[object, ...]], counts: list[int], k: int, hidden: set[int]
) -> set[int]:
    """Hidden cells an attacker solves exactly from the released margins (rank test)."""
    cells = sorted(hidden)
    rows = []
    for members in lines_of(keys):
        if sum(counts[i] for i in members) < k:
            continue
        rows.append([1.0 if c in members else 0.0 for c in cells])
    if not rows or not cells:
        return set()
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    found = set()
    for j, cell in enumerate(cells):
        unit = np.zeros(len(cells))
        unit[j] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.add(cell)
    return found


def assert_safe(
    keys: list[tuple[object, ...]], counts: list[int], k: int, hidden: set[int]
) -> None:
    for i, n in enumerate(counts):
        if i not in hidden:
            assert n >= k, f"released cell {keys[i]} has {n} < {k}"
    width = len(keys[0])
    for size in range(width):
        for subset in combinations(range(width), size):
            lines: dict[tuple[object, ...], list[int]] = defaultdict(list)
            for i, key in enumerate(keys):
                lines[tuple(key[j] for j in subset)].append(i)
            for members in lines.values():
                margin = sum(counts[i] for i in members)
                released = sum(counts[i] for i in members if i not in hidden)
                if margin < k or released == 0:
                    continue  # the margin is itself suppressed, or this table adds nothing
                for i in members:
                    if i in hidden:
                        assert margin - released != counts[i], (
                            f"{keys[i]} = margin {margin} - released {released}"
                        )
                residual = margin - released
                assert residual == 0 or residual >= k
    # no small cell becomes solvable because of what this table released (a cell that the
    # margins alone fix is the margins' queries' business: they suppress it there)
    small = {i for i in hidden if counts[i] < k}
    assert not (derivable(keys, counts, k, hidden) & small) - derivable(
        keys, counts, k, set(range(len(counts)))
    )


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=12),
    st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=25),
)
def test_property_one_key(k: int, counts: list[int]) -> None:
    keys, counts = one_key(counts)
    assert_safe(keys, counts, k, suppress(keys, counts, k))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=2, max_value=12),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=5),
    st.data(),
)
def test_property_two_keys(k: int, rows: int, cols: int, data: st.DataObject) -> None:
    keys: list[tuple[object, ...]] = []
    counts: list[int] = []
    for a in range(rows):
        for b in range(cols):
            if data.draw(st.booleans()) or (a == 0 and b == 0):  # sparse: absent groups too
                keys.append((a, b))
                counts.append(data.draw(st.integers(min_value=1, max_value=30)))
    assert_safe(keys, counts, k, suppress(keys, counts, k))
