"""A wijk's rank, its comparison with the city and the map's class breaks, from published
values only (belfort.cijfers.profile)."""

from __future__ import annotations

from belfort.cijfers import profile
from belfort.cijfers.published import IndicatorInfo, Published, Series, publish

INFO = IndicatorInfo("proef", "Proef", "Test", "", "", "demografie", "personen", 0, 5, "year",
                     False, "table", ())


def _series(cells: dict[tuple[str, str], Published], code: str = "proef") -> Series:
    info = IndicatorInfo(code, *[getattr(INFO, f) for f in list(INFO.__dataclass_fields__)[1:]])
    return Series(info, tuple(sorted({p for _, p in cells})), cells)


def test_publish_never_keeps_the_value_of_a_protected_cell() -> None:
    assert publish(3.0, None, "< 5", 0) == Published(mark="< 5")
    assert publish(12345.0, None, "x", 0) == Published(mark="x")
    assert publish(None, -99997, None, 0) == Published(missing=-99997)
    assert publish(7.456, None, None, 1) == Published(number=7.5)
    assert publish(7.6, None, None, 0) == Published(number=8.0)


def test_rank_is_among_published_figures_only() -> None:
    values = {"1": Published(number=10.0), "2": Published(mark="x"), "3": Published(number=30.0),
              "4": Published(mark="< 5"), "5": Published(number=20.0)}
    assert profile.rank("5", values, 25) == profile.Rank(2, 3, 25)
    assert profile.rank("3", values, 25) == profile.Rank(1, 3, 25)
    assert profile.rank("2", values, 25) is None  # a withheld figure has no rank
    assert profile.rank("9", values, 25) is None


def test_counts_are_compared_per_thousand_inhabitants_with_a_tolerance() -> None:
    young = _series({("1", "2024"): Published(number=300.0),
                     ("g", "2024"): Published(number=20_000.0),
                     ("2", "2024"): Published(number=100.0)})
    people = _series({("1", "2024"): Published(number=1_000.0),
                      ("g", "2024"): Published(number=100_000.0)}, "bev_totaal")
    wijken = {"1": Published(number=300.0), "2": Published(number=100.0)}
    assert profile.is_count(young, "g", wijken)
    found = profile.compare(young, "1", "g", True, people)
    assert found is not None and found.direction == "higher" and found.per_thousand
    assert (found.wijk, found.city) == (300.0, 200.0)
    close = _series({("1", "2024"): Published(number=21.0), ("g", "2024"): Published(number=20.0)})
    assert not profile.is_count(close, "g", {"1": Published(number=21.0)})
    result = profile.compare(close, "1", "g", False, None)
    assert result is not None and result.direction == "similar"  # 5 % off: within 10 %
    low = _series({("1", "2024"): Published(number=17.0), ("g", "2024"): Published(number=20.0)})
    result = profile.compare(low, "1", "g", False, None)
    assert result is not None and result.direction == "lower"
    hidden = _series({("1", "2024"): Published(mark="< 5"), ("g", "2024"): Published(number=20.0)})
    assert profile.compare(hidden, "1", "g", False, None) is None
    assert profile.compare(young, "1", "g", True, None) is None  # no population: no sentence


def test_class_breaks_are_quantiles_and_every_number_has_a_class() -> None:
    numbers = [float(n) for n in range(1, 26)]
    edges = profile.class_breaks(numbers)
    assert len(edges) == 6 and edges[0] == 1 and edges[-1] == 25
    assert edges == sorted(edges)
    classes = [profile.class_of(n, edges) for n in numbers]
    assert set(classes) == {0, 1, 2, 3, 4}
    assert [classes.count(c) for c in range(5)] == [5, 5, 5, 5, 5]
    assert profile.class_breaks([]) == []
    assert profile.class_breaks([3.0, 3.0, 3.0]) == [3.0]
    few = profile.class_breaks([1.0, 1.0, 1.0, 1.0, 9.0])
    assert few[0] == 1.0 and few[-1] == 9.0 and len(few) < 6
