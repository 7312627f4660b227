"""Roles: organisation defaults, dataset overrides, checks on every input, the audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from belfort.catalog.models import AuditEvent
from belfort.errors import InvalidRequest, NotFound, UnknownTerm
from belfort.governance import roles
from belfort.platform import Platform


def test_a_dataset_inherits_its_organisations_roles_and_may_override_them(
        governed: Platform) -> None:
    with governed.db.session() as session:
        roles.set_role(session, "admin", "organisation", "mobiliteit", "owner",
                       {"name": "Dienst Mobiliteit", "email": "mobiliteit@stad.gent"})
        roles.set_role(session, "admin", "organisation", "mobiliteit", "steward",
                       {"name": "An Steward", "email": "an@stad.gent", "email_public": True})
        roles.set_role(session, "admin", "dataset", "parkings", "steward",
                       {"name": "  Bert   Parkings ", "email": "bert@stad.gent"})
    with governed.db.session() as session:
        from belfort.catalog.models import Dataset
        found = roles.dataset_roles(session, session.get(Dataset, "parkings"))
        public = roles.roles_to_list(found, private=False)
        private = roles.roles_to_list(found, private=True)
        archief = roles.dataset_roles(session, session.get(Dataset, "archief"))
    assert [(h.role, h.name, h.source) for h in found] == [
        ("owner", "Dienst Mobiliteit", "organisation"), ("steward", "Bert Parkings", "dataset")]
    assert "email" not in public[0] and "email" not in public[1]  # neither e-mail is public
    assert private[1]["email"] == "bert@stad.gent"
    assert archief == []  # another organisation's datasets do not inherit them
    with governed.db.session() as session:
        assert roles.clear_role(session, "admin", "dataset", "parkings", "steward")
    with governed.db.session() as session:
        from belfort.catalog.models import Dataset
        found = roles.dataset_roles(session, session.get(Dataset, "parkings"))
        assert roles.roles_to_list(found, private=False)[1] == {
            "role": "steward", "name": "An Steward", "source": "organisation",
            "email": "an@stad.gent"}  # the organisation's, whose e-mail is public
        actions = session.scalars(select(AuditEvent.action)
                                  .where(AuditEvent.action.like("governance.%"))).all()
    assert sorted(actions) == ["governance.clear_role"] + ["governance.set_role"] * 3


BAD = [
    ("boss", {"name": "x"}, UnknownTerm),
    ("owner", {"name": ""}, InvalidRequest),
    ("owner", {"name": "x" * 201}, InvalidRequest),
    ("owner", {"name": "Eve\r\nBcc: all@example.org"}, InvalidRequest),
    ("owner", {"name": "Eve\x00"}, InvalidRequest),
    ("owner", {"name": "Eve", "email": "eve@example.org\r\nBcc: all@example.org"}, InvalidRequest),
    ("owner", {"name": "Eve", "email": "eve@example.org, all@example.org"}, InvalidRequest),
    ("owner", {"name": "Eve", "email": "a" * 250 + "@x.org"}, InvalidRequest),
    ("owner", {"name": "Eve", "email_public": "yes"}, InvalidRequest),
    ("owner", {"name": "Eve", "phone": "1"}, InvalidRequest),
    ("owner", ["Eve"], InvalidRequest),
    ("owner", {"name": 5}, InvalidRequest),
]


def test_bad_roles_are_refused_with_a_clear_message(governed: Platform) -> None:
    for role, data, error in BAD:
        with governed.db.session() as session, pytest.raises(error) as raised:
            roles.set_role(session, "admin", "dataset", "parkings", role, data)
        assert raised.value.http_status in (400, 422), (role, data)
    with governed.db.session() as session:
        assert roles.roles_of(session, "dataset", "parkings") == {}


def test_roles_of_unknown_datasets_or_organisations_are_not_found(governed: Platform) -> None:
    with governed.db.session() as session:
        with pytest.raises(NotFound):
            roles.set_role(session, "admin", "dataset", "nope", "owner", {"name": "x"})
        with pytest.raises(NotFound):
            roles.set_role(session, "admin", "organisation", "x" * 5000, "owner", {"name": "x"})
        with pytest.raises(NotFound):
            roles.set_role(session, "admin", "dataset", "parkings" + "x" * 200, "owner",
                           {"name": "x"})
        with pytest.raises(NotFound):  # PostgreSQL would refuse the look-up itself
            roles.set_role(session, "admin", "organisation", "mobi\x00", "owner", {"name": "x"})
        with pytest.raises(InvalidRequest):
            roles.set_role(session, "admin", "city", "gent", "owner", {"name": "x"})
