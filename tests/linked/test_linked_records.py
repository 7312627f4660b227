"""Record URIs over HTTP: /id/{dataset}/{record} in every RDF format and as an HTML page,
/id/{dataset} and /def/{dataset}; the gate, garbage ids, caching. Every RDF answer is
parsed back with rdflib."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from belfort.linked.records import dataset_document
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.conftest import ghent_data
from tests.helpers import write

SOSA = "http://www.w3.org/ns/sosa/"
BIKES = "fietstelpaal-bataviabrug-2019-gent"
SENSORS = "telpunten-test"
BIKE_MAPPING = {"observations": {
    "results": ["hoofdrichting", "tegenrichting", "totaal"], "date": "datum", "time": "uur5minuten",
    "duration": "PT1H", "sensor": "{_base}/id/fietstelpalen-gent/{locatie}", "oslo": True, "vehicle": "fiets",
}}
SENSOR_MAPPING = {
    "prefixes": {"ex": "https://example.org/telpunt#"},
    "class": ["sosa:Sensor", "vkm:Verkeersmeetpunt"],
    "subject": "{_base}/id/{_dataset}/{id}",
    "fields": {"naam": {"predicate": "rdfs:label", "language": "nl"}, "wijk": {"predicate": "ex:wijk"}},
}
SENSORS_CSV = "id;naam;wijk;locatie\nTP01;Korenmarkt;Binnenstad;51.05455, 3.72135\nTP 02/b;Sint-Baafsplein <oost>;Binnenstad;51.053, 3.725\n"
FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}
MEDIA = {"ttl": "text/turtle", "jsonld": "application/ld+json", "rdf": "application/rdf+xml",
         "nt": "application/n-triples"}


@pytest.fixture
def linked(platform: Platform, tmp_path: Path) -> Platform:
    records = json.loads((ghent_data() / f"{BIKES}.json").read_text())[:24]
    ingest_file(platform, CLI_ADMIN, BIKES, write(tmp_path / "bikes.json", json.dumps(records)),
                metadata={"title_nl": "Fietstelpaal Bataviabrug 2019", "title_en": "Bike counter Bataviabrug 2019",
                          "rdf_mapping": BIKE_MAPPING})
    ingest_file(platform, CLI_ADMIN, SENSORS, write(tmp_path / "sensors.csv", SENSORS_CSV),
                overrides={"locatie": "geopoint"}, metadata={"title_nl": "Telpunten", "rdf_mapping": SENSOR_MAPPING})
    ingest_file(platform, CLI_ADMIN, "intern", write(tmp_path / "intern.csv", "naam,waarde\ngeheim,1\n"),
                metadata={"title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                                              "classification_reason": "namen"})
    return platform


def first_id(client: TestClient, dataset_id: str, headers: dict[str, str] | None = None) -> str:
    r = client.get(f"/api/explore/v2.1/catalog/datasets/{dataset_id}/records",
                   params={"limit": 1, "include_links": "true"}, headers=headers)
    assert r.status_code == 200, r.text
    return str(r.json()["results"][0]["_id"])


def graph_of(body: bytes, fmt: str) -> Graph:
    return Graph().parse(data=body, format=FORMATS[fmt])


def test_a_record_in_every_format_is_the_same_graph(linked: Platform, client: TestClient) -> None:
    record_id = first_id(client, BIKES)
    graphs = {}
    for fmt, media in MEDIA.items():
        by_accept = client.get(f"/id/{BIKES}/{record_id}", headers={"Accept": media})
        by_extension = client.get(f"/id/{BIKES}/{record_id}.{fmt}")
        for r in (by_accept, by_extension):
            assert r.status_code == 200, r.text
            assert r.headers["content-type"].startswith(media)
        assert by_accept.content == by_extension.content
        assert by_accept.headers["content-location"] == f"/id/{BIKES}/{record_id}.{fmt}"
        assert "Accept" in by_accept.headers["vary"]
        assert by_accept.headers["access-control-allow-origin"] == "*"
        graphs[fmt] = graph_of(by_accept.content, fmt)
    for fmt in ("jsonld", "rdf", "nt"):
        assert graphs["ttl"].isomorphic(graphs[fmt]), fmt
    graph = graphs["ttl"]
    subject = URIRef(f"http://testserver/id/{BIKES}/{record_id}")
    observations = set(graph.objects(subject, URIRef(SOSA + "hasMember")))
    assert len(observations) == 3
    for observation in observations:
        assert (observation, RDF.type, URIRef(SOSA + "Observation")) in graph
        assert graph.value(observation, URIRef(SOSA + "madeBySensor")) == URIRef(
            "http://testserver/id/fietstelpalen-gent/Bataviabrug")
    # the same triples as the dataset's document (what the SPARQL store loads)
    whole = dataset_document(linked, CLI_ADMIN, BIKES, "http://testserver", limit=1).to_rdflib()
    assert whole.isomorphic(graph)


def test_turtle_and_jsonld_use_the_mappings_prefixes(linked: Platform, client: TestClient) -> None:
    record_id = first_id(client, BIKES)
    turtle = client.get(f"/id/{BIKES}/{record_id}.ttl").text
    assert "@prefix sosa: <http://www.w3.org/ns/sosa/>" in turtle and "sosa:Observation" in turtle
    assert "@prefix ds: <http://testserver/def/" in turtle
    body = client.get(f"/id/{BIKES}/{record_id}.jsonld").json()
    assert body["@context"]["sosa"] == SOSA and body["@context"]["vkm"].startswith("https://data.vlaanderen.be/")
    types = [node.get("@type") for node in body["@graph"]]
    assert any(t == ["sosa:Observation", "vkm:Verkeersmeting"] for t in types)
    assert any("sosa:hasSimpleResult" in node for node in body["@graph"])


def test_browsers_get_a_page_with_the_fields_and_the_alternates(linked: Platform, client: TestClient) -> None:
    record_id = first_id(client, BIKES)
    for lang, title in (("nl", "Fietstelpaal Bataviabrug 2019"), ("en", "Bike counter Bataviabrug 2019")):
        r = client.get(f"/id/{BIKES}/{record_id}?lang={lang}", headers={"Accept": "text/html,*/*;q=0.8"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        page = r.text
        assert f"<html lang=\"{lang}\">" in page and title in page
        for fmt, media in MEDIA.items():
            assert f'<link rel="alternate" type="{media}" href="/id/{BIKES}/{record_id}.{fmt}">' in page
        assert f"/api/explore/v2.1/catalog/datasets/{BIKES}/records/{record_id}" in page
        assert f'href="/datasets/{BIKES}"' in page
        assert "Bataviabrug" in page and "hoofdrichting" in page and "sosa:Observation" in page
        assert 'rel="alternate"' in r.headers["link"]
    assert client.get(f"/id/{BIKES}/{record_id}.html").status_code == 200


def test_the_json_link_answers_the_same_record(linked: Platform, client: TestClient) -> None:
    record_id = first_id(client, BIKES)
    record = client.get(f"/api/explore/v2.1/catalog/datasets/{BIKES}/records/{record_id}").json()
    graph = graph_of(client.get(f"/id/{BIKES}/{record_id}.nt").content, "nt")
    total = [o for o in graph.objects(None, URIRef(SOSA + "hasSimpleResult"))]
    assert Literal(str(record["totaal"]), datatype=XSD.integer) in total


def test_subject_templates_under_id_dereference(linked: Platform, client: TestClient) -> None:
    r = client.get(f"/id/{SENSORS}/TP01.ttl")
    assert r.status_code == 200, r.text
    graph = graph_of(r.content, "ttl")
    subject = URIRef(f"http://testserver/id/{SENSORS}/TP01")
    assert graph.value(subject, RDFS.label) == Literal("Korenmarkt", lang="nl")
    assert (subject, RDF.type, URIRef(SOSA + "Sensor")) in graph
    assert graph.value(subject, URIRef("https://example.org/telpunt#wijk")) == Literal("Binnenstad")
    # a value with a space, a slash and angle brackets: percent-encoded in the IRI, found again
    other = client.get(f"/id/{SENSORS}/TP%2002%2Fb.ttl")
    assert other.status_code == 404  # the server decodes %2F before routing (documented)
    second = [s for s in dataset_document(linked, CLI_ADMIN, SENSORS, "http://testserver", limit=10).nodes
              if "TP" in s and "#" not in s]
    assert f"http://testserver/id/{SENSORS}/TP%2002%2Fb" in second
    # the record id works too, and describes the same subject
    record_id = first_id(client, SENSORS)
    by_id = graph_of(client.get(f"/id/{SENSORS}/{record_id}.nt").content, "nt")
    assert by_id.isomorphic(graph)


@pytest.mark.parametrize("path", [
    "/id/{ds}/0000000000000000000000000000000000000000",
    "/id/{ds}/not-a-record",
    "/id/{ds}/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/id/{ds}/..%2F..%2Fetc",
    "/id/{ds}/" + "a" * 5000,
    "/id/{ds}/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/id/{ds}/%00",
    "/id/{ds}/TP01",  # a subject template of another dataset
    "/id/bestaat-niet/abc",
    "/id/intern/abc",
    "/id/..%2F..%2Fetc/passwd",
])
def test_unknown_and_garbage_records_are_404(linked: Platform, client: TestClient, path: str) -> None:
    path = path.format(ds=BIKES)
    for headers in ({"Accept": "text/turtle"}, {"Accept": "text/html"}):
        r = client.get(path, headers=headers)
        assert r.status_code == 404, (path, r.status_code, r.text[:200])
        assert "geheim" not in r.text
        if r.headers["content-type"].startswith("text/html"):
            assert "<script>" not in r.text  # echoed ids are escaped in pages (JSON bodies may quote them)
        else:
            assert r.headers["content-type"].startswith("application/json")


def test_the_traversal_path_does_not_escape(linked: Platform, client: TestClient) -> None:
    r = client.get("/id/x/../../etc")  # the client resolves it to /etc before sending
    assert r.status_code == 404
    assert "root:" not in r.text


def test_restricted_datasets_are_404_to_the_public_and_visible_to_staff(
        linked: Platform, client: TestClient, admin_headers: dict[str, str]) -> None:
    record_id = first_id(client, "intern", admin_headers)
    assert client.get(f"/id/intern/{record_id}").status_code == 404
    assert client.get(f"/id/intern/{record_id}", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/def/intern").status_code == 404
    assert client.get("/id/intern", follow_redirects=False).status_code == 404
    r = client.get(f"/id/intern/{record_id}.ttl", headers=admin_headers)
    assert r.status_code == 200 and "geheim" in r.text
    assert r.headers["cache-control"] == "private, no-store"


def test_etags_and_caching(linked: Platform, client: TestClient, admin_headers: dict[str, str],
                           tmp_path: Path) -> None:
    record_id = first_id(client, BIKES)
    url = f"/id/{BIKES}/{record_id}.ttl"
    r = client.get(url)
    assert r.headers["cache-control"] == "public, max-age=300"
    etag = r.headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(f"/id/{BIKES}/{record_id}.jsonld", headers={"If-None-Match": etag}).status_code == 200
    # a new mapping changes the content, so the tag
    changed = {"observations": {**BIKE_MAPPING["observations"], "oslo": False}}
    assert client.patch(f"/api/belfort/v1/datasets/{BIKES}", content=json.dumps({"rdf_mapping": changed}),
                        headers=admin_headers).status_code == 200
    fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert "Verkeersmeting" not in fresh.text


def test_not_acceptable(linked: Platform, client: TestClient) -> None:
    record_id = first_id(client, BIKES)
    r = client.get(f"/id/{BIKES}/{record_id}", headers={"Accept": "image/png"})
    assert r.status_code == 406 and "text/turtle" in r.json()["media_types"]


def test_the_dataset_uri_redirects_to_its_description(linked: Platform, client: TestClient) -> None:
    r = client.get(f"/id/{BIKES}", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/catalog/datasets/{BIKES}"
    r = client.get(f"/id/{BIKES}.jsonld", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/catalog/datasets/{BIKES}.jsonld"
    r = client.get(f"/id/{BIKES}", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/datasets/{BIKES}"
    followed = client.get(f"/id/{BIKES}", headers={"Accept": "text/turtle"})
    assert followed.status_code == 200 and "dcat:Dataset" in followed.text


def test_the_field_vocabulary(linked: Platform, client: TestClient) -> None:
    r = client.get(f"/def/{BIKES}.ttl")
    assert r.status_code == 200, r.text
    graph = graph_of(r.content, "ttl")
    ns = f"http://testserver/def/{BIKES}#"
    for field in ("datum", "uur5minuten", "hoofdrichting", "tegenrichting", "totaal", "locatie"):
        assert (URIRef(ns + field), RDF.type, RDF.Property) in graph
    assert graph.value(URIRef(ns + "totaal"), RDFS.range) == XSD.integer
    assert (URIRef(ns + "observed-totaal"), RDF.type, URIRef(SOSA + "ObservableProperty")) in graph
    jsonld = graph_of(client.get(f"/def/{BIKES}", headers={"Accept": "application/ld+json"}).content, "jsonld")
    assert jsonld.isomorphic(graph)
    r = client.get(f"/def/{BIKES}", headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/datasets/{BIKES}"
    # every default predicate a record uses is described here
    record_id = first_id(client, BIKES)
    record = graph_of(client.get(f"/id/{BIKES}/{record_id}.nt").content, "nt")
    used = {str(p) for p in record.predicates() if str(p).startswith(ns)}
    used |= {str(o) for o in record.objects() if str(o).startswith(ns)}
    assert used and all((URIRef(u), None, None) in graph for u in used)


def test_public_url_names_the_subjects(linked: Platform, tmp_path: Path) -> None:
    from belfort.app import create_app

    linked.settings.public_url = "https://data.stad.gent"  # as BELFORT_PUBLIC_URL would
    with TestClient(create_app(linked)) as client:
        record_id = first_id(client, SENSORS)
        graph = graph_of(client.get(f"/id/{SENSORS}/{record_id}.ttl").content, "ttl")
    subjects: set[Any] = {str(s) for s in graph.subjects()}
    assert f"https://data.stad.gent/id/{SENSORS}/TP01" in subjects or \
        f"https://data.stad.gent/id/{SENSORS}/TP%2002%2Fb" in subjects
