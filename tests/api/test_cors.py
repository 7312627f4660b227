"""CORS headers over plain HTTP (belfort.api.cors): public read APIs answer like
Opendatasoft, preflight included; staff and portal pages stay same-origin."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.api import caching, cors
from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.portal.render import STAFF_COOKIE
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import counts_csv

ORIGIN = {"Origin": "https://widgets.stad.gent"}
PUBLIC_READS = [
    "/api/records/1.0/search/?dataset=open-data&q=&sort=tijdstip&rows=1",
    "/api/records/1.0/download/?dataset=open-data",
    "/api/datasets/1.0/search/",
    "/api/datasets/1.0/open-data/",
    "/api/explore/v2.1/catalog/datasets",
    "/api/explore/v2.1/catalog/datasets/open-data/records?where=aantal>100",
    "/api/explore/v2.1/catalog/datasets/open-data/facets?facet=telpunt",
    "/api/explore/v2.1/catalog/datasets/open-data/exports/csv",
    "/api/belfort/v1/datasets",
    "/api/belfort/v1/datasets/open-data/records",
    "/api/belfort/v1/datasets/open-data/exports/csv",
    "/api/belfort/v1/datasets/open-data/quality?history=true",
    "/api/belfort/v1/datasets/open-data/quality/history",
    "/api/belfort/v1/quality?days=30",
    "/explore/dataset/open-data/download/",
    "/api/",
    "/openapi.json",
]
ERRORS = [
    ("/api/records/1.0/search/?dataset=open-data&q=aantal>=", 400),
    ("/api/records/1.0/search/?dataset=intern", 404),
    ("/api/explore/v2.1/catalog/datasets/open-data/records?where=(((", 400),
    ("/api/explore/v2.1/catalog/datasets/intern/records", 404),
    ("/api/belfort/v1/datasets/intern/quality", 404),
    ("/api/belfort/v1/quality?organisation=bestaat-niet", 404),
    ("/api/belfort/v1/datasets/open-data/records?limit=x", 400),
    ("/explore/dataset/open-data/download/?format=shp", 400),
]
SAME_ORIGIN = ["/", "/datasets", "/datasets/open-data", "/datasets/open-data/map.geojson", "/staff", "/api",
               "/verwerkingsregister", "/explore/dataset/open-data/table/", "/datakwaliteit"]


@pytest.fixture
def data(platform: Platform, tmp_path: Path) -> Platform:
    csv = counts_csv(tmp_path)
    ingest_file(platform, CLI_ADMIN, "open-data", csv, metadata={"title_nl": "Open"})
    ingest_file(platform, CLI_ADMIN, "intern", csv, metadata={
        "title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                            "classification_reason": "bevat namen"})
    return platform


def _no_credentials(headers: dict[str, str] | object) -> None:
    assert "access-control-allow-credentials" not in {k.lower() for k in headers}  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", PUBLIC_READS)
def test_public_reads_answer_any_origin(client: TestClient, data: Platform, path: str) -> None:
    r = client.get(path, headers=ORIGIN)
    assert r.status_code == 200, (path, r.text[:200])
    assert r.headers["access-control-allow-origin"] == "*"
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "content-disposition"} <= exposed
    _no_credentials(r.headers)


@pytest.mark.parametrize(("path", "status"), ERRORS)
def test_errors_carry_cors_so_the_app_can_read_them(client: TestClient, data: Platform, path: str, status: int) -> None:
    r = client.get(path, headers=ORIGIN)
    assert r.status_code == status, (path, r.text[:200])
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("path", [p.split("?")[0] for p in PUBLIC_READS] + ["/api/belfort/v1/datasets/open-data",
                                                                             "/sparql", "/ldes/open-data"])
def test_preflight_allows_a_key_header(client: TestClient, data: Platform, path: str) -> None:
    r = client.options(path, headers={**ORIGIN, "Access-Control-Request-Method": "GET",
                                      "Access-Control-Request-Headers": "authorization,x-api-key"})
    assert r.status_code == 204, (path, r.status_code)
    assert r.headers["access-control-allow-origin"] == "*"
    assert "GET" in r.headers["access-control-allow-methods"]
    allowed = {h.strip().lower() for h in r.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "x-api-key"} <= allowed
    assert int(r.headers["access-control-max-age"]) > 0
    _no_credentials(r.headers)


def test_native_writes_may_be_sent_with_a_key_cross_origin(client: TestClient, data: Platform) -> None:
    r = client.options("/api/belfort/v1/datasets/open-data", headers={
        **ORIGIN, "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "authorization,content-type"})
    assert r.status_code == 204 and "PATCH" in r.headers["access-control-allow-methods"]
    # the Opendatasoft dialects are read-only, as Opendatasoft's
    r = client.options("/api/explore/v2.1/catalog/datasets", headers={**ORIGIN, "Access-Control-Request-Method": "GET"})
    assert "POST" not in r.headers["access-control-allow-methods"]


def test_quota_refusals_carry_cors(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'c.sqlite'}",
                        quota_per_address=1, quota_per_key=1, quota_window_seconds=3600)
    platform = Platform(settings)
    try:
        with TestClient(create_app(platform)) as client:
            client.get("/api/belfort/v1/datasets", headers=ORIGIN)
            r = client.get("/api/belfort/v1/datasets", headers=ORIGIN)
            assert r.status_code == 429
            assert r.headers["access-control-allow-origin"] == "*"
            assert r.headers["x-ratelimit-remaining"] == "0"
            # a preflight is answered before the quota: it costs the app nothing
            pre = client.options("/api/belfort/v1/datasets", headers={**ORIGIN, "Access-Control-Request-Method": "GET"})
            assert pre.status_code == 204
    finally:
        platform.close()


@pytest.mark.parametrize("path", SAME_ORIGIN)
def test_portal_and_staff_pages_stay_same_origin(client: TestClient, data: Platform, path: str) -> None:
    r = client.get(path, headers=ORIGIN, follow_redirects=False)
    assert r.status_code < 500
    assert not [k for k in r.headers if k.lower().startswith("access-control-")], (path, dict(r.headers))
    pre = client.options(path, headers={**ORIGIN, "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in pre.headers


def test_form_posts_stay_same_origin(client: TestClient, data: Platform) -> None:
    for path in ("/staff/sign-in", "/staff/uploads"):
        pre = client.options(path, headers={**ORIGIN, "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in pre.headers
        r = client.post(path, data={"key": "x"}, headers=ORIGIN, follow_redirects=False)
        assert "access-control-allow-origin" not in r.headers


def test_linked_data_pages_and_staff_cookie_answers_stay_same_origin(client: TestClient, data: Platform,
                                                                      staff_token: str) -> None:
    rdf = client.get("/id/open-data", headers={**ORIGIN, "Accept": "text/turtle"})
    assert rdf.status_code == 200 and rdf.headers["access-control-allow-origin"] == "*"
    html = client.get("/sparql", headers={**ORIGIN, "Accept": "text/turtle"})
    assert html.headers["access-control-allow-origin"] == "*"
    record = client.get("/id/open-data/3ed0ac42a7f686f4632b3cfc1d81a136363673d9",
                        headers={**ORIGIN, "Accept": "text/html"})
    assert record.status_code == 200 and "access-control-allow-origin" not in record.headers
    client.cookies.set(STAFF_COOKIE, staff_token)
    try:
        staff = client.get("/id/open-data", headers={**ORIGIN, "Accept": "text/turtle"})
    finally:
        client.cookies.clear()
    assert staff.status_code == 200 and "access-control-allow-origin" not in staff.headers


def test_the_rule_is_one_table() -> None:
    assert cors.rule_for("/api/records/1.0/search/") is not None
    assert cors.rule_for("/api") is None  # the portal's API page
    assert cors.rule_for("/staff/uploads") is None
    assert cors.rule_for("/datasets/x/map.geojson") is None
    assert cors.STAFF_COOKIE.decode() == caching.STAFF_COOKIE == STAFF_COOKIE
