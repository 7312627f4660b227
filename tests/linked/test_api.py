"""``/catalog`` over HTTP: content negotiation and extensions, paging, the gate, base URLs,
dereferenceable URIs, and JSON-LD / RDF/XML that parse back to the Turtle's graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.compare import isomorphic

from belfort.api import dcat
from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.conftest import REPO_ROOT
from tests.helpers import add_organisations, counts_csv
from tests.linked.conftest import turtle

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
MDCAT = Namespace("https://data.vlaanderen.be/ns/metadata-dcat#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
BASE = "http://testserver"
PARSERS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}
CONTENT_TYPES = {"ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json",
                 "rdf": "application/rdf+xml", "nt": "application/n-triples"}


@pytest.fixture
def hidden(platform: Platform, tmp_path: Path) -> Platform:
    """An open dataset, an internal and a confidential one, and a draft (as the gate tests)."""
    csv = counts_csv(tmp_path)
    add_organisations(platform, "Stad Gent - Dienst Data en Informatie", "Geheime Dienst")
    ingest_file(platform, CLI_ADMIN, "open-data", csv, metadata={
        "title_nl": "Open", "organisation": "Stad Gent - Dienst Data en Informatie", "licence": "CC0-1.0"})
    ingest_file(platform, CLI_ADMIN, "intern", csv, metadata={
        "title_nl": "Intern", "organisation": "Geheime Dienst", "classification": "internal",
        "restriction_reason": "privacy", "classification_reason": "bevat namen"})
    ingest_file(platform, CLI_ADMIN, "vertrouwelijk", csv, metadata={
        "title_nl": "Vertrouwelijk", "classification": "confidential", "restriction_reason": "privacy",
                                                                       "classification_reason": "GDPR"})
    ingest_file(platform, CLI_ADMIN, "ontwerp", csv, metadata={"title_nl": "Ontwerp"}, draft=True)
    return platform


def _ids(graph: Graph) -> set[str]:
    return {str(graph.value(d, DCT.identifier)) for d in graph.subjects(RDF.type, DCAT.Dataset)}


def test_negotiation_by_accept(hidden: Platform, dcat_client: TestClient) -> None:
    for path in ("/catalog", "/catalog/datasets/open-data"):
        graphs = {}
        for accept, fmt in [("text/turtle", "ttl"), ("application/ld+json", "jsonld"),
                            ("application/rdf+xml", "rdf"), ("application/n-triples", "nt"),
                            ("application/json", "jsonld"), ("*/*", "ttl")]:
            r = dcat_client.get(path, headers={"Accept": accept})
            assert r.status_code == 200, r.text
            assert r.headers["content-type"] == CONTENT_TYPES[fmt]
            assert r.headers["vary"] == "Accept"
            assert r.headers["content-location"] == f"{path}.{fmt}"
            graphs[accept] = Graph().parse(data=r.content, format=PARSERS[fmt])
        reference = graphs["text/turtle"]
        assert len(reference) > 50
        for accept, graph in graphs.items():
            assert isomorphic(graph, reference), accept

        browser = dcat_client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
                                  follow_redirects=False)
        assert browser.status_code == 303
        assert browser.headers["location"] == ("/datasets" if path == "/catalog" else "/datasets/open-data")

        refused = dcat_client.get(path, headers={"Accept": "image/png"})
        assert refused.status_code == 406
        assert "text/turtle" in refused.json()["media_types"]


def test_negotiation_by_extension(hidden: Platform, dcat_client: TestClient) -> None:
    for path in ("/catalog", "/catalog/datasets/open-data", "/catalog/services/explore-v2.1",
                 "/catalog/organisations/stad-gent-dienst-data-en-informatie"):
        reference = turtle(dcat_client.get(path, headers={"Accept": "text/turtle"}).content)
        for fmt in ("ttl", "jsonld", "rdf", "nt"):
            # the extension wins over Accept
            r = dcat_client.get(f"{path}.{fmt}", headers={"Accept": "text/html"})
            assert r.status_code == 200, (path, fmt, r.text)
            assert r.headers["content-type"] == CONTENT_TYPES[fmt]
            assert "vary" not in r.headers
            assert isomorphic(Graph().parse(data=r.content, format=PARSERS[fmt]), reference), (path, fmt)
    assert dcat_client.get("/catalog.pdf").status_code == 404
    assert dcat_client.get("/catalog/datasets/open-data.pdf").status_code == 404


def test_jsonld_is_compacted_and_app_friendly(hidden: Platform, dcat_client: TestClient) -> None:
    body = dcat_client.get("/catalog/datasets/open-data.jsonld").json()
    assert body["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    dataset = next(n for n in body["@graph"] if n["@id"] == f"{BASE}/catalog/datasets/open-data")
    # also an event stream (docs/linked-data.md, "Linked Data Event Streams")
    assert dataset["@type"] == ["dcat:Dataset", "https://w3id.org/ldes#EventStream"]
    assert dataset["title"] == {"nl": "Open"}
    assert dataset["identifier"] == "open-data"
    assert dataset["accessRights"] == "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
    assert f"{BASE}/catalog/datasets/open-data#distribution-csv" in dataset["distribution"]
    csv = next(n for n in body["@graph"] if n["@id"].endswith("#distribution-csv"))
    assert csv["downloadURL"] == f"{BASE}/api/explore/v2.1/catalog/datasets/open-data/exports/csv"
    assert csv["mediaType"] == "https://www.iana.org/assignments/media-types/text/csv"
    assert csv["format"] == "http://publications.europa.eu/resource/authority/file-type/CSV"
    assert csv["license"] == "https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0"


def test_the_gate(hidden: Platform, dcat_client: TestClient, admin_headers: dict[str, str]) -> None:
    anonymous = dcat_client.get("/catalog")
    assert _ids(turtle(anonymous.content)) == {"open-data"}
    for word in ("intern", "vertrouwelijk", "ontwerp", "Geheime", "bevat namen"):
        assert word not in anonymous.text
    for dataset_id in ("intern", "vertrouwelijk", "ontwerp", "bestaat-niet"):
        for suffix in ("", ".ttl", ".jsonld", ".rdf"):
            r = dcat_client.get(f"/catalog/datasets/{dataset_id}{suffix}")
            assert r.status_code == 404, (dataset_id, suffix)
            assert r.json()["error"] == "not_found"
            assert "internal" not in r.text and "bevat namen" not in r.text
    # a publisher of internal data only is unknown to the public
    assert dcat_client.get("/catalog/organisations/geheime-dienst").status_code == 404

    staff = turtle(dcat_client.get("/catalog", headers=admin_headers).content)
    assert _ids(staff) == {"open-data", "intern", "vertrouwelijk", "ontwerp"}
    for dataset_id in ("intern", "vertrouwelijk", "ontwerp"):
        assert dcat_client.get(f"/catalog/datasets/{dataset_id}", headers=admin_headers).status_code == 200
    assert dcat_client.get("/catalog/organisations/geheime-dienst", headers=admin_headers).status_code == 200

    eu = "http://publications.europa.eu/resource/authority/"
    intern = URIRef(f"{BASE}/catalog/datasets/intern")
    assert staff.value(intern, DCT.accessRights) == URIRef(eu + "access-right/NON_PUBLIC")
    assert staff.value(intern, MDCAT.statuut) is None  # not Flemish open data
    draft = URIRef(f"{BASE}/catalog/datasets/ontwerp#distribution-csv")
    assert staff.value(draft, ADMS.status) == URIRef(eu + "distribution-status/DEVELOP")
    open_data = URIRef(f"{BASE}/catalog/datasets/open-data")
    assert staff.value(open_data, MDCAT.statuut) is not None


def test_paging(platform: Platform, tmp_path: Path, dcat_client: TestClient) -> None:
    csv = counts_csv(tmp_path)
    ids = [f"dataset-{i:02d}" for i in range(7)]
    for dataset_id in ids:
        ingest_file(platform, CLI_ADMIN, dataset_id, csv, metadata={"title_nl": dataset_id})
    seen: list[str] = []
    for page in (1, 2, 3):
        r = dcat_client.get("/catalog", params={"page": page, "page_size": 3})
        assert r.status_code == 200
        graph = turtle(r.content)
        seen += sorted(_ids(graph))
        catalog = URIRef(f"{BASE}/catalog")
        view = URIRef(f"{BASE}/catalog?page={page}&page_size=3")
        assert graph.value(catalog, HYDRA.view) == view
        assert graph.value(catalog, HYDRA.totalItems).toPython() == 7
        assert (view, RDF.type, HYDRA.PartialCollectionView) in graph
        assert graph.value(view, HYDRA.first) == URIRef(f"{BASE}/catalog?page=1&page_size=3")
        assert graph.value(view, HYDRA.last) == URIRef(f"{BASE}/catalog?page=3&page_size=3")
        assert graph.value(view, HYDRA.previous) == (
            URIRef(f"{BASE}/catalog?page={page - 1}&page_size=3") if page > 1 else None)
        assert graph.value(view, HYDRA.next) == (
            URIRef(f"{BASE}/catalog?page={page + 1}&page_size=3") if page < 3 else None)
        links = r.headers["link"]
        assert '</catalog?page=1&page_size=3>; rel="first"' in links
        assert ('rel="next"' in links) == (page < 3)
        assert ('rel="prev"' in links) == (page > 1)
        # every service on a page serves that page's datasets
        for service in graph.subjects(RDF.type, DCAT.DataService):
            assert {str(d).rsplit("/", 1)[1] for d in graph.objects(service, DCAT.servesDataset)} == _ids(graph)
    assert seen == ids  # identifier order, nothing twice, nothing skipped
    # extensions keep their format in the paging links
    links = dcat_client.get("/catalog.jsonld", params={"page_size": 3}).headers["link"]
    assert '</catalog.jsonld?page=2&page_size=3>; rel="next"' in links
    assert dcat_client.get("/catalog", params={"page": 4, "page_size": 3}).status_code == 404
    assert dcat_client.get("/catalog", params={"page": 0}).status_code == 400
    assert dcat_client.get("/catalog", params={"page_size": 10_001}).status_code == 400
    default = turtle(dcat_client.get("/catalog").content)
    assert _ids(default) == set(ids)
    assert default.value(URIRef(f"{BASE}/catalog"), HYDRA.view) == URIRef(f"{BASE}/catalog?page=1")


def test_an_empty_catalogue_is_one_empty_page(dcat_client: TestClient) -> None:
    graph = turtle(dcat_client.get("/catalog").content)
    assert _ids(graph) == set()
    assert graph.value(URIRef(f"{BASE}/catalog"), HYDRA.totalItems).toPython() == 0


def test_subjects_follow_the_public_url_not_the_host(hidden: Platform, platform: Platform) -> None:
    """Behind a proxy Belfort names its resources by BELFORT_PUBLIC_URL, whatever Host the
    request names (issue 11: a header must not change a URI)."""
    platform.settings.public_url = "https://data.stad.gent"
    with TestClient(dcat.ensure_included(create_app(platform)), base_url="https://other.example") as client:
        graph = turtle(client.get("/catalog").content)
    dataset = URIRef("https://data.stad.gent/catalog/datasets/open-data")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert not any(str(s).startswith((BASE, "https://other.example")) for s in graph.subjects())


def test_every_minted_uri_dereferences(hidden: Platform, dcat_client: TestClient) -> None:
    graph = turtle(dcat_client.get("/catalog").content)
    endpoints = {str(o) for o in graph.objects(None, DCAT.endpointURL)}
    downloads = {str(o) for o in graph.objects(None, DCAT.downloadURL)} | {
        str(o) for o in graph.objects(None, DCAT.accessURL)}
    uris = {str(t) for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(BASE)}
    checked = 0
    for uri in sorted(uris - endpoints - downloads):
        path = uri[len(BASE):].split("#")[0] or "/"
        r = dcat_client.get(path, headers={"Accept": "text/turtle"})
        assert r.status_code == 200, (uri, r.status_code)
        checked += 1
    assert checked >= 10
    for uri in downloads:
        assert dcat_client.get(uri[len(BASE):], params={"limit": 1}).status_code == 200, uri


def test_services_and_organisations(hidden: Platform, dcat_client: TestClient) -> None:
    graph = turtle(dcat_client.get("/catalog/services/explore-v2.1").content)
    service = URIRef(f"{BASE}/catalog/services/explore-v2.1")
    assert (service, RDF.type, DCAT.DataService) in graph
    assert graph.value(service, DCAT.endpointURL) == URIRef(f"{BASE}/api/explore/v2.1/")
    assert graph.value(service, DCAT.endpointDescription) == URIRef(f"{BASE}/openapi.json")
    assert dcat_client.get("/catalog/services/explore-v2.1.jsonld").headers["content-type"] == "application/ld+json"
    assert dcat_client.get("/catalog/services/soap").status_code == 404
    # the catalogue's own publisher is always known, whoever publishes the datasets
    for slug in ("stad-gent", "stad-gent-dienst-data-en-informatie"):
        r = dcat_client.get(f"/catalog/organisations/{slug}.ttl")
        assert r.status_code == 200
        agent = URIRef(f"{BASE}/catalog/organisations/{slug}")
        assert (agent, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Agent")) in turtle(r.content)
    # the OpenAPI description names the DCAT endpoints
    app = dcat.ensure_included(create_app(platform=None))
    paths = app.openapi()["paths"]
    for path in ("/catalog", "/catalog.{extension}", "/catalog/datasets/{dataset_id}",
                 "/catalog/datasets/{dataset_id}.{extension}"):
        operation = paths[path]["get"]
        assert operation["tags"] == ["linked data"]
        assert operation["summary"] and operation["description"]


def test_dataset_document(hidden: Platform, dcat_client: TestClient) -> None:
    graph = turtle(dcat_client.get("/catalog/datasets/open-data").content)
    dataset = URIRef(f"{BASE}/catalog/datasets/open-data")
    assert (URIRef(f"{BASE}/catalog"), DCAT.dataset, dataset) in graph
    assert len(list(graph.objects(dataset, DCAT.distribution))) == 5  # no geometry: no GeoJSON
    for service in graph.subjects(RDF.type, DCAT.DataService):
        assert list(graph.objects(service, DCAT.servesDataset)) == [dataset]
    body = json.loads(dcat_client.get("/catalog/datasets/open-data.jsonld").content)
    assert Graph().parse(data=json.dumps(body), format="json-ld").isomorphic(graph)


def test_every_route_is_documented() -> None:
    """tests/test_docs.py checks this once app.py includes the router; until then, here."""
    text = (REPO_ROOT / "docs" / "linked-data.md").read_text()
    paths = dcat.ensure_included(create_app(platform=None)).openapi()["paths"]
    routes = [(m.upper(), p) for p, ops in paths.items() if p.startswith("/catalog") for m in ops]
    assert len(routes) == 8
    for method, path in routes:
        assert f"`{method} {path}`" in text, f"{method} {path} missing in docs/linked-data.md"


def test_conditional_requests(hidden: Platform, platform: Platform, tmp_path: Path, dcat_client: TestClient,
                              admin_headers: dict[str, str]) -> None:
    """Harvesters revalidate with If-None-Match; a catalogue write the caller can see changes
    the ETag."""
    for path in ("/catalog", "/catalog.jsonld", "/catalog/datasets/open-data"):
        first = dcat_client.get(path)
        etag = first.headers["etag"]
        assert first.headers["cache-control"] == "no-cache"
        again = dcat_client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        staff = dcat_client.get(path, headers={**admin_headers, "If-None-Match": etag})
        assert staff.status_code == 200 and staff.headers["etag"] != etag
        assert staff.headers["cache-control"] == "private, no-store"
        other_format = dcat_client.get(path, headers={"Accept": "application/rdf+xml", "If-None-Match": etag})
        assert other_format.status_code == (304 if path.endswith(".jsonld") else 200)  # the extension wins
    etag = dcat_client.get("/catalog").headers["etag"]
    ingest_file(platform, CLI_ADMIN, "nieuw", counts_csv(tmp_path), metadata={"title_nl": "Nieuw"})
    fresh = dcat_client.get("/catalog", headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and "nieuw" in _ids(turtle(fresh.content))


def test_public_etags_ignore_writes_the_public_cannot_see(
    hidden: Platform, platform: Platform, tmp_path: Path, dcat_client: TestClient
) -> None:
    """Issue 11, item 10: editing an internal dataset (its metadata, a new version) must not
    change the anonymous ETags of the catalogue or of an open dataset's description — that
    would tell the public when restricted data changes. A change it can see still does."""
    from belfort.publishing import update_dataset_metadata

    paths = ("/catalog", "/catalog.jsonld", "/catalog.ttl?page_size=1", "/catalog/datasets/open-data",
             "/catalog/datasets/open-data.nt", "/catalog/organisations/stad-gent-dienst-data-en-informatie")
    before = {path: dcat_client.get(path) for path in paths}
    update_dataset_metadata(platform, CLI_ADMIN, "intern", {"title_nl": "Intern, herzien"})
    ingest_file(platform, CLI_ADMIN, "vertrouwelijk", counts_csv(tmp_path, "v2.csv"))
    for path, first in before.items():
        etag = first.headers.get("etag")
        assert etag, (path, first.status_code)
        again = dcat_client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, (path, again.status_code)
        assert again.headers["etag"] == etag
    update_dataset_metadata(platform, CLI_ADMIN, "open-data", {"title_nl": "Open, herzien"})
    for path in ("/catalog", "/catalog/datasets/open-data"):
        changed = dcat_client.get(path, headers={"If-None-Match": before[path].headers["etag"]})
        assert changed.status_code == 200 and changed.headers["etag"] != before[path].headers["etag"]


def test_public_catalogue_answers_ignore_writes_the_public_cannot_see(
    hidden: Platform, platform: Platform, tmp_path: Path, dcat_client: TestClient
) -> None:
    """The siblings of the ETags: catalogue listings, totals and facet counts the public
    gets are the same bytes before and after an internal dataset is edited."""
    from belfort.publishing import update_dataset_metadata

    paths = ("/api/explore/v2.1/catalog/datasets", "/api/explore/v2.1/catalog/facets",
             "/api/datasets/1.0/search/", "/api/belfort/v1/datasets",
             "/api/explore/v2.1/catalog/exports/csv", "/ldes/open-data")
    before = {path: dcat_client.get(path) for path in paths}
    update_dataset_metadata(platform, CLI_ADMIN, "intern", {"title_nl": "Intern, herzien",
                                                            "keywords": ["geheim"]})
    ingest_file(platform, CLI_ADMIN, "vertrouwelijk", counts_csv(tmp_path, "v2.csv"))
    for path, first in before.items():
        assert first.status_code == 200, path
        again = dcat_client.get(path)
        assert again.content == first.content, path
        assert again.headers.get("etag") == first.headers.get("etag"), path
