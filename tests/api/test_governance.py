"""The governance routes: roles of datasets and organisations, the metadata review, the
worklist; who may do what, the e-mail only where it is public, bad input a clear 4xx."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import CLI_ADMIN, Role
from belfort.publishing import ingest_file, save_organisation
from tests.helpers import counts_csv

API = "/api/belfort/v1"


def test_roles_review_and_worklist_over_http(client: TestClient, platform: Platform,
                                             admin_headers: dict[str, str],
                                             tmp_path: Path) -> None:
    save_organisation(platform, CLI_ADMIN, "mobiliteit", {"name_nl": "Mobiliteitsbedrijf"},
                      create=True)
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen", "organisation": "Mobiliteitsbedrijf"})
    with platform.db.session() as session:
        writer = {"Authorization": f"Bearer {create_key(session, 'w', Role.WRITE).secret}"}
    # an organisation's default with a private e-mail, a dataset's own with a public one
    r = client.put(f"{API}/organisations/mobiliteit/roles/owner", headers=admin_headers,
                   json={"name": "Dienst Mobiliteit", "email": "mob@stad.gent"})
    assert r.status_code == 200, r.text
    assert r.json()["roles"][0]["email"] == "mob@stad.gent"
    r = client.put(f"{API}/datasets/tellingen/roles/steward", headers=admin_headers,
                   json={"name": "An", "email": "an@stad.gent", "email_public": True})
    assert r.status_code == 200, r.text
    public = client.get(f"{API}/datasets/tellingen/roles").json()
    assert public["roles"] == [
        {"role": "owner", "name": "Dienst Mobiliteit", "source": "organisation"},
        {"role": "steward", "name": "An", "source": "dataset", "email": "an@stad.gent"}]
    assert "mob@stad.gent" not in client.get(f"{API}/organisations/mobiliteit/roles").text
    assert "mob@stad.gent" not in client.get(f"{API}/datasets/tellingen").text
    metadata = client.get(f"{API}/datasets/tellingen").json()
    assert [r["role"] for r in metadata["roles"]] == ["owner", "steward"]
    assert metadata["metadata_reviewed"] is None
    # the review button's route, and the worklist (an admin stewards everything)
    r = client.post(f"{API}/datasets/tellingen/metadata-review", headers=admin_headers)
    assert r.status_code == 200 and r.json()["metadata_reviewed"] is not None
    work = client.get(f"{API}/governance/worklist", headers=admin_headers).json()
    assert work["datasets_count"] == 1 and set(work["counts"]) == {
        "failing_rules", "overdue_update", "stale_metadata", "access_requests", "low_mqa"}
    assert client.get(f"{API}/governance/worklist", headers=admin_headers,
                      params={"organisation": "bestaat-niet"}).status_code == 404
    # who may not
    assert client.get(f"{API}/governance/worklist").status_code == 401
    assert client.get(f"{API}/governance/worklist", headers=writer).status_code == 403
    assert client.put(f"{API}/datasets/tellingen/roles/owner", json={"name": "x"}
                      ).status_code == 401
    assert client.put(f"{API}/datasets/tellingen/roles/owner", json={"name": "x"},
                      headers=writer).status_code == 403
    assert client.post(f"{API}/datasets/tellingen/metadata-review",
                       headers=writer).status_code == 403
    # bad input: a clear 4xx, never a 500
    for role, body, status in [
        ("boss", {"name": "x"}, 422),
        ("owner", {"name": "Eve\r\nBcc: x@example.org"}, 400),
        ("owner", {"name": "Eve", "email": "e@example.org\nBcc: x@example.org"}, 400),
        ("owner", {"name": "x" * 300}, 400),
        ("owner", {"name": "Eve", "extra": 1}, 400),
    ]:
        r = client.put(f"{API}/datasets/tellingen/roles/{role}", json=body, headers=admin_headers)
        assert r.status_code == status, (role, body, r.text)
    r = client.put(f"{API}/datasets/tellingen/roles/owner", content=b"{" * 5000,
                   headers={**admin_headers, "Content-Type": "application/json"})
    assert r.status_code == 413
    r = client.put(f"{API}/datasets/tellingen/roles/owner", content=b"[1]",
                   headers={**admin_headers, "Content-Type": "application/json"})
    assert r.status_code == 400
    # removing the dataset's own steward: none left (the organisation names none)
    r = client.delete(f"{API}/datasets/tellingen/roles/steward", headers=admin_headers)
    assert [h["role"] for h in r.json()["roles"]] == ["owner"]
    r = client.delete(f"{API}/organisations/mobiliteit/roles/owner", headers=admin_headers)
    assert r.json()["roles"] == []
