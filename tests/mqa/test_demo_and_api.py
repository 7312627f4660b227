"""Metadata quality end to end: the demo catalogue and a dataset published with complete
metadata through the API rate Excellent (≥ 351/405) dataset by dataset, scored with the
official DCAT-AP shapes; the routes pass the gate; the command line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.cli import main
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.conftest import SHARED_DIR, TEST_BASE
from tests.helpers import COUNTS_CSV, counts_csv

SHAPES = SHARED_DIR / "standards" / "dcat-ap-3.0.1"
ROUTE = "/api/belfort/v1/datasets/{}/metadata-quality"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    assert (SHAPES / "shapes.ttl").is_file(), (
        f"SHACL shapes missing: {SHAPES} (read from ../shared)"
    )
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url=TEST_BASE,
        mqa_shapes_dir=SHAPES,
    )


@pytest.fixture
def demo(platform: Platform) -> Iterator[TestClient]:
    from belfort.demo.loader import load_demo

    for _line in load_demo(platform, size="small"):
        pass
    with TestClient(create_app(platform)) as client:
        yield client


def test_the_demo_catalogue_rates_excellent_dataset_by_dataset(demo: TestClient) -> None:
    summary = demo.get("/api/belfort/v1/metadata-quality")
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert body["datasets_count"] >= 7 and body["max_points"] == 405
    for entry in body["datasets"]:
        r = demo.get(ROUTE.format(entry["dataset_id"]))
        assert r.status_code == 200
        score = r.json()
        assert score["dcat_ap_compliance"] == {"checked": True, "passed": True, "violations": []}
        assert score["points"] >= 351 and score["band"] == "excellent", (entry, score["to_add"])
        assert score["points"] == entry["points"]
        assert score["best_distribution"].endswith("#distribution-csv")
    assert body["band"] == "excellent" and body["points"] >= 351
    assert body["bands"]["excellent"] == body["datasets_count"]


def test_restricted_datasets_answer_404_to_whoever_may_not_see_them(
    demo: TestClient, admin_headers: dict[str, str]
) -> None:
    hidden = "meldingen-openbaar-domein-intern"  # internal
    absent = demo.get(ROUTE.format("bestaat-niet"))
    assert absent.status_code == demo.get(ROUTE.format(hidden)).status_code == 404
    assert absent.json() == {
        **demo.get(ROUTE.format(hidden)).json(),
        "message": absent.json()["message"],
    }
    public_ids = {
        d["dataset_id"] for d in demo.get("/api/belfort/v1/metadata-quality").json()["datasets"]
    }
    assert hidden not in public_ids
    staff = demo.get(ROUTE.format(hidden), headers=admin_headers)
    assert staff.status_code == 200 and staff.headers["cache-control"] == "private, no-store"
    # the public cannot download it: the status indicators say so (315 = 405 - 50 - 30 - 10)
    assert staff.json()["points"] == 315 and staff.json()["band"] == "good"
    everything = demo.get("/api/belfort/v1/metadata-quality", headers=admin_headers).json()
    assert hidden in {d["dataset_id"] for d in everything["datasets"]}
    assert everything["datasets_count"] > len(public_ids)


@pytest.mark.parametrize("dataset_id", ["a" * 5000, "%00", "..%2F..%2Fetc", "Niet Goed", "ø"])
def test_hostile_identifiers_are_not_found(demo: TestClient, dataset_id: str) -> None:
    assert demo.get(ROUTE.format(dataset_id)).status_code == 404


def test_cors_holds(demo: TestClient) -> None:
    r = demo.get(ROUTE.format("telpunten-drukte-gent"), headers={"Origin": "https://app.example"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"


def test_complete_metadata_through_the_api_rates_excellent(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    r = client.post(
        "/api/belfort/v1/datasets/tellingen-compleet/ingest",
        content=COUNTS_CSV.encode(),
        headers={"Content-Type": "text/csv", **admin_headers},
        params={
            "filename": "t.csv",
            "title": "Tellingen",
            "title_en": "Counts",
            "description": "Passanten per uur.",
            "description_en": "Passers-by per hour.",
            "organisation": "Stad Gent",
            "contact_name": "Data",
            "contact_email": "data@stad.gent",
            "themes": "TRAN",
            "keywords": "tellingen",
            "licence": "CC0-1.0",
            "spatial": "Gent",
            "temporal_start": "2024-03-01",
            "temporal_end": "2024-03-31",
            "frequency": "daily",
        },
    )
    assert r.status_code == 201, r.text
    score = client.get(ROUTE.format("tellingen-compleet")).json()
    assert score["points"] == 395 and score["band"] == "excellent"
    # what Belfort cannot say of an export made on request: its size and a rights statement
    assert [s["indicator"] for s in score["to_add"]] == [
        "rightsAvailability",
        "byteSizeAvailability",
    ]
    assert score["to_add"][0]["text"]["nl"] and score["to_add"][0]["points"] == 5


def test_the_score_follows_a_metadata_change(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    """The score is kept between catalogue writes (the dataset page shows it at every visit);
    a metadata change is a catalogue write, so the next answer scores the new description."""
    r = client.post("/api/belfort/v1/datasets/tellingen-later/ingest", content=COUNTS_CSV.encode(),
                    headers={"Content-Type": "text/csv", **admin_headers},
                    params={"filename": "t.csv", "title": "Tellingen"})
    assert r.status_code == 201, r.text
    before = client.get(ROUTE.format("tellingen-later")).json()
    assert client.get(ROUTE.format("tellingen-later")).json() == before  # kept, unchanged
    patched = client.patch("/api/belfort/v1/datasets/tellingen-later", headers=admin_headers,
                           json={"keywords": ["tellingen"], "themes": ["TRAN"]})
    assert patched.status_code == 200, patched.text
    after = client.get(ROUTE.format("tellingen-later")).json()
    assert after["points"] > before["points"], (before["points"], after["points"])
    page = client.get("/datasets/tellingen-later")
    assert page.status_code == 200 and f"{after['points']}" in page.text


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


def test_complete_metadata_through_the_staff_pages_rates_excellent(
    client: TestClient, admin_key: str
) -> None:
    """What a steward types into the staff pages (upload, review form, publish) scores as
    the API's complete metadata does."""
    signed_in = client.post("/staff/sign-in", data={
        "csrf": _csrf(client.get("/staff").text), "key": admin_key}, follow_redirects=False)
    assert signed_in.status_code == 303
    uploaded = client.post("/staff/uploads", data={
        "csrf": _csrf(client.get("/staff").text), "dataset": "tellingen-staff"},
        files={"file": ("t.csv", COUNTS_CSV.encode(), "text/csv")}, follow_redirects=False)
    assert uploaded.status_code == 303, uploaded.text[:500]
    review_url = uploaded.headers["location"]
    checked = client.post(review_url, data={
        "csrf": _csrf(client.get(review_url).text),
        "title_nl": "Tellingen", "title_en": "Counts",
        "description_nl": "Passanten per uur.", "description_en": "Passers-by per hour.",
        "organisation": "Stad Gent", "contact_name": "Data", "contact_email": "data@stad.gent",
        "themes": "TRAN", "keywords": "tellingen", "licence": "CC0-1.0", "spatial": "Gent",
        "temporal_start": "2024-03-01", "temporal_end": "2024-03-31", "frequency": "daily",
    })
    assert checked.status_code == 200 and "Versie 1" in checked.text, checked.text[:2000]
    published = client.post("/staff/datasets/tellingen-staff", data={
        "csrf": _csrf(checked.text), "action": "publish", "version": "1"},
        follow_redirects=False)
    assert published.status_code in {200, 303}, published.text[:500]
    client.cookies.clear()  # the public's view of the published dataset
    score = client.get(ROUTE.format("tellingen-staff")).json()
    assert score["band"] == "excellent" and score["points"] == 395, score["to_add"]


def test_without_the_shapes_compliance_is_not_checked(tmp_path: Path, database_url: str) -> None:
    settings = Settings(
        data_dir=tmp_path / "d",
        database_url=database_url,
        public_url=TEST_BASE,
        mqa_shapes_dir=tmp_path / "nowhere",
    )
    platform = Platform(settings)
    try:
        ingest_file(
            platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "T"}
        )
        with TestClient(create_app(platform)) as client:
            score = client.get(ROUTE.format("tellingen")).json()
    finally:
        platform.close()
    compliance = score["dcat_ap_compliance"]
    assert compliance["checked"] is False and "missing" in compliance["reason"]
    row = next(i for i in score["indicators"] if i["indicator"] == "dcatApCompliance")
    assert row == {**row, "points": 0, "checked": False}
    assert any(s["indicator"] == "dcatApCompliance" and not s["checked"] for s in score["to_add"])


def test_the_command_line(
    platform: Platform, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest_file(
        platform,
        CLI_ADMIN,
        "tellingen",
        counts_csv(tmp_path),
        metadata={"title_nl": "T", "keywords": ["a"]},
    )
    monkeypatch.setenv("BELFORT_MQA_SHAPES_DIR", str(SHAPES))
    args = ["--data-dir", str(settings.data_dir), "--database-url", settings.effective_database_url]
    one = CliRunner().invoke(main, ["mqa", "tellingen", "--json", *args])
    assert one.exit_code == 0, one.output
    assert json.loads(one.output)["dataset_id"] == "tellingen"
    every = CliRunner().invoke(main, ["mqa", *args])
    assert every.exit_code == 0 and "catalogue:" in every.output
    missing = CliRunner().invoke(main, ["mqa", "bestaat-niet", *args])
    assert missing.exit_code == 4 and "not found" in missing.output
