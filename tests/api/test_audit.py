from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient

from belfort.api.deps import get_principal
from belfort.app import create_app
from belfort.audit.log import audit_log, checkpoint, record_access
from belfort.audit.signing import message
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import Kind, Principal, Role, StaffRole
from tests.audit.helpers import fill
from tests.helpers import COUNTS_CSV

URL = "/api/belfort/v1/audit"
DPO = Principal(role=Role.READ, name="dpo", kind=Kind.PERSON, subject="dpo-1",
                staff_roles=frozenset({StaffRole.DPO}))


def test_every_change_is_in_the_audit_log(client: TestClient, admin_headers: dict[str, str], tmp_path: Path) -> None:
    url = "/api/belfort/v1/datasets/tellingen"
    headers = {**admin_headers, "Content-Type": "text/csv"}
    assert client.post(url + "/ingest", content=COUNTS_CSV, headers=headers).status_code == 201
    client.patch(url, content=json.dumps({"title_en": "Counts"}), headers=admin_headers)
    client.post(url + "/state", content=json.dumps({"state": "deprecated"}), headers=admin_headers)
    log = client.get(URL, params={"dataset": "tellingen"}, headers=admin_headers).json()
    assert log["total_count"] == 3
    assert [e["action"] for e in log["events"]] == ["change_state", "update_metadata", "ingest"]
    assert all(e["actor"].startswith("key:") for e in log["events"])
    assert all(e["kind"] == "key" and len(e["hash"]) == 64 for e in log["events"])
    assert log["events"][2]["detail"]["version"] == 1
    assert log["events"][0]["prev_hash"] == log["events"][1]["hash"]


def test_audit_log_is_for_admins_only(client: TestClient) -> None:
    r = client.get(URL)
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert client.get(URL, headers={"Authorization": "Bearer bfk_x"}).status_code == 401


def test_a_key_without_the_dpo_role_is_forbidden(client: TestClient, platform: Platform) -> None:
    with platform.db.session() as session:
        key = create_key(session, "reader", Role.READ).secret
    r = client.get(URL, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"


@pytest.fixture
def dpo_client(platform: Platform) -> Iterator[TestClient]:
    app = create_app(platform)
    app.dependency_overrides[get_principal] = lambda: DPO
    with TestClient(app) as c:
        yield c


def test_the_dpo_queries_accesses_with_filters_and_pages(dpo_client: TestClient,
                                                          platform: Platform) -> None:
    fill(platform, accesses=6)  # person:user0 has 3 reads, person:user1 3
    record_access(platform, "key:k9", "key", "bomen", "export", None, None, None, None, 900)
    audit_log(platform).flush()  # written within BELFORT_AUDIT_FLUSH_MS anyway
    body = dpo_client.get(URL, params={"dataset": "fietsen", "actor": "person:user0"}).json()
    assert body["total_count"] == 3 and body["next_cursor"] is None
    first = body["events"][0]
    assert (first["action"], first["fields"], first["row_filter"], first["purpose"],
            first["policy_id"], first["rows"], first["outcome"]) == (
        "read", ["locatie", "telling"], "locatie = 'Korenmarkt'", "dpv:ServiceProvision",
        "policy-7", 14, "allowed")
    assert dpo_client.get(URL, params={"action": "export"}).json()["events"][0]["rows"] == 900
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = dpo_client.get(URL, params=params).json()
        seen += [e["seq"] for e in page["events"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(range(8, 0, -1))
    assert dpo_client.get(URL, params={"since": "2000-01-01", "until": "2999-12-31"}).json()[
        "total_count"] == 8
    assert dpo_client.get(URL, params={"until": "2001-01-01T00:00:00Z"}).json()["events"] == []


@pytest.mark.parametrize("params", [
    {"limit": "0"}, {"limit": "501"}, {"limit": "abc"}, {"limit": "-1"}, {"limit": "9" * 40},
    {"cursor": "0"}, {"cursor": "x"}, {"since": "yesterday"}, {"until": "2026-13-45"},
    {"since": "2026-02-01", "until": "2026-01-01"}, {"actor": "a\x00b"},
    {"dataset": "d" * 201}, {"action": "<script>\n</script>"}, {"since": "x" * 5000},
])
def test_bad_parameters_are_422(dpo_client: TestClient, params: dict[str, str]) -> None:
    r = dpo_client.get(URL, params=params)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "audit_query_invalid" and r.json()["parameter"] in params


def test_hostile_filters_are_just_text(dpo_client: TestClient, platform: Platform) -> None:
    fill(platform, accesses=1)
    r = dpo_client.get(URL, params={"actor": "<script>alert(1)</script>' OR 1=1 --"})
    assert r.status_code == 200 and r.json()["events"] == []
    assert r.headers["content-type"].startswith("application/json")


def test_the_public_key_is_published_and_verifies_a_checkpoint(client: TestClient,
                                                                platform: Platform) -> None:
    fill(platform, accesses=1)
    made = checkpoint(platform)
    assert made is not None
    r = client.get(URL + "/public-key")  # anonymous: anyone may check a checkpoint
    assert r.status_code == 200
    body = r.json()
    assert body["algorithm"] == "Ed25519" and body["key_id"] == made.key_id
    assert body["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----")
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(body["public_key"]))
    public.verify(base64.b64decode(made.signature), message(made.seq, made.hash, made.at))
