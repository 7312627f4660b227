"""ODRL policies in the catalogue database: store, list, get, delete, and what the gate asks.

A policy is kept as staff wrote it (``policies.source``) and as parsed JSON; every save
rewrites its rows in ``policy_assignments`` (one per party a permission or prohibition
names, with the actions), so the gate can select in SQL the datasets a principal may
possibly see (``candidate_datasets``) and load only the policies that name it
(``policies_for``); the constraints are then evaluated in Python (``evaluate.py``).
Parsed policies are kept per process by the SHA-256 of their text (never by uid: a policy
replaced under the same uid has another text), so no process keeps state another lacks.
Every change is recorded in the audit log (``policy.create``/``.update``/``.delete``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from belfort.catalog.models import (
    Dataset,
    PolicyAssignment,
    PolicyRow,
    ProcessingActivity,
    utcnow,
)
from belfort.catalog.store import record_audit
from belfort.errors import Forbidden, PolicyExists, PolicyInvalid, PolicyNotFound, Unauthorized
from belfort.platform import Platform
from belfort.policy.evaluate import purpose_label, register_lists
from belfort.policy.odrl import (
    UID,
    Atomic,
    Constraint,
    Policy,
    Rule,
    load_document,
    parse_policy,
    problem,
)
from belfort.policy.principals import Principal, Role


@dataclass(frozen=True)
class StoredPolicy:
    uid: str
    dataset: str
    policy: Policy
    source: str
    enabled: bool
    expires_at: dt.datetime | None
    created_at: dt.datetime
    created_by: str | None
    updated_at: dt.datetime
    updated_by: str | None

    def summary(self) -> dict[str, object]:
        return {"uid": self.uid, "dataset": self.dataset, "type": self.policy.type,
                "enabled": self.enabled,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "permissions": len(self.policy.permissions),
                "prohibitions": len(self.policy.prohibitions),
                "created_at": self.created_at.isoformat(), "created_by": self.created_by,
                "updated_at": self.updated_at.isoformat(), "updated_by": self.updated_by}


_PARSED: dict[str, Policy] = {}
_LOCK = threading.Lock()
_CHANGES = [0]  # policy writes seen by this process (what the gate keeps briefly keys on it)


def changes() -> int:
    """How many policy writes this process has made (each one moves it on)."""
    return _CHANGES[0]


def _changed() -> None:
    with _LOCK:
        _CHANGES[0] += 1


def _parsed(source: str) -> Policy:
    key = hashlib.sha256(source.encode("utf-8")).hexdigest()
    with _LOCK:
        found = _PARSED.get(key)
    if found is None:
        found = parse_policy(source)
        with _LOCK:
            if len(_PARSED) > 2000:
                _PARSED.clear()
            _PARSED[key] = found
    return found


def _stored(row: PolicyRow) -> StoredPolicy:
    return StoredPolicy(row.uid, row.dataset_id, _parsed(row.source), row.source, row.enabled,
                        row.expires_at, row.created_at, row.created_by, row.updated_at,
                        row.updated_by)


def could_be_uid(uid: object) -> bool:
    """Whether a policy could have this uid (asked before the database is)."""
    return isinstance(uid, str) and UID.fullmatch(uid) is not None


def _row(session: Session, uid: str) -> PolicyRow:
    if not could_be_uid(uid):
        raise PolicyNotFound("no such policy (a uid is an IRI or URN)")
    row = session.get(PolicyRow, uid)
    if row is None:
        raise PolicyNotFound(f"no policy {uid!r}")
    return row


def get_policy(session: Session, uid: str) -> StoredPolicy:
    return _stored(_row(session, uid))


def list_policies(session: Session, dataset_id: str | None = None) -> list[StoredPolicy]:
    query = select(PolicyRow).order_by(PolicyRow.dataset_id, PolicyRow.uid)
    if dataset_id is not None:
        query = query.where(PolicyRow.dataset_id == dataset_id[:100])
    return [_stored(row) for row in session.scalars(query)]


def _assignments(policy: Policy) -> list[PolicyAssignment]:
    found: dict[tuple[str, str], set[str]] = {}
    rules: list[Rule] = [*policy.permissions, *policy.prohibitions]
    for rule in rules:
        for party in rule.assignees:
            found.setdefault((party, rule.kind), set()).update(a.value for a in rule.actions)
    return [PolicyAssignment(policy_uid=policy.uid, dataset_id=policy.dataset, party=party,
                             rule=kind, actions=",".join(sorted(actions)))
            for (party, kind), actions in sorted(found.items())]


def store_policy(session: Session, source: str | bytes, *, actor: str,
                 create: bool | None = None, uid: str | None = None,
                 enabled: bool = True) -> StoredPolicy:
    """Create or replace a policy from its JSON-LD text (``PolicyInvalid`` when it is
    malformed or targets no dataset; nothing is saved then). ``create=True`` refuses to
    replace (``PolicyExists``), ``False`` to create (``PolicyNotFound``); ``uid`` (from a
    URL) must match the policy's own."""
    try:
        text = source.decode("utf-8") if isinstance(source, bytes) else source
    except UnicodeDecodeError:
        raise problem("", "the policy is not UTF-8 text") from None
    policy = parse_policy(load_document(text))
    if uid is not None and policy.uid != uid:
        raise problem("uid", f"the policy's uid {policy.uid[:200]!r} is not the one in the URL")
    dataset = session.get(Dataset, policy.dataset)
    if dataset is None:
        raise problem("target", f"no dataset {policy.dataset!r}")
    if dataset.personal_data:
        _check_register(session, dataset, policy)
    row = session.get(PolicyRow, policy.uid)
    if row is None and create is False:
        raise PolicyNotFound(f"no policy {policy.uid!r}")
    if row is not None and create is True:
        raise PolicyExists(f"a policy {policy.uid!r} exists already")
    now = utcnow()
    by = actor[:200]
    if row is None:
        row = PolicyRow(uid=policy.uid, created_at=now, created_by=by)
        session.add(row)
        action = "policy.create"
    else:
        action = "policy.update"
        for old in session.scalars(select(PolicyAssignment)
                                   .where(PolicyAssignment.policy_uid == policy.uid)):
            session.delete(old)
        session.flush()
    row.dataset_id = policy.dataset
    row.policy_type = policy.type
    row.source = text
    row.document = policy.document
    row.enabled = enabled
    row.expires_at = policy.expires_at
    row.updated_at = now
    row.updated_by = by
    session.flush()
    session.add_all(_assignments(policy))
    record_audit(session, actor, action, policy.dataset, policy=policy.uid, enabled=enabled)
    session.flush()
    _changed()
    return _stored(row)


_NAMING = ("eq", "isA", "isAnyOf")  # purpose operators that name the purposes allowed


def _purposes(constraint: Constraint) -> list[Atomic]:
    if isinstance(constraint, Atomic):
        return [constraint] if constraint.left == "purpose" else []
    return [a for part in constraint.parts for a in _purposes(part)]


def _check_register(session: Session, dataset: Dataset, policy: Policy) -> None:
    """On a dataset that holds personal data, every permission names (``eq``, ``isA``,
    ``isAnyOf``) only purposes its processing-register entry lists (``PolicyInvalid``)."""
    entry = (session.get(ProcessingActivity, dataset.processing_activity)
             if dataset.processing_activity else None)
    if entry is None:
        raise problem("target", f"dataset {dataset.id!r} holds personal data and has no "
                      "processing register entry: link its entry (processing_activity) first")
    listed = [p for p in entry.purposes or [] if isinstance(p, str)]
    lists = "; ".join(p[:100] for p in listed[:20]) or "no purpose"
    for rule in policy.permissions:
        named = [a for c in rule.conditions for a in _purposes(c) if a.operator in _NAMING]
        if not named:
            raise problem(f"{rule.path}.constraint", f"dataset {dataset.id!r} holds personal "
                          "data: a permission names its purpose (eq, isA or isAnyOf), one that "
                          f"its processing register entry {entry.id!r} lists ({lists})")
        for atomic in named:
            for purpose in atomic.right:
                if not register_lists(purpose, listed):
                    raise problem(f"{atomic.path}.rightOperand", f"the purpose "
                                  f"{purpose_label(purpose)!r} is not in the processing register "
                                  f"entry {entry.id!r} of dataset {dataset.id!r} (it lists: "
                                  f"{lists})")


def set_enabled(session: Session, uid: str, enabled: bool, *, actor: str) -> StoredPolicy:
    row = _row(session, uid)
    row.enabled = enabled
    row.updated_at = utcnow()
    row.updated_by = actor[:200]
    record_audit(session, actor, "policy.enable" if enabled else "policy.disable",
                 row.dataset_id, policy=uid)
    session.flush()
    _changed()
    return _stored(row)


def delete_policy(session: Session, uid: str, *, actor: str) -> None:
    row = _row(session, uid)
    for old in session.scalars(select(PolicyAssignment).where(PolicyAssignment.policy_uid == uid)):
        session.delete(old)
    record_audit(session, actor, "policy.delete", row.dataset_id, policy=uid)
    session.delete(row)
    session.flush()
    _changed()


# -- for the API, the command line and the staff pages -------------------------------------


def require_policy_staff(principal: Principal) -> None:
    """Managing policies needs an admin or a steward: 401 for anonymous callers, 403 for
    any other principal."""
    if principal.is_steward:
        return
    if principal.role == Role.ANONYMOUS:
        raise Unauthorized("managing policies needs an admin API key or a steward's sign-in")
    raise Forbidden("managing policies needs the admin or steward role")


def save(platform: Platform, principal: Principal, source: str | bytes, *,
         create: bool | None = None, uid: str | None = None,
         enabled: bool = True) -> StoredPolicy:
    """``store_policy`` in its own transaction, then a new catalogue generation (so every
    answer cached for the old policies is dropped, in every process)."""
    require_policy_staff(principal)
    with platform.db.session() as session:
        stored = store_policy(session, source, actor=principal.actor, create=create, uid=uid,
                              enabled=enabled)
    _changed()  # again once committed: nothing kept meanwhile outlives the change
    platform.generation.bump()
    return stored


def remove(platform: Platform, principal: Principal, uid: str) -> None:
    require_policy_staff(principal)
    with platform.db.session() as session:
        delete_policy(session, uid, actor=principal.actor)
    _changed()
    platform.generation.bump()


# -- what the gate asks ---------------------------------------------------------------------


def _live(now: dt.datetime | None) -> list[object]:
    when = now or utcnow()
    return [PolicyRow.enabled.is_(True),
            or_(PolicyRow.expires_at.is_(None), PolicyRow.expires_at > when)]


def candidate_datasets(parties: Collection[str], now: dt.datetime | None = None,
                       ) -> Select[str]:
    """The ids of the datasets an enabled, unexpired policy permits one of ``parties``
    something on (a superset of what they may see: the constraints are not evaluated)."""
    return (select(PolicyAssignment.dataset_id).distinct()
            .join(PolicyRow, PolicyRow.uid == PolicyAssignment.policy_uid)
            .where(PolicyAssignment.party.in_(sorted(parties)),
                   PolicyAssignment.rule == "permission", *_live(now)))  # type: ignore[arg-type]


def policies_for(session: Session, dataset_id: str, parties: Collection[str],
                 now: dt.datetime | None = None) -> list[Policy]:
    """The enabled, unexpired policies on a dataset that name one of ``parties`` (in a
    permission or a prohibition), in uid order."""
    named = (select(PolicyAssignment.policy_uid)
             .where(PolicyAssignment.dataset_id == dataset_id,
                    PolicyAssignment.party.in_(sorted(parties))))
    rows = session.scalars(select(PolicyRow)
                           .where(PolicyRow.dataset_id == dataset_id,
                                  PolicyRow.uid.in_(named), *_live(now))  # type: ignore[arg-type]
                           .order_by(PolicyRow.uid))
    return [_parsed(row.source) for row in rows]


def policies_naming(session: Session, parties: Collection[str],
                    now: dt.datetime | None = None) -> list[tuple[str, Policy]]:
    """Every enabled, unexpired policy that names one of ``parties`` (in a permission or a
    prohibition), with its dataset, in (dataset, uid) order: one query for the catalogue."""
    named = (select(PolicyAssignment.policy_uid)
             .where(PolicyAssignment.party.in_(sorted(parties))))
    rows = session.execute(select(PolicyRow.dataset_id, PolicyRow.source)
                           .where(PolicyRow.uid.in_(named), *_live(now))  # type: ignore[arg-type]
                           .order_by(PolicyRow.dataset_id, PolicyRow.uid))
    return [(dataset_id, _parsed(source)) for dataset_id, source in rows]


__all__ = ["PolicyInvalid", "StoredPolicy", "candidate_datasets", "delete_policy",
           "get_policy", "list_policies", "policies_for", "policies_naming", "set_enabled",
           "store_policy"]
