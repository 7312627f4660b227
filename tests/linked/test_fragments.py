"""Catalogue pages assembled from cached per-dataset fragments are the same graph as the
builder writes in one go, in every format; a change to a dataset is served at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from belfort.linked import fragments
from belfort.linked import rows as catalogue
from belfort.linked.dcat import CatalogInfo, DcatBuilder
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.publishing import ingest_file, update_dataset_metadata
from tests.helpers import add_organisations, counts_csv

BASE = "http://testserver"
PARSERS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}


@pytest.fixture
def several(platform: Platform, tmp_path: Path) -> Platform:
    csv_file = counts_csv(tmp_path)
    specs = [("a-fiets", "Mobiliteit", "Stad Gent - Dienst Mobiliteit", "CC0-1.0", "Gent"),
             ("b-lucht", "Milieu", "Stad Gent", "Modellicentie Gratis Hergebruik", None),
             ("c-zonder", None, None, None, "Wondelgem"),
             ("d-fiets", "Mobiliteit", "Stad Gent - Dienst Mobiliteit", "https://example.org/licence", None)]
    add_organisations(platform, "Stad Gent - Dienst Mobiliteit")
    for name, theme, organisation, licence, spatial in specs:
        metadata = {"title_nl": f"Titel {name}", "themes": [theme] if theme else [], "organisation": organisation,
                    "licence": licence, "spatial": spatial, "contact_point": {"name": "Data", "email": "data@stad.gent"} if theme else None}
        ingest_file(platform, CLI_ADMIN, name, csv_file,
                    metadata={k: v for k, v in metadata.items() if v is not None})
    return platform


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf", "nt"])
def test_assembled_page_is_the_builders_graph(several: Platform, fmt: str) -> None:
    with several.db.session() as session:
        rows, page = catalogue.catalogue_page(session, ANONYMOUS, 1, 100)
    expected = DcatBuilder(BASE, CatalogInfo()).catalog(rows, page).serialize(fmt)
    cache = fragments.FragmentCache(10_000_000)
    for _ in range(2):  # built, then from the cache
        body = fragments.catalog_page(cache, BASE, rows, page, fmt)
        got = set(Graph().parse(data=body, format=PARSERS[fmt]))
        want = set(Graph().parse(data=expected, format=PARSERS[fmt]))
        assert want <= got
        # the builder describes a shared node (a publisher, a concept) as its first user asks;
        # the page is the union of what every dataset says of it, so it may say a little more
        extra = got - want
        assert all("/catalog/datasets/" not in str(s) for s, _, _ in extra)
        assert {str(s) for s, _, _ in extra} <= {f"{BASE}/catalog/organisations/stad-gent",
                                                 f"{BASE}/organisations/Stad%20Gent"}
    assert len(cache) == 4
    # a second page reuses the shared nodes without writing them twice
    first, second = rows[:2], rows[2:]
    for part in (first, second):
        body = fragments.catalog_page(cache, BASE, part, page, "nt")
        lines = body.decode().splitlines()
        assert len(lines) == len(set(lines))


def test_a_change_is_served_at_once(several: Platform, dcat_client: TestClient) -> None:
    assert "Titel a-fiets" in dcat_client.get("/catalog.ttl", params={"page_size": 10_000}).text
    update_dataset_metadata(several, CLI_ADMIN, "a-fiets", {"title_nl": "Nieuwe titel"})
    body = dcat_client.get("/catalog.ttl", params={"page_size": 10_000}).text
    assert "Nieuwe titel" in body and "Titel a-fiets" not in body
    update_dataset_metadata(several, CLI_ADMIN, "a-fiets", {"classification": "internal",
                                                             "restriction_reason": "privacy",
                                                             "classification_reason": "test"})
    assert "a-fiets" not in dcat_client.get("/catalog.jsonld", params={"page_size": 10_000}).text


def test_the_cache_is_bounded_by_size(several: Platform) -> None:
    with several.db.session() as session:
        rows, page = catalogue.catalogue_page(session, ANONYMOUS, 1, 100)
    one = len(fragments.build_fragment(BASE, rows[0], "ttl").body)
    cache = fragments.FragmentCache(int(one * 2.5))
    fragments.catalog_page(cache, BASE, rows, page, "ttl")
    assert len(cache) <= 2 and cache.bytes <= one * 2.5
