"""Non-open and unpublished datasets are invisible to anonymous users on EVERY endpoint.

The endpoint list is read from the app itself, so a new endpoint that takes a
dataset is tested automatically — and one this test does not know how to call
makes it fail until it is added below.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import api_routes, counts_csv

# How to call each dataset endpoint (path template → concrete path and method).
CALLS: dict[tuple[str, str], str] = {
    ("GET", "/catalog/datasets/{dataset_id}"): "/catalog/datasets/{id}",
    ("GET", "/catalog/datasets/{dataset_id}.{extension}"): "/catalog/datasets/{id}.jsonld",
    ("GET", "/ldes/{dataset_id}"): "/ldes/{id}",
    ("GET", "/ldes/{dataset_id}/pages/{page}"): "/ldes/{id}/pages/1",
    # a member of the stream: any timestamp redirects to the record's version as it stood then
    ("GET", "/id/{dataset_id}/{record_id}/{timestamp}"): "/id/{id}/3ed0ac42a7f686f4632b3cfc1d81a136363673d9/99991231T235959Z",
    ("GET", "/api/belfort/v1/datasets/{dataset_id}"): "/api/belfort/v1/datasets/{id}",
    ("GET", "/api/belfort/v1/datasets/{dataset_id}/records"): "/api/belfort/v1/datasets/{id}/records",
    ("GET", "/api/belfort/v1/datasets/{dataset_id}/versions/{number}"): "/api/belfort/v1/datasets/{id}/versions/1",
    ("GET", "/api/belfort/v1/datasets/{dataset_id}/exports/{fmt}"): "/api/belfort/v1/datasets/{id}/exports/csv",
    ("POST", "/api/belfort/v1/datasets/{dataset_id}/ingest"): "/api/belfort/v1/datasets/{id}/ingest",
    ("PATCH", "/api/belfort/v1/datasets/{dataset_id}"): "/api/belfort/v1/datasets/{id}",
    ("POST", "/api/belfort/v1/datasets/{dataset_id}/state"): "/api/belfort/v1/datasets/{id}/state",
    ("POST", "/api/belfort/v1/datasets/{dataset_id}/versions/{number}/publish"): "/api/belfort/v1/datasets/{id}/versions/1/publish",
    ("GET", "/api/belfort/v1/datasets/{dataset_id}/metadata-quality"):
        "/api/belfort/v1/datasets/{id}/metadata-quality",
    # the data dictionary
    ("GET", "/api/belfort/v1/datasets/{dataset_id}/fields"): "/api/belfort/v1/datasets/{id}/fields",
    ("GET", "/api/belfort/v1/datasets/{dataset_id}/fields/{field}"): "/api/belfort/v1/datasets/{id}/fields/telpunt",
    ("PUT", "/api/belfort/v1/datasets/{dataset_id}/fields"): "/api/belfort/v1/datasets/{id}/fields",
    ("PUT", "/api/belfort/v1/datasets/{dataset_id}/fields/{field}"): "/api/belfort/v1/datasets/{id}/fields/telpunt",
    ("PUT", "/api/belfort/v1/datasets/{dataset_id}/fields/{field}/classification"):
        "/api/belfort/v1/datasets/{id}/fields/telpunt/classification",
    # data quality (belfort.quality)
    ("GET", "/api/belfort/v1/datasets/{dataset_id}/quality"): "/api/belfort/v1/datasets/{id}/quality?history=true",
    ("GET", "/api/belfort/v1/datasets/{dataset_id}/quality/history"): "/api/belfort/v1/datasets/{id}/quality/history",
    ("GET", "/api/belfort/v1/datasets/{dataset_id}/quality/rules"): "/api/belfort/v1/datasets/{id}/quality/rules",
    ("PUT", "/api/belfort/v1/datasets/{dataset_id}/quality/rules"): "/api/belfort/v1/datasets/{id}/quality/rules",
    ("GET", "/api/datasets/1.0/{dataset_id}/"): "/api/datasets/1.0/{id}/",
    # Opendatasoft v1 names the dataset in the query string
    ("GET", "/api/records/1.0/search/"): "/api/records/1.0/search/?dataset={id}",
    ("GET", "/api/records/1.0/download/"): "/api/records/1.0/download/?dataset={id}",
    ("GET", "/api/records/1.0/analyze/"): "/api/records/1.0/analyze/?dataset={id}&x=telpunt&y.n.func=COUNT",
    # the old portal's download URL (the v1 download with the dataset in the path)
    ("GET", "/explore/dataset/{dataset_id}/download/"): "/explore/dataset/{id}/download/?format=csv",
    # Opendatasoft Explore API v2.1
    ("GET", "/api/explore/v2.1/catalog/datasets/{dataset_id}"): "/api/explore/v2.1/catalog/datasets/{id}",
    ("GET", "/api/explore/v2.1/catalog/datasets/{dataset_id}/records"): "/api/explore/v2.1/catalog/datasets/{id}/records",
    ("GET", "/api/explore/v2.1/catalog/datasets/{dataset_id}/records/{record_id}"):
        "/api/explore/v2.1/catalog/datasets/{id}/records/3ed0ac42a7f686f4632b3cfc1d81a136363673d9",  # first row of tests.helpers.COUNTS_CSV
    ("GET", "/api/explore/v2.1/catalog/datasets/{dataset_id}/facets"): "/api/explore/v2.1/catalog/datasets/{id}/facets?facet=telpunt",
    ("GET", "/api/explore/v2.1/catalog/datasets/{dataset_id}/exports/{format}"): "/api/explore/v2.1/catalog/datasets/{id}/exports/csv",
    ("GET", "/api/explore/v2.1/catalog/datasets/{dataset_id}/attachments"): "/api/explore/v2.1/catalog/datasets/{id}/attachments",
    # record URIs (linked data): the same record id as Explore v2.1
    ("GET", "/id/{dataset_id}/{record}"): "/id/{id}/3ed0ac42a7f686f4632b3cfc1d81a136363673d9",
    ("GET", "/id/{dataset_id}"): "/id/{id}",
    ("GET", "/def/{dataset_id}"): "/def/{id}",
    # governance (belfort.governance): who is responsible, metadata reviews
    ("GET", "/api/belfort/v1/datasets/{dataset_id}/roles"): "/api/belfort/v1/datasets/{id}/roles",
    ("PUT", "/api/belfort/v1/datasets/{dataset_id}/roles/{role}"): "/api/belfort/v1/datasets/{id}/roles/owner",
    ("DELETE", "/api/belfort/v1/datasets/{dataset_id}/roles/{role}"): "/api/belfort/v1/datasets/{id}/roles/owner",
    ("POST", "/api/belfort/v1/datasets/{dataset_id}/metadata-review"): "/api/belfort/v1/datasets/{id}/metadata-review",
}
WRITES = {"POST", "PATCH", "PUT", "DELETE"}


# Endpoints that name no single dataset (catalogue listings are tested below).
NOT_PER_DATASET = {"/api/", "/health", "/ready", "/metrics", "/sparql", "/catalog", "/catalog.{extension}", "/catalog/services/{service_name}",
                   "/catalog/services/{service_name}.{extension}", "/catalog/organisations/{slug}",
                   "/catalog/organisations/{slug}.{extension}", "/api/belfort/v1/datasets", "/api/belfort/v1/audit",
                   "/api/belfort/v1/audit/public-key",
                   "/api/belfort/v1/processing-activities", "/api/belfort/v1/processing-activities/{activity_id}",
                   "/api/belfort/v1/processing-activities/{activity_id}/state",
                   "/api/datasets/1.0/search/", "/api/explore/v2.1/catalog/datasets",
                   "/api/explore/v2.1/catalog/exports/{format}", "/api/explore/v2.1/catalog/facets",
                   "/api/belfort/v1/organisations", "/api/belfort/v1/organisations/{slug}",
                   "/api/belfort/v1/transparency",
                   # an organisation's default roles and the steward's worklist: stewards see
                   # only their organisations' datasets (tests/api/test_governance.py)
                   "/api/belfort/v1/organisations/{slug}/roles",
                   "/api/belfort/v1/organisations/{slug}/roles/{role}",
                   "/api/belfort/v1/governance/worklist",
                   # the catalogue's metadata quality: over what the caller may see (the leak
                   # matrix's WIDE rows; tests/mqa/test_demo_and_api.py)
                   "/api/belfort/v1/metadata-quality",
                   # the data-quality KPIs: over what the caller may see (the leak matrix's
                   # WIDE rows; tests/api/test_quality_kpis.py)
                   "/api/belfort/v1/quality",
                   # access requests name a dataset in their body: tests/policy/test_access_requests.py
                   "/api/belfort/v1/access-requests", "/api/belfort/v1/access-requests/{request_id}",
                   "/api/belfort/v1/access-requests/{request_id}/decision",
                   "/api/belfort/v1/access-requests/{request_id}/withdraw",  # tests/policy/test_transparency.py
                   # sensors name a sensor, not a dataset: the gate of the dataset a sensor feeds
                   # is tested in tests/api/test_observations.py
                   # (test_observations_of_a_sensor_feeding_a_hidden_dataset_are_not_found)
                   "/api/belfort/v1/sensors", "/api/belfort/v1/sensors/{sensor_id}",
                   "/api/belfort/v1/sensors/{sensor_id}/observations",
                   "/api/belfort/v1/sensors/{sensor_id}/revoke", "/api/belfort/v1/observations",
                   # a sensor's forecast: the same gate as its observations
                   # (tests/api/test_forecasts.py:
                   # test_a_sensor_feeding_a_hidden_dataset_has_no_forecast_for_others)
                   "/api/belfort/v1/sensors/{sensor_id}/forecast",
                   # zones' forecasts and the model registry name no dataset (public, as the
                   # crowding now; the registry lists no sensor ids)
                   "/api/belfort/v1/zones/{zone_id}/forecast", "/api/belfort/v1/forecast-models",
                   "/api/belfort/v1/forecast-models/{version}",
                   "/iot/json",
                   # crowding's zones: not datasets (the crowding datasets go through the gate)
                   "/api/belfort/v1/zones", "/api/belfort/v1/zones/{zone_id}",
                   "/api/belfort/v1/zones/{zone_id}/crowding", "/api/belfort/v1/crowding",
                   # dashboards name a dashboard: each tile asks the gate for its own dataset
                   # (tests/dashboards/test_tiles.py, tests/api/test_dashboards.py,
                   # tests/portal/test_dashboard_pages.py: restricted tiles empty for the public)
                   "/api/belfort/v1/dashboards", "/api/belfort/v1/dashboards/{dashboard_id}",
                   "/api/belfort/v1/dashboards/{dashboard_id}/events",
                   # ODRL policies: admins and stewards only, 401/403 for anyone else before
                   # any look-up (tests/api/test_policies.py); the DPV purposes are no data
                   "/api/belfort/v1/policies", "/api/belfort/v1/policies/{uid}",
                   "/api/belfort/v1/policies/purposes",
                   # the crowding twin's alerts, advice, street links and scenarios name zones,
                   # rules and scenarios, not datasets: they are aggregated over zones as the
                   # crowding score is (tests/twin/alerts, tests/twin/scenarios, and the leak
                   # matrix's GET rows); writing them needs staff (tests/api/test_scenarios.py)
                   "/api/belfort/v1/alert-rules", "/api/belfort/v1/alert-rules/{rule_id}",
                   "/api/belfort/v1/alerts", "/api/belfort/v1/alerts/{alert_id}",
                   "/api/belfort/v1/alerts/evaluate",
                   "/api/belfort/v1/alerts/{alert_id}/acknowledge",
                   "/api/belfort/v1/zones/{zone_id}/advice",
                   "/api/belfort/v1/zones/{zone_id}/advice/{level}",
                   "/api/belfort/v1/zone-links", "/api/belfort/v1/zone-links/{link_id}",
                   "/api/belfort/v1/scenarios", "/api/belfort/v1/scenarios/{scenario_id}",
                   "/api/belfort/v1/scenarios/{scenario_id}/export",
                   # Gent in Cijfers names indicators, not datasets: they are computed only from
                   # datasets open to everyone, read as the public (tests/cijfers/test_definitions.py:
                   # an internal source is refused); defining and importing needs an admin key
                   "/api/belfort/v1/indicators", "/api/belfort/v1/indicators/{code}",
                   "/api/belfort/v1/indicators/{code}/values",
                   "/jiveservices/odata/{resource}", "/viewerservices/odata/{resource}",
                   "/jive/selectiontableasjson.ashx"}


def dataset_routes() -> list[tuple[str, str]]:
    return [(m, p) for m, p in api_routes() if p not in NOT_PER_DATASET]


def test_every_dataset_endpoint_is_covered() -> None:
    assert len(dataset_routes()) >= 8
    missing = set(dataset_routes()) - set(CALLS)
    assert not missing, f"add these endpoints to CALLS in {__file__}: {sorted(missing)}"


@pytest.fixture
def hidden(platform: Platform, tmp_path: Path) -> Platform:
    csv = counts_csv(tmp_path)
    ingest_file(platform, CLI_ADMIN, "open-data", csv, metadata={"title_nl": "Open"})
    ingest_file(platform, CLI_ADMIN, "intern", csv, metadata={
        "title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                            "classification_reason": "bevat namen"})
    ingest_file(platform, CLI_ADMIN, "vertrouwelijk", csv, metadata={
        "title_nl": "Vertrouwelijk", "classification": "confidential", "restriction_reason": "privacy",
                                                                       "classification_reason": "GDPR"})
    ingest_file(platform, CLI_ADMIN, "ontwerp", csv, metadata={"title_nl": "Ontwerp"}, draft=True)
    return platform


@pytest.mark.parametrize("dataset_id", ["intern", "vertrouwelijk", "ontwerp", "bestaat-niet"])
@pytest.mark.parametrize(("method", "template"), sorted(CALLS))
def test_anonymous_gets_404_not_403(
    client: TestClient, hidden: Platform, dataset_id: str, method: str, template: str
) -> None:
    path = CALLS[(method, template)].format(id=dataset_id)
    r = client.request(method, path, content=b"{}", headers={"Content-Type": "application/json"})
    if method in WRITES:
        assert r.status_code == 401  # writes need a key before anything else is looked at
    else:
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert dataset_id not in r.text or "not found" in r.text
    assert "internal" not in r.text and "bevat namen" not in r.text


@pytest.mark.parametrize(("method", "template"), sorted(k for k in CALLS if k[0] == "GET"))
def test_admin_sees_restricted_datasets(
    client: TestClient, hidden: Platform, admin_headers: dict[str, str], method: str, template: str
) -> None:
    for dataset_id in ("intern", "vertrouwelijk", "ontwerp"):
        r = client.request(method, CALLS[(method, template)].format(id=dataset_id), headers=admin_headers)
        assert r.status_code == 200, (dataset_id, r.text)


def test_catalogue_lists_only_visible_datasets(client: TestClient, hidden: Platform, admin_headers: dict[str, str]) -> None:
    anonymous = {d["id"] for d in client.get("/api/belfort/v1/datasets").json()["datasets"]}
    assert anonymous == {"open-data"}
    v1 = client.get("/api/datasets/1.0/search/", params={"rows": 100}).json()
    assert {d["datasetid"] for d in v1["datasets"]} == {"open-data"}
    for q in ("Intern", "Ontwerp", "vertrouw"):
        assert client.get("/api/belfort/v1/datasets", params={"q": q}).json()["total_count"] == 0
    admin = {d["id"] for d in client.get("/api/belfort/v1/datasets", headers=admin_headers).json()["datasets"]}
    assert admin == {"open-data", "intern", "vertrouwelijk", "ontwerp"}


@pytest.mark.parametrize("dataset_id", ["nul%00byte", "regel%0A", "x" * 300, "HOOFDLETTERS"])
@pytest.mark.parametrize(("method", "template"), sorted(k for k in CALLS if k[0] == "GET"))
def test_ids_that_are_no_slug_are_not_found_for_anyone(
    client: TestClient, hidden: Platform, admin_headers: dict[str, str], dataset_id: str, method: str, template: str
) -> None:
    """Every dataset id is a slug: anything else is 404 before a query (PostgreSQL refuses
    a NUL byte with an error, which was a 500)."""
    path = CALLS[(method, template)].format(id=dataset_id)
    for headers in ({}, admin_headers):
        r = client.request(method, path, headers=headers)
        assert r.status_code in (400, 404), (path, r.status_code, r.text)
