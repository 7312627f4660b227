"""Small numbers protected: an attacker who sees every published figure — each wijk's value
or its "< k"/"x" text, and the city figure — cannot work out any hidden value.

The attack enumerates, by brute force, every table of values consistent with what is
published (a "< k" cell is 1 … k−1, an "x" cell is k or more: 0 is always shown, 1 … k−1
would read "< k"; the wijken
sum to the city when the city is published) and checks that every hidden cell has at least
two possible values."""

from __future__ import annotations

import itertools
import random

import pytest

from belfort.cijfers.protection import HIDDEN, Cell, below, protect, protect_table, table_exposed


def _published(values: list[int], k: int) -> tuple[list[str | int], str | int]:
    cells = [Cell(str(i), v) for i, v in enumerate(values)]
    city = Cell("city", sum(values))
    protect(city, cells, k)
    return [
        c.display or v for c, v in zip(cells, values, strict=True)
    ], city.display or city.contributors or 0


def recovered(shown: list[str | int], city: str | int, k: int, bound: int) -> dict[int, int]:
    """Hidden cells whose value every consistent table agrees on (brute force up to ``bound``)."""
    hidden = [i for i, s in enumerate(shown) if isinstance(s, str)]
    domains = []
    for i in hidden:
        if shown[i] == below(k):  # 1 … k−1 where zeros are shown; under a city below k
            # every wijk reads "< k", 0 too
            zeros_shown = city != below(k) or 0 in shown
            domains.append(range(1 if zeros_shown else 0, k))
        else:
            assert shown[i] == HIDDEN
            domains.append(range(k, bound + 1))
    known = sum(s for s in shown if isinstance(s, int))
    seen: dict[int, set[int]] = {i: set() for i in hidden}
    for combo in itertools.product(*domains):
        if isinstance(city, int) and known + sum(combo) != city:
            continue
        if isinstance(city, str) and city == below(k) and not 0 < known + sum(combo) < k:
            continue
        for i, v in zip(hidden, combo, strict=True):
            seen[i].add(v)
    return {i: next(iter(v)) for i, v in seen.items() if len(v) == 1}


def test_primary_suppression_shows_below_threshold_and_zero() -> None:
    shown, city = _published([0, 3, 40, 50, 60], 5)
    assert shown[0] == 0  # 0 is always shown
    assert shown[1] == "< 5"
    assert HIDDEN in shown  # a partner: else 3 = city − the others
    assert city == 153


@pytest.mark.parametrize("seed", range(300))
def test_no_hidden_value_can_be_recovered_from_the_published_figures(seed: int) -> None:
    rng = random.Random(seed)
    k = rng.choice([3, 5])
    n = rng.randint(2, 5)
    values = [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12]) for _ in range(n)]
    shown, city = _published(values, k)
    assert recovered(shown, city, k, bound=max(values) * n + k) == {}, (values, shown, city)
    for value, text in zip(values, shown, strict=True):  # nothing below k is ever shown
        assert not (isinstance(text, int) and 0 < value < k)


@pytest.mark.parametrize("k", [3, 5])
def test_a_city_below_k_hides_every_wijk_zeros_too(k: int) -> None:
    """k − 1 wijken of 1 under a city of k − 1: with 0 shown, each would have to be 1."""
    values = [1] * (k - 1) + [0, 0]
    shown, city = _published(values, k)
    assert city == below(k) and shown == [below(k)] * len(values)
    assert recovered(shown, city, k, bound=3 * k) == {}
    # what the attack finds when the zeros are shown (the rule before)
    naive: list[str | int] = [below(k)] * (k - 1) + [0, 0]
    assert recovered(naive, below(k), k, bound=3 * k) == {i: 1 for i in range(k - 1)}


def test_the_attack_finds_a_naive_publication() -> None:
    """The attack is real: publishing only the primary suppression gives a value away."""
    shown: list[str | int] = [40, "< 5", 50]
    assert recovered(shown, 93, 5, bound=100) == {1: 3}


# --- a breakdown: wijken × members with every margin published -----------------------------


def _published_table(
    inner: list[list[int]], k: int
) -> tuple[dict[tuple[int, int], Cell | None], int, int]:
    """Protect a breakdown as ``store`` does: the totals first (``protect``), then the table."""
    n, m = len(inner), len(inner[0])
    table: dict[tuple[int, int], Cell | None] = {}
    for r, row in enumerate(inner):
        for c, v in enumerate(row):
            table[(r, c)] = Cell(f"{r}/{c}", v)
        table[(r, m)] = Cell(f"{r}", sum(row))
    for c in range(m):
        table[(n, c)] = Cell(f"city/{c}", sum(row[c] for row in inner))
    table[(n, m)] = Cell("city", sum(map(sum, inner)))
    totals = [table[(r, m)] for r in range(n)]
    protect(table[(n, m)], totals, k)  # type: ignore[arg-type]
    protect_table(table, n + 1, m + 1, k)
    return table, n, m


def _domain(cell: Cell, k: int, bound: int) -> range:
    if cell.display is None:
        return range(int(cell.contributors or 0), int(cell.contributors or 0) + 1)
    if cell.display == below(k):
        return range(1, k)
    assert cell.display == HIDDEN
    return range(k, bound + 1)


def recovered_table(
    table: dict[tuple[int, int], Cell | None], n: int, m: int, k: int, bound: int
) -> set[tuple[int, int]]:
    """Hidden cells (members, totals, the city's) on whose value every table consistent with
    the publication agrees: brute force over the members (up to ``bound``), row by row,
    pruned by the margins."""
    cells = {p: c for p, c in table.items() if c is not None}
    # the members are enumerated up to ``bound``; a hidden margin is only checked (any size)
    domains = {
        p: _domain(c, k, bound if p[0] < n and p[1] < m else 10**9) for p, c in cells.items()
    }
    if all(c.display for (_, pc), c in cells.items() if pc < m):  # withheld: anything
        for (pr, pc) in cells:
            if pc < m:
                domains[(pr, pc)] = range(0, (bound if pr < n else 10**9) + 1)
    seen: dict[tuple[int, int], set[int]] = {p: set() for p, c in cells.items() if c.display}

    def rows_from(r: int, chosen: list[tuple[int, ...]]) -> None:
        if r == n:
            columns = [sum(row[c] for row in chosen) for c in range(m)]
            if any(columns[c] not in domains[(n, c)] for c in range(m)):
                return
            if sum(columns) not in domains[(n, m)]:
                return
            for (pr, pc), values in seen.items():
                if pr < n and pc < m:
                    values.add(chosen[pr][pc])
                elif pr < n:
                    values.add(sum(chosen[pr]))
                elif pc < m:
                    values.add(columns[pc])
                else:
                    values.add(sum(columns))
            return
        for row in itertools.product(*(domains[(r, c)] for c in range(m))):
            if sum(row) not in domains[(r, m)]:
                continue
            partial = [sum(x[c] for x in chosen) + row[c] for c in range(m)]
            if any(partial[c] > domains[(n, c)].stop - 1 for c in range(m)):
                continue
            rows_from(r + 1, [*chosen, row])

    rows_from(0, [])
    return {p for p, values in seen.items() if len(values) == 1}


@pytest.mark.parametrize("seed", range(120))
def test_no_hidden_member_can_be_recovered_from_members_wijken_or_the_city(seed: int) -> None:
    rng = random.Random(seed)
    k = rng.choice([3, 5])
    n, m = rng.randint(2, 3), rng.randint(2, 3)
    inner = [[rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8]) for _ in range(m)] for _ in range(n)]
    table, n, m = _published_table(inner, k)
    bound = max(max(row) for row in inner) + k
    found = recovered_table(table, n, m, k, bound)
    assert {p for p in found if p[1] < m} == set(), (inner, table)  # no member, no city member
    # and no total beyond what the totals alone give away
    totals = [table[(r, m)] for r in range(n)]
    city = table[(n, m)]
    assert totals[0] is not None and city is not None
    shown = [t.display or t.contributors or 0 for t in totals if t is not None]
    alone = recovered(shown, city.display or city.contributors or 0, k, bound=10 * bound)
    assert {r for r, c in found if c == m and r < n} <= set(alone), (inner, table)
    for r, row in enumerate(inner):  # no member below k is ever shown
        for c, value in enumerate(row):
            cell = table[(r, c)]
            assert cell is not None and not (cell.display is None and 0 < value < k)


def test_the_table_attack_finds_a_publication_protected_per_line_only() -> None:
    """The attack is real: a member hidden with a partner in its row only (its column shown)
    follows from its column."""
    table: dict[tuple[int, int], Cell | None] = {
        (0, 0): Cell("a", 3, below(5)), (0, 1): Cell("b", 7, HIDDEN), (0, 2): Cell("t", 10),
        (1, 0): Cell("c", 9), (1, 1): Cell("d", 9), (1, 2): Cell("u", 18),
        (2, 0): Cell("e", 12), (2, 1): Cell("f", 16), (2, 2): Cell("g", 28),
    }
    assert recovered_table(table, 2, 2, 5, bound=30) == {(0, 0), (0, 1)}
    assert set(table_exposed(table, 3, 3, 5)) == {(0, 0), (0, 1)}
