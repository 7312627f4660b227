"""Policy evaluation: the ODRL 2.2 examples (restricted to the subset) and the Formal
Semantics' intent for permission, prohibition and constraint satisfaction."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from belfort.errors import PolicyInvalid
from belfort.policy.access import Action
from belfort.policy.evaluate import evaluate
from belfort.policy.odrl import Policy, parse_policy
from belfort.policy.principals import ANONYMOUS, Kind, Principal, Role

EXAMPLES = Path(__file__).parent / "odrl_examples"
NOW = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)
CTX = "http://www.w3.org/ns/odrl.jsonld"
DPV = "https://w3id.org/dpv#"


def person(sub: str = "billie", org: str | None = None, *groups: str) -> Principal:
    return Principal(role=Role.READ, kind=Kind.PERSON, subject=sub, organisation=org,
                     groups=frozenset(groups))


def example(name: str) -> Policy:
    return parse_policy((EXAMPLES / f"{name}.json").read_text())


def make(permissions: list[dict[str, Any]], prohibitions: list[dict[str, Any]] | None = None,
         uid: str = "urn:belfort:policy:t", **extra: Any) -> Policy:
    doc: dict[str, Any] = {"@context": CTX, "uid": uid, "target": "parkings",
                           "permission": permissions, **extra}
    if prohibitions:
        doc["prohibition"] = prohibitions
    return parse_policy(doc)


def rule(assignee: str = "urn:belfort:group:g", action: Any = "read", *constraint: Any) -> dict:
    found: dict[str, Any] = {"assignee": assignee, "action": action}
    if constraint:
        found["constraint"] = list(constraint)
    return found


def purpose(op: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": "purpose", "operator": op, "rightOperand": right}


# -- the ODRL 2.2 Information Model's examples ---------------------------------------------

def test_example_1_set_use_for_everyone() -> None:
    grant = evaluate([example("example01_set")], ANONYMOUS, Action.EXPORT, now=NOW)
    assert grant is not None and grant.policy_id == "http://example.com/policy:1010"
    assert not grant.restricted


def test_example_2_offer_only_for_its_assignee() -> None:
    policy = example("example02_offer")
    assert evaluate([policy], person(org="abc"), Action.READ, now=NOW) is not None
    assert evaluate([policy], person(org="abc"), Action.AGGREGATE, now=NOW) is not None
    assert evaluate([policy], person(org="abc"), Action.EXPORT, now=NOW) is None
    assert evaluate([policy], person(org="xyz"), Action.READ, now=NOW) is None


def test_example_3_agreement_for_one_person() -> None:
    policy = example("example03_agreement")
    assert policy.type == "Agreement"
    assert evaluate([policy], person("billie"), Action.READ, now=NOW) is not None
    assert evaluate([policy], person("bob"), Action.READ, now=NOW) is None
    assert evaluate([policy], ANONYMOUS, Action.READ, now=NOW) is None


def test_example_prohibition_default_strategy() -> None:
    policy = example("example_prohibition")
    key = Principal(role=Role.READ, key_id="k1", kind=Kind.KEY)
    assert evaluate([policy], key, Action.READ, now=NOW) is not None
    assert evaluate([policy], key, Action.EXPORT, now=NOW) is None
    assert evaluate([policy], ANONYMOUS, Action.READ, now=NOW) is None  # not signed in


def test_example_datetime_constraint_window() -> None:
    policy = example("example_constraint_datetime")
    org = person(org="616")
    before = dt.datetime(2017, 12, 31, 23, 59, tzinfo=dt.UTC)
    assert evaluate([policy], org, Action.EXPORT, now=before) is not None
    assert evaluate([policy], org, Action.EXPORT, now=NOW) is None
    assert policy.expires_at == dt.datetime(2018, 1, 1, tzinfo=dt.UTC)


def test_example_conflict_perm() -> None:
    staff = person("s", None, "staff")
    policy = example("example_conflict_perm")
    grant = evaluate([policy], staff, Action.EXPORT, now=NOW)
    assert grant is not None  # perm: the permission wins over the prohibition
    doc = dict(policy.document, conflict="prohibit")
    assert evaluate([parse_policy(doc)], staff, Action.EXPORT, now=NOW) is None
    assert evaluate([parse_policy(doc)], staff, Action.READ, now=NOW) is not None
    doc = dict(policy.document, conflict="invalid")
    assert evaluate([parse_policy(doc)], staff, Action.EXPORT, now=NOW) is None


def test_example_xone() -> None:
    policy = example("example_logical_or")
    r = person("r", None, "researchers")
    assert evaluate([policy], r, Action.READ, purpose="dpv:AcademicResearch", now=NOW)
    assert evaluate([policy], r, Action.READ, purpose=DPV + "NonCommercialResearch", now=NOW)
    assert evaluate([policy], r, Action.READ, purpose="dpv:CommercialResearch", now=NOW) is None
    assert evaluate([policy], r, Action.READ, now=NOW) is None  # no purpose: not satisfied


def test_example_compact_policy() -> None:
    policy = example("example_compact_policy")
    analyst = person("a", None, "analysts")
    grant = evaluate([policy], analyst, Action.READ, now=NOW)
    assert grant is not None and grant.fields == {"name", "capacity"}
    grant = evaluate([policy], analyst, Action.AGGREGATE, now=NOW)
    assert grant is not None  # the read permission (fields) is more generous than k=10
    assert grant.fields == {"name", "capacity"} and grant.min_group_size is None


def test_example_duty_is_refused() -> None:
    with pytest.raises(PolicyInvalid, match="cannot enforce duties"):
        example("example_duty")


# -- semantics ------------------------------------------------------------------------------

def test_aggregate_only_grant_carries_k() -> None:
    policy = make([rule("urn:belfort:group:g", "aggregate")])
    grant = evaluate([policy], person("x", None, "g"), Action.AGGREGATE, now=NOW)
    assert grant is not None and grant.aggregates_only and grant.min_group_size == 10
    assert evaluate([policy], person("x", None, "g"), Action.READ, now=NOW) is None


def test_purpose_operators() -> None:
    g = person("x", None, "g")
    isa = make([rule("urn:belfort:group:g", "read", purpose("isA", "dpv:ResearchAndDevelopment"))])
    assert evaluate([isa], g, Action.READ, purpose="Academic Research", now=NOW)
    assert evaluate([isa], g, Action.READ, purpose="dpv:ResearchAndDevelopment", now=NOW)
    assert evaluate([isa], g, Action.READ, purpose="dpv:Marketing", now=NOW) is None
    eq = make([rule("urn:belfort:group:g", "read", purpose("eq", "dpv:ResearchAndDevelopment"))])
    assert evaluate([eq], g, Action.READ, purpose="dpv:AcademicResearch", now=NOW) is None
    none_of = make([rule("urn:belfort:group:g", "read", purpose("isNoneOf", ["dpv:Marketing"]))])
    assert evaluate([none_of], g, Action.READ, purpose="dpv:Advertising", now=NOW) is None
    assert evaluate([none_of], g, Action.READ, purpose="dpv:PublicBenefit", now=NOW)
    grant = evaluate([isa], g, Action.READ, purpose="dpv:AcademicResearch", now=NOW)
    assert grant is not None and grant.purpose == DPV + "AcademicResearch"


def test_count_needs_a_counter() -> None:
    policy = make([rule("urn:belfort:public", "read",
                        {"leftOperand": "count", "operator": "lteq", "rightOperand": 3})])
    seen: list[tuple[str, str, dt.timedelta | None]] = []

    def counter(uid: str, party: str, period: dt.timedelta | None) -> int:
        seen.append((uid, party, period))
        return made

    made = 2
    assert evaluate([policy], ANONYMOUS, Action.READ, now=NOW, counter=counter) is not None
    made = 3
    assert evaluate([policy], ANONYMOUS, Action.READ, now=NOW, counter=counter) is None
    assert seen[0] == ("urn:belfort:policy:t", "urn:belfort:public", dt.timedelta(days=1))
    assert evaluate([policy], ANONYMOUS, Action.READ, now=NOW) is None  # cannot be decided


def test_prohibition_in_another_policy_wins() -> None:
    allow = make([rule("urn:belfort:public", "use")], uid="urn:belfort:policy:a")
    deny = make([rule("urn:belfort:group:other", "read")],
                [rule("urn:belfort:person:x", "distribute")], uid="urn:belfort:policy:b")
    x = person("x")
    assert evaluate([allow, deny], x, Action.EXPORT, now=NOW) is None
    assert evaluate([allow, deny], x, Action.READ, now=NOW) is not None
    assert evaluate([allow, deny], person("y"), Action.EXPORT, now=NOW) is not None


def test_prohibition_constraints_must_hold_to_prohibit() -> None:
    policy = make([rule("urn:belfort:public", "read")], [rule(
        "urn:belfort:public", "read",
        {"leftOperand": "dateTime", "operator": "gteq", "rightOperand": "2027-01-01"})])
    assert evaluate([policy], ANONYMOUS, Action.READ, now=NOW) is not None
    later = dt.datetime(2027, 2, 1, tzinfo=dt.UTC)
    assert evaluate([policy], ANONYMOUS, Action.READ, now=later) is None


def test_most_generous_permission_is_chosen_not_merged() -> None:
    fields = {"leftOperand": "belfort:fields", "operator": "eq", "rightOperand": ["a"]}
    rows = {"leftOperand": "belfort:rowFilter", "operator": "eq", "rightOperand": "b = 1"}
    policy = make([rule("urn:belfort:public", "read", fields),
                   rule("urn:belfort:public", "read", rows),
                   rule("urn:belfort:public", "distribute", rows)])
    grant = evaluate([policy], ANONYMOUS, Action.READ, now=NOW)
    assert grant is not None
    # a subset of fields on every row, or every field on some rows: never both merged
    assert (grant.fields, grant.row_filter) in ((frozenset({"a"}), None), (None, "b = 1"))
    assert grant.fields is None and grant.row_filter == "b = 1"  # every field first
    assert grant.actions == {Action.READ, Action.AGGREGATE, Action.EXPORT}  # same: joined


def test_register_purposes_for_personal_data() -> None:
    policy = make([rule("urn:belfort:public", "read",
                        purpose("isA", "dpv:ResearchAndDevelopment"))])
    register = ["dpv:AcademicResearch", "Service Provision"]
    assert evaluate([policy], ANONYMOUS, Action.READ, purpose="dpv:AcademicResearch",
                    now=NOW, register_purposes=register) is not None
    assert evaluate([policy], ANONYMOUS, Action.READ, purpose="dpv:CommercialResearch",
                    now=NOW, register_purposes=register) is None  # allowed, not registered
    assert evaluate([policy], ANONYMOUS, Action.READ, now=NOW,
                    register_purposes=lambda: register) is None
    calls: list[int] = []
    assert evaluate([policy], ANONYMOUS, Action.READ, purpose="dpv:AcademicResearch", now=NOW,
                    register_purposes=lambda: calls.append(1) or register) is not None
    assert calls == [1]


def test_grant_expires_with_its_window() -> None:
    policy = make([rule("urn:belfort:person:x", "read",
                        {"leftOperand": "dateTime", "operator": "lt",
                         "rightOperand": "2027-01-01T00:00:00+01:00"})])
    grant = evaluate([policy], person("x"), Action.READ, now=NOW)
    assert grant is not None
    assert grant.expires_at == dt.datetime(2026, 12, 31, 23, tzinfo=dt.UTC)


def test_no_policies_no_grant() -> None:
    assert evaluate([], person(), Action.READ, now=NOW) is None


def test_examples_round_trip_as_json() -> None:
    for path in sorted(EXAMPLES.glob("*.json")):
        doc = json.loads(path.read_text())
        if path.stem != "example_duty":
            assert parse_policy(doc).uid == doc["uid"]


def test_the_documented_examples_parse() -> None:
    import re

    text = (Path(__file__).parents[2] / "docs" / "access.md").read_text()
    section = text[text.index("## Policies (ODRL)"):]
    blocks = re.findall(r"```json\n(.*?)```", section, re.S)
    assert len(blocks) == 3
    parsed = [parse_policy(block) for block in blocks]
    assert parsed[0].permissions[0].min_group_size == 10
    assert parsed[1].permissions[0].fields == {"telpunt", "tijdstip", "aantal"}
    agreement = parsed[2]
    assert agreement.type == "Agreement" and agreement.prohibitions
    one = person("7f3c2a")
    january = dt.datetime(2027, 1, 15, tzinfo=dt.UTC)
    grant = evaluate([agreement], one, Action.READ, purpose="dpv:PublicBenefit", now=january,
                     counter=lambda uid, party, period: 5)
    assert grant is not None and grant.policy_id == "urn:belfort:policy:request-2026-0042"
    assert evaluate([agreement], one, Action.EXPORT, purpose="dpv:PublicBenefit", now=january,
                    counter=lambda uid, party, period: 5) is None
    assert evaluate([agreement], one, Action.READ, purpose="dpv:PublicBenefit", now=NOW,
                    counter=lambda uid, party, period: 5) is None  # before the window
