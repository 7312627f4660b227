"""Evaluate a dataset's ODRL policies for one request: ``evaluate(...) -> Grant | None``.

Following the ODRL 2.2 Formal Semantics' intent:

- a rule *applies* when one of its assignees is one of the principal's parties, its actions
  include the requested one (who may ``read`` rows may ``aggregate`` them) and every
  constraint is satisfied (``and``: all, ``or``: at least one, ``xone``: exactly one);
  a constraint that cannot be decided (no purpose declared, no request counter) is not
  satisfied; a ``count`` is the requests the principal's party the rule names (the first,
  by IRI, when it names several) made under the policy in the period's current window
  (``belfort.policy.counts``), this one included;
- within one policy, an applicable prohibition beats an applicable permission unless the
  policy's ``conflict`` is ``perm``; ``invalid`` voids the whole policy on a conflict;
  across policies, an applicable prohibition (of a policy that is not void) beats every
  other policy's permissions;
- several applicable permissions are **not** merged field by field (a union could join one
  permission's fields to another's rows and reveal what neither allows): the most generous
  one is chosen — row reads before aggregates only, every field before a subset (a larger
  subset before a smaller), no row filter before one, the lowest threshold — ties broken by
  policy uid and rule position; its grant also carries the actions of every other
  applicable permission with exactly the same restrictions, and the request counters
  (``Grant.charges``) of the chosen permission's ``count`` constraints: binding (a limit)
  where the constraint must hold (alone or under ``and``), counted without a limit where
  it is one way among others (under ``or``/``xone``);
- personal data (``register_purposes`` given: the purposes of the dataset's
  processing-register entry) is granted only for a declared purpose the register lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable

from belfort.policy.access import Action, Charge, Grant
from belfort.policy.dpv import DPV_NS, PURPOSES, is_a, purpose_iri
from belfort.policy.odrl import Atomic, Constraint, Policy, Rule
from belfort.policy.principals import Principal

RequestCounter = Callable[[str, str, dt.timedelta | None], int]
"""(policy uid, party, period) → how many requests the party made under that policy in the
period's current window (None: for ever) before this one."""


class _Context:
    def __init__(self, policy: Policy, purpose: str | None, now: dt.datetime,
                 counter: RequestCounter | None) -> None:
        self.policy = policy
        self.purpose = purpose
        self.now = now
        self.counter = counter
        self.party = ""  # the principal's party the rule being evaluated names

    def satisfied(self, constraint: Constraint) -> bool:
        if isinstance(constraint, Atomic):
            return self.atomic(constraint)
        results = (self.satisfied(part) for part in constraint.parts)
        if constraint.operator == "and":
            return all(results)
        if constraint.operator == "or":
            return any(results)
        return sum(1 for ok in results if ok) == 1  # xone

    def atomic(self, c: Atomic) -> bool:
        if c.left == "purpose":
            return self.purpose_ok(c.operator, c.right)
        if c.left == "dateTime":
            return _compare(self.now, c.operator, c.right)
        if c.left == "count":
            if self.counter is None:
                return False
            made = self.counter(self.policy.uid, self.party, c.period)
            return _compare(made + 1, c.operator, c.right)  # this request included
        return True  # the profile's restrictions are no conditions

    def purpose_ok(self, operator: str, purposes: tuple[str, ...]) -> bool:
        declared = self.purpose
        if declared is None:
            return False
        if operator == "eq":
            return declared == purposes[0]
        if operator == "neq":
            return declared != purposes[0]
        if operator == "isA":
            return is_a(declared, purposes[0])
        if operator == "isAnyOf":
            return declared in purposes
        return not any(is_a(declared, p) for p in purposes)  # isNoneOf


def _compare(left: object, operator: str, right: object) -> bool:
    a, b = left, right
    if operator == "lt":
        return bool(a < b)  # type: ignore[operator]
    if operator == "lteq":
        return bool(a <= b)  # type: ignore[operator]
    if operator == "gt":
        return bool(a > b)  # type: ignore[operator]
    return bool(a >= b)  # type: ignore[operator]  # gteq


def _covers(rule: Rule, action: Action) -> bool:
    if action in rule.actions:
        return True
    return rule.kind == "permission" and action == Action.AGGREGATE \
        and Action.READ in rule.actions


def _party(rule: Rule, parties: Collection[str]) -> str | None:
    """The principal's party ``rule`` names (the first by IRI), or None."""
    named = [p for p in parties if p in rule.assignees]
    return min(named) if named else None


def _applies(rule: Rule, parties: Collection[str], action: Action, ctx: _Context) -> bool:
    party = _party(rule, parties)
    if party is None or not _covers(rule, action):
        return False
    ctx.party = party
    return all(ctx.satisfied(c) for c in rule.conditions)


def charges(policy: Policy, rule: Rule, parties: Collection[str]) -> tuple[Charge, ...]:
    """The request counters a read under ``rule`` counts in, one per period: the lowest
    limit of the ``count`` constraints that must hold (``lt n``: n − 1), or no limit when
    every constraint of that period is only one way among others (``or``, ``xone``)."""
    party = _party(rule, parties)
    if party is None:
        return ()
    limits: dict[dt.timedelta | None, int | None] = {}

    def walk(constraint: Constraint, binding: bool) -> None:
        if isinstance(constraint, Atomic):
            if constraint.left != "count":
                return
            limit = int(constraint.right)
            limit = limit - 1 if constraint.operator == "lt" else limit
            known = limits.get(constraint.period, None)
            if not binding:
                limits.setdefault(constraint.period, None)
            else:
                limits[constraint.period] = limit if known is None else min(known, limit)
            return
        for part in constraint.parts:
            walk(part, binding and constraint.operator == "and")

    for condition in rule.conditions:
        walk(condition, True)
    return tuple(Charge(policy.uid, party, period, limit)
                 for period, limit in sorted(limits.items(),
                                             key=lambda pl: pl[0] or dt.timedelta.max))


def _generosity(policy: Policy, rule: Rule) -> tuple[object, ...]:
    """Sort key: the most generous permission first."""
    return (Action.READ not in rule.actions,
            rule.fields is not None, -(len(rule.fields) if rule.fields else 0),
            rule.row_filter is not None,
            rule.min_group_size or 0,
            policy.uid, rule.index)


def declared_purpose(text: str | None) -> str | None:
    """A request's declared purpose as a DPV IRI (None: none declared, or not a purpose)."""
    return purpose_iri(text) if text else None


def register_lists(purpose: str, register_purposes: Iterable[str]) -> bool:
    """Whether a processing-register entry's purposes name this DPV purpose (by its IRI,
    ``dpv:Term``, ``Term`` or English label)."""
    listed = {purpose_iri(p) for p in register_purposes if isinstance(p, str)}
    return purpose in listed


def evaluate(policies: Iterable[Policy], principal: Principal, action: Action, *,
             purpose: str | None = None, now: dt.datetime | None = None,
             counter: RequestCounter | None = None,
             register_purposes: Collection[str] | Callable[[], Collection[str]] | None = None,
             ) -> Grant | None:
    """The grant the policies give ``principal`` for ``action`` on their dataset, or None.

    ``purpose``: the request's declared purpose (a DPV IRI, ``dpv:Term``, term or label);
    ``counter``: the request counter ``count`` constraints need (without one they fail);
    ``register_purposes``: for personal data, the purposes of the dataset's register entry
    (or a callable that lists them): a purpose the register does not list gets nothing.
    """
    when = now or dt.datetime.now(dt.UTC)
    declared = declared_purpose(purpose)
    if register_purposes is not None:
        listed = register_purposes() if callable(register_purposes) else register_purposes
        if declared is None or not register_lists(declared, listed):
            return None
    policies = list(policies)
    candidates = _permitted(policies, principal.parties, action, declared, when, counter)
    if not candidates:
        return None
    candidates.sort(key=lambda pr: _generosity(*pr))
    policy, chosen = candidates[0]
    same = (chosen.fields, chosen.row_filter, chosen.min_group_size)
    actions = {action}
    for other in Action:
        if other != action and any(
                (r.fields, r.row_filter, r.min_group_size) == same
                for _, r in _permitted(policies, principal.parties, other, declared, when,
                                       counter)):
            actions.add(other)
    if Action.READ in actions:
        actions.add(Action.AGGREGATE)
    return Grant(actions=frozenset(actions), fields=chosen.fields,
                 row_filter=chosen.row_filter, min_group_size=chosen.min_group_size,
                 purpose=declared, policy_id=policy.uid, expires_at=chosen.expires_at,
                 charges=charges(policy, chosen, principal.parties))


def _permitted(policies: list[Policy], parties: Collection[str], action: Action,
               declared: str | None, when: dt.datetime, counter: RequestCounter | None,
               ) -> list[tuple[Policy, Rule]]:
    """The permissions that allow ``action`` (none when a prohibition forbids it)."""
    candidates: list[tuple[Policy, Rule]] = []
    prohibited = False
    for policy in policies:
        ctx = _Context(policy, declared, when, counter)
        permits = [r for r in policy.permissions if _applies(r, parties, action, ctx)]
        forbids = any(_applies(r, parties, action, ctx) for r in policy.prohibitions)
        if permits and forbids:
            if policy.conflict == "invalid":
                continue  # void: neither permits nor prohibits
            if policy.conflict == "prohibit":
                prohibited = True
                continue
            candidates.extend((policy, r) for r in permits)  # perm: permissions win here
        elif forbids:
            prohibited = True
        else:
            candidates.extend((policy, r) for r in permits)
    return [] if prohibited else candidates


def purpose_label(iri: str) -> str:
    found = PURPOSES.get(iri)
    return found.label if found else iri.removeprefix(DPV_NS)
