"""Policies in the catalogue: store/list/get/delete, the assignments kept in step, and the
gate's SQL selection of candidate datasets (SQLite and, when configured, PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from belfort.catalog.models import AuditEvent, PolicyAssignment
from belfort.errors import PolicyExists, PolicyInvalid, PolicyNotFound
from belfort.platform import Platform
from belfort.policy import policies
from belfort.policy.principals import CLI_ADMIN, Kind, Principal, Role
from belfort.publishing import ingest_file
from tests.helpers import counts_csv

CTX = "http://www.w3.org/ns/odrl.jsonld"


def doc(uid: str = "urn:belfort:policy:p1", target: str = "tellingen",
        assignee: Any = "urn:belfort:group:research", action: Any = "read",
        **extra: Any) -> str:
    return json.dumps({"@context": CTX, "uid": uid, "permission": [
        {"target": target, "assignee": assignee, "action": action}], **extra})


@pytest.fixture
def counts(platform: Platform, tmp_path: Path) -> Platform:
    for name in ("tellingen", "andere"):
        ingest_file(platform, CLI_ADMIN, name, counts_csv(tmp_path / name),
                    metadata={"title_nl": name})
    return platform


def test_store_list_get_delete(counts: Platform) -> None:
    with counts.db.session() as session:
        stored = policies.store_policy(session, doc(), actor="key:k1", create=True)
        assert stored.dataset == "tellingen" and stored.enabled and stored.created_by == "key:k1"
    with counts.db.session() as session:
        assert [p.uid for p in policies.list_policies(session)] == ["urn:belfort:policy:p1"]
        assert policies.list_policies(session, "andere") == []
        got = policies.get_policy(session, "urn:belfort:policy:p1")
        assert json.loads(got.source)["uid"] == "urn:belfort:policy:p1"
        with pytest.raises(PolicyExists):
            policies.store_policy(session, doc(), actor="x", create=True)
    with counts.db.session() as session:
        policies.delete_policy(session, "urn:belfort:policy:p1", actor="key:k1")
    with counts.db.session() as session:
        assert policies.list_policies(session) == []
        assert session.scalars(select(PolicyAssignment)).all() == []
        with pytest.raises(PolicyNotFound):
            policies.get_policy(session, "urn:belfort:policy:p1")
        with pytest.raises(PolicyNotFound):
            policies.get_policy(session, "not a uid\x00")
        actions = [e.action for e in session.scalars(select(AuditEvent))
                   if e.action.startswith("policy.")]
        assert actions == ["policy.create", "policy.delete"]


def test_a_policy_on_no_dataset_is_refused(counts: Platform) -> None:
    with counts.db.session() as session, pytest.raises(PolicyInvalid) as caught:
        policies.store_policy(session, doc(target="nope"), actor="x")
    assert caught.value.details["problems"][0]["path"] == "target"


def test_the_url_uid_must_match(counts: Platform) -> None:
    with counts.db.session() as session, pytest.raises(PolicyInvalid, match="uid"):
        policies.store_policy(session, doc(), actor="x", uid="urn:belfort:policy:other")


def test_assignments_follow_the_policy(counts: Platform) -> None:
    with counts.db.session() as session:
        policies.store_policy(session, doc(assignee=["urn:belfort:group:a",
                                                     "urn:belfort:person:b"]), actor="x")
    with counts.db.session() as session:
        rows = session.scalars(select(PolicyAssignment).order_by(PolicyAssignment.party)).all()
        assert [(r.party, r.rule, r.actions) for r in rows] == [
            ("urn:belfort:group:a", "permission", "read"),
            ("urn:belfort:person:b", "permission", "read")]
        prohibition = json.loads(doc(action="use"))
        prohibition["prohibition"] = [{"target": "tellingen", "assignee": "urn:belfort:person:b",
                                       "action": "distribute"}]
        policies.store_policy(session, json.dumps(prohibition), actor="x", create=False)
    with counts.db.session() as session:
        rows = session.scalars(select(PolicyAssignment).order_by(PolicyAssignment.party,
                                                                 PolicyAssignment.rule)).all()
        assert [(r.party, r.rule, r.actions) for r in rows] == [
            ("urn:belfort:group:research", "permission", "aggregate,export,read,stream"),
            ("urn:belfort:person:b", "prohibition", "export")]


def test_candidate_datasets_and_policies_for(counts: Platform) -> None:
    now = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)
    with counts.db.session() as session:
        policies.store_policy(session, doc(), actor="x")
        policies.store_policy(session, doc("urn:belfort:policy:p2", "andere",
                                           "urn:belfort:organisation:ugent"), actor="x")
        policies.store_policy(session, json.dumps({
            "@context": CTX, "uid": "urn:belfort:policy:old", "permission": [{
                "target": "andere", "assignee": "urn:belfort:group:research",
                "action": "read", "constraint": [{"leftOperand": "dateTime", "operator": "lt",
                                                  "rightOperand": "2026-01-01"}]}]}),
            actor="x")
        policies.store_policy(session, doc("urn:belfort:policy:off", "andere"), actor="x",
                              enabled=False)
    research = Principal(role=Role.READ, kind=Kind.PERSON, subject="s",
                         groups=frozenset({"research"}))
    ugent = Principal(role=Role.READ, kind=Kind.PERSON, subject="t", organisation="ugent")
    with counts.db.session() as session:
        def candidates(p: Principal) -> list[str]:
            return sorted(session.scalars(policies.candidate_datasets(p.parties, now)))

        assert candidates(research) == ["tellingen"]  # "old" expired, "off" disabled
        assert candidates(ugent) == ["andere"]
        assert candidates(Principal(role=Role.ANONYMOUS)) == []
        assert [p.uid for p in policies.policies_for(session, "tellingen", research.parties,
                                                     now)] == ["urn:belfort:policy:p1"]
        assert policies.policies_for(session, "andere", research.parties, now) == []
        policies.set_enabled(session, "urn:belfort:policy:off", True, actor="x")
        assert [p.uid for p in policies.policies_for(session, "andere", research.parties,
                                                     now)] == ["urn:belfort:policy:off"]
        earlier = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
        assert len(policies.policies_for(session, "andere", research.parties, earlier)) == 2


def test_prohibition_only_parties_load_the_policy(counts: Platform) -> None:
    body = json.loads(doc(assignee="urn:belfort:public"))
    body["prohibition"] = [{"target": "tellingen", "assignee": "urn:belfort:person:x",
                            "action": "read"}]
    with counts.db.session() as session:
        policies.store_policy(session, json.dumps(body), actor="x")
        parties = {"urn:belfort:person:x"}
        assert [p.uid for p in policies.policies_for(session, "tellingen", parties)] == [
            "urn:belfort:policy:p1"]
        assert list(session.scalars(policies.candidate_datasets(parties))) == []
