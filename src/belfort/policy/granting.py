"""What a dataset's policies grant a principal now, for the gate (``belfort.policy.gate``).

- ``granted``: the grant of the live policies on one dataset that name one of the
  principal's parties, evaluated now (``evaluate``) with the request counters as they stand
  (``count`` checked, not consumed) and, when the dataset holds personal data, the purposes
  of its processing-register entry; kept for the session (one request) so the gate's
  several questions about one read evaluate once. ``explain=True`` says *why* a principal a
  policy would grant gets nothing: ``RequestLimitReached`` (a count used up) or
  ``PurposeNotRegistered`` (personal data, a purpose the register does not list) — 403,
  where everyone else gets the 404 of a dataset that does not exist;
- ``count_request``: one read the gate allows under a grant counts in its request counters
  (``belfort.policy.counts``: atomic in every process; a window that is full in the meantime
  sends the evaluation round again, so the read falls to another policy or is refused);
- ``granted_datasets``: the datasets a policy grants the principal some action now (the
  catalogue lists only those of the non-open datasets), in one query for every policy that
  names the principal.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from belfort.catalog.models import Dataset, ProcessingActivity
from belfort.errors import PurposeNotRegistered, RequestLimitReached
from belfort.policy import counts
from belfort.policy.access import Action, Grant
from belfort.policy.evaluate import RequestCounter, declared_purpose, evaluate, purpose_label
from belfort.policy.odrl import Policy
from belfort.policy.policies import changes, policies_for, policies_naming
from belfort.policy.principals import Principal

_MEMO = "belfort.granting"  # Session.info key: (audience, dataset id) → Grant | None
_ROUNDS = 3  # a full window met while counting: evaluate again at most this often
LISTING_SECONDS = 1.0  # how long a process keeps what policies grant a principal, to list
_LISTING: dict[tuple[int, str, int], tuple[float, frozenset[str]]] = {}
_LISTING_LOCK = threading.Lock()


def register_purposes(session: Session, dataset_id: str) -> list[str] | None:
    """For a dataset that holds personal data, the purposes its processing-register entry
    lists (empty without an entry); None for other data."""
    found = session.execute(select(Dataset.personal_data, Dataset.processing_activity)
                            .where(Dataset.id == dataset_id)).first()
    if found is None or not found[0]:
        return None
    purposes = (session.scalar(select(ProcessingActivity.purposes)
                               .where(ProcessingActivity.id == found[1]))
                if found[1] else None)
    return [p for p in purposes or [] if isinstance(p, str)]


def _peek(session: Session, now: dt.datetime) -> RequestCounter:
    seen: dict[tuple[str, str, dt.timedelta | None], int] = {}

    def made(uid: str, party: str, period: dt.timedelta | None) -> int:
        key = (uid, party, period)
        if key not in seen:
            seen[key] = counts.made(session, uid, party, period, now)
        return seen[key]
    return made


def _evaluate(session: Session, principal: Principal, dataset_id: str,
              policies: Sequence[Policy], now: dt.datetime) -> Grant | None:
    counter = _peek(session, now)
    register = register_purposes(session, dataset_id)
    for action in (Action.READ, Action.AGGREGATE):
        grant = evaluate(policies, principal, action, purpose=principal.purpose, now=now,
                         counter=counter, register_purposes=register)
        if grant is not None:
            return grant
    return None


def granted(session: Session, principal: Principal, dataset_id: str, *,
            explain: bool = False) -> Grant | None:
    """The grant of the policies on a dataset that name one of the principal's parties, now
    (None: nothing). ``explain``: raise the 403 that says why, when a policy would grant it
    but for a used-up count or an unregistered purpose."""
    memo: dict[tuple[str, str], Grant | None] = session.info.setdefault(_MEMO, {})
    key = (principal.audience, dataset_id)
    if key in memo and not (explain and memo[key] is None):
        return memo[key]
    now = dt.datetime.now(dt.UTC)
    policies = policies_for(session, dataset_id, principal.parties)
    grant = _evaluate(session, principal, dataset_id, policies, now) if policies else None
    memo[key] = grant
    if grant is None and explain and policies:
        _explain(session, principal, dataset_id, policies, now)
    return grant


def _explain(session: Session, principal: Principal, dataset_id: str,
             policies: Sequence[Policy], now: dt.datetime) -> None:
    """Raise why nothing is granted, when a count or the register is the reason."""
    def unlimited(uid: str, party: str, period: dt.timedelta | None) -> int:
        return 0

    without_counts = None
    for action in (Action.READ, Action.AGGREGATE):
        without_counts = without_counts or evaluate(
            policies, principal, action, purpose=principal.purpose, now=now, counter=unlimited)
    if without_counts is None:
        return  # no policy grants it, whatever the counts and the register: 404
    register = register_purposes(session, dataset_id)
    if register is not None:
        with_register = None
        for action in (Action.READ, Action.AGGREGATE):
            with_register = with_register or evaluate(
                policies, principal, action, purpose=principal.purpose, now=now,
                counter=unlimited, register_purposes=register)
        if with_register is None:
            _refuse_purpose(session, principal, dataset_id, register)
    _refuse_count(session, without_counts, now)


def _refuse_purpose(session: Session, principal: Principal, dataset_id: str,
                    register: list[str]) -> None:
    dataset = session.get(Dataset, dataset_id)
    entry = dataset.processing_activity if dataset is not None else None
    declared = declared_purpose(principal.purpose)
    asked = (f"the purpose {purpose_label(declared)!r}" if declared
             else "a request without a declared purpose (X-Belfort-Purpose)")
    raise PurposeNotRegistered(
        f"dataset {dataset_id!r} holds personal data: {asked} is not one its processing "
        f"register entry {entry!r} lists, so no policy grants it",
        details={"register_entry": entry, "register_purposes": register[:50]})


def _refuse_count(session: Session, grant: Grant, now: dt.datetime) -> None:
    """RequestLimitReached for the windows of ``grant``'s counters that are full."""
    full = [c for c in grant.charges if c.limit is not None
            and counts.made(session, c.policy_uid, c.party, c.period, now) >= c.limit]
    if not full:
        return
    ends = [counts.window(c.period, now).resets_at for c in full]
    resets = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    limits = ", ".join(f"{c.limit} per {_period(c.period)}" for c in full)
    when = f"; it resets at {resets.isoformat()}" if resets else "; it does not reset"
    raise RequestLimitReached(
        f"the request limit of policy {grant.policy_id!r} is reached ({limits}){when}",
        policy=grant.policy_id or "", resets_at=resets.isoformat() if resets else None,
        retry_after=max(1, math.ceil((resets - now).total_seconds())) if resets else None)


def _period(period: dt.timedelta | None) -> str:
    if period is None:
        return "ever"
    if period % dt.timedelta(days=1) == dt.timedelta(0):
        return f"{period.days} day(s)"
    return f"{int(period.total_seconds() // 60)} minute(s)"


def count_request(session: Session, principal: Principal, dataset_id: str,
                  grant: Grant) -> Grant | None:
    """Count one read under ``grant`` in each of its request counters and return the grant
    it was counted under: ``grant``, or — when a window filled up meanwhile (another
    process, another thread) — the grant evaluated again without it; None when nothing
    grants the read any more."""
    for _ in range(_ROUNDS):
        if not grant.charges:
            return grant
        now = dt.datetime.now(dt.UTC)
        taken = 0
        used_up = False
        for charge in grant.charges:
            made = counts.take(session, charge.policy_uid, charge.party, charge.period,
                               charge.limit, now)
            if made is None:
                break
            taken += 1
            used_up = used_up or (charge.limit is not None and made >= charge.limit)
        else:
            session.info.get(_MEMO, {}).pop((principal.audience, dataset_id), None)
            if used_up:
                _forget_listing(principal.audience)  # this read used a count up: unlist
            return grant
        for charge in grant.charges[:taken]:  # counted in no window, or in every one
            counts.give_back(session, charge.policy_uid, charge.party, charge.period, now)
        session.info.get(_MEMO, {}).pop((principal.audience, dataset_id), None)
        found = granted(session, principal, dataset_id)
        if found is None:
            return None
        grant = found
    return None


def refund(session: Session, grant: Grant) -> None:
    """Take back the request ``count_request`` counted under ``grant`` (the read was then
    refused: an action its grant does not include)."""
    now = dt.datetime.now(dt.UTC)
    for charge in grant.charges:
        counts.give_back(session, charge.policy_uid, charge.party, charge.period, now)


def _forget_listing(audience: str) -> None:
    with _LISTING_LOCK:
        for key in [k for k in _LISTING if k[1] == audience]:
            del _LISTING[key]


def granted_datasets(session: Session, principal: Principal) -> frozenset[str]:
    """The datasets a live policy grants ``principal`` some action on now (``count``
    checked, not consumed; for personal data, the register's purposes). Kept by the process
    for ``LISTING_SECONDS`` (a listing shows a window that just opened or closed, or a count
    another process used up, that much later); a policy change or a count used up in this
    process is seen at once."""
    key = (id(session.get_bind()), principal.audience, changes())
    with _LISTING_LOCK:
        kept = _LISTING.get(key)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    found = _granted_datasets(session, principal)
    with _LISTING_LOCK:
        if len(_LISTING) > 10_000:
            _LISTING.clear()
        _LISTING[key] = (time.monotonic() + LISTING_SECONDS, found)
    return found


def _granted_datasets(session: Session, principal: Principal) -> frozenset[str]:
    by_dataset: dict[str, list[Policy]] = {}
    for dataset_id, policy in policies_naming(session, principal.parties):
        by_dataset.setdefault(dataset_id, []).append(policy)
    if not by_dataset:
        return frozenset()
    now = dt.datetime.now(dt.UTC)
    memo: dict[tuple[str, str], Grant | None] = session.info.setdefault(_MEMO, {})
    found = set()
    for dataset_id, policies in by_dataset.items():
        key = (principal.audience, dataset_id)
        if key not in memo:
            memo[key] = _evaluate(session, principal, dataset_id, policies, now)
        if memo[key] is not None:
            found.add(dataset_id)
    return frozenset(found)


__all__ = ["count_request", "granted", "granted_datasets", "refund", "register_purposes"]
