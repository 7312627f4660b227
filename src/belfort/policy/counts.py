"""Request counters for ODRL ``count`` constraints, shared by every process.

One row per (policy uid, party, period window) in ``policy_request_counts`` (catalogue
database). A window is the period's current stretch of time in Brussels time:

- a period of whole days (``P1D``, ``P7D``, ``P1W``…) runs from local midnight; windows of
  several days follow each other from Monday 1 January 2024, so ``P1W`` is a calendar week
  (Monday to Monday) and ``P1D`` the current Brussels day;
- a shorter period (``PT1H``, ``PT15M``…) divides the Brussels day from its midnight (the
  last window of a day ends at the next midnight, also on a daylight-saving change);
- a longer period that is not whole days follows the previous from 1970-01-01 UTC;
- no period: one window for ever.

``made`` peeks at a window's count (evaluating a constraint, listing the catalogue);
``take`` counts one request in one atomic statement that no other process can interleave
with — ``INSERT … ON CONFLICT DO UPDATE SET requests = requests + 1 WHERE requests < limit
RETURNING requests`` (SQLite ≥ 3.35 and PostgreSQL), in its own short transaction — and
answers None when the window is full, so concurrent requests never count past the limit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from belfort.catalog.models import PolicyRequestCount

ZONE = ZoneInfo("Europe/Brussels")
_ANCHOR = dt.date(2024, 1, 1)  # a Monday: windows of whole weeks start on Mondays
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_DAY = dt.timedelta(days=1)
_TABLE: Table = PolicyRequestCount.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Window:
    """One period window: its key in the table and when it ends (None: never)."""

    key: str
    resets_at: dt.datetime | None


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), ZONE).astimezone(dt.UTC)


def window(period: dt.timedelta | None, now: dt.datetime) -> Window:
    """The window of ``period`` that ``now`` falls in."""
    if period is None:
        return Window("forever", None)
    now = now.astimezone(dt.UTC)
    if period % _DAY == dt.timedelta(0):
        days = period.days
        today = now.astimezone(ZONE).date()
        first = _ANCHOR + dt.timedelta(days=(today - _ANCHOR).days // days * days)
        start, end = _midnight(first), _midnight(first + dt.timedelta(days=days))
    elif period < _DAY:
        today = now.astimezone(ZONE).date()
        midnight, next_midnight = _midnight(today), _midnight(today + _DAY)
        start = midnight + (now - midnight) // period * period
        end = min(start + period, next_midnight)
    else:
        start = _EPOCH + (now - _EPOCH) // period * period
        end = start + period
    seconds = int(period.total_seconds())
    return Window(f"{seconds}s@{start.strftime('%Y-%m-%dT%H:%M:%SZ')}", end)


def made(session: Session, policy_uid: str, party: str, period: dt.timedelta | None,
         now: dt.datetime) -> int:
    """The requests ``party`` made under the policy in the current window of ``period``."""
    found = session.scalar(select(PolicyRequestCount.requests).where(
        PolicyRequestCount.policy_uid == policy_uid, PolicyRequestCount.party == party,
        PolicyRequestCount.window == window(period, now).key))
    return int(found or 0)


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def take(session: Session, policy_uid: str, party: str, period: dt.timedelta | None,
         limit: int | None, now: dt.datetime) -> int | None:
    """Count one request in the current window, unless it holds ``limit`` already (None: no
    limit, always counted): the window's requests now, or None when it was not counted.
    Committed at once, on its own."""
    if limit is not None and limit < 1:
        return None
    current = window(period, now)
    engine = _engine(session)
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    table = _TABLE
    statement = dialect.insert(table).values(
        policy_uid=policy_uid, party=party, window=current.key, requests=1,
        resets_at=current.resets_at)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.policy_uid, table.c.party, table.c.window],
        set_={"requests": table.c.requests + 1},
        where=None if limit is None else table.c.requests < limit,
    ).returning(table.c.requests)
    with engine.begin() as connection:
        counted = connection.execute(statement).scalar()
        if counted == 1:  # a new window: forget this party's windows that have ended
            connection.execute(delete(table).where(
                table.c.policy_uid == policy_uid, table.c.party == party,
                table.c.resets_at.is_not(None), table.c.resets_at <= now))
    return None if counted is None else int(counted)


def give_back(session: Session, policy_uid: str, party: str, period: dt.timedelta | None,
              now: dt.datetime) -> None:
    """Undo one ``take`` (a read that counted in one window and then not in another)."""
    table = _TABLE
    with _engine(session).begin() as connection:
        connection.execute(update(table).where(
            table.c.policy_uid == policy_uid, table.c.party == party,
            table.c.window == window(period, now).key, table.c.requests > 0,
        ).values(requests=table.c.requests - 1))
