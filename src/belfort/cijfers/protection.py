"""Small numbers protected: what is published for each cell of an indicator.

Per period the published figures are the wijk values and the city value, and the city is
the sum of its wijken (for counts and sums exactly; for means, shares and rates through
the counts behind them, ``contributors``). So, per period:

- **primary**: a cell whose contributors are more than 0 and below the indicator's
  threshold ``k`` is published as ``"< k"``; 0 is published (see the city below);
- **secondary**: cells published as ``"x"`` so that no hidden cell follows from the city
  figure minus the published wijken. ``belfort.query.suppression.suppress`` makes the first
  choice (at least two hidden cells summing to ``k`` or more); then the choice is checked
  against what an attacker knows besides the sum — a ``"< k"`` cell is 1 … k−1, an ``"x"``
  cell at least ``k`` (0 is always shown, 1 … k−1 reads ``"< k"``) — and, while some hidden cell
  has only one possible value, the smallest published wijk is hidden too; when every wijk is
  hidden and one still has one possible value, the city is hidden as well;
- the city itself is ``"< k"`` when its contributors are below the threshold, and then so
  is every wijk, 0 included: were 0 shown, ``k − 1`` wijken that are not 0 under a city
  below ``k`` could only be 1 each.

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
        # the whole city counts fewer than k: every wijk reads "< k", zeros too (with 0 shown,
        # k − 1 wijken that are not 0 under a city below k would each have to be 1)
        city.display = below(k)
        for cell in wijken:
            if cell.contributors is not None:
                cell.display = below(k)
        return
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


# --- a breakdown: the wijken × members table with its margins -------------------------------
#
# With a breakdown the published figures form a table: rows the wijken and the city, columns
# the members and the total; each wijk's members add up to its total, each member's wijken to
# the city's member, and the city's members to the city's total. Signed so that every row and
# every column adds up to zero (a margin counts −1, the city's total +1), a hidden cell can
# take another value exactly when it lies on a cycle of hidden cells — alternately along a row
# and along a column — that can be shifted by one within what the attacker knows of each cell
# ("< k": 1 … k−1, "x": k or more). Such tables are network flows (totally unimodular), so
# this is exact: no cycle, and every table consistent with the publication agrees on the cell.

Position = tuple[int, int]  # (row, column) in the table; the last row is the city, the last
# column the total


def _sign(position: Position, rows: int, columns: int) -> int:
    inner_row, inner_column = position[0] < rows - 1, position[1] < columns - 1
    return 1 if inner_row == inner_column else -1


def _moves(cell: Cell | None, k: int) -> tuple[bool, bool]:
    """Can the attacker's view of a cell go up by one, down by one? A published number is
    fixed; a cell with no count behind it (missing) is anything."""
    if cell is None or cell.contributors is None:
        return True, True
    if cell.display is None:
        return False, False
    value = int(cell.contributors)
    low, high = (1, k - 1) if cell.display == below(k) else (k, None)
    return (high is None or value < high), value > low


def _arcs(
    table: dict[Position, Cell | None], rows: int, columns: int, k: int
) -> dict[tuple[str, int], list[tuple[tuple[str, int], Position]]]:
    arcs: dict[tuple[str, int], list[tuple[tuple[str, int], Position]]] = {}
    for r in range(rows):
        for c in range(columns):
            up, down = _moves(table.get((r, c)), k)
            if _sign((r, c), rows, columns) < 0:
                up, down = down, up
            if up:
                arcs.setdefault(("r", r), []).append((("c", c), (r, c)))
            if down:
                arcs.setdefault(("c", c), []).append((("r", r), (r, c)))
    return arcs


def _reaches(
    arcs: dict[tuple[str, int], list[tuple[tuple[str, int], Position]]],
    start: tuple[str, int],
    goal: tuple[str, int],
    without: Position,
) -> bool:
    seen = {start}
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt, position in arcs.get(node, ()):
            if position == without or nxt in seen:
                continue
            if nxt == goal:
                return True
            seen.add(nxt)
            todo.append(nxt)
    return False


def table_exposed(
    table: dict[Position, Cell | None], rows: int, columns: int, k: int
) -> list[Position]:
    """The hidden cells whose value follows from what is published (no cycle through them)."""
    arcs = _arcs(table, rows, columns, k)
    return [
        position
        for position, cell in sorted(table.items())
        if cell is not None
        and cell.display is not None
        and cell.contributors is not None
        and _fixed(arcs, table, position, rows, columns, k)
    ]


def _fixed(
    arcs: dict[tuple[str, int], list[tuple[tuple[str, int], Position]]],
    table: dict[Position, Cell | None],
    position: Position,
    rows: int,
    columns: int,
    k: int,
) -> bool:
    r, c = position
    up, down = _moves(table.get(position), k)
    if _sign(position, rows, columns) < 0:
        up, down = down, up
    return not (
        (up and _reaches(arcs, ("c", c), ("r", r), position))
        or (down and _reaches(arcs, ("r", r), ("c", c), position))
    )


def protect_table(table: dict[Position, Cell | None], rows: int, columns: int, k: int) -> None:
    """Protect a breakdown's table (``table``: the wijken's and the city's rows, the members'
    and the total's columns; a cell absent or None is missing). The totals come protected
    (``protect``); here the members are: primary ("< k"), then — while some hidden cell
    follows from the others — one more published cell in its row or column is hidden, the
    one that protects it if there is one, else the smallest; a total too when it must. When
    only zeros are left to hide, every member of the period is hidden, zeros too: then the
    members say nothing, and the totals are protected on their own."""
    if k <= 0:
        return
    for (_, c), cell in table.items():
        if cell is not None and c < columns - 1 and cell.display is None:
            if 0 < (cell.contributors or 0) < k:
                cell.display = below(k)
    while True:
        exposed = table_exposed(table, rows, columns, k)
        if not exposed:
            return
        r, c = exposed[0]
        shown = sorted(
            (
                (int(cell.contributors or 0), position)
                for position, cell in table.items()
                if cell is not None and cell.display is None and cell.contributors
            ),
        )
        if not shown:  # only zeros are left: the period's breakdown is withheld altogether
            for (_, column), cell in table.items():
                if cell is not None and column < columns - 1:
                    cell.display = HIDDEN
            return
        near = [(v, p) for v, p in shown if p[0] == r or p[1] == c]
        choice = None
        for _, position in near:
            cell = table[position]
            assert cell is not None
            cell.display = HIDDEN
            if not _fixed(_arcs(table, rows, columns, k), table, (r, c), rows, columns, k):
                choice = position
            cell.display = None
            if choice is not None:
                break
        if choice is None:
            choice = (near or shown)[0][1]
        chosen = table[choice]
        assert chosen is not None
        chosen.display = HIDDEN
