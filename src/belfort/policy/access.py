"""What a principal may do with one dataset: the gate's decision, as plain data.

The gate (``gate.py``) decides from the dataset's classification, its fields'
classifications and the ODRL policies that name the principal (``odrl.py``,
``evaluate.py``); every dialect applies the decision the same way through
``reading.readable`` (docs/access.md):

- ``actions``: what the principal may do — ``read`` rows, only ``aggregate`` them, ``export``
  whole files, ``stream`` live changes;
- ``fields``: the fields it may see (None: every field);
- ``row_filter``: an Opendatasoft ``where`` expression that selects the rows it may see;
- ``min_group_size``: with ``aggregate`` only, every group it sees has at least this many
  rows (smaller groups, and the groups that would reveal them, are suppressed);
- ``purpose``: the purpose the request declared and the grant required (DPV term);
- ``policy_id``: the policy that allowed it (None: open data or an admin), recorded in the
  audit trail;
- ``charges``: the request counters (ODRL ``count`` constraints) a read under it counts in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    READ = "read"
    AGGREGATE = "aggregate"
    EXPORT = "export"
    STREAM = "stream"


ALL_ACTIONS = frozenset(Action)
DEFAULT_MIN_GROUP_SIZE = 10  # k, as the ACRO output checker's ``safe_threshold``


@dataclass(frozen=True)
class Charge:
    """One request counter a read under a grant counts in: an ODRL ``count`` constraint of
    the permission that granted it (``belfort.policy.counts``)."""

    policy_uid: str
    party: str  # the principal's party the permission names
    period: dt.timedelta | None  # None: counted for ever
    limit: int | None  # the most requests a window allows (None: counted, never refused)


@dataclass(frozen=True)
class Grant:
    """What one permission (or the classification's default) allows on one dataset."""

    actions: frozenset[Action] = ALL_ACTIONS
    fields: frozenset[str] | None = None
    row_filter: str | None = None
    min_group_size: int | None = None
    purpose: str | None = None
    policy_id: str | None = None
    expires_at: dt.datetime | None = None
    charges: tuple[Charge, ...] = ()

    @property
    def aggregates_only(self) -> bool:
        return Action.READ not in self.actions and Action.AGGREGATE in self.actions

    @property
    def restricted(self) -> bool:
        """Whether anything is held back (a field, rows, or row-level reads)."""
        return (self.fields is not None or self.row_filter is not None
                or self.min_group_size is not None or self.actions != ALL_ACTIONS)

    def allows(self, action: Action) -> bool:
        if action == Action.AGGREGATE:  # who may read rows may aggregate them
            return bool(self.actions & {Action.READ, Action.AGGREGATE})
        return action in self.actions


FULL = Grant()
"""Everything: an admin's grant, and anyone's on open data without restricted fields."""
