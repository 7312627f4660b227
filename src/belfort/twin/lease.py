"""One process at a time: a named row of ``alert_lease`` held with a conditional UPDATE and
released afterwards; a lease whose holder died runs out. The alert evaluator, forecast
training and forecast refreshes each hold their own name. Leases run by the database's clock
(``catalog.database.database_clock_us``), so nodes whose clocks differ still take turns."""

from __future__ import annotations

import os
import secrets
import socket

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError

from belfort.catalog.database import database_clock_us
from belfort.catalog.models import AlertLease
from belfort.platform import Platform


def holder_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def take(platform: Platform, name: str, holder: str, seconds: float) -> bool:
    """Whether ``holder`` holds the lease ``name`` now (until ``seconds`` from now)."""
    with platform.db.session() as session:
        now_us = database_clock_us(session)
        if session.get(AlertLease, name) is None:
            try:
                with session.begin_nested():
                    session.add(AlertLease(name=name, holder=None, lease_until_us=0))
            except IntegrityError:  # another process added it a moment ago
                pass
        taken = session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            update(AlertLease)
            .where(AlertLease.name == name,
                   or_(AlertLease.holder.is_(None), AlertLease.holder == holder,
                       AlertLease.lease_until_us < now_us))
            .values(holder=holder, lease_until_us=now_us + int(seconds * 1_000_000))
        ).rowcount
    return bool(taken)


def release(platform: Platform, name: str, holder: str) -> None:
    with platform.db.session() as session:
        session.execute(update(AlertLease).where(AlertLease.name == name,
                                                 AlertLease.holder == holder)
                        .values(holder=None, lease_until_us=0))
