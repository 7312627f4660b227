"""The native JSON API against a platform loaded through the real write path."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv


@pytest.fixture
def loaded(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(
        platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
        metadata={"title_nl": "Passantentellingen", "title_en": "Pedestrian counts",
                  "organisation": "Stad Gent", "themes": ["TRAN"], "keywords": ["drukte"]},
    )
    return platform


def test_list_and_get(client: TestClient, loaded: Platform) -> None:
    body = client.get("/api/belfort/v1/datasets").json()
    assert body["total_count"] == 1
    assert body["datasets"][0]["id"] == "tellingen"
    assert body["datasets"][0]["title_en"] == "Pedestrian counts"
    one = client.get("/api/belfort/v1/datasets/tellingen").json()
    assert one["published_version"] == 1
    version = one["versions"][0]
    assert version["row_count"] == 5
    assert version["checksum"].startswith("sha256:")
    assert version["validation"]["valid"] is True
    assert [f["type"] for f in version["schema"]["fields"]] == [
        "string", "datetime", "integer", "number", "boolean"
    ]
    assert client.get("/api/belfort/v1/datasets?q=passant").json()["total_count"] == 1
    assert client.get("/api/belfort/v1/datasets?q=afval").json()["total_count"] == 0
    assert client.get("/api/belfort/v1/datasets?theme=TRAN").json()["total_count"] == 1


def test_records_filters_order_paging(client: TestClient, loaded: Platform) -> None:
    r = client.get("/api/belfort/v1/datasets/tellingen/records",
                   params={"aantal__gte": "90", "order_by": "-aantal", "limit": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total_count"] == 3
    assert [rec["aantal"] for rec in body["records"]] == [180, 120]
    page2 = client.get("/api/belfort/v1/datasets/tellingen/records",
                       params={"aantal__gte": "90", "order_by": "-aantal", "limit": 2, "offset": 2}).json()
    assert [rec["aantal"] for rec in page2["records"]] == [95]
    eq = client.get("/api/belfort/v1/datasets/tellingen/records", params={"telpunt": "Graslei"}).json()
    assert eq["total_count"] == 1 and eq["records"][0]["aantal"] is None
    rng = client.get("/api/belfort/v1/datasets/tellingen/records",
                     params={"tijdstip__gte": "2024-03-01T14:00:00+01:00", "select": "telpunt,aantal"}).json()
    assert rng["columns"] == ["telpunt", "aantal"] and rng["total_count"] == 2
    assert client.get("/api/belfort/v1/datasets/tellingen/records", params={"open": "nee"}).json()["total_count"] == 2
    assert client.get("/api/belfort/v1/datasets/tellingen/records",
                      params={"telpunt__in": "Graslei,Veldstraat"}).json()["total_count"] == 3
    assert client.get("/api/belfort/v1/datasets/tellingen/records",
                      params={"aantal__isnull": "true"}).json()["total_count"] == 1


def test_group_by_aggregates(client: TestClient, loaded: Platform) -> None:
    body = client.get(
        "/api/belfort/v1/datasets/tellingen/records",
        params={"select": "telpunt,count(*),sum(aantal),avg(bezettingsgraad),min(aantal),max(aantal)",
                "group_by": "telpunt", "order_by": "-sum(aantal)"},
    ).json()
    assert body["total_count"] == 3
    first = body["records"][0]
    quick = client.get(
        "/api/belfort/v1/datasets/tellingen/records",
        params={"select": "telpunt,count(*)", "group_by": "telpunt", "include_total": "false"},
    ).json()
    assert quick["total_count"] is None and len(quick["records"]) == 3
    assert first == {"telpunt": "Korenmarkt", "count(*)": 2, "sum(aantal)": 300,
                     "avg(bezettingsgraad)": pytest.approx(0.825), "min(aantal)": 120, "max(aantal)": 180}


@pytest.mark.parametrize(
    "params",
    [
        {"onbekend": "1"},
        {"aantal": "veel"},
        {"select": "sum(telpunt)"},
        {"limit": "abc"},
        {"limit": "1000000"},
        {"aantal__bestaatniet": "1"},
        {"order_by": "bestaatniet"},
        {"select": "telpunt,aantal", "group_by": "telpunt"},
        {"telpunt": "x" * 5000},
        {"tijdstip__gte": "gisteren"},
        {"telpunt": "\u0000\ud7ff\U0001f600'; --"},
    ],
)
def test_bad_queries_get_400_with_json(client: TestClient, loaded: Platform, params: dict[str, str]) -> None:
    r = client.get("/api/belfort/v1/datasets/tellingen/records", params=params)
    if params.get("telpunt", "").startswith("\u0000"):
        assert r.status_code == 200 and r.json()["total_count"] == 0  # odd text is just text
        return
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"] == "query_error" and r.json()["message"]


def test_exports(client: TestClient, loaded: Platform) -> None:
    csv = client.get("/api/belfort/v1/datasets/tellingen/exports/csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert len(lines) == 6 and "telpunt" in lines[0]
    js = client.get("/api/belfort/v1/datasets/tellingen/exports/json", params={"telpunt": "Korenmarkt"}).json()
    assert [r["aantal"] for r in js] == [120, 180]
    pq_bytes = client.get("/api/belfort/v1/datasets/tellingen/exports/parquet").content
    assert pq.read_table(io.BytesIO(pq_bytes)).num_rows == 5
    filtered = client.get("/api/belfort/v1/datasets/tellingen/exports/parquet", params={"open": "ja"}).content
    assert pq.read_table(io.BytesIO(filtered)).num_rows == 3
    none = client.get("/api/belfort/v1/datasets/tellingen/exports/parquet", params={"telpunt": "Nergens"}).content
    empty = pq.read_table(io.BytesIO(none))
    assert empty.num_rows == 0 and empty.column_names == ["telpunt", "tijdstip", "aantal", "bezettingsgraad", "open"]
    assert client.get("/api/belfort/v1/datasets/tellingen/exports/exe").status_code == 404


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/api/").json()["links"]["datasets"] == "/api/belfort/v1/datasets"
    # FastAPI's own doc pages load scripts from a CDN: they must not be served.
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/belfort/v1/datasets/{dataset_id}/records" in paths


def test_naive_datetimes_in_filters_are_ghent_local_time(client: TestClient, loaded: Platform) -> None:
    local = client.get("/api/belfort/v1/datasets/tellingen/records",
                       params={"tijdstip__gte": "2024-03-01 14:00:00"}).json()
    explicit = client.get("/api/belfort/v1/datasets/tellingen/records",
                          params={"tijdstip__gte": "2024-03-01T13:00:00Z"}).json()
    assert local["total_count"] == explicit["total_count"] == 2
