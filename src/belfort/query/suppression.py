"""Cell suppression for aggregation thresholds (statistical disclosure control).

Pure functions over a table of cells: each cell is a group (its key values) and the
number of rows (contributors) in it. ``suppress`` decides which cells may not be
released so that

- **primary**: no released cell has fewer than ``k`` contributors (and, when
  ``suppress_zeros``, no cell with zero contributors is released either);
- **secondary**: no suppressed cell can be derived from released figures. The released
  figures an attacker can combine are the cells of this table and every *margin* of it:
  for a table grouped by keys (a, b), the totals per a (a query grouped by a alone), per b
  and the grand total (a query without grouping) — each of which is itself released only
  when it has at least ``k`` contributors. For every such line (the cells sharing a margin)
  the suppressed cells must be none, or at least two whose sum is at least ``k``: then
  "margin minus released cells" is an aggregate over ``k`` or more contributors, never one
  cell. With two or more keys the cells' linear system is also checked exactly: a suppressed
  cell that the known margins determine (a bridge in a 2-D table) gets a partner suppressed
  next to it; when that cannot be repaired, the whole table is suppressed.

Cells are chosen deterministically (smallest count first, ties by key), so asking the same
question twice never suppresses different cells (two different choices would together
reveal a suppressed cell).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from itertools import combinations

import numpy as np

MAX_KEYS = 6  # margins of up to 2**6 - 1 groupings are checked
MAX_EXACT_CELLS = 5000  # suppressed cells checked exactly; above: the whole table is suppressed
MAX_ROUNDS = 10_000


def lines_of(keys: Sequence[tuple[Hashable, ...]]) -> list[list[int]]:
    """The cells (indices) behind each margin of the table: one list per value of every
    proper subset of the key positions, the grand total (empty subset) first."""
    width = len(keys[0]) if keys else 0
    found: list[list[int]] = []
    for size in range(width):
        for subset in combinations(range(width), size):
            groups: dict[tuple[Hashable, ...], list[int]] = defaultdict(list)
            for index, key in enumerate(keys):
                groups[tuple(key[i] for i in subset)].append(index)
            found.extend(groups.values())
    return found


def suppress(
    keys: Sequence[tuple[Hashable, ...]], counts: Sequence[int], k: int, *,
    suppress_zeros: bool = True,
) -> set[int]:
    """Indices of the cells that must not be released (see the module's docstring)."""
    if len(keys) != len(counts):
        raise ValueError("one count per cell")
    if not counts:
        return set()
    if len(keys[0]) > MAX_KEYS:
        raise ValueError(f"at most {MAX_KEYS} group keys")
    suppressed = {i for i, n in enumerate(counts) if n < k and (n > 0 or suppress_zeros)}
    if not suppressed:
        return suppressed
    order = {i: (counts[i], repr(keys[i]), i) for i in range(len(counts))}
    lines = lines_of(keys)
    width = len(keys[0])
    for _ in range(MAX_ROUNDS):
        if _complete_lines(lines, counts, k, suppressed, order):
            continue
        if width < 2:
            return suppressed
        exposed = determined(lines, counts, k, suppressed)
        if exposed is None:  # too many to check exactly
            return set(range(len(counts)))
        if not exposed:
            return suppressed
        if not _partner(exposed, lines, suppressed, order):
            return set(range(len(counts)))
    return set(range(len(counts)))  # pragma: no cover - every round suppresses a cell


def _complete_lines(
    lines: list[list[int]], counts: Sequence[int], k: int, suppressed: set[int],
    order: dict[int, tuple[int, str, int]],
) -> bool:
    """Suppress the smallest released cells of every line whose suppressed cells are one,
    or sum to less than ``k``; whether anything was added."""
    changed = False
    for members in lines:
        hidden = [i for i in members if i in suppressed]
        if not hidden:
            continue
        residual = sum(counts[i] for i in hidden)
        if len(hidden) >= 2 and residual >= k:
            continue
        released = sorted((order[i] for i in members if i not in suppressed))
        for count, _, index in released:
            suppressed.add(index)
            hidden.append(index)
            residual += count
            changed = True
            if len(hidden) >= 2 and residual >= k:
                break
    return changed


def determined(
    lines: list[list[int]], counts: Sequence[int], k: int, suppressed: set[int]
) -> list[int] | None:
    """Suppressed cells whose value the released margins fix exactly (None: too many
    suppressed cells to check). A margin counts as released when it has ``k`` or more
    contributors; the unknowns are the suppressed cells, each known margin one equation."""
    hidden = sorted(suppressed)
    if len(hidden) > MAX_EXACT_CELLS:
        return None
    column = {cell: j for j, cell in enumerate(hidden)}
    rows = []
    for members in lines:
        if sum(counts[i] for i in members) < k:
            continue  # a margin below k is itself suppressed where it would be released
        row = np.zeros(len(hidden))
        for i in members:
            if i in column:
                row[column[i]] = 1.0
        if row.any():
            rows.append(row)
    if not rows:
        return []
    matrix = np.array(rows)
    # a cell is fixed exactly when its unit vector lies in the equations' row space: its
    # projection onto that space, a_j' (A A')^+ a_j for column a_j, has length one (through
    # the small Gram matrix of the equations: one line per margin, far fewer than cells)
    gram = matrix @ matrix.T
    values, vectors = np.linalg.eigh(gram)
    keep = values > 1e-9 * max(1.0, float(values.max()))
    spread = vectors[:, keep].T @ matrix
    projection = (spread**2 / values[keep][:, None]).sum(axis=0)
    return [hidden[j] for j in range(len(hidden)) if projection[j] > 1 - 1e-6]


def _partner(
    exposed: list[int], lines: list[list[int]], suppressed: set[int],
    order: dict[int, tuple[int, str, int]],
) -> bool:
    """Suppress, for the first exposed cell, the smallest released cell of a line it is in."""
    for cell in exposed:
        candidates = sorted(
            order[i] for members in lines if cell in members for i in members
            if i not in suppressed
        )
        if candidates:
            suppressed.add(candidates[0][2])
            return True
    return False
