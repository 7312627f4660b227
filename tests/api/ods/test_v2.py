"""Opendatasoft Explore API v2.1 against the recorded Ghent data, and the city's
processing-register widget."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from belfort.linked.vocabularies import CC0
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import write

API = "/api/explore/v2.1"
DS = API + "/catalog/datasets"
TELPALEN = DS + "/fietstelpalen-gent"
DRUKTE = DS + "/druktebarometer-info"
GARAGES = DS + "/bezetting-parkeergarages-real-time"
REGISTER = DS + "/verwerkingsregister-stad-gent"

REGISTER_CSV = """name,description,processor,personaldata,grantees,type,formal_framework,audience
Aanvraag parkeervergunning,Behandelen van aanvragen voor een bewonerskaart,Mobiliteitsbedrijf,Identificatiegegevens,Parkeerbeheerder,Dienstverlening,Gemeentelijk reglement,burger
Afvalophaling aan huis,Plannen van de ophaalrondes,IVAGO,Adresgegevens,IVAGO,Dienstverlening,Intergemeentelijke overeenkomst,burger
Bibliotheeklidmaatschap,Beheer van leden en uitleningen,Bibliotheek De Krook,Identificatiegegevens,Geen,Dienstverlening,Gemeentelijk reglement,burger
Huwelijksaangifte,Registratie van een huwelijk,Burgerzaken,Rijksregisternummer,FOD Binnenlandse Zaken,Wettelijke verplichting,Burgerlijk Wetboek,burger
Inschrijving in het bevolkingsregister,Adreswijziging en inschrijving,Burgerzaken,Rijksregisternummer,FOD Binnenlandse Zaken,Wettelijke verplichting,Wet op het bevolkingsregister,burger
Klachtenbehandeling,Opvolgen van klachten van burgers,Klachtendienst,Contactgegevens,Geen,Dienstverlening,Decreet lokaal bestuur,burger
Subsidie voor groendaken,Toekennen van premies voor groendaken,Dienst Milieu,Financiële gegevens,Geen,Subsidie,Gemeentelijk reglement,burger
Loonadministratie,Berekenen en uitbetalen van lonen,Personeelsdienst,Financiële gegevens,Sociaal secretariaat,Personeelsbeheer,Arbeidsovereenkomstenwet,werknemer stad
Toegangsbadges,Beheer van badges voor stadsgebouwen,Facility,Identificatiegegevens,Geen,Beveiliging,Gerechtvaardigd belang,werknemer stad
Opleidingen personeel,Inschrijvingen voor opleidingen,Personeelsdienst,Contactgegevens,Opleidingsverstrekker,Personeelsbeheer,Arbeidsovereenkomstenwet,werknemer stad
Cameratoezicht,Beelden van camera's op openbaar domein,Politie Gent,Camerabeelden,Parket,Veiligheid,Camerawet,burger
"""
BURGER = 8


@pytest.fixture
def register(ghent: Platform, tmp_path: Path) -> Platform:
    ingest_file(ghent, CLI_ADMIN, "verwerkingsregister-stad-gent", write(tmp_path / "register.csv", REGISTER_CSV),
                metadata={"title_nl": "Verwerkingsregister Stad Gent", "organisation": "Stad Gent",
                          "themes": ["GOVE"], "keywords": ["privacy", "GDPR"], "licence": "CC0"})
    return ghent


def get(client: TestClient, url: str, **params: object) -> dict:
    r = client.get(url, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def bad(client: TestClient, url: str, code: str = "ODSQLError", status: int = 400, **params: object) -> str:
    r = client.get(url, params=params)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"message", "error_code"} and body["error_code"] == code, body
    assert body["message"]
    return body["message"]


# -- the processing-register widget ------------------------------------------------------------


def test_register_widget_facets_call(client: TestClient, register: Platform) -> None:
    url = (REGISTER + "/facets?facet=processor&facet=personaldata&facet=grantees&facet=type"
           "&facet=formal_framework&facet=audience&refine=audience:burger")
    r = client.get(url)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["links"] == []
    groups = {g["name"]: g["facets"] for g in body["facets"]}
    assert list(groups) == ["processor", "personaldata", "grantees", "type", "formal_framework", "audience"]
    assert groups["audience"] == [{"name": "burger", "value": "burger", "state": "refined", "count": BURGER}]
    assert sum(f["count"] for f in groups["type"]) == BURGER
    assert groups["processor"][0] == {"name": "Burgerzaken", "value": "Burgerzaken", "count": 2, "state": "displayed"}
    assert "Personeelsdienst" not in {f["name"] for f in groups["processor"]}  # only the citizens' activities
    for facets in groups.values():
        counts = [f["count"] for f in facets]
        assert counts == sorted(counts, reverse=True)


def test_register_widget_records_call(client: TestClient, register: Platform) -> None:
    first = client.get(REGISTER + "/records?limit=10&offset=0&order_by=name&refine=audience:burger").json()
    assert first["total_count"] == BURGER and len(first["results"]) == 8
    names = [r["name"] for r in first["results"]]
    assert names == sorted(names)
    assert set(first["results"][0]) == {"name", "description", "processor", "personaldata", "grantees", "type",
                                        "formal_framework", "audience"}
    page = client.get(REGISTER + "/records?limit=10&offset=5&order_by=name&refine=audience:burger").json()
    assert [r["name"] for r in page["results"]] == names[5:]
    found = client.get(REGISTER + '/records?limit=10&offset=0&order_by=name&refine=audience:burger'
                       '&where=search(name, "huwelijk")').json()
    assert [r["name"] for r in found["results"]] == ["Huwelijksaangifte"]
    assert client.get(REGISTER + '/records', params={"refine": "audience:burger",
                                                     "where": 'search(name, "loon")'}).json()["total_count"] == 0


def test_disjunctive_facets_keep_every_value_selectable(client: TestClient, register: Platform) -> None:
    plain = get(client, REGISTER + "/facets", facet="audience", refine="audience:burger")
    assert [f["name"] for f in plain["facets"][0]["facets"]] == ["burger"]
    params = [("facet", 'facet(name="audience", disjunctive=true)'), ("facet", "type"),
              ("refine", "audience:burger")]
    body = client.get(REGISTER + "/facets", params=params).json()
    audience, type_ = body["facets"]
    assert audience["name"] == "audience"
    assert {(f["name"], f["count"], f["state"]) for f in audience["facets"]} == {
        ("burger", 8, "refined"), ("werknemer stad", 3, "displayed")}
    assert "Personeelsbeheer" not in {f["name"] for f in type_["facets"]}  # other facets do follow the refine
    both = client.get(REGISTER + "/facets", params=[*params, ("refine", "audience:werknemer stad")]).json()
    assert {f["state"] for f in both["facets"][0]["facets"]} == {"refined"}
    assert sum(f["count"] for f in both["facets"][1]["facets"]) == 11  # values of one field are ORed
    sorted_alpha = get(client, REGISTER + "/facets", facet='facet(name="processor", sort="alphanum", limit=3)')
    assert [f["name"] for f in sorted_alpha["facets"][0]["facets"]] == ["Bibliotheek De Krook", "Burgerzaken",
                                                                       "Dienst Milieu"]


def test_facets_exclude_and_dates(client: TestClient, register: Platform) -> None:
    body = get(client, REGISTER + "/facets", facet="audience", exclude="audience:werknemer stad")
    assert body["facets"][0]["facets"] == [
        {"name": "burger", "value": "burger", "count": 8, "state": "displayed"},
        {"name": "werknemer stad", "value": "werknemer stad", "state": "excluded"}]
    years = get(client, TELPALEN + "/facets", facet="begindatum")["facets"][0]["facets"]
    assert sum(f["count"] for f in years) == 9 and all(len(f["name"]) == 4 for f in years)
    year = years[0]["name"]
    refined = get(client, TELPALEN + "/facets", facet="begindatum", refine=f"begindatum:{year}")
    top = refined["facets"][0]["facets"]
    assert len(top) == 1 and {k: top[0][k] for k in years[0]} == {**years[0], "state": "refined"}
    months = top[0]["facets"]  # a refined year shows its months (hierarchical date facets)
    assert sum(m["count"] for m in months) == years[0]["count"]
    assert all(m["value"] == f"{year}/{m['name']}" and m["state"] == "displayed" for m in months)
    month = months[0]["value"]
    deeper = get(client, TELPALEN + "/facets", facet="begindatum", refine=f"begindatum:{month}")
    month_entry = deeper["facets"][0]["facets"][0]["facets"][0]
    assert month_entry["value"] == month and month_entry["state"] == "refined"
    assert all(d["value"].startswith(month + "/") for d in month_entry["facets"])
    drukte = get(client, DRUKTE + "/facets", facet="tijd_van_voltooien", refine="tijd_van_voltooien:2024/07/20",
                 timezone="Europe/Brussels")["facets"][0]["facets"]
    day = drukte[0]["facets"][0]["facets"][0]
    assert (day["value"], day["count"], day["state"], day["facets"]) == ("2024/07/20", 3, "refined", [])
    defaults = get(client, DRUKTE + "/facets")
    assert [g["name"] for g in defaults["facets"]] == ["toelichting_drukte", "tijd_van_voltooien"]
    bad(client, TELPALEN + "/facets", facet="bestaat_niet")
    bad(client, TELPALEN + "/facets", facet="facet(disjunctive=true)")
    bad(client, TELPALEN + "/facets", facet='facet(name="naam", sort="random")')


# -- records -----------------------------------------------------------------------------------


def test_records_shape_geo_and_timezone(client: TestClient, ghent: Platform) -> None:
    body = get(client, GARAGES + "/records", limit=2)
    assert set(body) == {"total_count", "results"} and len(body["results"]) == 2
    record = body["results"][0]
    assert set(record["location"]) == {"lon", "lat"}
    assert record["lastupdate"].endswith("+00:00")
    brussels = get(client, GARAGES + "/records", limit=1, timezone="Europe/Brussels")
    assert brussels["results"][0]["lastupdate"].endswith("+02:00")
    telpaal = get(client, TELPALEN + "/records", limit=1)["results"][0]
    assert telpaal["geometry"]["type"] == "Feature" and telpaal["geometry"]["geometry"]["type"] == "Point"
    assert telpaal["geo_point_2d"]["lat"] > 50
    assert get(client, TELPALEN + "/records")["total_count"] == 9
    assert len(get(client, TELPALEN + "/records")["results"]) == 9  # default limit 10
    assert len(get(client, TELPALEN + "/records", limit=3)["results"]) == 3
    assert get(client, TELPALEN + "/records", limit=0) == {"total_count": 9, "results": []}


def test_select_where_order_by(client: TestClient, ghent: Platform) -> None:
    body = get(client, TELPALEN + "/records", select="naam, bouwjaar * 2 as dubbel, lower(eigenaar)",
               where="bouwjaar >= 2018", order_by="bouwjaar desc, naam", limit=100)
    first = body["results"][0]
    assert set(first) == {"naam", "dubbel", "lower(eigenaar)"}
    doubles = [r["dubbel"] for r in body["results"]]
    assert doubles == sorted(doubles, reverse=True) and min(doubles) >= 4036
    both = client.get(TELPALEN + "/records", params=[("where", "bouwjaar >= 2018"), ("where", "actief = true"),
                                                      ("limit", 100)]).json()
    assert all(r["bouwjaar"] >= 2018 and r["actief"] for r in both["results"])
    assert both["total_count"] <= body["total_count"]
    visserij = get(client, TELPALEN + "/records", where='naam = "Visserij"')
    assert [r["naam"] for r in visserij["results"]] == ["Visserij"]
    like = get(client, TELPALEN + "/records", where='naam like "Vis*"', select="naam")
    assert like["results"] == [{"naam": "Visserij"}]
    text = get(client, TELPALEN + "/records", where='"Visserij"', select="naam")
    assert text["results"] == [{"naam": "Visserij"}]
    near = get(client, TELPALEN + "/records", select="naam",
               where="within_distance(geo_point_2d, geom'POINT(3.7392 51.0445)', 200m)")
    assert {"naam": "Visserij"} in near["results"]
    far = get(client, TELPALEN + "/records", where="within_distance(geo_point_2d, geom'POINT(4.0 50.0)', 1km)")
    assert far["total_count"] == 0
    in_list = get(client, TELPALEN + "/records", where='naam in ("Visserij", "Bataviabrug")', select="naam")
    assert in_list["total_count"] == 2
    dated = get(client, DRUKTE + "/records", where="tijd_van_voltooien >= date'2024-07-20T12:00:00Z'")
    assert dated["total_count"] == 2


def test_aggregates_and_group_by(client: TestClient, ghent: Platform) -> None:
    total = get(client, TELPALEN + "/records", select="count(*) as n, avg(bouwjaar), min(bouwjaar), max(bouwjaar)")
    assert total["total_count"] == 1
    row = total["results"][0]
    assert row["n"] == 9 and row["min(bouwjaar)"] <= row["avg(bouwjaar)"] <= row["max(bouwjaar)"]
    groups = get(client, TELPALEN + "/records", select="eigenaar, count(*) as n", group_by="eigenaar",
                 order_by="n desc")
    assert sum(g["n"] for g in groups["results"]) == 9 and groups["total_count"] == len(groups["results"])
    counted = get(client, TELPALEN + "/records", group_by="eigenaar", select="count(*) as n", order_by="n desc")
    assert counted["results"] == groups["results"]  # the group keys come along
    keys_only = get(client, TELPALEN + "/records", group_by="eigenaar")
    assert all(set(g) == {"eigenaar"} for g in keys_only["results"])
    labelled = get(client, TELPALEN + "/records", group_by="range(bouwjaar, 5) as periode, actief")
    assert all(set(g) == {"periode", "actief"} for g in labelled["results"])
    ranged = get(client, TELPALEN + "/records", select="range(bouwjaar, 10), count(*)",
                 group_by="range(bouwjaar, 10)", order_by="range(bouwjaar, 10)")
    assert all(g["range(bouwjaar, 10)"] % 10 == 0 for g in ranged["results"])
    assert sum(g["count(*)"] for g in ranged["results"]) == 9
    hours = get(client, DRUKTE + "/records", select='date_format(tijd_van_voltooien, "yyyy-MM-dd HH") as uur, '
                "max(status_druktemeter) as drukte", group_by='date_format(tijd_van_voltooien, "yyyy-MM-dd HH") as uur',
                order_by="uur", timezone="Europe/Brussels")
    assert [g["uur"] for g in hours["results"]] == ["2024-07-20 10", "2024-07-20 16", "2024-07-20 22"]
    utc = get(client, DRUKTE + "/records", group_by='date_format(tijd_van_voltooien, "HH") as uur', order_by="uur")
    assert [g["uur"] for g in utc["results"]] == ["08", "14", "20"]
    years = get(client, TELPALEN + "/records", select="year(begindatum) as jaar, count(*) as n", group_by="jaar",
                order_by="jaar")
    assert sum(g["n"] for g in years["results"]) == 9


def test_refine_and_exclude(client: TestClient, ghent: Platform) -> None:
    owners = get(client, TELPALEN + "/facets", facet="eigenaar")["facets"][0]["facets"]
    owner, count = owners[0]["name"], owners[0]["count"]
    refined = get(client, TELPALEN + "/records", refine=f"eigenaar:{owner}", limit=100)
    assert refined["total_count"] == count and all(r["eigenaar"] == owner for r in refined["results"])
    excluded = get(client, TELPALEN + "/records", exclude=f"eigenaar:{owner}")
    assert excluded["total_count"] == 9 - count
    year = get(client, DRUKTE + "/records", refine="tijd_van_voltooien:2024/07")
    assert year["total_count"] == 3
    assert get(client, DRUKTE + "/records", refine="tijd_van_voltooien:2024/08")["total_count"] == 0
    day = get(client, DRUKTE + "/records", exclude="tijd_van_voltooien:2024/07/20")
    assert day["total_count"] == 0
    assert get(client, TELPALEN + "/records", refine="actief:true")["total_count"] >= 1


def test_record_by_id(client: TestClient, ghent: Platform) -> None:
    linked = get(client, TELPALEN + "/records", limit=2, include_links="true")
    record = linked["results"][0]
    assert len(record["_id"]) == 40 and record["_timestamp"].endswith("Z")
    assert record["_links"][0]["href"].endswith(f"/records/{record['_id']}")
    one = get(client, f"{TELPALEN}/records/{record['_id']}")
    assert one["naam"] == record["naam"] and "_id" not in one
    assert set(one["geo_point_2d"]) == {"lon", "lat"}
    selected = get(client, f"{TELPALEN}/records/{record['_id']}", select="naam")
    assert selected == {"naam": record["naam"]}
    r = client.get(f"{TELPALEN}/records/{'0' * 40}")
    assert r.status_code == 404 and r.json()["error_code"] == "RecordNotFoundError"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": 101}, "InvalidRESTParameterError"),
        ({"limit": -1}, "InvalidRESTParameterError"),
        ({"limit": "tien"}, "InvalidRESTParameterError"),
        ({"offset": -1}, "InvalidRESTParameterError"),
        ({"offset": 9901, "limit": 100}, "InvalidRESTParameterError"),
        ({"offset": 19_990, "limit": 20, "group_by": "eigenaar"}, "InvalidRESTParameterError"),
        ({"timezone": "Mars/Olympus"}, "InvalidRESTParameterError"),
        ({"lang": "tlh"}, "InvalidRESTParameterError"),
        ({"include_links": "misschien"}, "InvalidRESTParameterError"),
        ({"refine": "zonder-dubbelpunt"}, "InvalidRESTParameterError"),
        ({"refine": "bestaat_niet:x"}, "ODSQLError"),
        ({"where": "naam = "}, "ODSQLError"),
        ({"where": "bestaat_niet = 1"}, "ODSQLError"),
        ({"where": "bouwjaar = 'geen getal'"}, "ODSQLError"),
        ({"select": "evil(naam)"}, "ODSQLError"),
        ({"select": "naam", "group_by": "eigenaar"}, "ODSQLError"),
        ({"order_by": "naam sideways"}, "ODSQLError"),
        ({"group_by": "geo_point_2d"}, "ODSQLError"),
    ],
)
def test_records_errors(client: TestClient, ghent: Platform, params: dict, code: str) -> None:
    bad(client, TELPALEN + "/records", code, **params)


def test_windows(client: TestClient, ghent: Platform) -> None:
    assert get(client, TELPALEN + "/records", offset=9900, limit=100)["results"] == []
    assert get(client, TELPALEN + "/records", group_by="eigenaar", limit=20_000)["total_count"] >= 1
    assert get(client, TELPALEN + "/records", group_by="eigenaar", offset=19_000, limit=1000)["results"] == []


def test_odsql_error_says_where(client: TestClient, ghent: Platform) -> None:
    message = bad(client, TELPALEN + "/records", where="naam = = 3")
    assert "position" in message and "where" in message


def test_not_found_bodies(client: TestClient, ghent: Platform) -> None:
    for url in (DS + "/bestaat-niet", DS + "/intern-register/records", DS + "/intern-register/facets",
                DS + "/intern-register/exports/csv", DS + "/bestaat-niet/attachments"):
        bad(client, url, "DatasetNotFoundError", 404)
    r = client.get(API + "/catalog/geen-endpoint")
    assert r.status_code == 404 and set(r.json()) == {"message", "error_code"}
    assert client.get("/api/belfort/v1/datasets/bestaat-niet").json()["error"] == "not_found"  # others unchanged


# -- the catalogue -----------------------------------------------------------------------------


def test_catalog(client: TestClient, register: Platform) -> None:
    body = get(client, DS, limit=100)
    ids = [d["dataset_id"] for d in body["results"]]
    assert body["total_count"] == len(ids) == 10 and "intern-register" not in ids
    assert ids == sorted(ids)
    assert len(get(client, DS)["results"]) == 10
    found = get(client, DS, where='search("verwerkingsregister")')
    assert [d["dataset_id"] for d in found["results"]] == ["verwerkingsregister-stad-gent"]
    assert get(client, DS, where='"fietstelpalen"')["total_count"] == 1
    assert get(client, DS, refine="theme:TRAN")["results"][0]["dataset_id"] == "fietstelpalen-gent"
    assert get(client, DS, refine="keyword:privacy")["total_count"] == 1
    assert get(client, DS, refine="publisher:Stad Gent", limit=100)["total_count"] == 8
    assert get(client, DS, exclude="publisher:Stad Gent", limit=100)["total_count"] == 2
    assert get(client, DS, where="records_count > 100")["total_count"] == 0
    assert get(client, DS, where='title like "Verwerkings*"')["total_count"] == 1
    assert get(client, DS, where='publisher = "Stad Gent" and not keyword = "privacy"', limit=100)["total_count"] == 7
    ordered = get(client, DS, order_by="dataset_id desc", limit=3)
    assert [d["dataset_id"] for d in ordered["results"]] == sorted(ids, reverse=True)[:3]
    paged = get(client, DS, order_by="title", limit=2, offset=1)
    assert len(paged["results"]) == 2
    selected = get(client, DS, select="dataset_id", limit=1)
    assert selected["results"] == [{"dataset_id": ids[0]}]
    bad(client, DS, where="bestaat_niet = 1")
    bad(client, DS, order_by="description")
    bad(client, DS, "InvalidRESTParameterError", limit=1000)


def test_dataset_shape(client: TestClient, register: Platform) -> None:
    one = get(client, DS + "/verwerkingsregister-stad-gent")
    assert one["dataset_id"] == "verwerkingsregister-stad-gent" and one["dataset_uid"].startswith("da_")
    assert one["has_records"] is True and one["features"] == ["analyze"]
    meta = one["metas"]["default"]
    assert meta["title"] == "Verwerkingsregister Stad Gent" and meta["records_count"] == 11
    assert meta["theme"] == ["GOVE"] and meta["keyword"] == ["privacy", "GDPR"]
    # the licence as the catalogue stores it since the controlled lists: its URI (docs/metadata.md)
    assert meta["publisher"] == "Stad Gent" and meta["license"] == CC0.uri and meta["language"] == "nl"
    assert meta["license_url"] == CC0.uri  # a licence kept by URI is its URL too
    assert meta["modified"].endswith("+00:00")
    assert {"name": "name", "label": "name", "type": "text", "annotations": {}, "description": None} in one["fields"]
    telpalen = get(client, TELPALEN)
    assert {"timeserie", "geo"} <= set(telpalen["features"])
    types = {f["name"]: f["type"] for f in telpalen["fields"]}
    assert types["geo_point_2d"] == "geo_point_2d" and types["geometry"] == "geo_shape"
    assert types["bouwjaar"] == "int" and types["begindatum"] == "datetime" and types["actief"] == "boolean"
    assert get(client, TELPALEN + "/attachments") == {"links": [], "attachments": []}


def test_catalog_facets_and_exports(client: TestClient, register: Platform) -> None:
    body = get(client, API + "/catalog/facets")
    groups = {g["name"]: g["facets"] for g in body["facets"]}
    assert {"theme", "keyword", "publisher", "license"} <= set(groups)
    assert {"name": "Stad Gent", "value": "Stad Gent", "count": 8, "state": "displayed"} in groups["publisher"]
    refined = get(client, API + "/catalog/facets", facet="keyword", refine="keyword:privacy")
    assert {(f["name"], f["state"]) for f in refined["facets"][0]["facets"]} == {
        ("privacy", "refined"), ("GDPR", "displayed")}
    disjunctive = get(client, API + "/catalog/facets", facet='facet(name="publisher", disjunctive=true)',
                      refine="publisher:Stad Gent")
    assert len(disjunctive["facets"][0]["facets"]) == len(groups["publisher"])
    data = client.get(API + "/catalog/exports/json").json()
    assert len(data) == 10 and "intern-register" not in {d["dataset_id"] for d in data}
    raw = client.get(API + "/catalog/exports/csv").content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 10 and rows[0]["dataset_id"]
    register_row = next(r for r in rows if r["dataset_id"] == "verwerkingsregister-stad-gent")
    assert register_row["keyword"] == "privacy,GDPR" and register_row["records_count"] == "11"
    bad(client, API + "/catalog/exports/rss", "InvalidRESTParameterError")


# -- exports -----------------------------------------------------------------------------------


def test_export_csv(client: TestClient, ghent: Platform) -> None:
    r = client.get(TELPALEN + "/exports/csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # with_bom defaults to true in v2.1
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 9 and "__row" not in rows[0]
    lat, lon = rows[0]["geo_point_2d"].split(", ")
    assert 50 < float(lat) < 52 and 3 < float(lon) < 4
    assert json.loads(rows[0]["geometry"])["type"] == "Point"
    assert rows[0]["begindatum"].endswith("+00:00")
    plain = client.get(TELPALEN + "/exports/csv", params={"delimiter": ",", "with_bom": "false",
                                                          "select": "naam, bouwjaar", "order_by": "naam",
                                                          "where": "bouwjaar > 2000"}).content
    assert not plain.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(plain.decode())))
    assert parsed[0] == ["naam", "bouwjaar"] and [r[0] for r in parsed[1:]] == sorted(r[0] for r in parsed[1:])
    quoted = client.get(TELPALEN + "/exports/csv", params={"quote_all": "true", "select": "naam, bouwjaar",
                                                           "limit": 1, "with_bom": "false"}).text
    header, line = quoted.splitlines()[:2]
    assert header == '"naam";"bouwjaar"' and line.startswith('"') and not line.endswith('"')
    tabbed = client.get(DRUKTE + "/exports/csv", params={"delimiter": "\t", "timezone": "Europe/Brussels"}).text
    assert "\t" in tabbed and "+02:00" in tabbed
    bad(client, TELPALEN + "/exports/csv", "InvalidRESTParameterError", delimiter="x")
    bad(client, TELPALEN + "/exports/csv", "InvalidRESTParameterError", quote_all="soms")


def test_export_json_jsonl_geojson(client: TestClient, ghent: Platform) -> None:
    records = client.get(TELPALEN + "/exports/json", params={"refine": "naam:Visserij"}).json()
    assert [r["naam"] for r in records] == ["Visserij"] and set(records[0]["geo_point_2d"]) == {"lon", "lat"}
    assert len(client.get(TELPALEN + "/exports/json").json()) == 9
    assert len(client.get(TELPALEN + "/exports/json", params={"limit": 4, "offset": 2}).json()) == 4
    lines = client.get(GARAGES + "/exports/jsonl").text.splitlines()
    parsed = [json.loads(line) for line in lines]
    assert len(parsed) >= 2 and all("name" in p for p in parsed)
    geo = client.get(TELPALEN + "/exports/geojson", params={"exclude": "naam:Visserij"}).json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 8
    feature = geo["features"][0]
    assert feature["geometry"]["type"] == "Point" and "naam" in feature["properties"]
    grouped = client.get(TELPALEN + "/exports/json", params={"select": "eigenaar, count(*) as n",
                                                             "group_by": "eigenaar"}).json()
    assert sum(g["n"] for g in grouped) == 9


def test_export_parquet_and_xlsx(client: TestClient, ghent: Platform) -> None:
    staging = ghent.lake.staging_dir
    before = set(staging.iterdir())
    r = client.get(TELPALEN + "/exports/parquet", params={"select": "naam, bouwjaar, geo_point_2d"})
    assert r.status_code == 200
    table = pq.read_table(io.BytesIO(r.content))
    assert table.num_rows == 9 and table.column_names == ["naam", "bouwjaar", "geo_point_2d"]
    assert set(staging.iterdir()) == before  # the temporary file is gone once sent

    from openpyxl import load_workbook

    r = client.get(DRUKTE + "/exports/xlsx", params={"order_by": "status_druktemeter",
                                                     "timezone": "Europe/Brussels"})
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    sheet = load_workbook(io.BytesIO(r.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("status_druktemeter", "toelichting_drukte", "tijd_van_voltooien")
    assert [row[0] for row in rows[1:]] == [20, 55, 85]
    assert rows[1][2].hour == 10  # 08:00 UTC is 10:00 in Brussels
    geo = load_workbook(io.BytesIO(client.get(TELPALEN + "/exports/xlsx").content), read_only=True).active
    assert len(list(geo.iter_rows(values_only=True))) == 10
    assert set(staging.iterdir()) == before
    bad(client, TELPALEN + "/exports/shp", "InvalidRESTParameterError")


# -- hostile input ---------------------------------------------------------------------------

CANARY = "CANARY-5d1e0b"
FIELDS = ["naam", "eigenaar", "bouwjaar", "begindatum", "actief", "geo_point_2d", "geometry", "sensoren", "lat",
          "`naam`", "bestaat_niet", "geheim", "read_parquet"]
FUNCTIONS = ["count(*)", "count(distinct naam)", "avg(bouwjaar)", "sum(sensoren)", "min(begindatum)",
             "max(naam)", "median(bouwjaar)", "percentile(bouwjaar, 50)", "range(bouwjaar, 10)",
             'date_format(begindatum, "yyyy")', "year(begindatum)", "lower(naam)", "length(naam)",
             'search(naam, "vis")', 'startswith(naam, "B")', "now()", "ifnull(naam, 'x')",
             "within_distance(geo_point_2d, geom'POINT(3.7 51.0)', 5km)", "in_bbox(geo_point_2d, 50, 3, 52, 4)",
             "distance(geo_point_2d, geom'POINT(3.7 51.0)')", "envelope(geo_point_2d)", "evil(naam)",
             "read_parquet('canary.parquet')", "bouwjaar / 0", "range(bouwjaar, -1)"]
LITERALS = ['"Visserij"', "'Stad Gent'", "2020", "-1", "1e308", "0.5", "true", "null", "date'2021'",
            "date'2024-13-45'", "geom'POINT(1 2)'", '"%"', "'", '"', "(", ")", "*"]
OPERATORS = ["=", "!=", "<", ">=", " like ", " in ", " is not ", " and ", " or ", " not ", ",", " as x", " desc",
             "+", "/", ":", " "]
tokens = st.one_of(st.sampled_from(FIELDS), st.sampled_from(FUNCTIONS), st.sampled_from(LITERALS),
                   st.sampled_from(OPERATORS), st.text(max_size=8))
clauses = st.lists(tokens, max_size=8).map("".join)
# The canary only as a value to look for (a where clause is never echoed in a 200 answer).
conditions = st.one_of(clauses, st.builds(lambda f, o, v: f"{f}{o}{v}", st.sampled_from(FIELDS),
                                          st.sampled_from(OPERATORS),
                                          st.sampled_from([*LITERALS, f'"{CANARY}"', f"'{CANARY}'"])))


@pytest.fixture
def fuzz_client(ghent: Platform, client: TestClient, tmp_path: Path) -> TestClient:
    secret = write(tmp_path / "geheim.csv", f"naam,bouwjaar\n{CANARY},1\n")
    ingest_file(ghent, CLI_ADMIN, "geheim", secret, metadata={
        "title_nl": "Geheim", "classification": "confidential", "restriction_reason": "privacy",
                                                                "classification_reason": "test"})
    pq.write_table(pa.table({"naam": [CANARY]}), ghent.settings.data_dir / "canary.parquet")
    return client


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.lists(conditions, max_size=2), select=st.one_of(st.just(""), clauses),
       group_by=st.one_of(st.just(""), clauses), order_by=st.one_of(st.just(""), clauses),
       limit=st.one_of(st.just(""), st.integers(-2, 20_001).map(str)),
       refine=st.lists(st.builds(lambda f, v: f"{f}:{v}", st.sampled_from(FIELDS), st.text(max_size=10)), max_size=2))
def test_records_never_500_and_never_leak(
    fuzz_client: TestClient, where: list[str], select: str, group_by: str, order_by: str, limit: str,
    refine: list[str],
) -> None:
    params = [*(("where", w) for w in where), *(("refine", r) for r in refine), ("select", select),
              ("group_by", group_by), ("order_by", order_by), ("limit", limit)]
    r = fuzz_client.get(TELPALEN + "/records", params=params)
    assert r.status_code in (200, 400), (params, r.status_code, r.text)
    assert r.headers["content-type"] == "application/json"
    if r.status_code == 200:
        # The asked-for dataset holds no canary, so any canary in the answer is a leak.
        assert CANARY not in r.text, params
    else:
        body = r.json()
        assert set(body) == {"message", "error_code"} and body["message"]
        assert body["error_code"] in {"ODSQLError", "InvalidRESTParameterError"}
        assert CANARY not in body["message"] or CANARY in str(params)  # an echo of the input at most


def test_naive_datetimes_in_where_follow_the_timezone_parameter(client, ghent) -> None:  # type: ignore[no-untyped-def]
    url = "/api/explore/v2.1/catalog/datasets/druktebarometer-info/records"
    where = "tijd_van_voltooien >= date'2024-07-20T21:00:00'"
    # 22:10 in Ghent is 20:10 UTC: before 21:00 UTC (the default zone), after 21:00 in Ghent
    assert client.get(url, params={"where": where}).json()["total_count"] == 0
    assert client.get(url, params={"where": where, "timezone": "Europe/Brussels"}).json()["total_count"] == 1
    v1 = client.get("/api/records/1.0/search/", params={
        "dataset": "druktebarometer-info", "q": "tijd_van_voltooien>=2024/07/21"}).json()
    assert v1["nhits"] == 0  # UTC midnight: nothing after it
