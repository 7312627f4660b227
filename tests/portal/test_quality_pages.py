"""The quality dashboards (``/datakwaliteit``, ``/organisations/{key}/datakwaliteit``) and the
data-quality section of a dataset page, over HTTP: public datasets only for the public, the
trend as an SVG with its table, "not measured yet" said plainly, nl/en."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.catalog import organisations as orgs
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.portal.quality_pages import percent
from belfort.publishing import ingest_file
from belfort.quality import hook
from tests.quality.conftest import write_parkings

ORG = "Dienst Kwaliteit"


@pytest.fixture
def site(platform: Platform, tmp_path: Path) -> Platform:
    with platform.db.session() as session:
        orgs.add_organisation(session, "dienst-kwaliteit", {"name_nl": ORG})
    ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path),
                metadata={"title_nl": "Parkings", "organisation": ORG})
    other = tmp_path / "geheim"
    other.mkdir()
    ingest_file(platform, CLI_ADMIN, "qzv-geheim", write_parkings(other),
                metadata={"title_nl": "Qzv geheim", "organisation": ORG,
                          "classification": "internal", "classification_reason": "bevat namen",
                          "restriction_reason": "privacy"})
    hook.wait(platform)
    return platform


def test_dashboards_show_public_datasets_only(client: TestClient, site: Platform) -> None:
    for url in ("/datakwaliteit", "/organisations/dienst-kwaliteit/datakwaliteit"):
        for lang, word in (("nl", "Kerncijfers"), ("en", "Key figures")):
            page = client.get(url, params={"lang": lang})
            assert page.status_code == 200, page.text[:500]
            assert word in page.text and "qzv" not in page.text.lower()
            assert '<svg' in page.text and 'role="img"' in page.text
            assert 'href="/datasets/parkings#data-quality"' in page.text
            assert '<dd id="dq-datasets">1</dd>' in page.text
    assert client.get("/organisations/nergens/datakwaliteit").status_code == 404
    assert client.get("/datakwaliteit", params={"days": "0"}).status_code in (400, 422)


def test_staff_dashboard_counts_the_internal_dataset(
    client: TestClient, site: Platform, staff_token: str
) -> None:
    client.cookies.set("belfort_staff", staff_token)
    page = client.get("/datakwaliteit")
    assert '<dd id="dq-datasets">2</dd>' in page.text and "qzv-geheim" in page.text


def test_dataset_page_has_the_badge_and_the_latest_report(
    client: TestClient, site: Platform
) -> None:
    report = client.get("/api/belfort/v1/datasets/parkings/quality").json()
    page = client.get("/datasets/parkings", params={"lang": "en"}).text
    assert 'id="data-quality"' in page and "dq-badge" in page
    failing = [r for r in report["rules"] if r["failing"]]
    assert failing and all(f"<code>{r['id']}</code>" in page for r in failing)
    assert "of the checked values pass" in page


def test_a_dataset_not_measured_yet_says_so(
    client: TestClient, platform: Platform, tmp_path: Path
) -> None:
    ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path),
                metadata={"title_nl": "Parkings"})
    hook.wait(platform)
    with platform.db.session() as session:
        from belfort.catalog.models import QualityReport

        for report in session.query(QualityReport).all():
            session.delete(report)
    page = client.get("/datasets/parkings", params={"lang": "nl"}).text
    assert "Nog niet gemeten" in page and "dq-badge" not in page


def test_percent_texts() -> None:
    assert percent(0.9653, "nl") == "96,5 %" and percent(0.9653, "en") == "96.5%"
    assert percent(None, "en") == "–" and percent(1.0, "nl") == "100,0 %"
