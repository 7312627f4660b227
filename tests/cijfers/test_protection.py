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

from belfort.cijfers.protection import HIDDEN, Cell, below, protect


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
        if shown[i] == below(k):
            domains.append(range(1, k))
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


def test_the_attack_finds_a_naive_publication() -> None:
    """The attack is real: publishing only the primary suppression gives a value away."""
    shown: list[str | int] = [40, "< 5", 50]
    assert recovered(shown, 93, 5, bound=100) == {1: 3}
