"""Small numbers protected: what is published for each cell of an indicator.

Per period the published figures are the wijk values and the city value, and the city is
the sum of its wijken (for counts and sums exactly; for means, shares and rates through
the counts behind them). So, per period:

- **primary**: a cell whose ``contributors`` are more than 0 and below the indicator's
  threshold is not published: ``"< 5"`` (the threshold); 0 is always published;
- **secondary**: ``belfort.query.suppression.suppress`` over the wijk cells with the city as
  their margin, so that "city minus the published wijken" is never one hidden cell nor
  less than the threshold: the extra hidden cells are published as ``"x"``;
- the city itself is primary-suppressed when its contributors are below the threshold.

A cell without ``contributors`` (an imported value with no count behind it) is published
as it is, and a missing code is published as that code.
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


def protect(city: Cell | None, wijken: Sequence[Cell], threshold: int) -> None:
    """Set ``display`` on the cells of one indicator and one period that may not be published."""
    if threshold <= 0:
        return
    counted = [c for c in wijken if c.contributors is not None]
    for cell in counted:
        if 0 < (cell.contributors or 0) < threshold:
            cell.display = below(threshold)
    if city is not None and city.contributors is not None and 0 < city.contributors < threshold:
        city.display = below(threshold)
    if not counted:
        return
    keys = [(c.geoitem,) for c in counted]
    hidden = suppress(keys, [int(c.contributors or 0) for c in counted], threshold,
                      suppress_zeros=False)
    for index in hidden:
        if counted[index].display is None:
            counted[index].display = HIDDEN
    if len(hidden) == len(counted) and city is not None and city.display is None and len(counted) == 1:
        city.display = HIDDEN  # the city is its one wijk
