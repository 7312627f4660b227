"""A wijk's profile from published values only: its figure next to the city's, its rank
among the wijken, a plain-language comparison, and class breaks for a map.

Everything here works from ``belfort.cijfers.published.Published``: a protected cell has no
number, so it has no rank, takes no part in another wijk's rank (a rank among hidden cells
would tell which side of a published figure they lie) and makes no sentence.

- **Counts** (the city's figure is the sum of its wijken: it is at least twice the largest
  published wijk) are compared per 1,000 inhabitants (``POPULATION``), both published;
- other figures (shares, means, rates) are compared as they are;
- within ``TOLERANCE`` (10 % of the city's figure) a wijk is "about as" the city.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from belfort.cijfers.published import POPULATION, Published, Series

TOLERANCE = 0.10
CLASSES = 5


@dataclass(frozen=True)
class Rank:
    position: int  # 1: the highest published figure
    among: int  # wijken with a published figure
    total: int  # all wijken


def rank(wijk: str, values: dict[str, Published], total: int) -> Rank | None:
    """The wijk's place among the wijken with a published figure (None when its own is not)."""
    own = values.get(wijk)
    if own is None or own.number is None:
        return None
    numbers = [v.number for v in values.values() if v.number is not None]
    higher = sum(1 for n in numbers if n > own.number)
    return Rank(higher + 1, len(numbers), total)


def is_count(series: Series, city: str, wijk_values: dict[str, Published]) -> bool:
    """The city's figure is a sum of the wijken's (counts, sums) rather than a share or mean."""
    latest = series.latest
    if latest is None:
        return False
    city_number = series.get(city, latest).number
    shown = [v.number for v in wijk_values.values() if v.number is not None]
    if city_number is None or not shown:
        return False
    return city_number > 0 and city_number >= 2 * max(shown)


@dataclass(frozen=True)
class Comparison:
    """How a wijk compares with the city: ``direction`` is ``higher``, ``lower`` or
    ``similar``; ``per_thousand``: both figures are per 1,000 inhabitants."""

    code: str
    direction: str
    wijk: float
    city: float
    per_thousand: bool

    @property
    def deviation(self) -> float:
        return abs(self.wijk - self.city) / abs(self.city) if self.city else 0.0


def compare(series: Series, wijk: str, city: str, counted: bool,
            population: Series | None) -> Comparison | None:
    """The wijk against the city at the latest period, or None when a figure is not published
    (or, for a count, the population of the wijk or the city is not)."""
    period = series.latest
    if period is None or series.info.code == POPULATION:
        return None
    own, whole = series.get(wijk, period).number, series.get(city, period).number
    if own is None or whole is None:
        return None
    if counted:
        if population is None:
            return None
        people, everyone = population.get(wijk, period).number, population.get(city, period).number
        if not people or not everyone:
            return None
        own, whole = 1000 * own / people, 1000 * whole / everyone
    if whole == 0:
        direction = "similar" if own == 0 else "higher"
    else:
        change = (own - whole) / abs(whole)
        direction = (
            "higher" if change > TOLERANCE else "lower" if change < -TOLERANCE else "similar"
        )
    return Comparison(series.info.code, direction, own, whole, counted)


def notable(comparisons: Sequence[Comparison], limit: int = 6) -> list[Comparison]:
    """The comparisons furthest from the city (``similar`` ones last), for the summary."""
    ranked = sorted(comparisons, key=lambda c: (c.direction == "similar", -c.deviation, c.code))
    return [c for c in ranked if c.direction != "similar"][:limit]


def class_breaks(numbers: Sequence[float], classes: int = CLASSES) -> list[float]:
    """Quantile class breaks: ``classes + 1`` increasing edges from the lowest to the highest
    number (fewer when numbers repeat, one when they are all equal, ``[]`` without any)."""
    ordered = sorted(n for n in numbers if n is not None and math.isfinite(n))
    if not ordered:
        return []
    edges = [ordered[0]]
    for i in range(1, classes):
        position = i * (len(ordered) - 1) / classes
        low = math.floor(position)
        high = min(low + 1, len(ordered) - 1)
        edge = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
        if edge > edges[-1]:
            edges.append(edge)
    if ordered[-1] > edges[-1]:
        edges.append(ordered[-1])
    return edges


def class_of(number: float, edges: Sequence[float]) -> int:
    """The class (0-based) a number falls in: ``edges[i] <= n < edges[i+1]``; the top edge is
    in the last class."""
    for i in range(len(edges) - 2, -1, -1):
        if number >= edges[i]:
            return i
    return 0
