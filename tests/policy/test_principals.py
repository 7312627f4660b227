"""Principals: the party identifiers policies name, and the audience answers are cached by."""

from __future__ import annotations

from belfort.policy.access import FULL, Action, Grant
from belfort.policy.principals import (
    ANONYMOUS,
    CLI_ADMIN,
    PUBLIC_PARTY,
    SIGNED_IN_PARTY,
    Kind,
    Principal,
    Role,
    StaffRole,
)

PERSON = Principal(role=Role.READ, name="An", kind=Kind.PERSON, subject="an-123",
                   organisation="stad-gent", groups=frozenset({"mobiliteit"}))


def test_anonymous_is_only_the_public() -> None:
    assert ANONYMOUS.parties == {PUBLIC_PARTY}
    assert ANONYMOUS.audience == "public"
    assert not ANONYMOUS.is_signed_in and not ANONYMOUS.is_dpo


def test_a_person_answers_to_its_subject_organisation_and_groups() -> None:
    assert PERSON.parties == {
        PUBLIC_PARTY, SIGNED_IN_PARTY, "urn:belfort:person:an-123",
        "urn:belfort:organisation:stad-gent", "urn:belfort:group:mobiliteit",
    }
    assert PERSON.actor == "person:an-123"


def test_audience_separates_principals_with_different_parties() -> None:
    other = Principal(role=Role.READ, kind=Kind.PERSON, subject="bo-456", organisation="stad-gent")
    assert PERSON.audience != other.audience
    assert PERSON.audience == Principal(role=Role.READ, kind=Kind.PERSON, subject="an-123",
                                        organisation="stad-gent",
                                        groups=frozenset({"mobiliteit"})).audience
    assert CLI_ADMIN.audience == "admin"
    key = Principal(role=Role.READ, key_id="k1", kind=Kind.KEY)
    assert "urn:belfort:key:k1" in key.parties and key.audience.startswith("read:")


def test_staff_roles() -> None:
    dpo = Principal(role=Role.READ, kind=Kind.PERSON, subject="d",
                    staff_roles=frozenset({StaffRole.DPO}))
    assert dpo.is_dpo and not dpo.is_steward and not dpo.is_admin
    assert CLI_ADMIN.is_dpo and CLI_ADMIN.is_steward


def test_grants() -> None:
    assert not FULL.restricted and FULL.allows(Action.EXPORT)
    aggregates = Grant(actions=frozenset({Action.AGGREGATE}), min_group_size=10)
    assert aggregates.aggregates_only and aggregates.restricted
    assert aggregates.allows(Action.AGGREGATE) and not aggregates.allows(Action.READ)
    assert Grant(actions=frozenset({Action.READ})).allows(Action.AGGREGATE)
