"""Issue 14, item 5: access requests. A signed-in user asks for access to a dataset that is
not open for a stated purpose; a steward approves with constraints (an ODRL Agreement with an
expiry, stored with the policies) or refuses with a reason; both sides see the status."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.access import Action
from belfort.policy.evaluate import evaluate
from belfort.policy.keys import create_key
from belfort.policy.policies import policies_for
from belfort.policy.principals import CLI_ADMIN, Kind, Principal, Role
from belfort.publishing import ingest_file
from tests.helpers import counts_csv

BASE = "/api/belfort/v1/access-requests"
LATER = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()


@pytest.fixture
def datasets(platform: Platform, tmp_path: Path) -> Platform:
    csv = counts_csv(tmp_path)
    ingest_file(platform, CLI_ADMIN, "meldingen", csv, metadata={
        "title_nl": "Meldingen", "classification": "confidential",
        "restriction_reason": "privacy",
        "classification_reason": "namen van melders", "listed": True})
    ingest_file(platform, CLI_ADMIN, "verborgen", csv, metadata={
        "title_nl": "Verborgen", "classification": "confidential",
        "restriction_reason": "privacy", "classification_reason": "onderzoek"})
    return platform


def _key(platform: Platform, name: str, role: Role = Role.READ) -> tuple[str, str]:
    with platform.db.session() as session:
        created = create_key(session, name, role)
    return created.secret, created.id


@pytest.fixture
def reader(datasets: Platform) -> tuple[dict[str, str], str]:
    secret, key_id = _key(datasets, "onderzoeker")
    return {"Authorization": f"Bearer {secret}"}, key_id


def _ask(client: TestClient, headers: dict[str, str], **body: object) -> tuple[int, dict]:
    payload = {"dataset": "meldingen", "purpose": "dpv:ResearchAndDevelopment",
               "reason": "Onderzoek naar de spreiding van meldingen per wijk.", **body}
    r = client.post(BASE, json=payload, headers=headers)
    return r.status_code, r.json()


def test_the_whole_flow(client: TestClient, datasets: Platform,
                        reader: tuple[dict[str, str], str], admin_headers: dict[str, str]) -> None:
    headers, key_id = reader
    status, asked = _ask(client, headers, fields=["telpunt", "aantal"])
    assert status == 201, asked
    assert asked["status"] == "pending" and asked["fields"] == ["aantal", "telpunt"]
    assert asked["purpose"] == "https://w3id.org/dpv#ResearchAndDevelopment"
    mine = client.get(BASE, headers=headers).json()["requests"]
    assert [r["id"] for r in mine] == [asked["id"]]
    queue = client.get(BASE, params={"status": "pending"}, headers=admin_headers).json()
    assert [r["id"] for r in queue["requests"]] == [asked["id"]]

    r = client.post(f"{BASE}/{asked['id']}/decision", headers=admin_headers, json={
        "approve": True, "expires_at": LATER, "fields": ["telpunt", "aantal"],
        "requests_per_day": 100})
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["status"] == "approved" and decided["policy"].endswith(asked["id"])
    assert client.get(f"{BASE}/{asked['id']}", headers=headers).json()["status"] == "approved"

    requester = Principal(role=Role.READ, key_id=key_id, kind=Kind.KEY)
    with datasets.db.session() as session:
        stored = policies_for(session, "meldingen", requester.parties)
    assert [p.type for p in stored] == ["Agreement"]
    grant = evaluate(stored, requester, Action.READ, purpose="dpv:ResearchAndDevelopment",
                     counter=lambda *_: 0)
    assert grant is not None and grant.fields == frozenset({"telpunt", "aantal"})
    assert grant.expires_at is not None and not grant.allows(Action.EXPORT)
    # another purpose, or nobody's request, gets nothing from it
    assert evaluate(stored, requester, Action.READ, purpose="dpv:Marketing") is None
    other = Principal(role=Role.READ, key_id="iemand-anders", kind=Kind.KEY)
    assert evaluate(stored, other, Action.READ, purpose="dpv:ResearchAndDevelopment") is None

    again = client.post(f"{BASE}/{asked['id']}/decision", headers=admin_headers,
                        json={"approve": False, "reason": "toch niet"})
    assert again.status_code == 409  # decided once


def test_a_refusal_needs_a_reason_and_the_requester_sees_it(
        client: TestClient, datasets: Platform, reader: tuple[dict[str, str], str],
        admin_headers: dict[str, str]) -> None:
    headers, _ = reader
    _, asked = _ask(client, headers)
    path = f"{BASE}/{asked['id']}/decision"
    assert client.post(path, headers=admin_headers, json={"approve": False}).status_code == 400
    r = client.post(path, headers=admin_headers,
                    json={"approve": False, "reason": "Gebruik de open wijkcijfers."})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    seen = client.get(f"{BASE}/{asked['id']}", headers=headers).json()
    assert seen["decision_reason"] == "Gebruik de open wijkcijfers."


def test_who_may_ask_and_decide(client: TestClient, datasets: Platform,
                                reader: tuple[dict[str, str], str]) -> None:
    headers, _ = reader
    assert _ask(client, {})[0] == 401
    assert client.get(BASE).status_code == 401
    _, asked = _ask(client, headers)
    decision = {"approve": True, "expires_at": LATER}
    assert client.post(f"{BASE}/{asked['id']}/decision", json=decision).status_code == 401
    assert client.post(f"{BASE}/{asked['id']}/decision", json=decision,
                       headers=headers).status_code == 403  # a reader is no steward
    other, _ = _key(datasets, "iemand")
    elsewhere = {"Authorization": f"Bearer {other}"}
    assert client.get(f"{BASE}/{asked['id']}", headers=elsewhere).status_code == 404
    assert client.get(BASE, headers=elsewhere).json()["requests"] == []
    assert client.post(f"{BASE}/{asked['id']}/withdraw", headers=elsewhere).status_code == 404
    r = client.post(f"{BASE}/{asked['id']}/withdraw", headers=headers)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"


def test_an_unlisted_hidden_dataset_answers_as_one_that_does_not_exist(
        client: TestClient, datasets: Platform, reader: tuple[dict[str, str], str]) -> None:
    headers, _ = reader
    hidden = _ask(client, headers, dataset="verborgen")
    absent = _ask(client, headers, dataset="bestaat-niet")
    assert hidden[0] == absent[0] == 404
    assert hidden[1]["error"] == absent[1]["error"]


@pytest.mark.parametrize(("body", "status"), [
    ({"purpose": "dpv:Verzonnen"}, 400),
    ({"purpose": None}, 400),
    ({"reason": "kort"}, 400),
    ({"reason": "x" * 2001}, 400),
    ({"reason": "Onderzoek\x00met een NUL-teken erin"}, 400),
    ({"reason": 12345678901}, 400),
    ({"fields": ["bestaat_niet"]}, 400),
    ({"fields": "telpunt"}, 400),
    ({"fields": [1, 2]}, 400),
    ({"dataset": "x" * 5000}, 404),
    ({"dataset": "nul\x00byte"}, 404),
])
def test_bad_requests_are_refused_with_a_reason(
        client: TestClient, datasets: Platform, reader: tuple[dict[str, str], str],
        body: dict[str, object], status: int) -> None:
    headers, _ = reader
    got, answer = _ask(client, headers, **body)
    assert got == status, answer
    assert client.get(BASE, headers=headers).json()["requests"] == []  # nothing half-stored


@pytest.mark.parametrize("raw", [b"{", b"[]", b"null", b'"x"', b"{" * 10_000, b"x" * 70_000])
def test_malformed_bodies(client: TestClient, datasets: Platform,
                          reader: tuple[dict[str, str], str], raw: bytes) -> None:
    headers, _ = reader
    r = client.post(BASE, content=raw, headers={**headers, "Content-Type": "application/json"})
    assert r.status_code in (400, 413), r.text


@pytest.mark.parametrize("decision", [
    {"approve": True},
    {"approve": True, "expires_at": "morgen"},
    {"approve": True, "expires_at": "2020-01-01T00:00:00+00:00"},
    {"approve": True, "expires_at": "2099-01-01T00:00:00+00:00"},
    {"approve": True, "expires_at": "2027-01-01T00:00:00"},
    {"approve": True, "expires_at": LATER, "fields": ["bestaat_niet"]},
    {"approve": True, "expires_at": LATER, "row_filter": "aantal >>> 3"},
    {"approve": True, "expires_at": LATER, "min_group_size": 0},
    {"approve": True, "expires_at": LATER, "export": "ja"},
    {"approve": True, "expires_at": LATER, "onbekend": 1},
    {"approve": "ja"},
])
def test_a_bad_decision_changes_nothing(
        client: TestClient, datasets: Platform, reader: tuple[dict[str, str], str],
        admin_headers: dict[str, str], decision: dict[str, object]) -> None:
    headers, _ = reader
    _, asked = _ask(client, headers)
    r = client.post(f"{BASE}/{asked['id']}/decision", json=decision, headers=admin_headers)
    assert r.status_code in (400, 422), r.text
    assert client.get(f"{BASE}/{asked['id']}", headers=headers).json()["status"] == "pending"
    with datasets.db.session() as session:
        assert policies_for(session, "meldingen", {"urn:belfort:public"} | {
            f"urn:belfort:key:{k}" for k in ("x",)}) == []


def test_one_pending_request_per_dataset(client: TestClient, datasets: Platform,
                                         reader: tuple[dict[str, str], str]) -> None:
    headers, _ = reader
    assert _ask(client, headers)[0] == 201
    assert _ask(client, headers)[0] == 409


def test_an_approved_request_opens_what_it_grants_for_its_purpose(
        client: TestClient, datasets: Platform, reader: tuple[dict[str, str], str],
        admin_headers: dict[str, str]) -> None:
    """End to end through the gate: the Agreement an approval stores lets the requester read
    the granted fields of the dataset — declaring the purpose — and nobody else anything."""
    headers, _ = reader
    records = "/api/explore/v2.1/catalog/datasets/meldingen/records"
    research = {**headers, "X-Belfort-Purpose": "dpv:ResearchAndDevelopment"}
    assert client.get(records, headers=research).status_code == 404  # nothing granted yet
    _, asked = _ask(client, headers, fields=["telpunt", "aantal"])
    r = client.post(f"{BASE}/{asked['id']}/decision", headers=admin_headers, json={
        "approve": True, "expires_at": LATER, "fields": ["telpunt", "aantal"]})
    assert r.status_code == 200, r.text

    r = client.get(records, headers=research)
    assert r.status_code == 200, r.text
    assert r.json()["total_count"] == 5
    assert set(r.json()["results"][0]) == {"telpunt", "aantal"}
    assert r.headers["cache-control"] == "private, no-store"
    listed = client.get("/api/belfort/v1/datasets", headers=research).json()
    assert [d["id"] for d in listed["datasets"]] == ["meldingen"]
    # without the purpose, for another purpose, or for anyone else: as if it did not exist
    assert client.get(records, headers=headers).status_code == 404
    marketing = {**headers, "X-Belfort-Purpose": "dpv:Marketing"}
    assert client.get(records, headers=marketing).status_code == 404
    other, _ = _key(datasets, "iemand")
    assert client.get(records, headers={"Authorization": f"Bearer {other}",
                                        "X-Belfort-Purpose": "dpv:ResearchAndDevelopment"}
                      ).status_code == 404
    assert client.get(records, headers={"X-Belfort-Purpose": "dpv:ResearchAndDevelopment"}
                      ).status_code == 404
    # the agreement prohibits distributing the data: whole-file exports are refused
    for export in ("/api/explore/v2.1/catalog/datasets/meldingen/exports/csv",
                   "/api/belfort/v1/datasets/meldingen/exports/csv",
                   "/api/records/1.0/download/?dataset=meldingen&format=csv"):
        r = client.get(export, headers=research)
        assert r.status_code == 403 and "does not include export" in r.text, (export, r.text)


def test_an_approval_for_aggregates_only_answers_thresholded_aggregates_and_no_rows(
        client: TestClient, datasets: Platform, reader: tuple[dict[str, str], str],
        admin_headers: dict[str, str]) -> None:
    """A steward approves aggregates only with k = 2: grouped counts come back without the
    groups under k, and every way to rows (records, one record, exports) is refused."""
    headers, _ = reader
    research = {**headers, "X-Belfort-Purpose": "dpv:ResearchAndDevelopment"}
    _, asked = _ask(client, headers)
    r = client.post(f"{BASE}/{asked['id']}/decision", headers=admin_headers, json={
        "approve": True, "expires_at": LATER, "min_group_size": 2})
    assert r.status_code == 200, r.text
    v2 = "/api/explore/v2.1/catalog/datasets/meldingen"
    r = client.get(f"{v2}/records", headers=research,
                   params={"select": "telpunt, count(*) as n", "group_by": "telpunt"})
    assert r.status_code == 200, r.text
    groups = {row["telpunt"]: row["n"] for row in r.json()["results"]}
    assert "Graslei" not in groups  # one row: under k
    assert all(n >= 2 for n in groups.values())
    analyze = client.get("/api/records/1.0/analyze/", headers=research, params={
        "dataset": "meldingen", "x": "telpunt", "y.n.func": "COUNT"})
    assert analyze.status_code == 200, analyze.text
    assert "Graslei" not in analyze.text
    for path in (f"{v2}/records", f"{v2}/exports/csv",
                 "/api/belfort/v1/datasets/meldingen/records",
                 "/api/records/1.0/search/?dataset=meldingen"):
        refused = client.get(path, headers=research)
        assert refused.status_code == 403, (path, refused.text)
        assert "Korenmarkt" not in refused.text


def test_every_read_under_a_grant_is_in_the_audit_trail(
        client: TestClient, datasets: Platform, reader: tuple[dict[str, str], str],
        admin_headers: dict[str, str]) -> None:
    """Traceable use (item 6): a read under an agreement is recorded with who, the dataset,
    the fields it was limited to, the purpose and the policy that allowed it."""
    from belfort.audit.log import audit_log

    headers, key_id = reader
    research = {**headers, "X-Belfort-Purpose": "dpv:ResearchAndDevelopment"}
    _, asked = _ask(client, headers, fields=["telpunt", "aantal"])
    client.post(f"{BASE}/{asked['id']}/decision", headers=admin_headers, json={
        "approve": True, "expires_at": LATER, "fields": ["telpunt", "aantal"]})
    assert client.get("/api/explore/v2.1/catalog/datasets/meldingen/records",
                      headers=research).status_code == 200
    audit_log(datasets).flush()
    events = client.get("/api/belfort/v1/audit", params={"dataset": "meldingen"},
                        headers=admin_headers).json()["events"]
    reads = [e for e in events if e["actor"] == f"key:{key_id}" and e["action"] == "read"]
    assert len(reads) == 1, json.dumps(events, indent=1)[:3000]
    assert reads[0]["fields"] == ["aantal", "telpunt"]
    assert reads[0]["purpose"] == "dpv:ResearchAndDevelopment"
    assert reads[0]["policy_id"] == f"urn:belfort:policy:request-{asked['id']}"


def test_an_event_stream_read_under_a_grant_is_in_the_audit_trail(
        client: TestClient, datasets: Platform, reader: tuple[dict[str, str], str],
        admin_headers: dict[str, str]) -> None:
    """Every way of reading non-open data is traced: the event stream (LDES) too."""
    from belfort.audit.log import audit_log

    headers, key_id = reader
    research = {**headers, "X-Belfort-Purpose": "dpv:ResearchAndDevelopment"}
    _, asked = _ask(client, headers, fields=["telpunt", "aantal"])
    client.post(f"{BASE}/{asked['id']}/decision", headers=admin_headers, json={
        "approve": True, "expires_at": LATER, "fields": ["telpunt", "aantal"]})
    stream = client.get("/ldes/meldingen", headers=research)
    assert stream.status_code == 200, stream.text
    audit_log(datasets).flush()
    events = client.get("/api/belfort/v1/audit", params={"dataset": "meldingen"},
                        headers=admin_headers).json()["events"]
    reads = [e for e in events if e["actor"] == f"key:{key_id}" and e["action"] == "read"]
    assert reads, json.dumps(events, indent=1)[:3000]
    assert reads[0]["fields"] == ["aantal", "telpunt"]
    assert reads[0]["policy_id"] == f"urn:belfort:policy:request-{asked['id']}"
