"""The old portal's download URL ``/explore/dataset/{id}/download/``: the v1 download with
the dataset in the path, every format and parameter, and bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import write

LABELLED_CSV = (
    "Naam telpunt;Tijdstip;Aantal passanten;Locatie\n"
    "Korenmarkt;2024-03-01 13:00:00;120;51.0547,3.7215\n"
    "Korenmarkt;2024-07-01 14:00:00;180;51.0547,3.7215\n"
    "Veldstraat;2024-03-01 13:00:00;80;51.0510,3.7220\n"
    "Graslei;2024-03-01 15:00:00;95;51.0545,3.7200\n"
)
BASE = "/explore/dataset/tellingen/download/"


@pytest.fixture
def data(platform: Platform, tmp_path: Path) -> Platform:
    source = write(tmp_path / "tellingen.csv", LABELLED_CSV)
    ingest_file(platform, CLI_ADMIN, "tellingen", source, metadata={"title_nl": "Tellingen"},
                overrides={"locatie": "geopoint"})
    ingest_file(platform, CLI_ADMIN, "intern", source, metadata={
        "title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                            "classification_reason": "bevat namen"})
    return platform


def _csv(text: str, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def test_csv_is_the_default_semicolon_separated_with_field_names(client: TestClient, data: Platform) -> None:
    r = client.get(BASE)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="tellingen.csv"'
    rows = _csv(r.text)
    assert rows[0] == ["naam_telpunt", "tijdstip", "aantal_passanten", "locatie"]
    assert len(rows) == 5
    assert rows[1][3] == "51.0547, 3.7215"  # a geo point as Opendatasoft writes it


def test_csv_is_the_same_file_as_the_v1_download(client: TestClient, data: Platform) -> None:
    query = "format=csv&q=Korenmarkt&timezone=Europe/Brussels&csv_separator=,&sort=-tijdstip"
    portal = client.get(f"{BASE}?{query}")
    api = client.get(f"/api/records/1.0/download/?dataset=tellingen&{query}")
    assert portal.status_code == api.status_code == 200
    assert portal.content == api.content
    # without the trailing slash too
    assert client.get(f"/explore/dataset/tellingen/download?{query}").content == api.content


def test_use_labels_for_header_and_csv_separator(client: TestClient, data: Platform) -> None:
    r = client.get(BASE, params={"format": "csv", "use_labels_for_header": "true", "csv_separator": "|"})
    rows = _csv(r.text, "|")
    assert rows[0] == ["Naam telpunt", "Tijdstip", "Aantal passanten", "Locatie"]
    assert rows[1][0] == "Korenmarkt"
    names = _csv(client.get(BASE, params={"use_labels_for_header": "false"}).text)[0]
    assert names[0] == "naam_telpunt"


def test_timezone_refine_exclude_and_q(client: TestClient, data: Platform) -> None:
    brussels = _csv(client.get(BASE, params={"timezone": "Europe/Brussels", "refine.naam_telpunt": "Veldstraat"}).text)
    assert len(brussels) == 2 and brussels[1][1] == "2024-03-01T13:00:00+01:00"
    utc = _csv(client.get(BASE, params={"refine.naam_telpunt": "Veldstraat"}).text)
    assert utc[1][1] == "2024-03-01T12:00:00+00:00"
    excluded = _csv(client.get(BASE, params={"exclude.naam_telpunt": "Korenmarkt"}).text)
    assert sorted(r[0] for r in excluded[1:]) == ["Graslei", "Veldstraat"]
    by_date = _csv(client.get(BASE, params={"refine.tijdstip": "2024/07", "timezone": "Europe/Brussels"}).text)
    assert [r[2] for r in by_date[1:]] == ["180"]
    searched = _csv(client.get(BASE, params={"q": "graslei", "lang": "nl"}).text)
    assert [r[0] for r in searched[1:]] == ["Graslei"]


def test_json_is_v1_records(client: TestClient, data: Platform) -> None:
    r = client.get(BASE, params={"format": "json", "refine.naam_telpunt": "Graslei"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    records = r.json()
    assert len(records) == 1
    record = records[0]
    assert record["datasetid"] == "tellingen" and record["recordid"]
    assert record["fields"]["aantal_passanten"] == 95
    assert record["fields"]["locatie"] == [51.0545, 3.72]
    assert record["geometry"] == {"type": "Point", "coordinates": [3.72, 51.0545]}
    api = client.get("/api/records/1.0/download/", params={"dataset": "tellingen", "format": "json",
                                                            "refine.naam_telpunt": "Graslei"})
    assert api.json() == records


def test_geojson_and_jsonl(client: TestClient, data: Platform) -> None:
    geo = client.get(BASE, params={"format": "geojson"})
    assert geo.headers["content-type"].startswith("application/geo+json")
    body = geo.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 4
    assert body["features"][0]["geometry"]["type"] == "Point"
    assert "recordid" in body["features"][0]["properties"]
    lines = client.get(BASE, params={"format": "jsonl"}).text.strip().split("\n")
    assert len(lines) == 4 and all(json.loads(line)["datasetid"] == "tellingen" for line in lines)


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_xlsx(client: TestClient, data: Platform, fmt: str) -> None:
    r = client.get(BASE, params={"format": fmt, "use_labels_for_header": "true", "timezone": "Europe/Brussels"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="tellingen.xlsx"' in r.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Naam telpunt", "Tijdstip", "Aantal passanten", "Locatie"]
    assert len(rows) == 5 and rows[1][2] == 120
    assert rows[1][1].hour == 13  # wall-clock time in the time zone asked for


def test_parquet(client: TestClient, data: Platform, tmp_path: Path) -> None:
    r = client.get(BASE, params={"format": "parquet", "refine.naam_telpunt": "Korenmarkt"})
    assert r.status_code == 200
    target = tmp_path / "out.parquet"
    target.write_bytes(r.content)
    table = pq.read_table(target)
    assert table.column_names == ["naam_telpunt", "tijdstip", "aantal_passanten", "locatie"]
    assert table.num_rows == 2


@pytest.mark.parametrize(("params", "message"), [
    ({"format": "shp"}, "format must be one of"),
    ({"format": "<script>"}, "format must be one of"),
    ({"csv_separator": ";;"}, "csv_separator"),
    ({"use_labels_for_header": "misschien"}, "use_labels_for_header"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"q": "aantal_passanten>="}, ""),
    ({"rows": "veel"}, "rows"),
    ({"sort": "bestaat_niet"}, ""),
])
def test_bad_parameters_are_a_json_400(client: TestClient, data: Platform, params: dict[str, str], message: str) -> None:
    r = client.get(BASE, params=params)
    assert r.status_code == 400, (params, r.status_code, r.text[:200])
    assert r.headers["content-type"].startswith("application/json")
    assert message in r.json()["message"]
    assert r.headers["access-control-allow-origin"] == "*"  # a browser app can read why


@pytest.mark.parametrize("dataset_id", ["intern", "bestaat-niet", "..%2F..%2Fetc", "nul%00byte", "x" * 300,
                                        "HOOFDLETTERS", "%3Cscript%3E"])
def test_restricted_and_hostile_ids_are_404(client: TestClient, data: Platform, dataset_id: str) -> None:
    r = client.get(f"/explore/dataset/{dataset_id}/download/?format=csv")
    assert r.status_code == 404, (dataset_id, r.status_code, r.text[:200])
    assert "bevat namen" not in r.text and "Korenmarkt" not in r.text


def test_admin_key_downloads_an_internal_dataset(client: TestClient, data: Platform,
                                                 admin_headers: dict[str, str], admin_key: str) -> None:
    r = client.get("/explore/dataset/intern/download/", headers=admin_headers)
    assert r.status_code == 200 and len(_csv(r.text)) == 5
    assert r.headers["cache-control"] == "private, no-store"
    # Opendatasoft scripts put the key in the query string
    assert client.get(f"/explore/dataset/intern/download/?apikey={admin_key}").status_code == 200
