"""The catalogue validates against the official DCAT-AP 3.0.1 SHACL shapes (pySHACL, no
inference, no vocabulary loaded beside the data): zero violations on the demo catalogue,
on the Ghent fixture and for staff (drafts and internal data included); only the known
gaps among the recommendations for a dataset with complete metadata; and the Flemish
DCAT-AP-VL 2.0 shapes pass too. A control shows the shapes do catch mistakes."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from belfort.demo.loader import load_demo
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import add_organisations, counts_csv
from tests.linked.conftest import turtle, validate

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
BASE = "http://testserver"

# What the DCAT-AP controlled-vocabulary shapes warn about, and why it stays:
# - dct:publisher: a city department is no EU corporate body (the shape asks for one);
# - dct:spatial: Ghent is named by its Flemish URI (DCAT-AP-VL), not an EU place or GeoNames.
EXPECTED_CORE_WARNINGS = {str(DCT.publisher), str(DCT.spatial)}

COMPLETE = {
    "title_nl": "Passantentellingen Korenmarkt",
    "title_en": "Pedestrian counts Korenmarkt",
    "description_nl": "Aantal voorbijgangers per uur aan drie telpunten in de binnenstad.",
    "description_en": "Passers-by per hour at three counting points in the city centre.",
    "organisation": "Stad Gent - Dienst Data en Informatie",
    "contact_point": {"name": "Dienst Data en Informatie", "email": "data@stad.gent"},
    "themes": ["TRAN", "Mobiliteit"],
    "keywords": ["tellingen", "drukte"],
    "licence": "CC0-1.0",
    "spatial": "Gent",
    "temporal": {"start": "2024-03-01", "end": "2024-03-01"},
    "frequency": "hourly",
}


@pytest.fixture
def demo(platform: Platform) -> Platform:
    for _ in load_demo(platform):
        pass
    return platform


def _all_pages(client: TestClient, headers: dict[str, str] | None = None) -> Graph:
    graph, page = Graph(), 1
    while True:
        r = client.get("/catalog", params={"page": page, "page_size": 5}, headers=headers or {})
        assert r.status_code == 200, r.text
        graph += turtle(r.content)
        if 'rel="next"' not in r.headers["link"]:
            return graph
        page += 1


def _dataset_ids(graph: Graph) -> set[str]:
    return {str(graph.value(d, DCT.identifier)) for d in graph.subjects(RDF.type, DCAT.Dataset)}


def test_demo_catalogue_has_zero_violations(demo: Platform, dcat_client: TestClient, core_shapes: Graph,
                                            admin_headers: dict[str, str]) -> None:
    public = turtle(dcat_client.get("/catalog").content)
    report = validate(public, core_shapes)
    assert report.violations == []
    assert set(report.warning_paths()) <= EXPECTED_CORE_WARNINGS
    assert report.focus_nodes >= 80
    ids = _dataset_ids(public)
    assert "meldingen-openbaar-domein-intern" not in ids  # internal
    assert "luchtkwaliteit-sensoren-demo" not in ids  # draft
    assert "verwerkingsregister-stad-gent" in ids  # the processing register, as a dataset
    assert "gent-in-cijfers" in ids  # the indicators' protected values, as a dataset
    assert len(ids) == 8

    staff = turtle(dcat_client.get("/catalog", headers=admin_headers).content)
    report = validate(staff, core_shapes)
    assert report.violations == []
    assert _dataset_ids(staff) == ids | {"meldingen-openbaar-domein-intern", "luchtkwaliteit-sensoren-demo"}

    for dataset_id in sorted(ids):
        graph = turtle(dcat_client.get(f"/catalog/datasets/{dataset_id}").content)
        assert validate(graph, core_shapes).violations == [], dataset_id

    # paged, the union of the pages is the whole catalogue and still conforms
    paged = _all_pages(dcat_client)
    assert _dataset_ids(paged) == ids
    assert validate(paged, core_shapes).violations == []


def test_demo_distributions_and_services(demo: Platform, dcat_client: TestClient) -> None:
    graph = turtle(dcat_client.get("/catalog").content)
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        formats = {str(d).rsplit("-", 1)[1] for d in graph.objects(dataset, DCAT.distribution)}
        has_geometry = str(dataset).endswith(("stadswijken-gent-demo", "telpunten-drukte-gent",
                                             "passantentellers-auckland"))
        expected = {"csv", "json", "jsonl", "parquet", "xlsx"} | ({"geojson"} if has_geometry else set())
        assert formats == expected, dataset
    # every download link works, as the catalogue's reader would follow it (two rows
    # each: whole XLSX files would take a minute)
    downloads = sorted({str(u) for u in graph.objects(None, DCAT.downloadURL)})
    assert len(downloads) >= 30
    for url in downloads:
        assert url.startswith(BASE)
        r = dcat_client.get(url[len(BASE):], params={"limit": 2})
        assert r.status_code == 200, (url, r.text[:200])
        assert r.content
    # every service serves exactly the datasets of the page
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    services = set(graph.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 3
    for service in services:
        assert set(graph.objects(service, DCAT.servesDataset)) == datasets


def test_ghent_fixture_has_zero_violations(ghent: Platform, dcat_client: TestClient, core_shapes: Graph) -> None:
    graph = turtle(dcat_client.get("/catalog").content)
    report = validate(graph, core_shapes)
    assert report.violations == []
    assert set(report.warning_paths()) <= EXPECTED_CORE_WARNINGS
    ids = _dataset_ids(graph)
    assert "intern-register" not in ids
    assert {"druktebarometer-info", "fietstelpalen-gent", "bezetting-parkeergarages-real-time"} <= ids
    # the Ghent datasets carry only a title: DCAT-AP's mandatory description is generated
    drukte = URIRef(f"{BASE}/catalog/datasets/druktebarometer-info")
    descriptions = {str(d) for d in graph.objects(drukte, DCT.description)}
    assert any("status_druktemeter" in d for d in descriptions)


def test_complete_metadata_meets_the_recommendations(platform: Platform, tmp_path: Path, dcat_client: TestClient,
                                                     core_shapes: Graph, recommended_shapes: Graph) -> None:
    add_organisations(platform, str(COMPLETE["organisation"]))
    ingest_file(platform, CLI_ADMIN, "passanten-korenmarkt", counts_csv(tmp_path), metadata=COMPLETE)
    for path in ("/catalog", "/catalog/datasets/passanten-korenmarkt"):
        graph = turtle(dcat_client.get(path).content)
        assert validate(graph, core_shapes).violations == []
        report = validate(graph, recommended_shapes)
        assert report.violations == []
        # the one recommendation not met: JSON Lines is in neither the EU file-type list
        # nor the IANA registry, so its distribution has no dct:format
        assert report.warnings == [(
            f"{BASE}/catalog/datasets/passanten-korenmarkt#distribution-jsonl", str(DCT["format"]),
            f"Less than 1 values on <{BASE}/catalog/datasets/passanten-korenmarkt#distribution-jsonl>->dct:format",
        )], report.warnings


def test_flemish_profile_has_zero_violations(demo: Platform, dcat_client: TestClient, flemish_shapes: Graph) -> None:
    graph = turtle(dcat_client.get("/catalog").content)
    report = validate(graph, flemish_shapes)
    assert report.violations == []
    assert report.focus_nodes > 50
    # warnings: themes from the EU list (DCAT-AP's) rather than the Belgian one, and API
    # standards outside the Flemish data-service-protocol list
    assert set(report.warning_paths()) <= {str(DCAT.theme), str(DCT.conformsTo)}


def test_the_shapes_catch_mistakes(platform: Platform, tmp_path: Path, dcat_client: TestClient,
                                   core_shapes: Graph) -> None:
    """A control: the same graph with a mandatory property removed, a cardinality broken
    and a concept outside its vocabulary does not conform."""
    add_organisations(platform, str(COMPLETE["organisation"]))
    ingest_file(platform, CLI_ADMIN, "passanten-korenmarkt", counts_csv(tmp_path), metadata=COMPLETE)
    graph = turtle(dcat_client.get("/catalog").content)
    dataset = URIRef(f"{BASE}/catalog/datasets/passanten-korenmarkt")
    graph.remove((dataset, DCT.description, None))
    graph.add((dataset, DCT.accessRights, URIRef("http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC")))
    frequency = URIRef("http://publications.europa.eu/resource/authority/frequency/HOURLY")
    graph.set((frequency, SKOS.inScheme, URIRef("http://example.org/my-frequencies")))
    graph.add((URIRef("http://example.org/my-frequencies"), DCT.title, Literal("mine")))
    paths = {path for _, path, _ in validate(graph, core_shapes).violations}
    assert paths == {str(DCT.description), str(DCT.accessRights), str(DCT.accrualPeriodicity)}
