"""Small numbers protected: what is published for each cell of an indicator.

Per period the published figures are the wijk values and the city value, and the city is
the sum of its wijken (for counts and sums exactly; for means, shares and rates through
the counts behind them, ``contributors``). So, per period:

- **primary**: a cell whose contributors are more than 0 and below the indicator's
  threshold ``k`` is published as ``"< k"``; 0 is always published;
- **secondary**: cells published as ``"x"`` so that no hidden cell follows from the city
  figure minus the published wijken. ``belfort.query.suppression.suppress`` makes the first
  choice (at least two hidden cells summing to ``k`` or more); then the choice is checked
  against what an attacker knows besides the sum — a ``"< k"`` cell is 1 … k−1, an ``"x"``
  cell at least ``k`` (0 is always shown, 1 … k−1 reads ``"< k"``) — and, while some hidden cell
  has only one possible value, the smallest published wijk is hidden too; when every wijk is
  hidden and one still has one possible value, the city is hidden as well;
- the city itself is ``"< k"`` when its contributors are below the threshold.

A cell without ``contributors`` (an imported value with no count behind it) is published
as it is. The threshold is 0 (no protection) or 3 or more: ``"< 2"`` could only mean 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from belfort.query.suppression import suppress

HIDDEN = "x"


def below(threshold: int) -> str:
    return f"< {threshold}"


@dataclass
class Cell:
    geoitem: str
    contributors: int | None
    display: str | None = None


def _intervals_count(intervals: list[tuple[int, int]], limit: int) -> list[int]:
    """Up to ``limit`` distinct integers in the union of closed intervals."""
    found: set[int] = set()
    for low, high in sorted(intervals):
        value = low
        while value <= high and len(found) < limit:
            found.add(value)
            value += 1
    return sorted(found)[:limit]


def possible_values(
    cells: Sequence[Cell], residual: int, k: int, index: int, limit: int = 2
) -> list[int]:
    """Up to ``limit`` values hidden cell ``index`` may have, given the hidden cells' sum
    ``residual`` and their published text (the attacker's view): a "< k" cell is 1 … k−1,
    an "x" cell k or more (0 is always shown; 1 … k−1 would read "< k")."""
    p = sum(1 for j, c in enumerate(cells) if j != index and c.display != HIDDEN)
    q = sum(1 for j, c in enumerate(cells) if j != index and c.display == HIDDEN)
    # what the others may sum to, as intervals; then this cell is the residual minus that
    others = [(p + q * k, residual)] if q else [(p, p * (k - 1))]
    mine = [(residual - high, residual - low) for low, high in others if low <= high]
    own = [(1, k - 1)] if cells[index].display != HIDDEN else [(k, residual)]
    both = [(max(a, c), min(b, d)) for a, b in mine for c, d in own if max(a, c) <= min(b, d)]
    return _intervals_count(both, limit)


def exposed(hidden: Sequence[Cell], residual: int, k: int) -> bool:
    return any(len(possible_values(hidden, residual, k, i)) < 2 for i in range(len(hidden)))


def protect(city: Cell | None, wijken: Sequence[Cell], threshold: int) -> None:
    """Set ``display`` on the cells of one indicator and one period that may not be published."""
    k = threshold
    if k <= 0:
        return
    counted = [c for c in wijken if c.contributors]  # 0 is always shown: never a partner
    for cell in counted:
        if 0 < (cell.contributors or 0) < k:
            cell.display = below(k)
    if city is not None and city.contributors is not None and 0 < city.contributors < k:
        city.display = below(k)
    if not counted:
        return
    first = suppress(
        [(c.geoitem,) for c in counted],
        [int(c.contributors or 0) for c in counted],
        k,
        suppress_zeros=False,
    )
    for index in first:
        if counted[index].display is None:
            counted[index].display = HIDDEN
    if city is None or city.display is not None or city.contributors is None:
        return  # no sum is published: nothing follows from it
    order = sorted(
        range(len(counted)), key=lambda i: (int(counted[i].contributors or 0), counted[i].geoitem)
    )
    while True:
        hidden = [c for c in counted if c.display is not None]
        if not hidden:
            return
        residual = int(city.contributors) - sum(
            int(c.contributors or 0) for c in counted if c.display is None
        )
        if not exposed(hidden, residual, k):
            return
        shown = [i for i in order if counted[i].display is None]
        if not shown:
            city.display = HIDDEN
            return
        counted[shown[0]].display = HIDDEN
