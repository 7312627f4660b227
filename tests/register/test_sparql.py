"""The register site's COUNT and LIST queries against a live Belfort's /sparql, sent as
the site sends them (POST form, Accept: application/sparql-results+json), paging with
LIMIT 1000 OFFSET n and splitting group_concat values on commas; the graph follows
register changes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.register import service
from belfort.register.demo import ACTIVITIES, load_demo_register
from belfort.register.queries import PAGE_SIZE, count_query, list_query
from tests.register.serve import serve

RESULTS_JSON = "application/sparql-results+json"


@pytest.fixture
def live(platform: Platform) -> Iterator[str]:
    list(load_demo_register(platform, CLI_ADMIN))
    yield from serve(platform)


def ask(base: str, query: str) -> list[dict[str, dict[str, str]]]:
    r = httpx.post(f"{base}/sparql", data={"query": query}, headers={"Accept": RESULTS_JSON}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(RESULTS_JSON)
    return r.json()["results"]["bindings"]  # type: ignore[no-any-return]


def register_rows(base: str, audience: str) -> list[dict[str, str]]:
    """What the site does: COUNT, then LIST pages of 1000 until it has them all."""
    total = int(ask(base, count_query(audience))[0]["count"]["value"])
    rows: list[dict[str, str]] = []
    for offset in range(0, total, PAGE_SIZE):
        rows += [{k: v["value"] for k, v in b.items()} for b in ask(base, list_query(audience, offset))]
    assert len(rows) == total
    return rows


def test_count_and_list_over_http(live: str) -> None:
    for audience in ("burger", "werknemer stad"):
        rows = register_rows(live, audience)
        expected = {guid: a for guid, a in ACTIVITIES if a["audience"] == audience}
        assert {r["id"] for r in rows} == set(expected)
        for row in rows:
            activity = expected[row["id"]]
            assert row["name"] == activity["name"] and row["processor"] == activity["processor"]
            assert row["formal_framework"] == activity["legal_basis"] and row["type"] == activity["category"]
            assert sorted(row["grantees"].split(",")) == sorted(activity["grantees"])
            assert sorted(row["personalData"].split(",")) == sorted(p["type"] for p in activity["personal_data"])


def test_the_graph_follows_the_register(live: str, platform: Platform) -> None:
    guid, activity = ACTIVITIES[0]
    service.update_activity(platform, CLI_ADMIN, guid, {"name": "Bewonerskaart (gewijzigd)"})
    service.create_activity(platform, CLI_ADMIN, {"name": "Een ontwerp"})
    service.change_activity_state(platform, CLI_ADMIN, ACTIVITIES[3][0], "archived")
    rows = {r["id"]: r for r in register_rows(live, "burger")}
    assert rows[guid]["name"] == "Bewonerskaart (gewijzigd)"
    assert ACTIVITIES[3][0] not in rows and "Een ontwerp" not in {r["name"] for r in rows.values()}


def test_site_style_detail_query(live: str) -> None:
    """The site's detail view: one entry by its identifier, with descriptions and retention."""
    guid, activity = ACTIVITIES[1]
    query = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX gdv: <http://stad.gent/data/ns/data-processing/>
SELECT ?name ?storagePeriod ?clarification
  (group_concat(DISTINCT ?sensitive; separator=",") AS ?sensitiveData)
FROM <http://stad.gent/data-processes/>
WHERE {{
  ?v a <http://data.vlaanderen.be/ns/toestemming#VerwerkingsActiviteit> ; dcterms:identifier ?id ;
     dcterms:title ?name ; dcterms:temporal/dcterms:title ?storagePeriod .
  OPTIONAL {{ ?v gdv:verduidelijkingRechtsgrond ?clarification }}
  OPTIONAL {{ ?v gdv:hasSensitivePersonalData/dcterms:type/skos:prefLabel ?sensitive }}
  FILTER (STR(?id) = '{guid}')
}} GROUP BY ?name ?storagePeriod ?clarification"""
    (row,) = ask(live, query)
    assert row["storagePeriod"]["value"] == activity["retention"]
    assert row["clarification"]["value"] == activity["legal_basis_explained"]
    assert row["sensitiveData"]["value"] == "Gezondheidsgegevens"


def test_site_count_with_an_undeclared_xsd_prefix(live: str) -> None:
    query = """SELECT (count(?verwerking) as ?count)
FROM <http://stad.gent/data-processes/>
WHERE { ?verwerking a <http://data.vlaanderen.be/ns/toestemming#VerwerkingsActiviteit> .
  ?verwerking <http://schema.org/audience> ?audience
  FILTER (?audience="burger"^^xsd:string)
}"""
    citizens = sum(1 for _, a in ACTIVITIES if a["audience"] == "burger")
    assert ask(live, query)[0]["count"]["value"] == str(citizens)


def test_widget_posts_an_empty_form_with_the_query_in_the_url(live: str) -> None:
    """The register widget's detail call: POST, empty form body, ``?query=`` in the URL."""
    query = ("SELECT (count(?v) as ?count) FROM <http://stad.gent/data-processes/> "
             "WHERE { ?v a <http://data.vlaanderen.be/ns/toestemming#VerwerkingsActiviteit> }")
    r = httpx.post(f"{live}/sparql", params={"query": query}, headers={"Accept": RESULTS_JSON,
                   "Content-Type": "application/x-www-form-urlencoded"}, content=b"", timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"][0]["count"]["value"] == str(len(ACTIVITIES))
    bare = httpx.post(f"{live}/sparql", params={"query": query}, headers={"Accept": RESULTS_JSON}, timeout=30)
    assert bare.status_code == 200, bare.text


def test_a_declared_prefix_wins_over_a_predefined_one(live: str) -> None:
    query = ("PREFIX xsd: <http://example.org/not-xsd#> SELECT ?x WHERE { BIND(xsd:string AS ?x) }")
    assert ask(live, query)[0]["x"]["value"] == "http://example.org/not-xsd#string"
