"""Authenticated upload: success, and every way it can go wrong without losing data."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from tests.helpers import COUNTS_CSV

URL = "/api/belfort/v1/datasets/tellingen/ingest"
CSV = {"Content-Type": "text/csv"}


def _upload(client: TestClient, headers: dict[str, str], body: bytes = COUNTS_CSV.encode(), **params: str):
    return client.post(URL, content=body, headers={**CSV, **headers}, params={"filename": "t.csv", **params})


def test_upload_publishes_a_version(client: TestClient, admin_headers: dict[str, str]) -> None:
    r = _upload(client, admin_headers, title="Tellingen", organisation="Stad Gent", themes="TRAN,SOCI")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["version"] == 1 and body["published"] is True and body["row_count"] == 5
    meta = client.get("/api/belfort/v1/datasets/tellingen").json()
    assert meta["themes"] == ["TRAN", "SOCI"] and meta["state"] == "published"
    assert client.get("/api/belfort/v1/datasets/tellingen/records").json()["total_count"] == 5


def test_draft_upload_is_not_visible_until_published(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert _upload(client, admin_headers, title="T").status_code == 201
    more = COUNTS_CSV + "Graslei;2024-03-01 15:00:00;10;0,2;ja\n"
    r = _upload(client, admin_headers, body=more.encode(), draft="true")
    assert r.status_code == 201 and r.json()["published"] is False and r.json()["version"] == 2
    assert client.get("/api/belfort/v1/datasets/tellingen/records").json()["total_count"] == 5
    assert client.get("/api/belfort/v1/datasets/tellingen/records", params={"version": 2}).status_code == 404
    assert client.get("/api/belfort/v1/datasets/tellingen/records", params={"version": 2},
                      headers=admin_headers).json()["total_count"] == 6
    pub = client.post("/api/belfort/v1/datasets/tellingen/versions/2/publish", headers=admin_headers)
    assert pub.status_code == 200
    assert client.get("/api/belfort/v1/datasets/tellingen/records").json()["total_count"] == 6


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer bfk_not-a-real-key"}, 401), ({"X-API-Key": "garbage"}, 401)],
)
def test_writes_need_a_valid_key(client: TestClient, headers: dict[str, str], status: int) -> None:
    r = _upload(client, headers)
    assert r.status_code == status and r.json()["error"] == "unauthorized"
    assert client.get("/api/belfort/v1/datasets/tellingen").status_code == 404


def test_unsupported_media_type_is_415(client: TestClient, admin_headers: dict[str, str]) -> None:
    r = client.post(URL, content=b"%PDF-1.7", headers={"Content-Type": "application/pdf", **admin_headers})
    assert r.status_code == 415 and r.json()["error"] == "unsupported_format"
    r = client.post(URL, content=b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
                    headers={"Content-Type": "application/octet-stream", **admin_headers},
                    params={"filename": "foto.png"})
    assert r.status_code == 415


def test_too_large_is_413(platform: Platform, client: TestClient, admin_headers: dict[str, str]) -> None:
    platform.settings.max_upload_bytes = 1000
    r = _upload(client, admin_headers, body=b"a;b\n" + b"1;2\n" * 1000)
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"
    assert list(platform.lake.staging_dir.iterdir()) == []  # nothing left behind


def test_invalid_rows_are_422_with_a_report_and_the_live_version_survives(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    assert _upload(client, admin_headers, title="T").status_code == 201
    bad = COUNTS_CSV + "Graslei;2024-03-01 15:00:00;veel;0,2;ja\n"
    r = _upload(client, admin_headers, body=bad.encode(), types="aantal:integer")
    assert r.status_code == 422, r.text
    report = r.json()["report"]
    problem = report["problems"][0]
    assert problem["column"] == "aantal" and problem["count"] == 1
    assert problem["examples"][0]["row"] == 6 and problem["examples"][0]["value"] == "veel"
    meta = client.get("/api/belfort/v1/datasets/tellingen").json()
    assert meta["published_version"] == 1 and len(meta["versions"]) == 1
    assert client.get("/api/belfort/v1/datasets/tellingen/records").json()["total_count"] == 5


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"", "text/csv", 400),  # no file at all: a bad request
        (b"{not json", "application/json", 422),
        (b"42", "application/json", 422),
        (b"PK\x03\x04garbage", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 422),
        (b"\x00\x01\x02\x03" * 1000, "application/vnd.apache.parquet", 422),
    ],
)
def test_unreadable_files_are_422(
    client: TestClient, admin_headers: dict[str, str], body: bytes, content_type: str, status: int
) -> None:
    r = client.post(URL, content=body, headers={"Content-Type": content_type, **admin_headers})
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json" and r.json()["message"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"classification": "internal"}, "reason"),
        ({"classification": "geheim"}, "classification"),
        ({"contact_email": "niet-een-adres"}, "email"),
        ({"frequency": "soms"}, "frequency"),  # on no list: 422 unknown_term (docs/metadata.md)
        ({"title": "x" * 400}, "title_nl"),
        ({"types": "aantal"}, "field:type"),
    ],
)
def test_bad_metadata_is_400_before_reading_the_file(
    client: TestClient, admin_headers: dict[str, str], params: dict[str, str], fragment: str
) -> None:
    r = _upload(client, admin_headers, **params)
    assert r.status_code == (422 if "frequency" in params else 400), r.text
    assert fragment in r.json()["message"]
    assert client.get("/api/belfort/v1/datasets/tellingen", headers=admin_headers).status_code == 404


def test_bad_dataset_identifier(client: TestClient, admin_headers: dict[str, str]) -> None:
    r = client.post("/api/belfort/v1/datasets/Niet%20Goed/ingest", content=COUNTS_CSV.encode(),
                    headers={**CSV, **admin_headers})
    assert r.status_code == 400 and "identifier" in r.json()["message"]


def test_metadata_edit_and_state_changes(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert _upload(client, admin_headers, title="T").status_code == 201
    url = "/api/belfort/v1/datasets/tellingen"
    assert client.patch(url, content=json.dumps({"title_en": "Counts"})).status_code == 401
    r = client.patch(url, content=json.dumps({"title_en": "Counts"}), headers=admin_headers)
    assert r.status_code == 200 and r.json()["title_en"] == "Counts"
    assert client.patch(url, content=b"[1]", headers=admin_headers).status_code == 400
    assert client.patch(url, content=json.dumps({"nonsense": 1}), headers=admin_headers).status_code == 400
    r = client.post(url + "/state", content=json.dumps({"state": "deprecated"}), headers=admin_headers)
    assert r.status_code == 200 and r.json()["state"] == "deprecated"
    assert client.get(url).status_code == 200  # deprecated stays readable
    r = client.post(url + "/state", content=json.dumps({"state": "draft"}), headers=admin_headers)
    assert r.status_code == 409
    client.post(url + "/state", content=json.dumps({"state": "archived"}), headers=admin_headers)
    assert client.get(url).status_code == 404
    assert client.get(url, headers=admin_headers).status_code == 200


def test_upload_and_patch_the_source_time_zone(client: TestClient, admin_headers: dict[str, str]) -> None:
    body = b"id,tijd\n1,2024-01-15 12:00\n"
    r = _upload(client, admin_headers, body=body, timezone="America/New_York")
    assert r.status_code == 201, r.text
    assert r.json()["source_details"]["timezone"] == "America/New_York"
    url = "/api/belfort/v1/datasets/tellingen"
    meta = client.get(url).json()
    assert meta["timezone"] == "America/New_York"
    assert meta["versions"][0]["source_details"]["timezone"] == "America/New_York"
    records = client.get(url + "/records").json()["records"]
    assert records[0]["tijd"].startswith("2024-01-15T17:00:00")  # EST is UTC-5
    r = client.patch(url, content=json.dumps({"timezone": "UTC"}), headers=admin_headers)
    assert r.status_code == 200 and r.json()["timezone"] == "UTC"
    # the old version is not reinterpreted; a new upload is read in the new zone
    assert client.get(url + "/records").json()["records"][0]["tijd"].startswith("2024-01-15T17:00:00")
    assert _upload(client, admin_headers, body=body).status_code == 201
    assert client.get(url + "/records").json()["records"][0]["tijd"].startswith("2024-01-15T12:00:00")
    versions = client.get(url).json()["versions"]
    assert [v["source_details"]["timezone"] for v in versions] == ["America/New_York", "UTC"]
    v21 = client.get("/api/explore/v2.1/catalog/datasets/tellingen").json()
    assert v21["metas"]["default"]["timezone"] == "UTC"
    v1 = client.get("/api/datasets/1.0/tellingen/").json()
    assert v1["metas"]["timezone"] == "UTC"


@pytest.mark.parametrize("zone", ["", "Mars/Olympus", "x" * 10_000, "../../etc", "/etc/passwd", 5])
def test_bad_time_zones_are_400(client: TestClient, admin_headers: dict[str, str], zone: object) -> None:
    if isinstance(zone, str):
        r = _upload(client, admin_headers, timezone=zone)
        assert r.status_code == 400, r.text
        assert "time zone" in r.json()["message"]
        assert client.get("/api/belfort/v1/datasets/tellingen", headers=admin_headers).status_code == 404
    assert _upload(client, admin_headers).status_code == 201
    url = "/api/belfort/v1/datasets/tellingen"
    r = client.patch(url, content=json.dumps({"timezone": zone}), headers=admin_headers)
    assert r.status_code == 400, r.text
    assert "timezone" in r.json()["message"]
    assert client.get(url).json()["timezone"] == "Europe/Brussels"
