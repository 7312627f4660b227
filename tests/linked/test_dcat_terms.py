"""The DCAT output states the controlled lists' URIs for metadata typed as free text, and
the Flemish profile's shapes stay satisfied."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from belfort.linked.vocabularies import AUTHORITY, CC_BY_4, GHENT
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv
from tests.linked.conftest import turtle, validate

BASE = "http://testserver"


def test_free_text_becomes_the_lists_uris_in_dcat(
    platform: Platform, tmp_path: Path, dcat_client: TestClient, flemish_shapes: Graph
) -> None:
    ingest_file(
        platform,
        CLI_ADMIN,
        "tellingen",
        counts_csv(tmp_path),
        metadata={
            "title_nl": "Tellingen",
            "themes": ["Vervoer", "mobiliteit", "Milieu"],
            "licence": "cc-by 4.0",
            "organisation": "stad gent",
            "spatial": "gent",
            "frequency": "Dagelijks",
            "contact_point": {"name": "Data", "email": "data@stad.gent"},
            "keywords": ["fiets"],
        },
    )
    graph = turtle(dcat_client.get("/catalog/datasets/tellingen.ttl").content)
    dataset = URIRef(f"{BASE}/catalog/datasets/tellingen")
    assert set(graph.objects(dataset, DCAT.theme)) == {
        URIRef(AUTHORITY + "data-theme/TRAN"),
        URIRef(AUTHORITY + "data-theme/ENVI"),
    }
    assert (dataset, DCTERMS.spatial, URIRef(GHENT.uri)) in graph
    assert (dataset, DCTERMS.accrualPeriodicity, URIRef(AUTHORITY + "frequency/DAILY")) in graph
    licences = {
        o
        for d in graph.objects(dataset, DCAT.distribution)
        for o in graph.objects(d, DCTERMS.license)
    }
    assert licences == {URIRef(CC_BY_4.uri)}
    publisher = next(graph.objects(dataset, DCTERMS.publisher))
    assert str(publisher) == f"{BASE}/catalog/organisations/stad-gent"
    report = validate(turtle(dcat_client.get("/catalog.ttl").content), flemish_shapes)
    assert not report.violations, report.violations


def test_a_listed_place_without_a_uri_is_named(
    platform: Platform, tmp_path: Path, dcat_client: TestClient
) -> None:
    ingest_file(
        platform,
        CLI_ADMIN,
        "wijk",
        counts_csv(tmp_path),
        metadata={"title_nl": "Wijk", "spatial": "sint amandsberg"},
    )
    graph = turtle(dcat_client.get("/catalog/datasets/wijk.ttl").content)
    place = next(graph.objects(URIRef(f"{BASE}/catalog/datasets/wijk"), DCTERMS.spatial))
    names = {
        str(n) for n in graph.objects(place, URIRef("http://www.w3.org/ns/locn#geographicName"))
    }
    assert names == {"Sint-Amandsberg"}
