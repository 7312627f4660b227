"""The DCAT catalogue carries each dataset's MQA measurements as W3C DQV statements (and the
shapes still pass: tests/linked validates the same catalogue with the official shapes)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.conftest import TEST_BASE
from tests.helpers import counts_csv

DQV = Namespace("http://www.w3.org/ns/dqv#")
PV = Namespace("https://piveau.eu/ns/voc#")
# the prefixes make them short in Turtle: dqv:value, pv:keywordAvailability


def test_each_indicator_but_compliance_is_a_measurement(platform: Platform, client: TestClient,
                                                        tmp_path: Path) -> None:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen", "keywords": ["tellingen"], "licence": "CC0-1.0"})
    r = client.get("/catalog/datasets/tellingen.ttl")
    assert r.status_code == 200
    assert "pv:keywordAvailability" in r.text and "dqv:isMeasurementOf" in r.text
    graph = Graph().parse(data=r.text, format="turtle")
    dataset = URIRef(f"{TEST_BASE}/catalog/datasets/tellingen")
    measurements = list(graph.objects(dataset, DQV.hasQualityMeasurement))
    assert len(measurements) == 22  # 23 indicators; dcatApCompliance is not decided here
    values = {graph.value(m, DQV.isMeasurementOf): graph.value(m, DQV.value) for m in measurements}
    assert all((m, RDF.type, DQV.QualityMeasurement) in graph for m in measurements)
    assert PV.dcatApCompliance not in values
    assert values[PV.keywordAvailability] == Literal(True)
    assert values[PV.spatialAvailability] == Literal(False)
    assert values[PV.downloadUrlStatusCode] == Literal(True)  # open and published: it answers
    csv = URIRef(f"{TEST_BASE}/catalog/datasets/tellingen#distribution-csv")
    on = {graph.value(m, DQV.isMeasurementOf): graph.value(m, DQV.computedOn) for m in measurements}
    assert on[PV.formatAvailability] == csv and on[PV.keywordAvailability] is None
    assert graph.value(PV.keywordAvailability, DQV.inDimension) == PV.findability
    assert (PV.findability, RDF.type, DQV.Dimension) in graph
