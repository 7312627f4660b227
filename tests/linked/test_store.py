"""The SPARQL store stays in step with the catalogue (ingest, metadata, state, classification,
deletion), incrementally; the processing register's graph answers Ghent's register-site
queries through ``/sparql``; a dataset with an RDF mapping gets a graph of its records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from belfort.app import create_app
from belfort.catalog.models import Dataset, Version
from belfort.linked.store import (
    REGISTER_GRAPH,
    catalog_graph,
    dataset_graph,
    linked_data,
    restricted_graph,
)
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import change_dataset_state, ingest_file, update_dataset_metadata
from belfort.settings import Settings
from tests.helpers import add_organisations, counts_csv, write

BASE = "http://testserver"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
TITLES = f"SELECT ?id ?title WHERE {{ ?d a <{DCAT}Dataset> ; <{DCT}identifier> ?id ; <{DCT}title> ?title . " \
         "FILTER(lang(?title) = 'nl') } ORDER BY ?id"


@pytest.fixture
def two(platform: Platform, tmp_path: Path) -> Platform:
    csv_file = counts_csv(tmp_path)
    add_organisations(platform, "Dienst Gedeeld")
    for name in ("alfa", "beta"):
        ingest_file(platform, CLI_ADMIN, name, csv_file, metadata={
            "title_nl": f"{name} titel", "organisation": "Dienst Gedeeld", "themes": ["Mobiliteit"]})
    return platform


@pytest.fixture
def client(two: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(two)) as c:
        yield c


def titles(client: TestClient, headers: dict[str, str] | None = None) -> dict[str, str]:
    r = client.get("/sparql", params={"query": TITLES}, headers=headers or {})
    assert r.status_code == 200, r.text
    return {b["id"]["value"]: b["title"]["value"] for b in r.json()["results"]["bindings"]}


def test_ingest_metadata_state_classification_and_deletion_are_followed(
        client: TestClient, two: Platform, tmp_path: Path, admin_headers: dict[str, str]) -> None:
    assert titles(client) == {"alfa": "alfa titel", "beta": "beta titel"}
    ingest_file(two, CLI_ADMIN, "gamma", counts_csv(tmp_path), metadata={"title_nl": "gamma titel"})
    assert set(titles(client)) == {"alfa", "beta", "gamma"}
    update_dataset_metadata(two, CLI_ADMIN, "alfa", {"title_nl": "alfa nieuw"})
    assert titles(client)["alfa"] == "alfa nieuw"
    change_dataset_state(two, CLI_ADMIN, "beta", "deprecated")  # still public
    assert "beta" in titles(client)
    change_dataset_state(two, CLI_ADMIN, "beta", "archived")  # no longer
    assert "beta" not in titles(client)
    assert "beta" in titles(client, admin_headers)
    update_dataset_metadata(two, CLI_ADMIN, "gamma", {"classification": "internal",
                                                       "restriction_reason": "privacy",
                                                       "classification_reason": "bevat namen"})
    assert set(titles(client)) == {"alfa"}
    assert set(titles(client, admin_headers)) == {"alfa", "beta", "gamma"}
    with two.db.session() as session:
        session.execute(delete(Version).where(Version.dataset_id == "alfa"))
        session.execute(delete(Dataset).where(Dataset.id == "alfa"))
    two.generation.bump()
    assert titles(client) == {}
    assert set(titles(client, admin_headers)) == {"beta", "gamma"}
    # nothing of a removed dataset stays behind
    store = linked_data(two).store().store
    assert len(store) > 100
    assert not any("/catalog/datasets/alfa" in str(q) for q in store.quads_for_pattern(None, None, None, None))


def test_a_change_reloads_only_the_changed_dataset(client: TestClient, two: Platform) -> None:
    titles(client)
    store = linked_data(two).store()
    before = dict(store._loaded)
    size = len(store)
    update_dataset_metadata(two, CLI_ADMIN, "beta", {"description_nl": "Nieuw", "description_en": "New"})
    titles(client)
    assert store._loaded["alfa"] is before["alfa"]  # untouched
    assert store._loaded["beta"] is not before["beta"]
    assert len(store) == size  # the new descriptions replaced the generated ones
    unchanged = store.epoch
    titles(client)
    assert store.epoch == unchanged  # no catalogue write: no work


def test_shared_nodes_stay_while_a_dataset_uses_them(client: TestClient, two: Platform) -> None:
    publisher = f"SELECT ?name WHERE {{ GRAPH <{catalog_graph(BASE)}> {{ ?a <http://xmlns.com/foaf/0.1/name> ?name }} }}"

    def names() -> set[str]:
        rows = client.get("/sparql", params={"query": publisher}).json()["results"]["bindings"]
        return {r["name"]["value"] for r in rows}

    assert "Dienst Gedeeld" in names()
    change_dataset_state(two, CLI_ADMIN, "alfa", "archived")
    assert "Dienst Gedeeld" in names()  # beta still names it
    change_dataset_state(two, CLI_ADMIN, "beta", "archived")
    assert "Dienst Gedeeld" not in names()
    restricted = client.get("/sparql", params={"query": publisher.replace(catalog_graph(BASE),
                                                                          restricted_graph(BASE))})
    assert restricted.json()["results"]["bindings"] == []  # anonymous: that graph does not exist


def test_the_register_sites_queries(client: TestClient, two: Platform) -> None:
    from belfort.register.demo import load_demo_register
    from belfort.register.queries import count_query, list_query

    list(load_demo_register(two, CLI_ADMIN))
    for audience in ("burger", "werknemer stad"):
        r = client.get("/sparql", params={"query": count_query(audience)},
                       headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.text
        total = int(r.json()["results"]["bindings"][0]["count"]["value"])
        rows = []
        for offset in range(0, total, 1000):
            page = client.post("/sparql", data={"query": list_query(audience, offset)})
            assert page.status_code == 200, page.text
            rows += page.json()["results"]["bindings"]
        assert len(rows) == total
        if audience == "burger":
            assert total >= 3
            assert all(row["audience"]["value"] == "burger" for row in rows)
            assert any("," in row.get("personalData", {}).get("value", "") for row in rows)
    graphs = client.get("/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"}).json()
    assert REGISTER_GRAPH in {b["g"]["value"] for b in graphs["results"]["bindings"]}


def test_a_mapped_dataset_gets_a_graph_of_its_records(client: TestClient, two: Platform, tmp_path: Path,
                                                       admin_headers: dict[str, str]) -> None:
    mapping = {"class": "sosa:Sensor", "fields": {"naam": {"predicate": "rdfs:label", "language": "nl"}}}
    csv_file = write(tmp_path / "s.csv", "naam,aantal\nKouter,3\nKorenmarkt,5\n")
    ingest_file(two, CLI_ADMIN, "sensoren", csv_file, metadata={"title_nl": "Sensoren", "rdf_mapping": mapping})
    ingest_file(two, CLI_ADMIN, "sensoren-intern", csv_file, metadata={
        "title_nl": "Intern", "rdf_mapping": mapping, "classification": "internal",
        "restriction_reason": "privacy", "classification_reason": "test"})
    labels = "SELECT ?label WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } } ORDER BY ?label"
    query = labels.replace("?g", f"<{dataset_graph(BASE, 'sensoren')}>")
    rows = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert [r["label"]["value"] for r in rows] == ["Korenmarkt", "Kouter"]
    hidden = labels.replace("?g", f"<{dataset_graph(BASE, 'sensoren-intern')}>")
    assert client.get("/sparql", params={"query": hidden}).json()["results"]["bindings"] == []
    staff = client.get("/sparql", params={"query": hidden}, headers=admin_headers).json()["results"]["bindings"]
    assert len(staff) == 2


def test_uris_follow_the_public_url_never_the_host(two: Platform, settings: Settings) -> None:
    query = f"SELECT ?d WHERE {{ ?d a <{DCAT}Dataset> }}"
    with TestClient(create_app(two), base_url="http://other.example") as other:
        found = {b["d"]["value"] for b in other.get("/sparql", params={"query": query}).json()["results"]["bindings"]}
    assert found == {f"{BASE}/catalog/datasets/alfa", f"{BASE}/catalog/datasets/beta"}  # the settings' base
    public = Platform(settings.model_copy(update={"public_url": "https://data.stad.gent"}))
    try:
        with TestClient(create_app(public), base_url="http://ignored.example") as client:
            r = client.get("/sparql", params={"query": query})
            found = {b["d"]["value"] for b in r.json()["results"]["bindings"]}
            graphs = client.get("/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"}).json()
    finally:
        public.close()
    assert found == {"https://data.stad.gent/catalog/datasets/alfa", "https://data.stad.gent/catalog/datasets/beta"}
    assert "https://data.stad.gent/graphs/catalog" in {b["g"]["value"] for b in graphs["results"]["bindings"]}


def test_warm_up_builds_the_store_and_the_turtle_fragments(two: Platform, settings: Settings) -> None:
    public = Platform(settings.model_copy(update={"public_url": "https://data.stad.gent"}))
    try:
        linked_data(public).warm_up()
        assert len(linked_data(public).fragments) == 2  # alfa and beta, in Turtle
        store = linked_data(public).store()
        assert store.generation == public.generation.current() and len(store) > 100
    finally:
        public.close()
