"""Issue 14, item 3, through the API: ``count`` constraints are counted (one request per read
the gate allowed, shared by every process) and refuse with 403 ``request_limit_reached``
once used up; personal data needs a purpose its processing-register entry lists (a policy
naming another is refused with 422, a read under one with 403); and the catalogue lists a
non-open dataset only while a policy grants it now."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.keys import authenticate, create_key
from belfort.policy.principals import CLI_ADMIN, Role
from belfort.policy.sessions import start_session
from belfort.portal.render import STAFF_COOKIE
from belfort.publishing import ingest_file
from belfort.register import service
from belfort.register.demo import ACTIVITIES
from tests.helpers import counts_csv

CTX = "http://www.w3.org/ns/odrl.jsonld"
POLICIES = "/api/belfort/v1/policies"
RECORDS = "/api/belfort/v1/datasets/{}/records"
RESEARCH = "dpv:ResearchAndDevelopment"
GUID, ACTIVITY = ACTIVITIES[0]


@pytest.fixture
def world(platform: Platform, tmp_path: Path) -> Platform:
    csv = counts_csv(tmp_path)
    ingest_file(platform, CLI_ADMIN, "geheim", csv, metadata={
        "title_nl": "Geheim", "classification": "confidential",
        "restriction_reason": "privacy", "classification_reason": "test"})
    service.create_activity(platform, CLI_ADMIN, {**ACTIVITY, "purposes": [
        RESEARCH, "Toegangscontrole"]}, state="published", activity_id=GUID)
    ingest_file(platform, CLI_ADMIN, "bewoners", csv, metadata={
        "title_nl": "Bewoners", "classification": "confidential",
        "restriction_reason": "privacy",
        "classification_reason": "persoonsgegevens", "personal_data": True,
        "processing_activity": GUID})
    return platform


def reader(platform: Platform, name: str = "lezer") -> tuple[dict[str, str], str]:
    with platform.db.session() as session:
        created = create_key(session, name, Role.READ)
    return {"Authorization": f"Bearer {created.secret}"}, f"urn:belfort:key:{created.id}"


def secret_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def policy(uid: str, target: str, party: str, *constraints: dict[str, Any],
           action: Any = "read") -> dict[str, Any]:
    return {"@context": CTX, "uid": f"urn:belfort:policy:{uid}", "permission": [{
        "target": target, "assignee": party, "action": action,
        "constraint": list(constraints)}]}


def count(n: int, period: str = "P1D") -> dict[str, Any]:
    return {"leftOperand": "count", "operator": "lteq", "rightOperand": n,
            "belfort:period": period}


def purpose(term: str = RESEARCH, operator: str = "eq") -> dict[str, Any]:
    return {"leftOperand": "purpose", "operator": operator, "rightOperand": term}


def add(client: TestClient, admin: dict[str, str], body: dict[str, Any]) -> None:
    r = client.post(POLICIES, content=json.dumps(body), headers=admin)
    assert r.status_code == 201, r.text


# -- 1. request counts ------------------------------------------------------------------------


def test_a_count_grants_that_many_reads_a_day_then_403(
        client: TestClient, world: Platform, admin_headers: dict[str, str]) -> None:
    from belfort.policy import counts  # (here: the other tests also run on older code)

    headers, party = reader(world)
    add(client, admin_headers, policy("drie", "geheim", party, count(3)))
    for _ in range(3):
        assert client.get(RECORDS.format("geheim"), headers=headers).status_code == 200
    r = client.get(RECORDS.format("geheim"), headers=headers)
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["error"] == "request_limit_reached"
    assert body["policy"] == "urn:belfort:policy:drie"
    midnight = counts.window(dt.timedelta(days=1), dt.datetime.now(dt.UTC)).resets_at
    assert midnight is not None and body["resets_at"] == midnight.isoformat()
    assert "3 per 1 day(s)" in body["message"] and int(r.headers["Retry-After"]) > 0
    # the metadata says the same; the refused requests were not counted
    assert client.get("/api/belfort/v1/datasets/geheim", headers=headers).status_code == 403
    with world.db.session() as session:
        assert counts.made(session, "urn:belfort:policy:drie", party, dt.timedelta(days=1),
                           dt.datetime.now(dt.UTC)) == 3
    # someone else's requests are theirs
    other, other_party = reader(world, "ander")
    add(client, admin_headers, policy("ander", "geheim", other_party, count(3)))
    assert client.get(RECORDS.format("geheim"), headers=other).status_code == 200


def test_another_policy_still_grants_once_a_count_is_used_up(
        client: TestClient, world: Platform, admin_headers: dict[str, str]) -> None:
    headers, party = reader(world)
    add(client, admin_headers, policy("een", "geheim", party, count(1)))
    add(client, admin_headers, policy("velden", "geheim", party, {
        "leftOperand": "belfort:fields", "operator": "isAnyOf",
        "rightOperand": ["telpunt"]}))
    first = client.get(RECORDS.format("geheim"), headers=headers).json()
    assert len(first["records"][0]) > 1  # every field, under "een" (the more generous)
    second = client.get(RECORDS.format("geheim"), headers=headers)
    assert second.status_code == 200
    assert set(second.json()["records"][0]) == {"telpunt"}  # under "velden" now


def test_a_refused_action_does_not_count(
        client: TestClient, world: Platform, admin_headers: dict[str, str]) -> None:
    headers, party = reader(world)
    add(client, admin_headers, policy("twee", "geheim", party, count(2)))
    for _ in range(3):  # an export the grant does not include: 403, not counted
        r = client.get("/api/belfort/v1/datasets/geheim/exports/csv", headers=headers)
        assert r.status_code == 403 and r.json()["error"] == "action_not_granted"
    for _ in range(2):
        assert client.get(RECORDS.format("geheim"), headers=headers).status_code == 200
    assert client.get(RECORDS.format("geheim"), headers=headers).status_code == 403


def test_requests_racing_in_threads_get_exactly_the_count(
        client: TestClient, world: Platform, admin_headers: dict[str, str]) -> None:
    headers, party = reader(world)
    add(client, admin_headers, policy("race", "geheim", party, count(12)))
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def run() -> None:
        start.wait()
        for _ in range(4):
            status = client.get(RECORDS.format("geheim"), headers=headers).status_code
            with lock:
                statuses.append(status)

    workers = [threading.Thread(target=run) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert sorted(statuses) == [200] * 12 + [403] * 12


# -- 2. personal data needs a register purpose --------------------------------------------------


def test_a_policy_on_personal_data_names_a_register_purpose(
        client: TestClient, world: Platform, admin_headers: dict[str, str]) -> None:
    _, party = reader(world)
    r = client.post(POLICIES, headers=admin_headers, content=json.dumps(
        policy("reclame", "bewoners", party, purpose("dpv:Marketing"))))
    assert r.status_code == 422
    problem = r.json()["problems"][0]
    assert problem["path"] == "permission[0].constraint[0].rightOperand"
    assert "'Marketing' is not in the processing register entry" in problem["message"]
    r = client.post(POLICIES, headers=admin_headers, content=json.dumps(
        policy("zonder", "bewoners", party)))
    assert r.status_code == 422 and "names its purpose" in r.json()["message"]
    hostile = policy("<script>", "bewoners", party, purpose("<script>alert(1)</script>\x00"))
    r = client.post(POLICIES, headers=admin_headers, content=json.dumps(hostile))
    assert r.status_code == 422 and r.json()["error"] == "policy_invalid"
    add(client, admin_headers, policy("onderzoek", "bewoners", party, purpose()))


def test_a_purpose_the_register_no_longer_lists_grants_nothing(
        client: TestClient, world: Platform, admin_headers: dict[str, str]) -> None:
    headers, party = reader(world)
    add(client, admin_headers, policy("onderzoek", "bewoners", party, purpose()))
    asking = {**headers, "X-Belfort-Purpose": RESEARCH}
    assert client.get(RECORDS.format("bewoners"), headers=asking).status_code == 200
    service.update_activity(world, CLI_ADMIN, GUID, {"purposes": ["Toegangscontrole"]})
    r = client.get(RECORDS.format("bewoners"), headers=asking)
    assert r.status_code == 403, r.text
    assert r.json()["error"] == "purpose_not_in_register"
    assert "is not one its processing register entry" in r.json()["message"]
    assert r.json()["register_purposes"] == ["Toegangscontrole"]
    # someone no policy names still gets the 404 of a dataset that does not exist
    stranger, _ = reader(world, "vreemde")
    r = client.get(RECORDS.format("bewoners"), headers={**stranger, "X-Belfort-Purpose":
                                                        RESEARCH})
    assert r.status_code == 404


# -- 3. listing follows grants ------------------------------------------------------------------


LISTINGS = {
    "native": ("/api/belfort/v1/datasets?limit=100", lambda b: [d["id"] for d in b["datasets"]]),
    "v1": ("/api/datasets/1.0/search/?rows=100",
           lambda b: [d["datasetid"] for d in b["datasets"]]),
    "v2.1": ("/api/explore/v2.1/catalog/datasets?limit=100",
             lambda b: [d["dataset_id"] for d in b["results"]]),
}


def listed(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for name, (url, ids) in LISTINGS.items():
        r = client.get(url, headers=headers)
        assert r.status_code == 200, (name, r.text)
        seen[name] = "geheim" in ids(r.json())
    facets = client.get("/api/explore/v2.1/catalog/facets", headers=headers).json()
    seen["facets"] = sum(v["count"] for f in facets["facets"] if f["name"] == "language"
                         for v in f["facets"])
    seen["dcat"] = "geheim" in client.get("/catalog.ttl", headers=headers).text
    return seen


def portal_lists(client: TestClient, platform: Platform, key: str) -> bool:
    """Whether the portal's catalogue page lists "geheim" for a reader signed in with
    ``key`` (the portal reads the staff cookie, not the Authorization header)."""
    with platform.db.session() as session:
        principal = authenticate(session, key)
        assert principal is not None
        token = start_session(session, principal, 3600)
    client.cookies.set(STAFF_COOKIE, token)
    try:
        return "/datasets/geheim" in client.get("/datasets").text
    finally:
        client.cookies.clear()


def test_the_catalogue_lists_what_a_policy_grants_now(
        client: TestClient, world: Platform, admin_headers: dict[str, str]) -> None:
    headers, party = reader(world)
    nothing = listed(client, headers)
    assert not any(v for k, v in nothing.items() if k != "facets")
    assert not portal_lists(client, world, secret_of(headers))
    add(client, admin_headers, policy("doel", "geheim", party, purpose(), count(2)))
    # a purpose the request does not declare: not granted, so not listed either
    assert listed(client, headers) == nothing
    assert client.get("/api/belfort/v1/datasets/geheim", headers=headers).status_code == 404
    asking = {**headers, "X-Belfort-Purpose": RESEARCH}
    granted = listed(client, asking)
    assert all(v for k, v in granted.items() if k != "facets")
    assert granted["facets"] == nothing["facets"] + 1
    # listing does not consume the count; reading does, and a used-up count unlists it
    for _ in range(2):
        assert client.get(RECORDS.format("geheim"), headers=asking).status_code == 200
    assert listed(client, asking) == nothing


def test_a_window_that_has_not_begun_lists_nothing(
        client: TestClient, world: Platform, admin_headers: dict[str, str]) -> None:
    headers, party = reader(world)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    add(client, admin_headers, policy("straks", "geheim", party, {
        "leftOperand": "dateTime", "operator": "gteq", "rightOperand": later}))
    assert not listed(client, headers)["native"]
    assert not portal_lists(client, world, secret_of(headers))
    assert client.get("/api/belfort/v1/datasets/geheim", headers=headers).status_code == 404
    add(client, admin_headers, policy("nu", "geheim", party))
    assert listed(client, headers)["native"] and portal_lists(client, world, secret_of(headers))
    assert client.get("/api/belfort/v1/datasets/geheim", headers=headers).status_code == 200
