"""ODRL 2.2 policies: Belfort's subset, parsed from JSON-LD into plain data.

The subset (docs/access.md, "Policies (ODRL)"):

- a policy: ``@context`` (the ODRL context, alone or in a list with prefix maps),
  ``@type``/``type`` ``Set`` (the default), ``Offer`` or ``Agreement``, a ``uid``, an
  optional ``conflict`` (``perm``, ``prohibit`` — the default — or ``invalid``), and
  ``permission``/``prohibition`` rules; ``target``, ``assignee``, ``assigner`` and ``action``
  may be given once on the policy for every rule;
- a rule: ``target`` (one dataset: its id, ``urn:belfort:dataset:<id>`` or an IRI ending in
  ``/datasets/<id>``; every rule of a policy targets the same dataset), ``assignee`` (party
  ids ``urn:belfort:…``, or PartyCollections), ``action`` (``use``, ``read``, ``aggregate``,
  ``distribute`` = export, and Belfort's ``export``/``stream``), ``constraint``s;
- a constraint: ``purpose`` (DPV purposes), ``dateTime`` (a window), ``count`` (requests per
  period), the profile's ``belfort:fields``, ``belfort:rowFilter`` and
  ``belfort:minGroupSize`` (permissions only, restricting what they grant), and the logical
  ``and``/``or``/``xone`` (``andSequence`` is ``and``);
- duties (``duty``, ``obligation``) are parsed and refused: Belfort cannot enforce one.

Every malformed or unsupported policy raises ``PolicyInvalid`` (422) naming the path of the
problem, e.g. ``permission[0].constraint[1].rightOperand``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from belfort.catalog.metadata import SLUG_PATTERN
from belfort.errors import PolicyInvalid
from belfort.policy.access import ALL_ACTIONS, DEFAULT_MIN_GROUP_SIZE, Action
from belfort.policy.dpv import PURPOSES, purpose_iri
from belfort.policy.principals import PARTY_PREFIX, PUBLIC_PARTY, SIGNED_IN_PARTY
from belfort.query.odsql import parse_where
from belfort.query.odsql_lexer import ODSQLError

ODRL_NS = "http://www.w3.org/ns/odrl/2/"
ODRL_CONTEXTS = frozenset({"http://www.w3.org/ns/odrl.jsonld", "https://www.w3.org/ns/odrl.jsonld"})
BELFORT_NS = "urn:belfort:odrl:"
"""Belfort's profile: its left operands (``belfort:fields``…) and actions live here."""
BELFORT_PROFILE = "urn:belfort:odrl"
DEFAULT_PREFIXES = {"odrl": ODRL_NS, "dpv": "https://w3id.org/dpv#", "belfort": BELFORT_NS,
                    "xsd": "http://www.w3.org/2001/XMLSchema#"}

MAX_BYTES = 64_000
MAX_RULES = 50
MAX_CONSTRAINTS = 200
MAX_NODES = 5_000
MAX_DEPTH = 4  # logical constraints inside logical constraints
MAX_LIST = 200
MAX_TEXT = 2_000

Kind = Literal["permission", "prohibition"]
Conflict = Literal["perm", "prohibit", "invalid"]

ACTIONS: dict[str, frozenset[Action]] = {
    ODRL_NS + "use": ALL_ACTIONS,
    ODRL_NS + "read": frozenset({Action.READ}),
    ODRL_NS + "aggregate": frozenset({Action.AGGREGATE}),
    ODRL_NS + "distribute": frozenset({Action.EXPORT}),
    **{BELFORT_NS + a.value: frozenset({a}) for a in Action},
    # Belfort's own names written bare (the ODRL context makes them odrl: terms)
    ODRL_NS + "export": frozenset({Action.EXPORT}),
    ODRL_NS + "stream": frozenset({Action.STREAM}),
}
OPERATORS = frozenset({"eq", "neq", "lt", "lteq", "gt", "gteq", "isA", "isAnyOf", "isNoneOf",
                       "isAllOf", "hasPart", "isPartOf"})
LOGICAL = {"and": "and", "or": "or", "xone": "xone", "andSequence": "and"}
OPERAND_OPERATORS: dict[str, frozenset[str]] = {
    "purpose": frozenset({"eq", "neq", "isA", "isAnyOf", "isNoneOf"}),
    "dateTime": frozenset({"lt", "lteq", "gt", "gteq"}),
    "count": frozenset({"lt", "lteq"}),
    "fields": frozenset({"eq", "isAnyOf"}),
    "rowFilter": frozenset({"eq"}),
    "minGroupSize": frozenset({"eq", "gteq"}),
}
PROFILE_OPERANDS = frozenset({"fields", "rowFilter", "minGroupSize"})
PARTY = re.compile(r"urn:belfort:(?:(?:person|group|organisation|key|device):"
                   r"[A-Za-z0-9._~@+=-][A-Za-z0-9._~@+=:-]{0,199}|public|signed-in)")
COLLECTIONS = ("group", "organisation")
UID = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]{1,195}")
FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
DATASET_IRI = re.compile(r"(?:urn:belfort:dataset:|[a-z][a-z0-9+.-]*://[^\s]*/datasets/)"
                         r"([a-z0-9][a-z0-9-]{0,98}[a-z0-9]?)/?")
PERIOD = re.compile(r"P(?:([0-9]{1,3})W|([0-9]{1,3})D|T([0-9]{1,4})H|T([0-9]{1,6})M)")
METADATA_PREFIXES = ("dc:", "dct:", "dcterms:", "rdfs:", "skos:")
METADATA_KEYS = frozenset({"title", "description", "comment"})


@dataclass(frozen=True)
class Atomic:
    """``leftOperand operator rightOperand``; ``right`` is already checked and converted:
    purpose IRIs (a tuple), an aware datetime, an int."""

    left: str
    operator: str
    right: Any
    path: str
    period: dt.timedelta | None = None  # ``count``: the period the requests are counted in


@dataclass(frozen=True)
class Logical:
    operator: Literal["and", "or", "xone"]
    parts: tuple[Constraint, ...]
    path: str


Constraint = Atomic | Logical


@dataclass(frozen=True)
class Rule:
    kind: Kind
    index: int
    assignees: frozenset[str]
    actions: frozenset[Action]
    conditions: tuple[Constraint, ...] = ()
    fields: frozenset[str] | None = None
    row_filter: str | None = None
    min_group_size: int | None = None
    uid: str | None = None

    @property
    def path(self) -> str:
        return f"{self.kind}[{self.index}]"

    @property
    def expires_at(self) -> dt.datetime | None:
        """The end of the rule's dateTime window (its and-ed ``lt``/``lteq`` bounds)."""
        ends = [c.right for c in self.conditions
                if isinstance(c, Atomic) and c.left == "dateTime" and c.operator in ("lt", "lteq")]
        return min(ends) if ends else None


@dataclass(frozen=True)
class Policy:
    uid: str
    type: Literal["Set", "Offer", "Agreement"]
    dataset: str
    conflict: Conflict
    permissions: tuple[Rule, ...]
    prohibitions: tuple[Rule, ...]
    document: dict[str, Any] = field(compare=False, repr=False)

    @property
    def expires_at(self) -> dt.datetime | None:
        """When every permission has ended (None: one of them has no end)."""
        ends = [rule.expires_at for rule in self.permissions]
        if not ends or any(end is None for end in ends):
            return None
        return max(end for end in ends if end is not None)


def problem(path: str, message: str) -> PolicyInvalid:
    where = path or "(the policy)"
    return PolicyInvalid(f"{where}: {message}",
                         details={"problems": [{"path": path, "message": message}]})


def load_document(source: str | bytes) -> dict[str, Any]:
    """JSON text → an object (size-checked; ``PolicyInvalid`` otherwise)."""
    if len(source) > MAX_BYTES:
        raise problem("", f"the policy is larger than {MAX_BYTES} bytes")
    try:
        value = json.loads(source)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise problem("", "the policy is not valid JSON") from None
    if not isinstance(value, dict):
        raise problem("", "the policy must be a JSON object")
    return value


def parse_policy(source: str | bytes | Mapping[str, Any]) -> Policy:
    """Parse and check one policy; ``PolicyInvalid`` (naming the path) when it is malformed
    or outside the subset."""
    document = dict(source) if isinstance(source, Mapping) else load_document(source)
    _check_nodes(document)
    return _Reader(document).policy()


def _check_nodes(document: dict[str, Any]) -> None:
    """Count the nodes and refuse NUL and other control characters anywhere."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES or depth > 40:
            raise problem("", f"the policy is too large or nested too deeply (at most "
                          f"{MAX_NODES} values)")
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str) or _bad_text(key):
                    raise problem("", "a key holds a control character")
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and (_bad_text(value) or len(value) > MAX_TEXT):
            raise problem("", f"a text holds a control character or is longer than {MAX_TEXT}")
        elif isinstance(value, float) and value != value:
            raise problem("", "a number is not finite")


def _bad_text(text: str) -> bool:
    return any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text)


def _list(value: Any) -> list[Any]:
    if isinstance(value, dict) and set(value) == {"@list"}:
        value = value["@list"]
    return value if isinstance(value, list) else [value]


def _dataset(value: Any, path: str) -> str:
    if isinstance(value, dict):
        keys = set(value) - {"@type", "type"}
        if keys not in ({"uid"}, {"@id"}):
            raise problem(path, "a target is a dataset's id or IRI (or {\"uid\": …})")
        value = value.get("uid", value.get("@id"))
    if not isinstance(value, str):
        raise problem(path, "a target is a dataset's id or IRI")
    if SLUG_PATTERN.fullmatch(value):
        return value
    found = DATASET_IRI.fullmatch(value)
    if found is None or not SLUG_PATTERN.fullmatch(found.group(1)):
        raise problem(path, f"{value[:100]!r} is no dataset: give its id, "
                      "urn:belfort:dataset:<id> or an IRI ending in /datasets/<id>")
    return found.group(1)


class _Reader:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.prefixes = dict(DEFAULT_PREFIXES)
        self.constraints = 0

    # -- terms ------------------------------------------------------------------------------

    def expand(self, value: str) -> str:
        """A compact IRI, a term of the ODRL context or a full IRI → the full IRI."""
        prefix, colon, rest = value.partition(":")
        if not colon:
            return ODRL_NS + value
        if not rest.startswith("//") and prefix in self.prefixes:
            return self.prefixes[prefix] + rest
        return value

    def term(self, value: Any, path: str, what: str) -> str:
        if isinstance(value, dict) and set(value) == {"@id"}:
            value = value["@id"]
        if not isinstance(value, str) or not value:
            raise problem(path, f"{what} must be a term or an IRI")
        return self.expand(value)

    def odrl(self, value: Any, path: str, what: str) -> str:
        """The local name of an ODRL or Belfort profile term."""
        iri = self.term(value, path, what)
        for ns in (ODRL_NS, BELFORT_NS):
            if iri.startswith(ns):
                return iri[len(ns):]
        raise problem(path, f"{str(value)[:100]!r} is not an ODRL {what}")

    # -- the policy -------------------------------------------------------------------------

    def policy(self) -> Policy:
        doc = self.document
        self.context(doc.get("@context"))
        for key in doc:
            if key in {"@context", "@type", "type", "uid", "@id", "profile", "conflict",
                       "permission", "prohibition", "obligation", "target", "assignee",
                       "assigner", "action"} or key in METADATA_KEYS \
                    or key.startswith(METADATA_PREFIXES):
                continue
            if key in ("inheritFrom", "inheritAllowed"):
                raise problem(key, "policy inheritance is not supported: write the rules out")
            raise problem(key, f"unknown key {key[:60]!r} (not in Belfort's ODRL subset)")
        uid = doc.get("uid", doc.get("@id"))
        if not isinstance(uid, str) or not UID.fullmatch(uid):
            raise problem("uid", "a policy needs a uid: an IRI or URN of at most 200 characters"
                          ", e.g. urn:belfort:policy:parking-research")
        kind = self.policy_type(doc.get("@type", doc.get("type", "Set")))
        self.profile(doc.get("profile"))
        conflict = self.odrl(doc.get("conflict", "prohibit"), "conflict", "conflict strategy")
        if conflict not in ("perm", "prohibit", "invalid"):
            raise problem("conflict", "the conflict strategy is perm, prohibit or invalid")
        if "obligation" in doc:
            for i, duty in enumerate(_list(doc["obligation"])):
                self.duty(duty, f"obligation[{i}]")
        permissions = [self.rule("permission", i, r)
                       for i, r in enumerate(self.rules("permission"))]
        prohibitions = [self.rule("prohibition", i, r)
                        for i, r in enumerate(self.rules("prohibition"))]
        if not permissions and not prohibitions:
            raise problem("permission", "a policy needs at least one permission or prohibition")
        datasets = {d for _, d in permissions + prohibitions}
        if len(datasets) > 1:
            raise problem("target", "every rule of a policy must target the same dataset "
                          f"(found {', '.join(sorted(datasets))})")
        if kind in ("Offer", "Agreement") and "assigner" not in doc and any(
                "assigner" not in r for r in self.rules("permission") + self.rules("prohibition")):
            raise problem("assigner", f"an {kind} needs an assigner (who grants it)")
        return Policy(uid=uid, type=kind, dataset=datasets.pop(), conflict=conflict,  # type: ignore[arg-type]
                      permissions=tuple(r for r, _ in permissions),
                      prohibitions=tuple(r for r, _ in prohibitions), document=doc)

    def context(self, value: Any) -> None:
        if value is None:
            raise problem("@context", "a policy needs the ODRL context "
                          "(\"@context\": \"http://www.w3.org/ns/odrl.jsonld\")")
        found = False
        for i, item in enumerate(_list(value)):
            path = f"@context[{i}]" if isinstance(value, list) else "@context"
            if isinstance(item, str):
                if item not in ODRL_CONTEXTS:
                    raise problem(path, f"unknown context {item[:100]!r}: Belfort loads no "
                                  "remote context; use the ODRL one and inline prefixes")
                found = True
            elif isinstance(item, dict):
                for name, iri in item.items():
                    if not isinstance(iri, str) or not re.fullmatch(r"[A-Za-z][\w.-]{0,30}", name):
                        raise problem(f"{path}.{name}"[:200], "an inline context maps a prefix "
                                      "to a namespace IRI")
                    self.prefixes[name] = iri
            else:
                raise problem(path, "a context is the ODRL context's IRI or a prefix map")
        if not found:
            raise problem("@context", "the ODRL context (http://www.w3.org/ns/odrl.jsonld) "
                          "is missing")

    def policy_type(self, value: Any) -> Literal["Set", "Offer", "Agreement"]:
        name = self.odrl(value, "@type", "policy type")
        if name == "Policy":
            return "Set"
        if name in ("Set", "Offer", "Agreement"):
            return name  # type: ignore[return-value]
        raise problem("@type", f"the policy type {name[:60]!r} is not supported "
                      "(Set, Offer or Agreement)")

    def profile(self, value: Any) -> None:
        for item in ([] if value is None else _list(value)):
            if item not in (BELFORT_PROFILE, "belfort"):
                raise problem("profile", f"unknown profile {str(item)[:100]!r}: Belfort "
                              f"understands only its own ({BELFORT_PROFILE})")

    def rules(self, kind: str) -> list[Any]:
        value = self.document.get(kind)
        return [] if value is None else _list(value)

    # -- rules ------------------------------------------------------------------------------

    def rule(self, kind: Kind, index: int, value: Any) -> tuple[Rule, str]:
        path = f"{kind}[{index}]"
        if index >= MAX_RULES:
            raise problem(path, f"a policy holds at most {MAX_RULES} rules of each kind")
        if not isinstance(value, dict):
            raise problem(path, "a rule is a JSON object")
        allowed = {"uid", "@type", "type", "target", "action", "assignee", "assigner",
                   "constraint", "duty" if kind == "permission" else "remedy"}
        for key in value:
            if key not in allowed and not key.startswith(METADATA_PREFIXES):
                raise problem(f"{path}.{key}"[:200], f"{key[:60]!r} is not in Belfort's "
                              f"ODRL subset for a {kind}")
        for key in ("duty", "remedy"):
            for i, duty in enumerate(_list(value.get(key, []))):
                self.duty(duty, f"{path}.{key}[{i}]")
        uid = value.get("uid")
        if uid is not None and (not isinstance(uid, str) or not UID.fullmatch(uid)):
            raise problem(f"{path}.uid", "a rule's uid is an IRI or URN")
        target = value.get("target", self.document.get("target"))
        if target is None:
            raise problem(f"{path}.target", "a rule needs a target (the dataset)")
        where = f"{path}.target" if "target" in value else "target"
        dataset = _dataset(target, where)
        actions = self.actions(value.get("action", self.document.get("action")),
                               f"{path}.action" if "action" in value else "action", path)
        assignees = self.assignees(value.get("assignee", self.document.get("assignee")),
                                   f"{path}.assignee" if "assignee" in value else "assignee",
                                   path)
        for key, where in (("assigner", f"{path}.assigner"),):
            if key in value:
                self.term(value[key] if not isinstance(value[key], dict)
                          else value[key].get("uid", value[key].get("@id")), where, "an assigner")
        rule = Rule(kind=kind, index=index, assignees=assignees, actions=actions,
                    uid=uid if isinstance(uid, str) else None)
        items = _list(value.get("constraint", []))
        conditions: list[Constraint] = []
        restrictions: dict[str, Any] = {}
        for i, item in enumerate(items):
            cpath = f"{path}.constraint[{i}]"
            found = self.constraint(item, cpath, depth=0, profile_ok=kind == "permission")
            if isinstance(found, Atomic) and found.left in PROFILE_OPERANDS:
                restrictions.setdefault(found.left, []).append(found)
            elif isinstance(found, Logical) and found.operator == "and":
                for part in self.flatten(found):
                    if isinstance(part, Atomic) and part.left in PROFILE_OPERANDS:
                        restrictions.setdefault(part.left, []).append(part)
                    else:
                        conditions.append(part)
            else:
                conditions.append(found)
        return self.restricted(rule, conditions, restrictions), dataset

    def flatten(self, logical: Logical) -> list[Constraint]:
        out: list[Constraint] = []
        for part in logical.parts:
            if isinstance(part, Logical) and part.operator == "and":
                out.extend(self.flatten(part))
            else:
                out.append(part)
        return out

    def restricted(self, rule: Rule, conditions: list[Constraint],
                   restrictions: dict[str, list[Atomic]]) -> Rule:
        for name, found in restrictions.items():
            if len(found) > 1:
                raise problem(found[1].path, f"a permission holds one belfort:{name} constraint")
        fields = restrictions.get("fields", [None])[0]
        row_filter = restrictions.get("rowFilter", [None])[0]
        threshold = restrictions.get("minGroupSize", [None])[0]
        aggregates_only = Action.AGGREGATE in rule.actions and Action.READ not in rule.actions
        if threshold is not None and not aggregates_only:
            raise problem(threshold.path, "belfort:minGroupSize needs a permission to "
                          "aggregate without read: rows would reveal the small groups")
        min_group = threshold.right if threshold is not None else (
            DEFAULT_MIN_GROUP_SIZE if aggregates_only and rule.kind == "permission" else None)
        return Rule(kind=rule.kind, index=rule.index, assignees=rule.assignees,
                    actions=rule.actions, conditions=tuple(conditions),
                    fields=fields.right if fields is not None else None,
                    row_filter=row_filter.right if row_filter is not None else None,
                    min_group_size=min_group, uid=rule.uid)

    def actions(self, value: Any, path: str, rule_path: str) -> frozenset[Action]:
        if value is None:
            raise problem(f"{rule_path}.action", "a rule needs an action")
        found: set[Action] = set()
        for i, item in enumerate(_list(value)):
            where = f"{path}[{i}]" if isinstance(value, list) else path
            if isinstance(item, dict):
                if "refinement" in item:
                    raise problem(f"{where}.refinement", "refinements of actions are not "
                                  "supported: put the condition in the rule's constraint")
                item = item.get("rdf:value", item.get("@id", item.get("value")))
            iri = self.term(item, where, "an action")
            if iri not in ACTIONS:
                raise problem(where, f"unknown action {str(item)[:100]!r}: Belfort knows use, "
                              "read, aggregate, distribute (export), export and stream")
            found |= ACTIONS[iri]
        if not found:
            raise problem(path, "a rule needs an action")
        return frozenset(found)

    def assignees(self, value: Any, path: str, rule_path: str) -> frozenset[str]:
        if value is None:
            raise problem(f"{rule_path}.assignee", "a rule needs an assignee: a party such as "
                          f"urn:belfort:group:<name> ({PUBLIC_PARTY} for everyone)")
        items = _list(value)
        if len(items) > MAX_LIST:
            raise problem(path, f"at most {MAX_LIST} assignees")
        found: set[str] = set()
        for i, item in enumerate(items):
            where = f"{path}[{i}]" if isinstance(value, list) else path
            collection = False
            if isinstance(item, dict):
                if "refinement" in item:
                    raise problem(f"{where}.refinement", "refinements of parties are not "
                                  "supported: name the group or organisation")
                kind = item.get("@type", item.get("type", "Party"))
                if not isinstance(kind, str) or self.odrl(kind, f"{where}.@type", "party type") \
                        not in ("Party", "PartyCollection"):
                    raise problem(f"{where}.@type", "a party is a Party or PartyCollection")
                collection = self.odrl(kind, where, "party type") == "PartyCollection"
                item = item.get("uid", item.get("@id"))
            if not isinstance(item, str) or not PARTY.fullmatch(item):
                raise problem(where, f"{str(item)[:100]!r} is no Belfort party: "
                              f"{PARTY_PREFIX}person:<sub>, …:group:<g>, …:organisation:<o>, "
                              f"…:key:<id>, {PUBLIC_PARTY} or {SIGNED_IN_PARTY}")
            if collection and not (item in (PUBLIC_PARTY, SIGNED_IN_PARTY) or any(
                    item.startswith(f"{PARTY_PREFIX}{c}:") for c in COLLECTIONS)):
                raise problem(where, "a PartyCollection is a group, an organisation, "
                              "public or signed-in")
            found.add(item)
        return frozenset(found)

    def duty(self, value: Any, path: str) -> None:
        """Duties are parsed (so their mistakes are named) and then refused."""
        if not isinstance(value, dict):
            raise problem(path, "a duty is a JSON object")
        action = value.get("action")
        name = self.odrl(_list(action)[0] if action is not None else "", f"{path}.action",
                         "action") if action is not None else "?"
        for i, item in enumerate(_list(value.get("constraint", []))):
            self.constraint(item, f"{path}.constraint[{i}]", depth=0, profile_ok=False)
        raise problem(path, f"Belfort cannot enforce duties (here {name!r}): remove it, or "
                      "express the condition as a constraint of the rule")

    # -- constraints ------------------------------------------------------------------------

    def constraint(self, value: Any, path: str, *, depth: int, profile_ok: bool) -> Constraint:
        self.constraints += 1
        if self.constraints > MAX_CONSTRAINTS:
            raise problem(path, f"a policy holds at most {MAX_CONSTRAINTS} constraints")
        if not isinstance(value, dict):
            raise problem(path, "a constraint is a JSON object")
        logical = [k for k in value if k in LOGICAL or k == "xor"]
        if logical:
            return self.logical(value, logical, path, depth=depth, profile_ok=profile_ok)
        for key in value:
            if key not in {"uid", "@type", "type", "leftOperand", "operator", "rightOperand",
                           "dataType", "unit", "belfort:period", "rightOperandReference",
                           "status"}:
                raise problem(f"{path}.{key}"[:200], f"{key[:60]!r} is not in Belfort's "
                              "ODRL subset for a constraint")
        if "rightOperandReference" in value:
            raise problem(f"{path}.rightOperandReference", "references are not supported: "
                          "give the rightOperand itself")
        for key in ("unit", "status"):
            if key in value:
                raise problem(f"{path}.{key}", f"{key!r} is not supported")
        left = self.odrl(value.get("leftOperand"), f"{path}.leftOperand", "left operand")
        if left not in OPERAND_OPERATORS:
            raise problem(f"{path}.leftOperand", f"the left operand {left[:60]!r} is not in "
                          "Belfort's subset: purpose, dateTime, count, belfort:fields, "
                          "belfort:rowFilter, belfort:minGroupSize")
        operator = self.odrl(value.get("operator"), f"{path}.operator", "operator")
        if operator not in OPERATORS:
            raise problem(f"{path}.operator", f"unknown operator {operator[:60]!r}")
        if operator not in OPERAND_OPERATORS[left]:
            raise problem(f"{path}.operator", f"{left} takes "
                          f"{', '.join(sorted(OPERAND_OPERATORS[left]))}, not {operator}")
        if left in PROFILE_OPERANDS and not profile_ok:
            raise problem(f"{path}.leftOperand", f"belfort:{left} restricts what a permission "
                          "grants: it belongs in a permission's constraints (or an and), not in "
                          "a prohibition, a duty, an or or an xone")
        if "belfort:period" in value and left != "count":
            raise problem(f"{path}.belfort:period", "a period belongs to a count constraint")
        if "rightOperand" not in value:
            raise problem(f"{path}.rightOperand", "a constraint needs a rightOperand")
        rpath = f"{path}.rightOperand"
        right = getattr(self, "right_" + left)(value["rightOperand"], operator, rpath)
        period = self.period(value.get("belfort:period", "P1D"), f"{path}.belfort:period") \
            if left == "count" else None
        return Atomic(left=left, operator=operator, right=right, path=path, period=period)

    def logical(self, value: dict[str, Any], keys: list[str], path: str, *, depth: int,
                profile_ok: bool) -> Logical:
        if "xor" in keys:
            raise problem(f"{path}.xor", "ODRL 2.2 calls it xone")
        extra = set(value) - set(keys) - {"uid", "@type", "type"}
        if len(keys) > 1 or extra:
            raise problem(path, "a logical constraint holds one of and, or, xone, andSequence "
                          "and nothing else")
        if depth >= MAX_DEPTH:
            raise problem(path, f"logical constraints nest at most {MAX_DEPTH} deep")
        key = keys[0]
        operator = LOGICAL[key]
        items = _list(value[key])
        if len(items) < 2 and operator != "and":
            raise problem(f"{path}.{key}", f"{key} needs at least two constraints")
        parts = tuple(self.constraint(item, f"{path}.{key}[{i}]", depth=depth + 1,
                                      profile_ok=profile_ok and operator == "and")
                      for i, item in enumerate(items))
        if not parts:
            raise problem(f"{path}.{key}", f"{key} needs constraints")
        return Logical(operator=operator, parts=parts, path=path)  # type: ignore[arg-type]

    def period(self, value: Any, path: str) -> dt.timedelta:
        found = PERIOD.fullmatch(value) if isinstance(value, str) else None
        if found is None:
            raise problem(path, "a period is an ISO 8601 duration: PnW, PnD, PTnH or PTnM")
        weeks, days, hours, minutes = (int(g) if g else 0 for g in found.groups())
        period = dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
        if not dt.timedelta(minutes=1) <= period <= dt.timedelta(days=366):
            raise problem(path, "a period lasts from one minute to 366 days")
        return period

    # -- right operands ---------------------------------------------------------------------

    @staticmethod
    def literal(value: Any) -> Any:
        if isinstance(value, dict) and "@value" in value and set(value) <= {"@value", "@type"}:
            return value["@value"]
        return value

    def right_purpose(self, value: Any, operator: str, path: str) -> tuple[str, ...]:
        items = _list(value)
        if operator in ("eq", "neq", "isA") and len(items) != 1:
            raise problem(path, f"{operator} takes one purpose")
        if not items or len(items) > MAX_LIST:
            raise problem(path, f"give 1 to {MAX_LIST} purposes")
        found = []
        for i, item in enumerate(items):
            where = f"{path}[{i}]" if isinstance(value, list) else path
            text = self.literal(item.get("@id") if isinstance(item, dict) and "@id" in item
                                else item)
            iri = purpose_iri(self.expand(text)) if isinstance(text, str) and ":" in text \
                else purpose_iri(text) if isinstance(text, str) else None
            if iri is None:
                raise problem(where, f"unknown purpose {str(text)[:100]!r}: use a DPV purpose "
                              f"such as dpv:ResearchAndDevelopment ({len(PURPOSES)} known; "
                              "GET /api/belfort/v1/policies/purposes)")
            found.append(iri)
        return tuple(found)

    def right_dateTime(self, value: Any, operator: str, path: str) -> dt.datetime:
        text = self.literal(value)
        if not isinstance(text, str) or len(text) > 40:
            raise problem(path, "a dateTime is an ISO 8601 date or date-time")
        try:
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise problem(path, f"{text!r} is no ISO 8601 date or date-time") from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)  # documented: a time without an offset is UTC
        return when

    def right_count(self, value: Any, operator: str, path: str) -> int:
        number = self.literal(value)
        if isinstance(number, str) and number.isdigit() and len(number) < 10:
            number = int(number)
        if isinstance(number, bool) or not isinstance(number, int) \
                or not 0 <= number <= 1_000_000_000:
            raise problem(path, "a count is a whole number from 0 to 1000000000")
        return number

    def right_fields(self, value: Any, operator: str, path: str) -> frozenset[str]:
        items = _list(value)
        if not items or len(items) > MAX_LIST:
            raise problem(path, f"give 1 to {MAX_LIST} field names")
        for i, item in enumerate(items):
            name = self.literal(item)
            if not isinstance(name, str) or not FIELD.fullmatch(name):
                raise problem(f"{path}[{i}]" if isinstance(value, list) else path,
                              f"{str(name)[:60]!r} is no field name")
        return frozenset(self.literal(item) for item in items)

    def right_rowFilter(self, value: Any, operator: str, path: str) -> str:
        text = self.literal(value)
        if not isinstance(text, str) or not text.strip():
            raise problem(path, "a row filter is an Opendatasoft where expression (text)")
        try:
            parse_where(text)
        except ODSQLError as exc:
            raise problem(path, f"the row filter does not parse: {exc.message}") from None
        return text

    def right_minGroupSize(self, value: Any, operator: str, path: str) -> int:
        number = self.literal(value)
        if isinstance(number, bool) or not isinstance(number, int) \
                or not 2 <= number <= 1_000_000:
            raise problem(path, "a minimum group size is a whole number from 2 to 1000000")
        return number
