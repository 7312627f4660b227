"""The demo's ready mappings: Ghent's and Auckland's pedestrian counts are pedestrian
observations made by sensors that are records of the counting-point datasets (their URIs
dereference to them)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from belfort.demo.loader import load_demo
from belfort.linked.records import dataset_document
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS

SOSA = "http://www.w3.org/ns/sosa/"
VKM = "https://data.vlaanderen.be/ns/verkeersmetingen#"
PEDESTRIAN = URIRef("https://data.vlaanderen.be/id/concept/VkmVoertuigType/voetganger")
BASE = "http://testserver"


@pytest.fixture
def demo(platform: Platform) -> Platform:
    list(load_demo(platform, size="small"))
    return platform


@pytest.mark.parametrize(("counts", "sensors"), [
    ("passantentellingen-gent-demo", "telpunten-drukte-gent"),
    ("passantentellingen-auckland", "passantentellers-auckland"),
])
def test_pedestrian_counts_are_observations_by_known_sensors(demo: Platform, client: TestClient, counts: str,
                                                            sensors: str) -> None:
    graph = dataset_document(demo, ANONYMOUS, counts, BASE, limit=500).to_rdflib()
    observations = set(graph.subjects(RDF.type, URIRef(SOSA + "Observation")))
    assert len(observations) > 50
    assert all((o, RDF.type, URIRef(VKM + "Verkeersmeting")) in graph for o in observations)
    kenmerken = set(graph.objects(None, URIRef(VKM + "geobserveerdKenmerk")))
    assert kenmerken and all((k, URIRef(VKM + "voertuigType"), PEDESTRIAN) in graph for k in kenmerken)
    made_by = {graph.value(o, URIRef(SOSA + "madeBySensor")) for o in observations}
    assert made_by and None not in made_by
    points = Graph()
    for node in dataset_document(demo, ANONYMOUS, sensors, BASE, limit=100).to_rdflib():
        points.add(node)
    known = set(points.subjects(RDF.type, URIRef(SOSA + "Sensor")))
    assert made_by <= known, made_by - known
    assert all((s, RDF.type, URIRef(VKM + "Verkeersmeetpunt")) in points for s in known)
    sensor = sorted(made_by)[0]
    r = client.get(str(sensor).removeprefix(BASE), headers={"Accept": "text/turtle"})
    assert r.status_code == 200, r.text
    assert (sensor, RDF.type, URIRef(SOSA + "Sensor")) in Graph().parse(data=r.content, format="turtle")
    page = client.get(str(sensor).removeprefix(BASE), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<table" in page.text
