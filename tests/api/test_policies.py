"""/api/belfort/v1/policies: CRUD for admins and stewards, JSON-LD out, clear 4xx for bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import AuditEvent
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import CLI_ADMIN, Role
from belfort.publishing import ingest_file
from tests.helpers import counts_csv

API = "/api/belfort/v1/policies"
CTX = "http://www.w3.org/ns/odrl.jsonld"
UID = "urn:belfort:policy:research-aggregates"


def body(uid: str = UID, **rule: Any) -> dict[str, Any]:
    permission = {"target": "tellingen", "assignee": "urn:belfort:group:research",
                  "action": "aggregate", **rule}
    return {"@context": CTX, "@type": "Set", "uid": uid, "permission": [permission]}


@pytest.fixture
def counts(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen"})
    return platform


@pytest.fixture
def read_headers(platform: Platform) -> dict[str, str]:
    with platform.db.session() as session:
        return {"Authorization": f"Bearer {create_key(session, 'reader', Role.READ).secret}"}


def test_crud(client: TestClient, counts: Platform, admin_headers: dict[str, str]) -> None:
    created = client.post(API, content=json.dumps(body()), headers={
        **admin_headers, "Content-Type": "application/ld+json"})
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith("application/ld+json")
    assert created.json()["uid"] == UID
    listed = client.get(API, headers=admin_headers).json()["policies"]
    assert [(p["uid"], p["dataset"], p["enabled"], p["type"]) for p in listed] == [
        (UID, "tellingen", True, "Set")]
    assert client.get(API, params={"dataset": "other"}, headers=admin_headers).json() == {
        "policies": []}
    got = client.get(f"{API}/{UID}", headers=admin_headers)
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/ld+json")
    assert got.json() == body()
    again = client.post(API, json=body(), headers=admin_headers)
    assert again.status_code == 409
    changed = body(action="read")
    replaced = client.put(f"{API}/{UID}", json=changed, params={"enabled": "false"},
                          headers=admin_headers)
    assert replaced.status_code == 200, replaced.text
    assert client.get(API, headers=admin_headers).json()["policies"][0]["enabled"] is False
    assert client.put(f"{API}/urn:belfort:policy:other", json=changed,
                      headers=admin_headers).status_code == 422  # uid differs from the URL
    assert client.delete(f"{API}/{UID}", headers=admin_headers).status_code == 204
    assert client.get(f"{API}/{UID}", headers=admin_headers).status_code == 404
    assert client.delete(f"{API}/{UID}", headers=admin_headers).status_code == 404
    with counts.db.session() as session:
        recorded = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
                    if e.action.startswith("policy.")]
    assert recorded == ["policy.create", "policy.update", "policy.delete"]


def test_only_admins_and_stewards(client: TestClient, counts: Platform,
                                  read_headers: dict[str, str]) -> None:
    for method, path in (("GET", API), ("POST", API), ("GET", f"{API}/{UID}"),
                         ("PUT", f"{API}/{UID}"), ("DELETE", f"{API}/{UID}")):
        anonymous = client.request(method, path, json=body())
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.headers["www-authenticate"] == "Bearer"
        assert client.request(method, path, json=body(), headers=read_headers).status_code \
            == 403, (method, path)


def test_purposes_are_public(client: TestClient) -> None:
    found = client.get(f"{API}/purposes").json()["purposes"]
    assert {"iri": "https://w3id.org/dpv#AcademicResearch", "compact": "dpv:AcademicResearch",
            "label": "Academic Research",
            "broader": "https://w3id.org/dpv#ResearchAndDevelopment"} in found


@pytest.mark.parametrize("payload, path", [
    (body(constraint=[{"leftOperand": "purpose", "operator": "eq",
                       "rightOperand": "dpv:Unknown"}]),
     "permission[0].constraint[0].rightOperand"),
    (body(constraint=[{"leftOperand": "count", "operator": "lteq",
                       "rightOperand": "many"}]), "permission[0].constraint[0].rightOperand"),
    (body(target="nope"), "target"),
    (body(assignee="<script>alert(1)</script>"), "permission[0].assignee"),
    ({"uid": UID}, "@context"),
])
def test_bad_policies_are_422_with_the_path(client: TestClient, counts: Platform,
                                            admin_headers: dict[str, str], payload: Any,
                                            path: str) -> None:
    answer = client.post(API, json=payload, headers=admin_headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "policy_invalid"
    assert answer.json()["problems"][0]["path"] == path
    assert "<script>" not in answer.text or "\\u003c" in answer.text or \
        answer.headers["content-type"].startswith("application/json")
    assert client.get(API, headers=admin_headers).json() == {"policies": []}  # nothing saved


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1]", b'{"a": "\\u0000"}', b"\xff\xfe",
                                 b"[" * 5000])
def test_malformed_bodies(client: TestClient, counts: Platform, admin_headers: dict[str, str],
                          raw: bytes) -> None:
    answer = client.post(API, content=raw, headers=admin_headers)
    assert answer.status_code == 422
    assert answer.json()["error"] == "policy_invalid"


def test_oversized_body(client: TestClient, counts: Platform,
                        admin_headers: dict[str, str]) -> None:
    answer = client.post(API, content=b" " * 70_000 + json.dumps(body()).encode(),
                         headers=admin_headers)
    assert answer.status_code == 413


def test_hostile_uids_in_the_url(client: TestClient, counts: Platform,
                                 admin_headers: dict[str, str]) -> None:
    for uid in ("x" * 300, "urn:belfort:%00", "../../etc/passwd", "<script>"):
        answer = client.get(f"{API}/{uid}", headers=admin_headers)
        assert answer.status_code in (400, 404), (uid, answer.status_code)
        assert "<script>" not in answer.text
