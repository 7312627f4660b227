"""The register over the JSON API: public reads published entries only; admins create,
change and move entries; every change is audited; bad input is a clear 400."""

from __future__ import annotations

from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.register.demo import ACTIVITIES, link_demo_datasets, load_demo_register
from tests.helpers import counts_csv

URL = "/api/belfort/v1/processing-activities"
GUID, ACTIVITY = ACTIVITIES[0]


def test_public_reads_published_entries(client: TestClient, platform: Platform) -> None:
    list(load_demo_register(platform, CLI_ADMIN))
    body = client.get(URL).json()
    assert body["total_count"] == len(ACTIVITIES)
    staff = client.get(URL, params={"audience": "werknemer stad"}).json()
    assert {a["name"] for a in staff["processing_activities"]} == {
        a["name"] for _, a in ACTIVITIES if a["audience"] == "werknemer stad"}
    found = client.get(URL, params={"q": "camera"}).json()["processing_activities"]
    assert [a["name"] for a in found] == ["Cameratoezicht op openbaar domein"]
    one = client.get(f"{URL}/{GUID}").json()
    assert one["grantees"] == ACTIVITY["grantees"] and one["state"] == "published" and one["datasets"] == []
    assert client.get(f"{URL}/not-a-guid").status_code == 404
    assert client.get(URL, params={"state": "draft"}).json()["total_count"] == 0
    assert client.get(URL, params={"state": "nonsense"}).status_code == 400


def test_admin_creates_changes_and_archives(client: TestClient, platform: Platform,
                                            admin_headers: dict[str, str]) -> None:
    assert client.post(URL, json={"name": "x"}).status_code == 401
    r = client.post(URL, json={"name": "Ontwerp"}, headers=admin_headers)
    assert r.status_code == 201 and r.json()["state"] == "draft"
    draft = r.json()["id"]
    assert client.get(f"{URL}/{draft}").status_code == 404  # drafts are for staff
    assert client.get(f"{URL}/{draft}", headers=admin_headers).status_code == 200
    r = client.post(f"{URL}/{draft}/state", json={"state": "published"}, headers=admin_headers)
    assert r.status_code == 409 and "needs" in r.json()["message"]
    r = client.patch(f"{URL}/{draft}", json=ACTIVITY, headers=admin_headers)
    assert r.status_code == 200 and r.json()["processor"] == ACTIVITY["processor"]
    r = client.post(f"{URL}/{draft}/state", json={"state": "published"}, headers=admin_headers)
    assert r.status_code == 200
    assert client.get(f"{URL}/{draft}").json()["name"] == ACTIVITY["name"]
    r = client.post(URL, json={**ACTIVITY, "id": GUID.upper(), "state": "published"}, headers=admin_headers)
    assert r.status_code == 201 and r.json()["id"] == GUID
    assert client.post(f"{URL}/{GUID}/state", json={"state": "archived"}, headers=admin_headers).status_code == 200
    assert client.get(f"{URL}/{GUID}").status_code == 404
    log = client.get("/api/belfort/v1/audit", headers=admin_headers).json()["events"]
    actions = [e["action"] for e in log if e["action"].startswith("register_")]
    assert actions.count("register_create") == 2 and "register_update" in actions and "register_state" in actions
    assert all(e["actor"].startswith("key:") for e in log)


def test_bad_input_is_a_clear_400(client: TestClient, admin_headers: dict[str, str]) -> None:
    for body, status, message in [
        ({"name": "<b>x</b>", "audience": "iedereen"}, 400, "audience"),
        ({"name": "x" * 10_000}, 400, "at most 300"),
        ({"name": "x", "id": "123"}, 400, "GUID"),
        ({"name": "x", "state": "gone"}, 400, "unknown state"),
        ({"name": "x", "state": 3}, 400, "text"),
    ]:
        r = client.post(URL, json=body, headers=admin_headers)
        assert r.status_code == status and message in r.json()["message"], r.text
    r = client.post(URL, content=b"[1, 2]", headers={**admin_headers, "Content-Type": "application/json"})
    assert r.status_code == 400
    r = client.post(URL, content=b"x" * 2_000_000, headers={**admin_headers, "Content-Type": "application/json"})
    assert r.status_code == 413
    r = client.patch(f"{URL}/{GUID}", json={"name": "x"}, headers=admin_headers)
    assert r.status_code == 404
    assert client.get(URL, headers=admin_headers).json()["total_count"] == 0  # nothing was stored


def test_linked_datasets_follow_the_gate(client: TestClient, platform: Platform, admin_headers: dict[str, str],
                                         tmp_path) -> None:  # type: ignore[no-untyped-def]
    from belfort.publishing import ingest_file

    list(load_demo_register(platform, CLI_ADMIN))
    guid = ACTIVITIES[7][0]
    ingest_file(platform, CLI_ADMIN, "meldingen-openbaar-domein-intern", counts_csv(tmp_path), metadata={
        "title_nl": "Meldingen", "classification": "internal", "restriction_reason": "privacy",
                                                               "classification_reason": "namen van melders",
        "personal_data": True, "processing_activity": guid})
    ingest_file(platform, CLI_ADMIN, "meldingen-open", counts_csv(tmp_path), metadata={
        "title_nl": "Meldingen (open)", "processing_activity": guid})
    link_demo_datasets(platform, CLI_ADMIN)
    assert client.get(f"{URL}/{guid}").json()["datasets"] == ["meldingen-open"]
    assert client.get(f"{URL}/{guid}", headers=admin_headers).json()["datasets"] == [
        "meldingen-open", "meldingen-openbaar-domein-intern"]
    page = client.get(f"/verwerkingsregister/{guid}").text
    assert "Meldingen (open)" in page and "meldingen-openbaar-domein-intern" not in page
