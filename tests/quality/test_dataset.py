"""Quality results as data: the live dataset ``datakwaliteit`` through the Opendatasoft APIs
and the catalogue — public datasets only, held-back fields left out, in step after each run."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import classify_field, ingest_file
from belfort.quality import dataset, hook, run
from belfort.settings import Settings
from tests.quality.conftest import write_parkings

RECORDS = "/api/explore/v2.1/catalog/datasets/datakwaliteit/records"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Live datasets ask their source for its mark on every read (not once a second)."""
    return settings.model_copy(update={"live_refresh_seconds": 0})


def test_quality_results_are_a_dataset_kept_in_step(
    client: TestClient, platform: Platform, tmp_path: Path
) -> None:
    ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(tmp_path),
                metadata={"title_nl": "Parkings"})
    other = tmp_path / "intern"
    other.mkdir()
    ingest_file(platform, CLI_ADMIN, "qzv-intern", write_parkings(other),
                metadata={"title_nl": "Intern", "classification": "internal",
                          "classification_reason": "bevat namen", "restriction_reason": "privacy"})
    hook.wait(platform)
    assert dataset.ensure_quality_dataset(platform) is True
    assert dataset.ensure_quality_dataset(platform) is False  # idempotent

    before = client.get(RECORDS, params={"limit": 100})
    assert "required:naam" not in before.text and "missing:naam" in before.text
    # a field classified afterwards is left out at once (no new report needed)
    classify_field(platform, CLI_ADMIN, "parkings", "naam", "confidential")
    first = client.get(RECORDS, params={"limit": 100})
    assert first.status_code == 200, first.text
    rows = first.json()["results"]
    assert rows and {r["dataset"] for r in rows} == {"parkings"}
    assert "qzv" not in first.text and "naam" not in first.text  # internal / held back
    # the inferred rules, without those reading the held-back naam
    assert sorted(r["rule"] for r in rows) == [
        "missing:bezetting", "required:capaciteit", "required:id", "required:postcode",
        "required:soort"]
    missing = next(r for r in rows if r["rule"] == "missing:bezetting")
    assert missing["checked"] == 6 and missing["failing"] == 1
    assert missing["share"] == round(1 / 6, 6) and missing["dimension"] == "completeness"
    assert 0 < rows[0]["data_score"] <= 1 and rows[0]["metadata_score"] > 0
    assert rows[0]["version"] == 1 and rows[0]["measured_at"]

    # a new run with a new rule: the dataset answers it at once
    put = client.put("/api/belfort/v1/datasets/parkings/quality/rules", json={
        "rules": [{"type": "check", "id": "bezetting-past", "where": "bezetting <= capaciteit"}]},
        headers={"Authorization": f"Bearer {_key(platform)}"})
    assert put.status_code == 200, put.text
    run.measure(platform, "parkings", trigger="api")
    later = client.get(RECORDS, params={"limit": 100, "where": "rule = 'bezetting-past'"})
    assert [(r["failing"], r["checked"]) for r in later.json()["results"]] == [(1, 6)]

    # in the catalogue and the v1 API like any open dataset
    listed = client.get("/api/belfort/v1/datasets", params={"limit": 100}).json()
    assert "datakwaliteit" in str(listed)
    v1 = client.get("/api/records/1.0/search/", params={"dataset": "datakwaliteit", "rows": 1})
    assert v1.status_code == 200 and v1.json()["nhits"] == len(rows) + 1


def _key(platform: Platform) -> str:
    from belfort.policy.keys import create_key

    with platform.db.session() as session:
        return create_key(session, "quality dataset test").secret
