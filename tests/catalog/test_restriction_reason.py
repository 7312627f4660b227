"""Issue 17, item 6 (second half): every dataset that is not open carries a reason from a fixed
list (privacy, security, third-party-rights, in-preparation) — required on every entry path
(API, staff form, CLI), refused off the list, cleared when the dataset becomes open, counted on
the transparency page and shown in the metadata to whoever may read the dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic import command
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import text

from belfort.catalog.database import alembic_config, make_engine
from belfort.catalog.metadata import RESTRICTION_REASON_LABELS, DatasetMetadata, RestrictionReason
from belfort.cli import main
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv
from tests.portal.test_staff import csrf_of, staff  # noqa: F401  (the signed-in client fixture)

API = "/api/belfort/v1/datasets/tellingen"
INTERNAL = {"classification": "internal", "classification_reason": "bevat namen"}


def test_the_list_is_fixed_with_nl_and_en_labels() -> None:
    assert [r.value for r in RestrictionReason] == [
        "privacy", "security", "third-party-rights", "in-preparation"]
    assert RESTRICTION_REASON_LABELS[RestrictionReason.THIRD_PARTY_RIGHTS] == {
        "nl": "rechten van derden", "en": "third-party rights"}
    assert set(RESTRICTION_REASON_LABELS) == set(RestrictionReason)


@pytest.mark.parametrize("reason", [None, "", "Privacy ", "geheim", "x" * 10_000, "a\x00b", 7,
                                    ["privacy"], {"privacy": True}])
def test_not_open_without_a_reason_from_the_list_is_refused(reason: Any) -> None:
    with pytest.raises(ValueError) as caught:
        DatasetMetadata.model_validate({"title_nl": "T", **INTERNAL, "restriction_reason": reason})
    assert "restriction_reason" in str(caught.value) or "NUL" in str(caught.value)


def test_an_open_dataset_has_no_reason() -> None:
    assert DatasetMetadata(title_nl="T", restriction_reason="privacy").restriction_reason is None
    metadata = DatasetMetadata(title_nl="T", **INTERNAL, restriction_reason="security")
    assert metadata.restriction_reason == RestrictionReason.SECURITY


@pytest.fixture
def tellingen(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen"})
    return platform


def test_the_api_requires_it_shows_it_and_clears_it(
        client: TestClient, tellingen: Platform, admin_headers: dict[str, str]) -> None:
    missing = client.patch(API, json=INTERNAL, headers=admin_headers)
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"
    assert "restriction reason from the list: privacy, security" in missing.text
    off_list = client.patch(API, json={**INTERNAL, "restriction_reason": "geheim"},
                            headers=admin_headers)
    assert off_list.status_code == 400 and "restriction_reason" in off_list.text
    saved = client.patch(API, json={**INTERNAL, "restriction_reason": "third-party-rights"},
                         headers=admin_headers)
    assert saved.status_code == 200, saved.text
    assert client.get(API, headers=admin_headers).json()["restriction_reason"] == (
        "third-party-rights")
    assert client.get(API).status_code == 404  # anonymous: not theirs to see, reason and all
    # another change keeps it; a change of reason alone is enough
    assert client.patch(API, json={"steward": "An"}, headers=admin_headers).status_code == 200
    assert client.patch(API, json={"restriction_reason": "security"},
                        headers=admin_headers).json()["restriction_reason"] == "security"
    opened = client.patch(API, json={"classification": "open"}, headers=admin_headers)
    assert opened.status_code == 200, opened.text
    assert opened.json()["restriction_reason"] is None
    assert client.get(API).json()["restriction_reason"] is None


def test_the_transparency_page_counts_per_reason_without_naming(
        client: TestClient, platform: Platform, tmp_path: Path) -> None:
    csv = counts_csv(tmp_path)
    for dataset_id, reason, listed in [("a-geheim", "security", False),
                                       ("b-geheim", "security", False),
                                       ("c-partner", "third-party-rights", True)]:
        ingest_file(platform, CLI_ADMIN, dataset_id, csv, metadata={
            "title_nl": f"Titel {dataset_id}", **INTERNAL, "restriction_reason": reason,
            "listed": listed})
    ingest_file(platform, CLI_ADMIN, "d-ontwerp", csv, draft=True, metadata={
        "title_nl": "Titel d-ontwerp", **INTERNAL, "restriction_reason": "privacy"})
    api = client.get("/api/belfort/v1/transparency").json()
    assert api["not_open_by_reason"] == {
        "privacy": 0, "security": 2, "third-party-rights": 1, "in-preparation": 0}
    assert [d["restriction_reason"] for d in api["datasets"]] == ["third-party-rights"]
    page = client.get("/transparantie").text
    assert "rechten van derden" in page and "veiligheid" in page and "in voorbereiding" in page
    assert "Titel c-partner" in page
    assert "a-geheim" not in page and "b-geheim" not in page and "ontwerp" not in page
    english = client.get("/transparantie", params={"lang": "en"}).text
    assert "How many datasets are not open, and why" in english and "third-party rights" in english


def test_the_staff_form_asks_for_it(staff: TestClient, tellingen: Platform,  # noqa: F811
                                    client: TestClient, admin_headers: dict[str, str]) -> None:
    url = "/staff/datasets/tellingen"
    page = staff.get(url).text
    assert '<select id="restriction_reason" name="restriction_reason"' in page
    form = {"csrf": csrf_of(page), "action": "metadata", "themes_shown": "1",
            "title_nl": "Tellingen", **INTERNAL}
    refused = staff.post(url, data={**form, "restriction_reason": ""})
    assert refused.status_code == 400
    assert "Waarom niet open: kies een reden uit de lijst" in refused.text
    assert 'value="bevat namen"' in refused.text  # what was typed is kept
    hostile = staff.post(url, data={**form, "restriction_reason": "<script>alert(1)</script>"})
    assert hostile.status_code in (400, 422) and "<script>alert(1)" not in hostile.text
    saved = staff.post(url, data={**form, "restriction_reason": "in-preparation"},
                       follow_redirects=False)
    assert saved.status_code == 303, saved.text[:2000]
    assert client.get(API, headers=admin_headers).json()["restriction_reason"] == "in-preparation"
    assert 'value="in-preparation" selected' in staff.get(url).text


def test_the_cli_requires_it(tmp_path: Path, database_url: str) -> None:
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]
    base = ["ingest", str(counts_csv(tmp_path)), "--dataset", "tellingen", "--title", "T",
            "--classification", "internal", "--reason", "bevat namen"]
    refused = runner.invoke(main, [*base, *where])
    assert refused.exit_code == 2 and "restriction reason" in refused.output
    assert runner.invoke(main, [*base, "--restriction", "misschien", *where]).exit_code == 2
    saved = runner.invoke(main, [*base, "--restriction", "privacy", *where])
    assert saved.exit_code == 0, saved.output


def test_0032_gives_datasets_that_are_not_open_in_preparation(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(database_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0028")
        for dataset_id, level in [("open-d", "open"), ("intern-d", "internal")]:
            connection.execute(text(
                "INSERT INTO datasets (id, title_nl, frequency, classification, "
                "classification_reason, listed, themes, keywords, record_key, personal_data, "
                "timezone, state, created_at, updated_at) VALUES (:id, 'D', 'daily', :level, "
                ":why, false, '[]', '[]', '[]', false, 'Europe/Brussels', 'published', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                {"id": dataset_id, "level": level, "why": None if level == "open" else "namen"})
        command.upgrade(config, "0032")
        reasons = dict(connection.execute(text(
            "SELECT id, restriction_reason FROM datasets")).all())
        assert reasons == {"open-d": None, "intern-d": "in-preparation"}
        command.downgrade(config, "0028")
        assert connection.execute(text("SELECT count(*) FROM datasets")).scalar_one() == 2
    engine.dispose()
