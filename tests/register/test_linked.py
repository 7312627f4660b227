"""The register as RDF, and the register site's COUNT and LIST queries run on pyoxigraph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from belfort.platform import Platform
from belfort.register import store
from belfort.register.demo import ACTIVITIES
from belfort.register.linked import (
    ACTIVITY_CLASS,
    ACTIVITY_CLASS_OSLO,
    REGISTER_GRAPH,
    register_document,
)
from belfort.register.queries import PAGE_SIZE, count_query, list_query
from tests.register.conftest import load_demo_register

BASE = "http://localhost:8000"
CITIZENS = sum(1 for _, a in ACTIVITIES if a["audience"] == "burger")
EMPLOYEES = len(ACTIVITIES) - CITIZENS


def graph_store(platform: Platform) -> ox.Store:
    with platform.db.session() as session:
        document = register_document(session, BASE)
    oxstore = ox.Store()
    oxstore.load(document.serialize("nt"), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(REGISTER_GRAPH))
    return oxstore


def values(row: ox.QuerySolution, *names: str) -> dict[str, str | None]:
    return {n: (row[n].value if row[n] is not None else None) for n in names}


@pytest.fixture
def demo(platform: Platform) -> Platform:
    load_demo_register(platform)
    return platform


def test_count_query_counts_each_audience(demo: Platform) -> None:
    oxstore = graph_store(demo)
    assert [r["count"].value for r in oxstore.query(count_query("burger"))] == [str(CITIZENS)]
    assert [r["count"].value for r in oxstore.query(count_query("werknemer stad"))] == [str(EMPLOYEES)]
    with pytest.raises(ValueError):
        count_query('burger") } DROP ALL #')


def test_list_query_rows_and_split_values(demo: Platform) -> None:
    rows = list(graph_store(demo).query(list_query("burger")))
    assert len(rows) == CITIZENS
    by_id = {r["id"].value: values(r, "name", "type", "processor", "formal_framework", "grantees",
                                   "personalData", "sensitivePersonalData", "audience") for r in rows}
    expected = dict(ACTIVITIES)
    for guid, row in by_id.items():
        activity = expected[guid]
        assert row["name"] == activity["name"]
        assert row["type"] == activity["category"]
        assert row["processor"] == activity["processor"]
        assert row["formal_framework"] == activity["legal_basis"]
        assert row["audience"] == "burger"
        # the site splits group_concat values on commas
        assert sorted(row["grantees"].split(",")) == sorted(activity["grantees"])
        assert sorted(row["personalData"].split(",")) == sorted(p["type"] for p in activity["personal_data"])
        sensitive = row["sensitivePersonalData"]
        assert sorted(sensitive.split(",") if sensitive else []) == sorted(
            p["type"] for p in activity.get("sensitive_personal_data", []))
    names = [r["name"].value for r in rows]
    assert names == sorted(names)


def test_list_query_pages_with_limit_and_offset(platform: Platform) -> None:
    with platform.db.session() as session:
        for number in range(PAGE_SIZE + 5):
            data = dict(ACTIVITIES[0][1], name=f"Activiteit {number:05d}")
            store.create_activity(session, "test", data, state="published")
    oxstore = graph_store(platform)
    assert next(iter(oxstore.query(count_query("burger"))))["count"].value == str(PAGE_SIZE + 5)
    first = list(oxstore.query(list_query("burger", 0)))
    second = list(oxstore.query(list_query("burger", PAGE_SIZE)))
    assert len(first) == PAGE_SIZE and len(second) == 5
    assert {r["id"].value for r in first}.isdisjoint({r["id"].value for r in second})


def test_only_published_entries_are_in_the_graph(demo: Platform) -> None:
    guid = ACTIVITIES[0][0]
    with demo.db.session() as session:
        store.create_activity(session, "test", {"name": "Nog een ontwerp"})
        store.change_activity_state(session, "test", store.get_activity(session, guid), "archived")
    oxstore = graph_store(demo)
    ids = {r["id"].value for r in oxstore.query(list_query("burger"))}
    assert guid not in ids and len(ids) == CITIZENS - 1
    assert not bool(oxstore.query('ASK { GRAPH ?g { ?s ?p "Nog een ontwerp"@nl } }'))
    kept = ACTIVITIES[1][1]["name"]
    assert bool(oxstore.query(f'ASK {{ GRAPH ?g {{ ?s ?p "{kept}"@nl }} }}'))


def test_document_shape_and_both_class_spellings(demo: Platform) -> None:
    with demo.db.session() as session:
        document = register_document(session, BASE)
    graph = Graph()
    graph.parse(data=document.serialize("ttl").decode(), format="turtle")  # every format parses
    Graph().parse(data=document.serialize("rdf").decode(), format="xml")
    Graph().parse(data=document.serialize("jsonld").decode(), format="json-ld")
    guid, activity = ACTIVITIES[1]
    uri = f"https://stad.gent/id/data-processing/activities/{guid}"
    query = f"""PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX dpv: <https://w3id.org/dpv#>
PREFIX gdv: <http://stad.gent/data/ns/data-processing/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?retention ?description ?page ?transfers ?measures (count(DISTINCT ?purpose) AS ?purposes) WHERE {{
  <{uri}> a <{ACTIVITY_CLASS}>, <{ACTIVITY_CLASS_OSLO}> ;
      dcterms:temporal/dcterms:title ?retention ;
      gdv:hasPersonalData/dcterms:description ?description ;
      foaf:page ?page ;
      gdv:doorgifteDerdeLanden ?transfers ;
      dpv:hasTechnicalOrganisationalMeasure/dcterms:description ?measures ;
      dpv:hasPurpose/dcterms:description ?purpose .
}} GROUP BY ?retention ?description ?page ?transfers ?measures"""
    rows = list(graph.query(query))
    assert rows, "the entry lacks a field the table in docs/processing-register.md promises"
    row = rows[0]
    assert str(row.retention) == activity["retention"]
    assert str(row.page) == f"{BASE}/verwerkingsregister/{guid}"
    assert str(row.transfers) == "Geen"
    assert int(row.purposes) == len(activity["purposes"])
    assert {str(r.description) for r in rows} == {p["description"] for p in activity["personal_data"]}


def test_links_to_datasets_never_name_restricted_ones(demo: Platform, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file
    from tests.helpers import counts_csv

    guid = ACTIVITIES[7][0]
    for dataset_id, extra in [("meldingen-intern", {"classification": "internal", "restriction_reason": "privacy",
                                                                                  "classification_reason": "namen"}),
                              ("meldingen-open", {})]:
        ingest_file(demo, CLI_ADMIN, dataset_id, counts_csv(tmp_path), metadata={
            "title_nl": dataset_id, "personal_data": True, "processing_activity": guid, **extra})
    with demo.db.session() as session:
        text = register_document(session, BASE).serialize("nt").decode()
    assert f"<{BASE}/catalog/datasets/meldingen-open>" in text
    assert "meldingen-intern" not in text


def test_hostile_text_stays_literal(platform: Platform) -> None:
    with platform.db.session() as session:
        store.create_activity(session, "test", {
            **ACTIVITIES[0][1], "name": 'Naam"> <x> . } DROP ALL #\u0007'.replace("\u0007", ""),
            "description": "<script>alert(1)</script>\n\"quoted\" \\ backslash"}, state="published")
    oxstore = graph_store(platform)  # parses: every literal was escaped
    names = {r["name"].value for r in oxstore.query(list_query("burger"))}
    assert 'Naam"> <x> . } DROP ALL #' in names
