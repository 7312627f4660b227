"""The data dictionary in the Opendatasoft dialects' metadata: v2.1 and v1 ``fields`` get
their label, description and unit from it; the XLSX export gets a "Velden" sheet; CSV stays
plain."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from belfort.catalog.field_dictionary import check_texts
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import describe_fields, ingest_file
from tests.helpers import counts_csv

V2 = "/api/explore/v2.1/catalog/datasets"


@pytest.fixture
def described(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(
        platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"}
    )
    describe_fields(
        platform,
        CLI_ADMIN,
        "tellingen",
        {
            "aantal": check_texts(
                {
                    "title_nl": "Aantal fietsers",
                    "title_en": "Cyclists",
                    "description_nl": "Per uur geteld",
                    "description_en": "Counted per hour",
                    "unit": "fietsers",
                }
            ),
            "telpunt": check_texts({"title_nl": "Telpunt"}),
        },
    )
    return platform


def _field(fields: list[dict[str, object]], name: str) -> dict[str, object]:
    return next(f for f in fields if f["name"] == name)


def test_v2_fields_carry_the_dictionary_in_the_asked_language(
    client: TestClient, described: Platform
) -> None:
    dutch = client.get(f"{V2}/tellingen").json()["fields"]
    assert _field(dutch, "aantal") == {
        "name": "aantal",
        "label": "Aantal fietsers",
        "type": "int",
        "annotations": {"unit": "fietsers"},
        "description": "Per uur geteld",
    }
    english = client.get(f"{V2}/tellingen", params={"lang": "en"}).json()["fields"]
    assert _field(english, "aantal")["label"] == "Cyclists"
    assert _field(english, "aantal")["description"] == "Counted per hour"
    assert (
        _field(english, "telpunt")["label"] == "Telpunt"
    )  # the other language when one is missing
    assert _field(english, "tijdstip")["label"] == "tijdstip"  # the field's id when none is given
    listed = client.get(V2, params={"lang": "en"}).json()["results"][0]["fields"]
    assert _field(listed, "aantal")["label"] == "Cyclists"


def test_v1_fields_carry_the_dictionary(client: TestClient, described: Platform) -> None:
    fields = client.get("/api/datasets/1.0/tellingen/").json()["fields"]
    assert _field(fields, "aantal") == {
        "name": "aantal",
        "label": "Aantal fietsers",
        "type": "int",
        "description": "Per uur geteld",
        "annotations": [{"name": "unit", "args": ["fietsers"]}],
    }
    search = client.get("/api/datasets/1.0/search/").json()["datasets"][0]["fields"]
    assert _field(search, "telpunt")["label"] == "Telpunt"


def test_use_labels_takes_the_dictionary_labels(client: TestClient, described: Platform) -> None:
    r = client.get(f"{V2}/tellingen/exports/csv", params={"use_labels": "true", "lang": "en"})
    header = r.text.lstrip("\ufeff").splitlines()[0].replace('"', "")
    assert header == "Telpunt;tijdstip;Cyclists;bezettingsgraad;open"
    plain = client.get(f"{V2}/tellingen/exports/csv").text.lstrip("\ufeff").splitlines()
    assert plain[0].replace('"', "") == "telpunt;tijdstip;aantal;bezettingsgraad;open"
    assert "Aantal fietsers" not in "".join(plain) and "Cyclists" not in "".join(
        plain
    )  # CSV stays plain


@pytest.mark.parametrize(
    "url",
    [f"{V2}/tellingen/exports/xlsx", "/api/records/1.0/download/?dataset=tellingen&format=xlsx"],
)
def test_xlsx_has_a_fields_sheet(client: TestClient, described: Platform, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200
    workbook = load_workbook(io.BytesIO(r.content))
    assert workbook.sheetnames == ["export", "Velden"]
    rows = list(workbook["Velden"].iter_rows(values_only=True))
    assert rows[0] == (
        "name",
        "type",
        "title_nl",
        "title_en",
        "unit",
        "description_nl",
        "description_en",
    )
    assert (
        "aantal",
        "integer",
        "Aantal fietsers",
        "Cyclists",
        "fietsers",
        "Per uur geteld",
        "Counted per hour",
    ) in rows
    assert [r[0] for r in rows[1:]] == ["telpunt", "tijdstip", "aantal", "bezettingsgraad", "open"]


def test_xlsx_fields_sheet_lists_only_exported_columns(
    client: TestClient, described: Platform
) -> None:
    r = client.get(f"{V2}/tellingen/exports/xlsx", params={"select": "aantal"})
    rows = list(load_workbook(io.BytesIO(r.content))["Velden"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["aantal"]
