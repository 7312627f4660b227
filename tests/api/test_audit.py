from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from tests.helpers import COUNTS_CSV


def test_every_change_is_in_the_audit_log(client: TestClient, admin_headers: dict[str, str], tmp_path: Path) -> None:
    url = "/api/belfort/v1/datasets/tellingen"
    headers = {**admin_headers, "Content-Type": "text/csv"}
    assert client.post(url + "/ingest", content=COUNTS_CSV, headers=headers).status_code == 201
    client.patch(url, content=json.dumps({"title_en": "Counts"}), headers=admin_headers)
    client.post(url + "/state", content=json.dumps({"state": "deprecated"}), headers=admin_headers)
    log = client.get("/api/belfort/v1/audit", params={"dataset": "tellingen"}, headers=admin_headers).json()
    assert log["total_count"] == 3
    assert [e["action"] for e in log["events"]] == ["change_state", "update_metadata", "ingest"]
    assert all(e["actor"].startswith("key:") for e in log["events"])
    assert log["events"][2]["detail"]["version"] == 1


def test_audit_log_is_for_admins_only(client: TestClient) -> None:
    r = client.get("/api/belfort/v1/audit")
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert client.get("/api/belfort/v1/audit", headers={"Authorization": "Bearer bfk_x"}).status_code == 401
