"""Opendatasoft API v1 as Ghent's widgets call it, against the recorded Ghent data."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform

SEARCH = "/api/records/1.0/search/"


def test_crowd_gauge_call_returns_the_newest_record(client: TestClient, ghent: Platform) -> None:
    r = client.get(SEARCH + "?dataset=druktebarometer-info&q=&sort=tijd_van_voltooien&rows=1")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["nhits"] == 3
    assert body["parameters"]["dataset"] == "druktebarometer-info" and body["parameters"]["rows"] == 1
    fields = body["records"][0]["fields"]
    assert fields["status_druktemeter"] == 85
    assert fields["tijd_van_voltooien"] == "2024-07-20T20:10:00+00:00"
    ascending = client.get(SEARCH + "?dataset=druktebarometer-info&sort=-tijd_van_voltooien&rows=1").json()
    assert ascending["records"][0]["fields"]["status_druktemeter"] == 20


def test_record_shape(client: TestClient, ghent: Platform) -> None:
    body = client.get(SEARCH, params={"dataset": "bezetting-parkeergarages-real-time", "rows": 2}).json()
    assert set(body) == {"nhits", "parameters", "records"}
    record = body["records"][0]
    assert record["datasetid"] == "bezetting-parkeergarages-real-time"
    assert len(record["recordid"]) == 40
    assert record["geometry"]["type"] == "Point"
    lon, lat = record["geometry"]["coordinates"]
    assert record["fields"]["location"] == [lat, lon]  # fields: [lat, lon]; geometry: [lon, lat]
    assert record["record_timestamp"].endswith("Z") and "." in record["record_timestamp"]
    assert "lastupdate" in record["fields"] and record["fields"]["lastupdate"].endswith("+00:00")
    timezone = client.get(SEARCH, params={"dataset": "bezetting-parkeergarages-real-time",
                                          "timezone": "Europe/Brussels", "rows": 1}).json()
    assert timezone["records"][0]["fields"]["lastupdate"].endswith("+02:00")
    again = client.get(SEARCH, params={"dataset": "bezetting-parkeergarages-real-time", "rows": 2}).json()
    assert [r["recordid"] for r in again["records"]] == [r["recordid"] for r in body["records"]]


def test_search_component_call(client: TestClient, ghent: Platform) -> None:
    """The city's generic search/list/map component: rows=12, start, sort, q with col:'val'."""
    r = client.get(SEARCH, params={"dataset": "fietstelpalen-gent", "rows": 12, "start": 0,
                                   "sort": "naam", "q": "Stad and eigenaar:'Stad Gent'"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["nhits"] >= 1 and all(rec["fields"]["eigenaar"] == "Stad Gent" for rec in body["records"])
    names = [rec["fields"]["naam"] for rec in body["records"]]
    assert names == sorted(names, reverse=True)  # sort=F is descending
    everything = client.get(SEARCH, params={"dataset": "fietstelpalen-gent", "rows": 1000}).json()
    assert everything["nhits"] == 9 and len(everything["records"]) == 9


def test_facets_refine_exclude(client: TestClient, ghent: Platform) -> None:
    params = {"dataset": "fietstelpalen-gent", "facet": "eigenaar", "rows": 0}
    body = client.get(SEARCH, params=params).json()
    group = body["facet_groups"][0]
    assert group["name"] == "eigenaar" and sum(f["count"] for f in group["facets"]) == group["count"] == 9
    value = group["facets"][0]["name"]
    refined = client.get(SEARCH, params={**params, "refine.eigenaar": value}).json()
    assert refined["nhits"] == group["facets"][0]["count"]
    assert refined["facet_groups"][0]["facets"][0]["state"] == "refined"
    excluded = client.get(SEARCH, params={**params, "exclude.eigenaar": value}).json()
    assert excluded["nhits"] == 9 - refined["nhits"]


def test_geofilter_and_geojson(client: TestClient, ghent: Platform) -> None:
    near = client.get(SEARCH, params={"dataset": "fietstelpalen-gent", "geofilter.distance": "51.0445,3.7392,200"}).json()
    assert any(r["fields"]["naam"] == "Visserij" for r in near["records"])
    far = client.get(SEARCH, params={"dataset": "fietstelpalen-gent", "geofilter.distance": "50.0,4.0,100"}).json()
    assert far["nhits"] == 0
    geo = client.get(SEARCH, params={"dataset": "fietstelpalen-gent", "format": "geojson", "rows": 3}).json()
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["geometry"]["type"] == "Point"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"dataset": "druktebarometer-info", "start": 9995, "rows": 10}, 400),
        ({"dataset": "druktebarometer-info", "rows": "veel"}, 400),
        ({"dataset": "druktebarometer-info", "sort": "bestaat_niet"}, 400),
        ({"dataset": "druktebarometer-info", "refine.bestaat_niet": "x"}, 400),
        ({"dataset": "druktebarometer-info", "timezone": "Mars/Olympus"}, 400),
        ({"dataset": "druktebarometer-info", "geofilter.distance": "1,2"}, 400),
        ({"dataset": "bestaat-niet"}, 404),
        ({"dataset": "intern-register"}, 404),
        ({}, 400),
    ],
)
def test_errors(client: TestClient, ghent: Platform, params: dict, status: int) -> None:
    r = client.get(SEARCH, params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json" and r.json()["error"]


def test_rows_minus_one(client: TestClient, ghent: Platform) -> None:
    body = client.get(SEARCH, params={"dataset": "druktebarometer-info", "rows": -1}).json()
    assert len(body["records"]) == 3


def test_download_csv_json_geojson(client: TestClient, ghent: Platform) -> None:
    url = "/api/records/1.0/download/"
    text = client.get(url, params={"dataset": "fietstelpalen-gent"}).text
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 9 and "naam" in rows[0] and "__row" not in rows[0]
    records = client.get(url, params={"dataset": "fietstelpalen-gent", "format": "json", "q": "Visserij"}).json()
    assert [r["fields"]["naam"] for r in records] == ["Visserij"]
    geo = client.get(url, params={"dataset": "fietstelpalen-gent", "format": "geojson"}).json()
    assert len(geo["features"]) == 9


def test_analyze(client: TestClient, ghent: Platform) -> None:
    points = client.get("/api/records/1.0/analyze/", params={
        "dataset": "druktebarometer-info", "x": "tijd_van_voltooien", "precision": "hour",
        "y.drukte.func": "MAX", "y.drukte.expr": "status_druktemeter"}).json()
    assert [p["drukte"] for p in points] == [20, 55, 85]
    assert points[0]["x"] == {"year": 2024, "month": 7, "day": 20, "hour": 8}
    assert client.get("/api/records/1.0/analyze/", params={"dataset": "druktebarometer-info", "x": "nee"}).status_code == 400


def test_catalogue_v1(client: TestClient, ghent: Platform) -> None:
    body = client.get("/api/datasets/1.0/search/", params={"q": "drukte"}).json()
    assert [d["datasetid"] for d in body["datasets"]] == ["druktebarometer-info"]
    one = client.get("/api/datasets/1.0/fietstelpalen-gent/").json()
    assert one["metas"]["records_count"] == 9 and "geo" in one["features"]
    assert {"name": "naam", "label": "naam", "type": "text"} in one["fields"]
    listing = client.get("/api/datasets/1.0/search/", params={"rows": 100}).json()
    assert "intern-register" not in {d["datasetid"] for d in listing["datasets"]}
    assert client.get("/api/datasets/1.0/intern-register/").status_code == 404


def test_facet_on_a_datetime_field_counts_per_year(client: TestClient, ghent: Platform) -> None:
    body = client.get(SEARCH, params={"dataset": "fietstelpalen-gent", "facet": "begindatum", "rows": 0,
                                      "timezone": "Europe/Brussels"})
    assert body.status_code == 200, body.text
    group = body.json()["facet_groups"][0]
    assert all(len(f["name"]) == 4 and f["name"].isdigit() for f in group["facets"])
    assert sum(f["count"] for f in group["facets"]) == group["count"]
