"""Metadata from the controlled lists over HTTP: free text mapped where it matches, refused
with a suggestion (422) where it does not; organisations managed by an admin key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from belfort.linked.vocabularies import CC0, CC_BY_4
from tests.helpers import COUNTS_CSV

INGEST = "/api/belfort/v1/datasets/tellingen/ingest"
DATASET = "/api/belfort/v1/datasets/tellingen"
ORGS = "/api/belfort/v1/organisations"


def _upload(client: TestClient, headers: dict[str, str], **params: str):  # type: ignore[no-untyped-def]
    return client.post(
        INGEST,
        content=COUNTS_CSV.encode(),
        headers={"Content-Type": "text/csv", **headers},
        params={"filename": "t.csv", "title": "Tellingen", **params},
    )


def test_ingest_maps_free_text_onto_the_lists(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    r = _upload(
        client,
        admin_headers,
        themes="Vervoer,transport,mobiliteit,Milieu",
        licence="CC0",
        organisation="stad gent",
        spatial="gent",
        frequency="Dagelijks",
    )
    assert r.status_code == 201, r.text
    meta = client.get(DATASET).json()
    assert meta["themes"] == ["TRAN", "ENVI"]
    assert meta["licence"] == CC0.uri
    assert meta["organisation"] == "Stad Gent"
    assert meta["spatial"] == "Gent" and meta["frequency"] == "daily"


def test_ingest_refuses_an_unknown_theme_with_a_suggestion(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    r = _upload(client, admin_headers, themes="Verkeer")
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "unknown_term"
    assert (
        body["problems"][0]["message_nl"] == "Onbekend thema 'Verkeer': bedoel je 'Vervoer (TRAN)'?"
    )
    assert "did you mean 'Vervoer (TRAN)'" in body["message"]
    assert client.get(DATASET).status_code == 404  # nothing was created


def test_patch_maps_and_refuses(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert _upload(client, admin_headers).status_code == 201
    r = client.patch(
        DATASET, json={"licence": "cc-by 4.0", "themes": ["TRAN"]}, headers=admin_headers
    )
    assert r.status_code == 200 and r.json()["licence"] == CC_BY_4.uri
    r = client.patch(
        DATASET,
        json={
            "licence": "Mijn eigen licentie",
            "organisation": "Geheime Dienst",
            "spatial": "Gentt",
        },
        headers=admin_headers,
    )
    assert r.status_code == 422
    fields = {p["field"]: p for p in r.json()["problems"]}
    assert set(fields) == {"licence", "organisation", "spatial"}
    assert fields["spatial"]["suggestion"] == "Gent"
    assert client.get(DATASET).json()["licence"] == CC_BY_4.uri  # nothing changed


@pytest.mark.parametrize(
    "value",
    [
        "<script>alert(1)</script>",
        "x" * 5000,
        "TRAN\x00",
        "' OR 1=1 --",
        "\u202etran",
    ],
)
def test_hostile_terms_are_refused_not_stored(
    client: TestClient, admin_headers: dict[str, str], value: str
) -> None:
    assert _upload(client, admin_headers).status_code == 201
    for field in ("licence", "spatial", "organisation", "frequency"):
        r = client.patch(DATASET, json={field: value}, headers=admin_headers)
        assert r.status_code in (400, 422), (field, r.text)
        suggestion = (r.json().get("problems") or [{}])[0].get("suggestion") or ""
        assert "<" not in suggestion
        assert len(r.text) < 4000  # an oversized value is not echoed back whole
    r = client.patch(DATASET, json={"themes": [value]}, headers=admin_headers)
    # refused, or (a control character around a code) stored as the code itself
    assert r.status_code in (400, 422) or r.json()["themes"] == ["TRAN"], r.text


def test_organisations_are_managed_by_an_admin(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    body = {
        "name_nl": "Mobiliteitsbedrijf",
        "name_en": "Mobility Company",
        "description_nl": "Parkeren en fietsen.",
        "contact_email": "mobiliteit@stad.gent",
        "homepage": "https://stad.gent/mobiliteit",
    }
    assert client.post(f"{ORGS}/mobiliteitsbedrijf", json=body).status_code == 401
    r = client.post(f"{ORGS}/mobiliteitsbedrijf", json=body, headers=admin_headers)
    assert r.status_code == 201, r.text
    assert (
        client.post(f"{ORGS}/mobiliteitsbedrijf", json=body, headers=admin_headers).status_code
        == 409
    )
    slugs = [o["slug"] for o in client.get(ORGS).json()["organisations"]]
    assert slugs == ["mobiliteitsbedrijf", "stad-gent"]
    assert _upload(client, admin_headers, organisation="mobiliteitsbedrijf").status_code == 201
    r = client.patch(
        f"{ORGS}/mobiliteitsbedrijf",
        json={"name_nl": "Mobiliteitsbedrijf Gent"},
        headers=admin_headers,
    )
    assert r.status_code == 200
    assert client.get(DATASET).json()["organisation"] == "Mobiliteitsbedrijf Gent"  # renamed along
    assert client.get(f"{ORGS}/mobiliteitsbedrijf").json()["datasets"] == 1
    r = client.post(
        "/api/belfort/v1/datasets/intern/ingest",
        content=COUNTS_CSV.encode(),
        headers={"Content-Type": "text/csv", **admin_headers},
        params={
            "filename": "t.csv",
            "title": "Intern",
            "organisation": "mobiliteitsbedrijf",
            "classification": "internal",
            "restriction": "privacy",
            "reason": "namen",
        },
    )
    assert r.status_code == 201, r.text
    # the public does not learn from a count that a dataset it may not see exists
    assert client.get(f"{ORGS}/mobiliteitsbedrijf").json()["datasets"] == 1
    listed = {o["slug"]: o["datasets"] for o in client.get(ORGS).json()["organisations"]}
    assert listed["mobiliteitsbedrijf"] == 1
    seen = client.get(f"{ORGS}/mobiliteitsbedrijf", headers=admin_headers).json()
    assert seen["datasets"] == 2
    assert client.get(f"{ORGS}/bestaat-niet").status_code == 404


@pytest.mark.parametrize(
    ("slug", "body"),
    [
        ("Hoofdletters", {"name_nl": "X"}),
        ("ok", {}),
        ("ok", {"name_nl": "X", "contact_email": "geen adres"}),
        ("ok", {"name_nl": "X", "homepage": "javascript:alert(1)"}),
        ("ok", {"name_nl": "X\x00"}),
        ("ok", {"name_nl": "X" * 201}),
        ("ok", {"name_nl": ["lijst"]}),
        ("ok", {"name_nl": "X", "extra": "veld"}),
    ],
)
def test_bad_organisations_are_refused(
    client: TestClient, admin_headers: dict[str, str], slug: str, body: dict[str, object]
) -> None:
    r = client.post(f"{ORGS}/{slug}", json=body, headers=admin_headers)
    assert r.status_code == 400, r.text
    assert [o["slug"] for o in client.get(ORGS).json()["organisations"]] == ["stad-gent"]


def test_an_oversized_organisation_body_is_refused(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    r = client.post(
        f"{ORGS}/groot",
        json={"name_nl": "G", "description_nl": "x" * 100_000},
        headers=admin_headers,
    )
    assert r.status_code == 413
