"""Issue 14, item 7: the transparency page lists the datasets that are not open and that
their owners list — title, owner, classification, reason, a way to ask for access — and
nothing else of them; unlisted ones stay invisible under the 404 rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv


@pytest.fixture
def catalogue(platform: Platform, tmp_path: Path) -> Platform:
    csv = counts_csv(tmp_path)
    ingest_file(platform, CLI_ADMIN, "open-data", csv,
                metadata={"title_nl": "Open", "listed": True})
    ingest_file(platform, CLI_ADMIN, "camerabeelden", csv, metadata={
        "title_nl": "Camerabeelden <script>x</script>", "classification": "confidential",
        "restriction_reason": "privacy",
        "classification_reason": "Beelden van herkenbare personen (AVG)", "listed": True,
        "contact_point": {"email": "privacy@stad.gent"}})
    ingest_file(platform, CLI_ADMIN, "geheim-project", csv, metadata={
        "title_nl": "Geheim project", "classification": "strictly-confidential",
        "restriction_reason": "privacy", "classification_reason": "lopend onderzoek"})
    ingest_file(platform, CLI_ADMIN, "ontwerp-lijst", csv, metadata={
        "title_nl": "Ontwerp", "classification": "internal", "restriction_reason": "privacy",
                                                             "classification_reason": "x",
        "listed": True}, draft=True)
    return platform


def test_only_listed_published_datasets_that_are_not_open_are_named(
        client: TestClient, catalogue: Platform) -> None:
    r = client.get("/api/belfort/v1/transparency")
    assert r.status_code == 200
    assert r.json() == {"total_count": 1, "not_open_by_reason": {
        "privacy": 2, "security": 0, "third-party-rights": 0, "in-preparation": 0}, "datasets": [{
        "id": "camerabeelden", "title_nl": "Camerabeelden <script>x</script>", "title_en": None,
        "organisation": None, "classification": "confidential", "restriction_reason": "privacy",
        "reason": "Beelden van herkenbare personen (AVG)", "contact_email": "privacy@stad.gent"}]}
    assert "geheim" not in r.text.lower() and "ontwerp" not in r.text.lower()


def test_the_page_lists_them_with_a_way_to_ask_for_access(
        client: TestClient, catalogue: Platform) -> None:
    page = client.get("/transparantie")
    assert page.status_code == 200
    assert "Camerabeelden &lt;script&gt;" in page.text and "<script>x" not in page.text
    assert "vertrouwelijk" in page.text and "herkenbare personen" in page.text
    assert 'href="mailto:privacy@stad.gent?subject=' in page.text
    assert "Geheim project" not in page.text and "lopend onderzoek" not in page.text
    assert 'id="open-data"' not in page.text  # open data needs no listing here
    english = client.get("/transparantie", params={"lang": "en"})
    assert "Data that is not open" in english.text and "Ask for access" in english.text


def test_a_listed_dataset_stays_behind_the_gate(client: TestClient, catalogue: Platform) -> None:
    for path in ("/api/explore/v2.1/catalog/datasets/camerabeelden/records",
                 "/api/belfort/v1/datasets/camerabeelden", "/datasets/camerabeelden"):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/belfort/v1/datasets", params={"q": "camerabeelden"}).json()[
        "total_count"] == 0


def test_listing_is_metadata_the_owner_sets(
        client: TestClient, catalogue: Platform, admin_headers: dict[str, str]) -> None:
    r = client.patch("/api/belfort/v1/datasets/camerabeelden", json={"listed": False},
                     headers=admin_headers)
    assert r.status_code == 200, r.text
    assert client.get("/api/belfort/v1/transparency").json()["total_count"] == 0
    r = client.patch("/api/belfort/v1/datasets/geheim-project", json={"listed": "misschien"},
                     headers=admin_headers)
    assert r.status_code == 400 and "listed" in r.text  # as every invalid metadata value
