"""The ODRL subset parser: what it accepts, and a typed error naming the path for the rest."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from belfort.errors import PolicyInvalid
from belfort.policy.access import ALL_ACTIONS, Action
from belfort.policy.odrl import MAX_BYTES, Atomic, Logical, parse_policy

CTX = "http://www.w3.org/ns/odrl.jsonld"


def policy(**rule: Any) -> dict[str, Any]:
    base = {"target": "parkings", "assignee": "urn:belfort:group:research", "action": "read"}
    base.update(rule)
    return {"@context": CTX, "@type": "Set", "uid": "urn:belfort:policy:p1", "permission": [base]}


def refused(doc: Any) -> PolicyInvalid:
    with pytest.raises(PolicyInvalid) as caught:
        parse_policy(doc if isinstance(doc, (str, bytes)) else json.dumps(doc))
    assert caught.value.http_status == 422
    assert caught.value.details["problems"][0]["path"] is not None
    return caught.value


def purpose(op: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": "purpose", "operator": op, "rightOperand": right}


def test_a_simple_set() -> None:
    p = parse_policy(json.dumps(policy()))
    assert p.uid == "urn:belfort:policy:p1" and p.type == "Set" and p.dataset == "parkings"
    assert p.conflict == "prohibit"
    (rule,) = p.permissions
    assert rule.actions == {Action.READ} and rule.assignees == {"urn:belfort:group:research"}
    assert rule.min_group_size is None and rule.fields is None


@pytest.mark.parametrize("action, expected", [
    ("use", ALL_ACTIONS), ("odrl:use", ALL_ACTIONS),
    ("http://www.w3.org/ns/odrl/2/read", {Action.READ}), ("aggregate", {Action.AGGREGATE}),
    ("distribute", {Action.EXPORT}), ("stream", {Action.STREAM}),
    ("belfort:export", {Action.EXPORT}), ({"@id": "odrl:read"}, {Action.READ}),
    (["read", "distribute"], {Action.READ, Action.EXPORT}),
])
def test_actions_map_to_belforts(action: Any, expected: set[Action]) -> None:
    assert parse_policy(policy(action=action)).permissions[0].actions == expected


@pytest.mark.parametrize("target", [
    "parkings", "urn:belfort:dataset:parkings", "https://data.stad.gent/datasets/parkings",
    "http://localhost:8000/api/belfort/v1/datasets/parkings", {"uid": "parkings"},
])
def test_targets(target: Any) -> None:
    assert parse_policy(policy(target=target)).dataset == "parkings"


def test_compact_forms_of_the_context_and_type() -> None:
    doc = policy()
    doc["@context"] = [CTX, {"ex": "http://example.com/"}]
    doc.pop("@type")
    doc["type"] = "odrl:Agreement"
    doc["assigner"] = "ex:city"
    assert parse_policy(doc).type == "Agreement"


def test_aggregate_only_gets_the_default_threshold() -> None:
    assert parse_policy(policy(action="aggregate")).permissions[0].min_group_size == 10
    doc = policy(action="aggregate", constraint=[
        {"leftOperand": "belfort:minGroupSize", "operator": "gteq", "rightOperand": 25}])
    assert parse_policy(doc).permissions[0].min_group_size == 25


def test_profile_operands_and_conditions() -> None:
    doc = policy(constraint=[
        {"and": [
            {"leftOperand": "belfort:fields", "operator": "eq", "rightOperand": ["a", "b"]},
            {"leftOperand": "urn:belfort:odrl:rowFilter", "operator": "eq",
             "rightOperand": "district = 'Gent' AND capacity > 10"},
        ]},
        purpose("isA", "dpv:ResearchAndDevelopment"),
        {"leftOperand": "dateTime", "operator": "lteq", "rightOperand": "2027-01-31T00:00:00Z"},
        {"leftOperand": "count", "operator": "lteq", "rightOperand": 100,
         "belfort:period": "PT1H"},
    ])
    rule = parse_policy(doc).permissions[0]
    assert rule.fields == {"a", "b"} and rule.row_filter.startswith("district")  # type: ignore[union-attr]
    assert [c.left for c in rule.conditions if isinstance(c, Atomic)] == [
        "purpose", "dateTime", "count"]
    assert rule.conditions[2].period == dt.timedelta(hours=1)  # type: ignore[union-attr]
    assert rule.expires_at == dt.datetime(2027, 1, 31, tzinfo=dt.UTC)


def test_logical_constraints() -> None:
    doc = policy(constraint=[{"or": [purpose("eq", "dpv:AcademicResearch"),
                                     purpose("eq", "https://w3id.org/dpv#PublicBenefit")]}])
    (c,) = parse_policy(doc).permissions[0].conditions
    assert isinstance(c, Logical) and c.operator == "or" and len(c.parts) == 2


def test_party_collections() -> None:
    doc = policy(assignee=[{"@type": "PartyCollection", "uid": "urn:belfort:organisation:ugent"},
                           "urn:belfort:key:k1", "urn:belfort:signed-in"])
    assert parse_policy(doc).permissions[0].assignees == {
        "urn:belfort:organisation:ugent", "urn:belfort:key:k1", "urn:belfort:signed-in"}


@pytest.mark.parametrize("change, path", [
    (lambda d: d.pop("@context"), "@context"),
    (lambda d: d.update({"@context": "https://evil.example/ctx.jsonld"}), "@context"),
    (lambda d: d.pop("uid"), "uid"),
    (lambda d: d.update({"uid": "no spaces allowed"}), "uid"),
    (lambda d: d.update({"@type": "Privacy"}), "@type"),
    (lambda d: d.update({"conflict": "maybe"}), "conflict"),
    (lambda d: d.update({"profile": "http://example.com/odrl:profile:01"}), "profile"),
    (lambda d: d.update({"inheritFrom": "urn:x:y"}), "inheritFrom"),
    (lambda d: d.update({"surprise": 1}), "surprise"),
    (lambda d: d.update({"permission": []}), "permission"),
    (lambda d: d["permission"][0].pop("assignee"), "permission[0].assignee"),
    (lambda d: d["permission"][0].pop("action"), "permission[0].action"),
    (lambda d: d["permission"][0].pop("target"), "permission[0].target"),
    (lambda d: d["permission"][0].update({"action": "play"}), "permission[0].action"),
    (lambda d: d["permission"][0].update({"target": "http://example.com/asset:9898.movie"}),
     "permission[0].target"),
    (lambda d: d["permission"][0].update({"assignee": "http://example.com/person:billie"}),
     "permission[0].assignee"),
    (lambda d: d["permission"][0].update({"assignee": ["urn:belfort:public", 3]}),
     "permission[0].assignee[1]"),
    (lambda d: d["permission"][0].update({"assignee": {
        "@type": "PartyCollection", "uid": "urn:belfort:person:x"}}), "permission[0].assignee"),
    (lambda d: d["permission"].append({"target": "other", "action": "read",
                                       "assignee": "urn:belfort:public"}), "target"),
    (lambda d: d.update({"@type": "Agreement"}), "assigner"),
    (lambda d: d["permission"][0].update({"duty": [{"action": "compensate"}]}),
     "permission[0].duty[0]"),
    (lambda d: d.update({"obligation": [{"action": "delete"}]}), "obligation[0]"),
    (lambda d: d["permission"][0].update({"action": {"rdf:value": {"@id": "odrl:read"},
                                                     "refinement": []}}),
     "permission[0].action.refinement"),
])
def test_malformed_policies_name_the_path(change: Any, path: str) -> None:
    doc = policy()
    change(doc)
    error = refused(doc)
    assert error.details["problems"][0]["path"] == path, error.message
    assert error.message.startswith(path)


@pytest.mark.parametrize("constraint, path", [
    (purpose("eq", "dpv:MakingMoney"), "rightOperand"),
    (purpose("eq", "https://w3id.org/dpv#Nonsense"), "rightOperand"),
    (purpose("eq", ["dpv:AcademicResearch", "dpv:PublicBenefit"]), "rightOperand"),
    (purpose("isAnyOf", ["dpv:AcademicResearch", "dpv:Bogus"]), "rightOperand[1]"),
    (purpose("lt", "dpv:AcademicResearch"), "operator"),
    (purpose("sortOf", "dpv:AcademicResearch"), "operator"),
    ({"leftOperand": "spatial", "operator": "eq", "rightOperand": "Gent"}, "leftOperand"),
    ({"leftOperand": "purpose", "operator": "eq"}, "rightOperand"),
    ({"leftOperand": "dateTime", "operator": "lt", "rightOperand": "next tuesday"},
     "rightOperand"),
    ({"leftOperand": "dateTime", "operator": "eq", "rightOperand": "2026-01-01"}, "operator"),
    ({"leftOperand": "count", "operator": "lteq", "rightOperand": -1}, "rightOperand"),
    ({"leftOperand": "count", "operator": "lteq", "rightOperand": 5, "belfort:period": "P1Y"},
     "belfort:period"),
    ({"leftOperand": "belfort:rowFilter", "operator": "eq", "rightOperand": "a = = 1"},
     "rightOperand"),
    ({"leftOperand": "belfort:fields", "operator": "eq", "rightOperand": ["ok", "no;drop"]},
     "rightOperand[1]"),
    ({"leftOperand": "belfort:minGroupSize", "operator": "gteq", "rightOperand": 3},
     "leftOperand"),  # not allowed with read (checked on the operand's constraint)
    ({"leftOperand": "purpose", "operator": "eq", "rightOperandReference": "x:y",
      "rightOperand": "dpv:AcademicResearch"}, "rightOperandReference"),
    ({"xor": [purpose("eq", "dpv:AcademicResearch"), purpose("eq", "dpv:PublicBenefit")]},
     "xor"),
    ({"or": [{"leftOperand": "belfort:fields", "operator": "eq", "rightOperand": ["a"]},
             purpose("eq", "dpv:PublicBenefit")]}, "or[0].leftOperand"),
    ({"or": [purpose("eq", "dpv:AcademicResearch")]}, "or"),
    ("purpose", ""),
])
def test_malformed_constraints_name_the_path(constraint: Any, path: str) -> None:
    error = refused(policy(constraint=[purpose("isA", "dpv:Purpose"), constraint]))
    where = "permission[0].constraint[1]" + (f".{path}" if path else "")
    if constraint == {"leftOperand": "belfort:minGroupSize", "operator": "gteq",
                      "rightOperand": 3}:
        where = "permission[0].constraint[1]"
    assert error.details["problems"][0]["path"] == where, error.message


def test_threshold_needs_aggregate_without_read() -> None:
    error = refused(policy(constraint=[
        {"leftOperand": "belfort:minGroupSize", "operator": "gteq", "rightOperand": 3}]))
    assert "aggregate without read" in error.message


def test_profile_operands_are_refused_in_prohibitions() -> None:
    doc = policy()
    doc["prohibition"] = [{"target": "parkings", "assignee": "urn:belfort:public",
                           "action": "read", "constraint": [
                               {"leftOperand": "belfort:fields", "operator": "eq",
                                "rightOperand": ["a"]}]}]
    assert refused(doc).details["problems"][0]["path"] == \
        "prohibition[0].constraint[0].leftOperand"


def test_nesting_and_size_limits() -> None:
    deep: dict[str, Any] = purpose("eq", "dpv:PublicBenefit")
    for _ in range(6):
        deep = {"and": [deep, purpose("eq", "dpv:PublicBenefit")]}
    assert "nest" in refused(policy(constraint=[deep])).message
    many = policy(constraint=[purpose("isA", "dpv:Purpose")] * 201)
    assert "at most 200 constraints" in refused(many).message
    rules = policy()
    rules["permission"] = rules["permission"] * 51
    assert "at most 50 rules" in refused(rules).message
    big = json.dumps(policy(**{"dc:title": "x" * 1000})) + " " * MAX_BYTES
    assert "larger than" in refused(big).message


@pytest.mark.parametrize("text", [
    "", "null", "[]", "{", '{"a": 1', b"\xff\xfe", "[" * 100_00 + "]" * 100_00,
    json.dumps(policy(uid="urn:belfort:policy:a\u0000b")),
    json.dumps(policy(**{"dc:title": "\u0000"})),
    json.dumps(policy(assignee="urn:belfort:group:<script>alert(1)</script>")),
])
def test_hostile_text(text: str | bytes) -> None:
    refused(text)


def test_the_error_does_not_echo_unbounded_input() -> None:
    error = refused(policy(action="x" * 1500))
    assert len(error.message) < 400


def test_parsing_does_not_change_the_document() -> None:
    doc = policy(constraint=[purpose("isA", "dpv:Purpose")])
    before = copy.deepcopy(doc)
    assert parse_policy(doc).document == before
    assert doc == before


# -- fuzzing: whatever comes in, only the typed error comes out ----------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.sampled_from(
        ["read", "use", "purpose", "dpv:AcademicResearch", "urn:belfort:public", "parkings",
         "and", "or", "xone", "eq", "isA", "lteq", "count", "dateTime", CTX, "Set",
         "belfort:rowFilter", "belfort:fields", "2027-01-01"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["@context", "@type", "uid", "permission", "prohibition", "target",
                         "assignee", "action", "constraint", "leftOperand", "operator",
                         "rightOperand", "and", "or", "xone", "duty", "@list", "@value",
                         "@id", "conflict", "profile"]) | st.text(max_size=8),
        children, max_size=6),
    max_leaves=40)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_fuzz_structures(value: Any) -> None:
    doc = policy()
    if isinstance(value, dict):
        doc.update(value)
    else:
        doc["permission"][0]["constraint"] = value
    try:
        parse_policy(json.dumps(doc))
    except PolicyInvalid:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_fuzz_bytes(raw: bytes | str) -> None:
    try:
        parse_policy(raw)
    except PolicyInvalid:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_fuzz_row_filters(where: str) -> None:
    try:
        parse_policy(json.dumps(policy(constraint=[
            {"leftOperand": "belfort:rowFilter", "operator": "eq", "rightOperand": where}])))
    except PolicyInvalid:
        pass
