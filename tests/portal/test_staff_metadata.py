"""The staff metadata form: controlled lists for themes, licence, organisation, place and
frequency; every field the CLI and API accept; a failed check keeps what was typed and says
what is wrong in the page's language; organisation pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.linked.vocabularies import CC_BY_4
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file, save_organisation
from tests.helpers import counts_csv
from tests.portal.test_staff import csrf_of, staff  # noqa: F401  (the signed-in client fixture)

URL = "/staff/datasets/tellingen"


@pytest.fixture
def dataset(platform: Platform, tmp_path: Path) -> None:
    ingest_file(
        platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"}
    )


def _form(page: str, **fields: str | list[str]) -> dict[str, str | list[str]]:
    return {"csrf": csrf_of(page), "action": "metadata", "themes_shown": "1", **fields}


def test_the_form_offers_the_controlled_lists(staff: TestClient, dataset: None) -> None:  # noqa: F811
    page = staff.get(URL).text
    for name in ("organisation", "licence", "spatial", "frequency", "classification"):
        assert re.search(rf'<select id="{name}" name="{name}"', page), name
    for name in (
        "contact_name",
        "contact_email",
        "steward",
        "temporal_start",
        "temporal_end",
        "keywords",
    ):
        assert f'name="{name}"' in page, name
    assert page.count('type="checkbox" name="themes"') == 13
    assert "Vervoer (TRAN)" in page and "Creative Commons Naamsvermelding 4.0" in page
    assert '<option value="Stad Gent">Stad Gent</option>' in page
    assert "Sint-Amandsberg" in page and "Binnenstad" in page and "Deelgemeenten van Gent" in page


def test_saving_every_field_from_the_form(
    staff: TestClient,  # noqa: F811
    dataset: None,
    client: TestClient,
) -> None:  # noqa: F811
    page = staff.get(URL).text
    saved = staff.post(
        URL,
        data=_form(
            page,
            title_nl="Tellingen",
            themes=["TRAN", "ENVI"],
            licence=CC_BY_4.uri,
            organisation="Stad Gent",
            spatial="Sint-Amandsberg",
            frequency="daily",
            contact_name="Team Data",
            contact_email="data@stad.gent",
            steward="An Steward",
            temporal_start="2024-01-01",
            temporal_end="2024-12-31",
            keywords="fiets, telling",
            classification="open",
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:2000]
    meta = client.get("/api/belfort/v1/datasets/tellingen", headers={}).json()
    assert meta["themes"] == ["TRAN", "ENVI"] and meta["licence"] == CC_BY_4.uri
    assert meta["organisation"] == "Stad Gent" and meta["spatial"] == "Sint-Amandsberg"
    assert meta["frequency"] == "daily" and meta["steward"] == "An Steward"
    assert meta["contact_point"] == {"name": "Team Data", "email": "data@stad.gent"}
    assert meta["temporal"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert meta["keywords"] == ["fiets", "telling"]
    page = staff.get(URL).text
    assert re.search(r'value="TRAN" checked', page) and re.search(r'value="ENVI" checked', page)
    cleared = staff.post(
        URL, data=_form(page, title_nl="Tellingen", licence="", spatial=""), follow_redirects=False
    )
    assert cleared.status_code == 303
    meta = client.get("/api/belfort/v1/datasets/tellingen").json()
    assert meta["licence"] is None and meta["spatial"] is None and meta["themes"] == []


def test_a_value_off_the_list_is_refused_and_what_was_typed_is_kept(
    staff: TestClient,  # noqa: F811
    dataset: None,
) -> None:  # noqa: F811
    page = staff.get(URL).text
    refused = staff.post(
        URL,
        data=_form(
            page,
            title_nl="Nieuwe titel",
            themes=["Verkeer"],
            description_nl="Mijn zorgvuldige beschrijving",
            contact_email="geen-adres",
        ),
    )
    assert refused.status_code == 422
    assert "Onbekend thema &#39;Verkeer&#39;: bedoel je &#39;Vervoer (TRAN)&#39;?" in refused.text
    assert (
        'value="Nieuwe titel"' in refused.text and "Mijn zorgvuldige beschrijving" in refused.text
    )
    assert 'value="Verkeer" checked' in refused.text
    english = staff.post(URL + "?lang=en", data=_form(page, title_nl="X", licence="cc-by 5.0"))
    assert english.status_code == 422
    assert "unknown licence &#39;cc-by 5.0&#39;: did you mean" in english.text


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "x" * 30_000, "a\x00b"])
def test_hostile_form_values_are_refused_and_escaped(
    staff: TestClient,  # noqa: F811
    dataset: None,
    value: str,
) -> None:  # noqa: F811
    page = staff.get(URL).text
    for field in ("licence", "spatial", "organisation", "frequency", "themes"):
        response = staff.post(URL, data=_form(page, title_nl="Tellingen", **{field: value}))
        assert response.status_code in (400, 422), (field, response.status_code)
        assert "<script>alert(1)</script>" not in response.text


def test_organisation_pages_show_description_contact_and_datasets(
    client: TestClient, platform: Platform, tmp_path: Path
) -> None:
    save_organisation(
        platform,
        CLI_ADMIN,
        "mobiliteitsbedrijf",
        {
            "name_nl": "Mobiliteitsbedrijf",
            "name_en": "Mobility Company",
            "description_nl": "Parkeren & fietsen in Gent.",
            "contact_email": "mobiliteit@stad.gent",
            "homepage": "https://stad.gent/mobiliteit",
        },
        create=True,
    )
    ingest_file(
        platform,
        CLI_ADMIN,
        "tellingen",
        counts_csv(tmp_path),
        metadata={"title_nl": "Tellingen", "organisation": "mobiliteitsbedrijf"},
    )
    listing = client.get("/organisations").text
    assert 'href="/organisations/mobiliteitsbedrijf"' in listing
    page = client.get("/organisations/mobiliteitsbedrijf")
    assert page.status_code == 200
    assert (
        "Parkeren &amp; fietsen in Gent." in page.text
        and "mailto:mobiliteit@stad.gent" in page.text
    )
    assert 'href="/datasets/tellingen"' in page.text
    assert (
        client.get("/organisations/Mobiliteitsbedrijf").status_code == 200
    )  # by name, as old links
    english = client.get("/organisations/mobiliteitsbedrijf?lang=en").text
    assert "<h1>Mobility Company</h1>" in english
    assert client.get("/organisations/bestaat-niet").status_code == 404
    assert client.get("/organisations/" + "x" * 5000).status_code == 404
