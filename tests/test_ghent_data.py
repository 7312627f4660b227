"""End to end on the real Ghent files in ../shared (never copied into the repository):
ingest through the write path, then check the engine's answers against plain Python."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.conftest import ghent_data
from tests.helpers import add_organisations


def test_bike_counters_all_years(platform: Platform, client: TestClient, tmp_path: Path) -> None:
    files = sorted(ghent_data().glob("fietstelpaal-*-gent.json"))
    assert len(files) >= 10
    rows: list[dict] = []
    for file in files:
        rows.extend(json.loads(file.read_text()))
    combined = tmp_path / "fietstellingen-gent.json"
    combined.write_text(json.dumps(rows))
    add_organisations(platform, "Mobiliteitsbedrijf Gent")
    outcome = ingest_file(
        platform, CLI_ADMIN, "fietstellingen-gent", combined,
        metadata={"title_nl": "Fietstellingen Gent", "organisation": "Mobiliteitsbedrijf Gent"},
    )
    assert outcome.row_count == len(rows)
    types = {f["name"]: f["type"] for f in outcome.schema["fields"]}
    assert types["datum"] == "date" and types["totaal"] == "integer" and types["locatie"] == "string"

    expected: dict[str, int] = defaultdict(int)
    for row in rows:
        expected[row["locatie"]] += row["totaal"] or 0
    body = client.get(
        "/api/belfort/v1/datasets/fietstellingen-gent/records",
        params={"select": "locatie,sum(totaal),count(*)", "group_by": "locatie", "limit": 100},
    ).json()
    assert {r["locatie"]: r["sum(totaal)"] for r in body["records"]} == dict(expected)

    year_2020 = client.get(
        "/api/belfort/v1/datasets/fietstellingen-gent/records",
        params={"datum__gte": "2020-01-01", "datum__lt": "2021-01-01", "locatie": "Bataviabrug",
                "select": "count(*)"},
    ).json()["records"][0]["count(*)"]
    assert year_2020 == sum(1 for r in rows if r["locatie"] == "Bataviabrug" and r["datum"].startswith("2020"))


def test_neighbourhoods_keep_their_geometry(platform: Platform, client: TestClient) -> None:
    source = ghent_data() / "stadswijken-gent.geojson"
    outcome = ingest_file(platform, CLI_ADMIN, "stadswijken-gent", source, metadata={"title_nl": "Stadswijken"})
    assert outcome.row_count == 25
    types = {f["name"]: f["type"] for f in outcome.schema["fields"]}
    assert types["geometry"] == "geometry"
    records = client.get("/api/belfort/v1/datasets/stadswijken-gent/records", params={"limit": 100}).json()["records"]
    features = json.loads(source.read_text())["features"]
    assert sorted(r["wijk"] for r in records) == sorted(f["properties"]["wijk"] for f in features)
    geometry = json.loads(records[0]["geometry"])
    assert geometry["type"] in {"Polygon", "MultiPolygon"} and len(geometry["coordinates"]) >= 1


def test_bike_counter_locations_in_opendatasoft_shape(platform: Platform, client: TestClient) -> None:
    outcome = ingest_file(platform, CLI_ADMIN, "fietstelpalen-gent", ghent_data() / "fietstelpalen-gent.json",
                          metadata={"title_nl": "Fietstelpalen"})
    assert outcome.row_count == 9
    names = {f["name"] for f in outcome.schema["fields"]}
    assert {"naam", "code", "geometry"} <= names and "recordid" not in names
    visserij = client.get("/api/belfort/v1/datasets/fietstelpalen-gent/records", params={"code": "VIS"}).json()
    assert visserij["total_count"] == 1 and visserij["records"][0]["naam"] == "Visserij"
