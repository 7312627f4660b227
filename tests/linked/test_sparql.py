"""``/sparql`` over HTTP: the SPARQL 1.1 Protocol (GET, POST form, POST body), every
result format parsed back, CONSTRUCT/DESCRIBE negotiation, Ghent's paging and
``group_concat`` patterns, named graphs, and the gate (what anonymous callers see)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from belfort.app import create_app
from belfort.linked.store import catalog_graph, restricted_graph
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import add_organisations, counts_csv

BASE = "http://testserver"
PREFIXES = ("PREFIX dcat: <http://www.w3.org/ns/dcat#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
            "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n")
DATASETS = f"{PREFIXES}SELECT ?id WHERE {{ ?d a dcat:Dataset ; dct:identifier ?id }} ORDER BY ?id"
SRX = "{http://www.w3.org/2005/sparql-results#}"


@pytest.fixture
def catalogue(platform: Platform, tmp_path: Path) -> Platform:
    """Three open datasets, an internal one, a confidential one and a draft."""
    csv_file = counts_csv(tmp_path)
    add_organisations(platform, "Stad Gent - Dienst Mobiliteit")
    for i, (name, theme) in enumerate((("fietstellingen", "Mobiliteit"), ("parkeren", "Mobiliteit"),
                                       ("luchtkwaliteit", "Milieu"))):
        ingest_file(platform, CLI_ADMIN, name, csv_file, metadata={
            "title_nl": f"Titel {name}", "title_en": f"Title {name}", "themes": [theme],
            "keywords": ["gent", f"kw{i}"], "organisation": "Stad Gent - Dienst Mobiliteit" if i < 2 else "Stad Gent",
            "licence": "CC0-1.0"})
    ingest_file(platform, CLI_ADMIN, "intern", csv_file, metadata={
        "title_nl": "Intern geheim", "classification": "internal", "restriction_reason": "privacy",
                                                                   "classification_reason": "bevat namen"})
    ingest_file(platform, CLI_ADMIN, "vertrouwelijk", csv_file, metadata={
        "title_nl": "Vertrouwelijk", "classification": "confidential", "restriction_reason": "privacy",
                                                                       "classification_reason": "GDPR"})
    ingest_file(platform, CLI_ADMIN, "ontwerp", csv_file, metadata={"title_nl": "Ontwerp"}, draft=True)
    return platform


@pytest.fixture
def sparql(catalogue: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(catalogue)) as client:
        yield client


def ids(response: object) -> list[str]:
    body = response.json()  # type: ignore[attr-defined]
    return [b["id"]["value"] for b in body["results"]["bindings"]]


OPEN = ["fietstellingen", "luchtkwaliteit", "parkeren"]
ALL = ["fietstellingen", "intern", "luchtkwaliteit", "ontwerp", "parkeren", "vertrouwelijk"]


# ── protocol ──────────────────────────────────────────────────────────────────────────


def test_get_post_form_and_post_body_answer_the_same(sparql: TestClient) -> None:
    get = sparql.get("/sparql", params={"query": DATASETS})
    form = sparql.post("/sparql", data={"query": DATASETS})
    body = sparql.post("/sparql", content=DATASETS.encode(), headers={"Content-Type": "application/sparql-query"})
    for r in (get, form, body):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/sparql-results+json"
        assert r.headers["access-control-allow-origin"] == "*"
        assert ids(r) == OPEN


def test_json_results_shape(sparql: TestClient) -> None:
    query = f"{PREFIXES}SELECT ?d ?title WHERE {{ ?d dct:identifier 'parkeren' ; dct:title ?title }} ORDER BY ?title"
    body = sparql.get("/sparql", params={"query": query}).json()
    assert body["head"] == {"vars": ["d", "title"]}
    first = body["results"]["bindings"][0]
    assert first["d"] == {"type": "uri", "value": f"{BASE}/catalog/datasets/parkeren"}
    titles = {(b["title"]["value"], b["title"]["xml:lang"]) for b in body["results"]["bindings"]}
    assert titles == {("Titel parkeren", "nl"), ("Title parkeren", "en")}


@pytest.mark.parametrize(("accept", "fmt"), [
    ("application/sparql-results+xml", None), ("text/csv", None), ("text/tab-separated-values", None),
    (None, "xml"), (None, "csv"), (None, "tsv"), ("text/html, application/sparql-results+xml;q=0.9", None)])
def test_xml_csv_tsv_results(sparql: TestClient, accept: str | None, fmt: str | None) -> None:
    query = f"{PREFIXES}SELECT ?id ?d (COUNT(?dist) AS ?n) WHERE {{ ?d dct:identifier ?id ; dcat:distribution ?dist }}" \
            " GROUP BY ?id ?d ORDER BY ?id"
    r = sparql.get("/sparql", params={"query": query, **({"format": fmt} if fmt else {})},
                   headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.text
    kind = fmt or {"application/sparql-results+xml": "xml", "text/csv": "csv",
                   "text/tab-separated-values": "tsv"}.get(accept or "", "xml")
    if kind == "xml":
        assert r.headers["content-type"] == "application/sparql-results+xml"
        root = ET.fromstring(r.content)
        assert [v.get("name") for v in root.iter(f"{SRX}variable")] == ["id", "d", "n"]
        rows = [{b.get("name"): b[0] for b in result} for result in root.iter(f"{SRX}result")]
        assert [row["id"].text for row in rows] == OPEN
        assert rows[0]["d"].tag == f"{SRX}uri"
        assert rows[0]["n"].get("datatype") == "http://www.w3.org/2001/XMLSchema#integer"
        assert int(rows[0]["n"].text or 0) >= 5
    elif kind == "csv":
        assert r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [row["id"] for row in rows] == OPEN
        assert rows[0]["d"] == f"{BASE}/catalog/datasets/fietstellingen"
        assert int(rows[0]["n"]) >= 5
    else:
        assert r.headers["content-type"].startswith("text/tab-separated-values")
        lines = r.text.rstrip("\n").split("\n")
        assert lines[0].split("\t") == ["?id", "?d", "?n"]
        first = lines[1].split("\t")
        assert first[0] == '"fietstellingen"'
        assert first[1] == f"<{BASE}/catalog/datasets/fietstellingen>"
        # every TSV term is an RDF term pyoxigraph can read back
        assert ox.parse(f"<x:s> <x:p> {first[2]} .".encode(), format=ox.RdfFormat.N_TRIPLES)


def test_ask(sparql: TestClient) -> None:
    yes = sparql.get("/sparql", params={"query": f"{PREFIXES}ASK {{ ?d dct:identifier 'parkeren' }}"})
    no = sparql.get("/sparql", params={"query": f"{PREFIXES}ASK {{ ?d dct:identifier 'intern' }}"})
    assert yes.json() == {"head": {}, "boolean": True}
    assert no.json()["boolean"] is False
    xml = sparql.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+xml"})
    assert ET.fromstring(xml.content).find(f"{SRX}boolean").text == "true"  # type: ignore[union-attr]


CONSTRUCT = f"{PREFIXES}CONSTRUCT {{ ?d dct:title ?t ; dcat:distribution ?x }} WHERE {{ ?d dct:identifier 'parkeren' ; " \
            "dct:title ?t ; dcat:distribution ?x }"


@pytest.mark.parametrize(("accept", "parser", "content_type"), [
    (None, "turtle", "text/turtle; charset=utf-8"), ("text/turtle", "turtle", "text/turtle; charset=utf-8"),
    ("application/ld+json", "json-ld", "application/ld+json"),
    ("application/rdf+xml", "xml", "application/rdf+xml"),
    ("application/n-triples", "nt", "application/n-triples")])
def test_construct_negotiation(sparql: TestClient, accept: str | None, parser: str, content_type: str) -> None:
    r = sparql.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == content_type
    graph = Graph().parse(data=r.content, format=parser)
    d = URIRef(f"{BASE}/catalog/datasets/parkeren")
    assert len(set(graph.objects(d, URIRef("http://purl.org/dc/terms/title")))) == 2
    assert len(set(graph.objects(d, URIRef("http://www.w3.org/ns/dcat#distribution")))) >= 5
    if parser == "json-ld":  # compacted, with the context
        body = json.loads(r.content)
        assert "@context" in body and "@graph" in body
        node = next(n for n in body["@graph"] if n["@id"].endswith("parkeren"))
        assert node["title"] == {"nl": "Titel parkeren", "en": "Title parkeren"}


def test_describe(sparql: TestClient) -> None:
    r = sparql.get("/sparql", params={"query": f"DESCRIBE <{BASE}/catalog/datasets/luchtkwaliteit>", "format": "jsonld"})
    assert r.status_code == 200, r.text
    graph = Graph().parse(data=r.content, format="json-ld")
    assert (URIRef(f"{BASE}/catalog/datasets/luchtkwaliteit"), None, None) in graph


def test_count_then_pages_of_limit_offset(sparql: TestClient) -> None:
    """Ghent's register site: COUNT first, then LIMIT … OFFSET n until every row came."""
    where = "WHERE { ?d a dcat:Distribution ; dct:identifier ?id }"
    count = sparql.get("/sparql", params={"query": f"{PREFIXES}SELECT (COUNT(?d) AS ?n) {where}"}).json()
    total = int(count["results"]["bindings"][0]["n"]["value"])
    assert count["results"]["bindings"][0]["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"
    seen: list[str] = []
    for offset in range(0, total, 4):
        page = sparql.get("/sparql", params={
            "query": f"{PREFIXES}SELECT ?id {where} ORDER BY ?id LIMIT 4 OFFSET {offset}"}).json()
        seen += [b["id"]["value"] for b in page["results"]["bindings"]]
    assert len(seen) == total == len(set(seen)) >= 15


def test_group_concat(sparql: TestClient) -> None:
    query = f"""{PREFIXES}SELECT ?id (GROUP_CONCAT(DISTINCT ?kw; separator=",") AS ?keywords)
WHERE {{ ?d dct:identifier ?id ; dcat:keyword ?kw }} GROUP BY ?id ORDER BY ?id"""
    rows = sparql.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    keywords = {r["id"]["value"]: set(r["keywords"]["value"].split(",")) for r in rows}
    assert keywords["parkeren"] >= {"gent", "kw1"}
    assert "intern" not in keywords


def test_graph_and_from(sparql: TestClient) -> None:
    open_graph = catalog_graph(BASE)
    in_graph = f"{PREFIXES}SELECT ?id WHERE {{ GRAPH <{open_graph}> {{ ?d a dcat:Dataset ; dct:identifier ?id }} }}" \
               " ORDER BY ?id"
    assert ids(sparql.get("/sparql", params={"query": in_graph})) == OPEN
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    seen = {b["g"]["value"] for b in sparql.get("/sparql", params={"query": graphs}).json()["results"]["bindings"]}
    assert open_graph in seen and restricted_graph(BASE) not in seen
    from_query = DATASETS.replace("WHERE", f"FROM <{open_graph}> WHERE")
    assert ids(sparql.get("/sparql", params={"query": from_query})) == OPEN
    prefixed = ("PREFIX g: <http://testserver/graphs/>\n" + DATASETS).replace("WHERE", "FROM g:catalog WHERE")
    assert ids(sparql.get("/sparql", params={"query": prefixed})) == OPEN
    # the protocol's default-graph-uri / named-graph-uri
    assert ids(sparql.get("/sparql", params={"query": DATASETS, "default-graph-uri": open_graph})) == OPEN
    assert ids(sparql.get("/sparql", params={"query": DATASETS, "default-graph-uri": "http://example.org/none"})) == []
    named = sparql.post("/sparql", data={"query": in_graph, "named-graph-uri": open_graph})
    assert ids(named) == OPEN


# ── the gate ──────────────────────────────────────────────────────────────────────────

RESTRICTED_TEXT = ("intern", "vertrouwelijk", "ontwerp", "Intern geheim", "Vertrouwelijk", "catalog-restricted")


@pytest.mark.parametrize("query", [
    DATASETS,
    "SELECT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
    f"SELECT * FROM <{BASE}/graphs/catalog-restricted> WHERE {{ ?s ?p ?o }}",
    f"SELECT * FROM NAMED <{BASE}/graphs/catalog-restricted> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ GRAPH <{BASE}/graphs/catalog-restricted> {{ ?s ?p ?o }} }}",
    f"DESCRIBE <{BASE}/catalog/datasets/intern>",
])
def test_anonymous_never_sees_restricted_datasets(sparql: TestClient, query: str) -> None:
    for params in ({"query": query}, {"query": query, "default-graph-uri": restricted_graph(BASE)},
                   {"query": query, "named-graph-uri": restricted_graph(BASE)}):
        r = sparql.get("/sparql", params=params, headers={"Accept": "text/csv, text/turtle"})
        assert r.status_code == 200, r.text
        for text in RESTRICTED_TEXT:
            assert text not in r.text, (query, params, text)


def test_admin_sees_everything(sparql: TestClient, admin_headers: dict[str, str]) -> None:
    assert ids(sparql.get("/sparql", params={"query": DATASETS}, headers=admin_headers)) == ALL
    in_restricted = f"{PREFIXES}SELECT ?id WHERE {{ GRAPH <{restricted_graph(BASE)}> {{ ?d a dcat:Dataset ; " \
                    "dct:identifier ?id } } ORDER BY ?id"
    r = sparql.get("/sparql", params={"query": in_restricted}, headers=admin_headers)
    assert ids(r) == ["intern", "ontwerp", "vertrouwelijk"]
    assert r.headers["cache-control"] == "private, no-store"


# ── the HTML page and CORS ────────────────────────────────────────────────────────────


def test_browser_gets_a_form(sparql: TestClient) -> None:
    for lang, label in (("nl", "Je SPARQL-query"), ("en", "Your SPARQL query")):
        r = sparql.get("/sparql", params={"lang": lang}, headers={"Accept": "text/html,*/*;q=0.8"})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/html")
        assert f'<label for="sparql-query">{label}</label>' in r.text
        assert catalog_graph(BASE) in r.text and "catalog-restricted" not in r.text
    machine = sparql.get("/sparql", headers={"Accept": "application/sparql-results+json"})
    assert machine.status_code == 400 and machine.json()["error"] == "missing_query"


def test_preflight(sparql: TestClient) -> None:
    r = sparql.options("/sparql", headers={"Origin": "https://widgets.example", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
