"""The data dictionary in the native API: GET for whoever may see the dataset, PUT for admins,
the same rules as the CLI, and the gate's 404 for a dataset the caller may not see."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import AuditEvent
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv, write

BASE = "/api/belfort/v1/datasets"


@pytest.fixture
def datasets(platform: Platform, tmp_path: Path) -> Platform:
    csv = counts_csv(tmp_path)
    ingest_file(platform, CLI_ADMIN, "tellingen", csv, metadata={"title_nl": "Tellingen"})
    ingest_file(
        platform,
        CLI_ADMIN,
        "intern",
        csv,
        metadata={
            "title_nl": "Intern",
            "classification": "internal",
            "restriction_reason": "privacy", "classification_reason": "namen",
        },
    )
    return platform


def test_put_and_get_one_field(
    client: TestClient, datasets: Platform, admin_headers: dict[str, str]
) -> None:
    r = client.put(
        f"{BASE}/tellingen/fields/aantal",
        headers=admin_headers,
        json={
            "title_nl": "Aantal fietsers",
            "title_en": "Cyclists",
            "description_nl": "<b>per uur</b>",
            "unit": "fietsers",
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["changed"] is True and r.json()["title_en"] == "Cyclists"
    one = client.get(f"{BASE}/tellingen/fields/aantal").json()
    assert one["title_nl"] == "Aantal fietsers" and one["description_nl"] == "<b>per uur</b>"
    assert one["type"] == "integer" and one["version"] == 1
    listing = client.get(f"{BASE}/tellingen/fields").json()
    assert [f["name"] for f in listing["fields"]] == [
        "telpunt",
        "tijdstip",
        "aantal",
        "bezettingsgraad",
        "open",
    ]
    # PUT replaces: a key left out is cleared
    r = client.put(
        f"{BASE}/tellingen/fields/aantal", headers=admin_headers, json={"unit": "fietsers"}
    )
    assert r.json()["title_nl"] is None and r.json()["unit"] == "fietsers"
    with datasets.db.session() as session:
        assert session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "describe_fields")
        ).all() == ["describe_fields", "describe_fields"]


def test_put_many_fields_round_trips_the_listing(
    client: TestClient, datasets: Platform, admin_headers: dict[str, str]
) -> None:
    listing = client.get(f"{BASE}/tellingen/fields").json()
    for f in listing["fields"]:
        f["title_en"] = f"The {f['name']}"
    r = client.put(f"{BASE}/tellingen/fields", headers=admin_headers, json=listing)
    assert r.status_code == 200, r.text
    assert len(r.json()["changed"]) == 5
    assert all(
        f["title_en"].startswith("The ")
        for f in client.get(f"{BASE}/tellingen/fields").json()["fields"]
    )


def test_writes_need_an_admin_key(client: TestClient, datasets: Platform) -> None:
    assert client.put(f"{BASE}/tellingen/fields/aantal", json={"title_nl": "x"}).status_code == 401
    assert client.put(f"{BASE}/tellingen/fields", json={"fields": []}).status_code == 401


def test_restricted_dataset_is_not_found_for_the_public(
    client: TestClient, datasets: Platform, admin_headers: dict[str, str]
) -> None:
    assert client.get(f"{BASE}/intern/fields").status_code == 404
    assert client.get(f"{BASE}/intern/fields/aantal").status_code == 404
    assert client.get(f"{BASE}/intern/fields", headers=admin_headers).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("/tellingen/fields/bestaat_niet", {"title_nl": "x"}, 404, "bestaat_niet"),
        ("/bestaat-niet/fields/aantal", {"title_nl": "x"}, 404, "not found"),
        ("/tellingen/fields/aantal", {"title_nl": "x" * 201}, 400, "longer than 200"),
        ("/tellingen/fields/aantal", {"description_en": "x" * 5001}, 400, "longer than 5,000"),
        ("/tellingen/fields/aantal", {"unit": "x" * 51}, 400, "longer than 50"),
        ("/tellingen/fields/aantal", {"title_nl": "a\u0000b"}, 400, "control character"),
        ("/tellingen/fields/aantal", {"title_nl": ["x"]}, 400, "must be text"),
        ("/tellingen/fields/aantal", {"titel": "x"}, 400, "unknown"),
        ("/tellingen/fields/aantal", ["x"], 400, "JSON object"),
        ("/tellingen/fields", {"fields": {"aantal": {}}}, 400, '{"fields"'),
        ("/tellingen/fields", {"fields": [{"title_nl": "x"}]}, 400, "no field name"),
        ("/tellingen/fields", {"fields": [{"name": "aantal"}, {"name": "aantal"}]}, 400, "twice"),
    ],
)
def test_bad_bodies_are_clear_4xx_and_change_nothing(
    client: TestClient,
    datasets: Platform,
    admin_headers: dict[str, str],
    path: str,
    body: object,
    status: int,
    message: str,
) -> None:
    r = client.put(BASE + path, headers=admin_headers, json=body)
    assert r.status_code == status, r.text
    assert message in r.json()["message"]
    assert all(
        f["title_nl"] is None for f in client.get(f"{BASE}/tellingen/fields").json()["fields"]
    )


def test_not_json_and_oversized_bodies(
    client: TestClient, datasets: Platform, admin_headers: dict[str, str]
) -> None:
    r = client.put(f"{BASE}/tellingen/fields/aantal", headers=admin_headers, content=b"{nee")
    assert r.status_code == 400 and "not valid JSON" in r.json()["message"]
    r = client.put(f"{BASE}/tellingen/fields", headers=admin_headers, content=b" " * 2_000_001)
    assert r.status_code == 413


def test_descriptions_survive_a_new_version(
    client: TestClient, datasets: Platform, admin_headers: dict[str, str], tmp_path: Path
) -> None:
    client.put(
        f"{BASE}/tellingen/fields/aantal", headers=admin_headers, json={"title_nl": "Aantal"}
    )
    fewer = write(tmp_path / "minder.csv", "telpunt;tijdstip\nKorenmarkt;2024-03-01 13:00:00\n")
    ingest_file(datasets, CLI_ADMIN, "tellingen", fewer)
    assert [f["name"] for f in client.get(f"{BASE}/tellingen/fields").json()["fields"]] == [
        "telpunt",
        "tijdstip",
    ]
    assert client.get(f"{BASE}/tellingen/fields/aantal").status_code == 404
    ingest_file(datasets, CLI_ADMIN, "tellingen", counts_csv(tmp_path))
    assert client.get(f"{BASE}/tellingen/fields/aantal").json()["title_nl"] == "Aantal"
