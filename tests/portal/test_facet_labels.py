"""Facets show readable labels, never URIs; the Opendatasoft facet values stay the stored
values so clients' refines keep working."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from belfort.linked.vocabularies import CC0, MODEL_FREE_REUSE
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv


def test_licence_and_theme_facets_read_as_names(
    client: TestClient, platform: Platform, tmp_path: Path
) -> None:
    csv = counts_csv(tmp_path)
    ingest_file(
        platform,
        CLI_ADMIN,
        "een",
        csv,
        metadata={"title_nl": "Een", "licence": "CC0", "themes": ["Vervoer"]},
    )
    ingest_file(
        platform,
        CLI_ADMIN,
        "twee",
        csv,
        metadata={
            "title_nl": "Twee",
            "licence": "Modellicentie Gratis Hergebruik",
            "themes": ["TRAN"],
        },
    )
    page = client.get("/datasets").text
    facets = page.split('class="facets"', 1)[1].split("</aside>", 1)[0]
    assert (
        "Creative Commons Zero-verklaring" in facets and "Modellicentie gratis hergebruik" in facets
    )
    assert "Vervoer" in facets
    visible = facets.replace(f'value="{CC0.uri}"', "").replace(
        f'value="{MODEL_FREE_REUSE.uri}"', ""
    )
    assert "http" not in visible  # a URI only as the checkbox's value, never shown
    chosen = client.get("/datasets", params={"licence": CC0.uri}).text
    assert (
        "Licentie: Creative Commons Zero-verklaring" in chosen
        and "Twee" not in chosen.split("<main", 1)[1]
    )
    english = client.get("/datasets", params={"lang": "en"}).text
    assert "Creative Commons Zero (CC0 1.0)" in english
    ods = client.get("/api/explore/v2.1/catalog/facets", params={"facet": "license"}).json()
    values = {v["value"] for f in ods["facets"] if f["name"] == "license" for v in f["facets"]}
    assert values == {CC0.uri, MODEL_FREE_REUSE.uri}
    refined = client.get(
        "/api/explore/v2.1/catalog/datasets", params={"refine": f"license:{CC0.uri}"}
    ).json()
    assert [d["dataset_id"] for d in refined["results"]] == ["een"]
