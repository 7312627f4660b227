"""W3C Data Cube in the SPARQL store: the ``cube`` key of an RDF mapping, and Gent in Cijfers'
indicators as ``qb:DataSet``s with a ``qb:DataStructureDefinition`` each and ``qb:Observation``s
of their protected values, queried over the real ``/sparql`` route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.cijfers.dataset import DATASET
from belfort.cijfers.geography import CITY_CODE
from belfort.errors import InvalidRequest
from belfort.linked.mapping import validate_mapping
from belfort.platform import Platform
from belfort.settings import Settings
from tests.cijfers.test_dataset import K, save_counts, wijk_counts

BASE = "http://testserver"
PREFIXES = """PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@pytest.fixture
def cube(settings: Settings) -> Iterator[tuple[TestClient, dict[str, int]]]:
    platform = Platform(settings)
    counts = {str(w): 3 if w == 1 else 10 + w for w in range(1, 26)}  # one "< 5", one "x"
    save_counts(platform, "kleine_aantallen", {"2024": counts, "2023": wijk_counts(2023)})
    save_counts(platform, "tweede", {"2024": {str(w): 50 + w for w in range(1, 26)}})
    try:
        with TestClient(create_app(platform)) as client:
            yield client, counts
    finally:
        platform.close()


def select(client: TestClient, query: str) -> list[dict[str, Any]]:
    response = client.post("/sparql", data={"query": PREFIXES + query})
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def test_indicators_are_data_cubes_in_the_sparql_store(cube: Any) -> None:
    client, counts = cube
    structures = select(client, """
        SELECT ?ds ?dsd (COUNT(?c) AS ?components) WHERE {
          ?ds a qb:DataSet ; qb:structure ?dsd .
          ?dsd a qb:DataStructureDefinition ; qb:component ?c .
        } GROUP BY ?ds ?dsd ORDER BY ?ds""")
    root = f"{BASE}/id/{DATASET}/cube/"
    assert [s["ds"] for s in structures] == [root + "kleine_aantallen", root + "tweede"]
    assert {s["components"] for s in structures} == {"5"}  # 2 dimensions, measure, 2 attributes
    dims = select(client, f"""
        SELECT ?dim ?order WHERE {{
          <{root}kleine_aantallen/structure> qb:component ?c .
          ?c qb:dimension ?dim ; qb:order ?order . ?dim a qb:DimensionProperty
        }} ORDER BY ?order""")
    assert [d["dim"] for d in dims] == [
        "http://purl.org/linked-data/sdmx/2009/dimension#refArea",
        "http://purl.org/linked-data/sdmx/2009/dimension#refPeriod"]
    measure = select(client, f"""
        SELECT ?m WHERE {{ <{root}kleine_aantallen/structure> qb:component/qb:measure ?m .
          ?m a qb:MeasureProperty ; rdfs:subPropertyOf sdmx-measure:obsValue }}""")
    assert len(measure) == 1
    m = measure[0]["m"]

    # one observation per area and period; a published one has its value, a protected one
    # only its status (no number is ever there)
    observations = select(client, f"""
        SELECT ?code ?value ?status WHERE {{
          ?o a qb:Observation ; qb:dataSet <{root}kleine_aantallen> ;
             sdmx-dimension:refPeriod "2024"^^xsd:gYear ;
             sdmx-dimension:refArea ?area ; sdmx-attribute:obsStatus ?status .
          ?area rdfs:label ?name .
          OPTIONAL {{ ?o <{m}> ?value }}
          BIND(STRAFTER(STR(?area), "/gebied/wijk/") AS ?code)
          FILTER(?code != "")
        }}""")
    assert len(observations) == 25
    for row in observations:
        n = counts[row["code"]]
        if 0 < n < K:
            assert "value" not in row and row["status"] == "onder drempel"
        elif row["status"] == "verborgen":
            assert "value" not in row
        else:
            assert float(row["value"]) == n and row["status"] == "gepubliceerd"
    assert any(r["status"] == "verborgen" for r in observations)
    second = f"{BASE}/def/{DATASET}/cube#tweede"
    city = select(client, f"""
        SELECT ?value WHERE {{ ?o qb:dataSet <{root}tweede> ;
          sdmx-dimension:refArea <{BASE}/id/gebied/gemeente/{CITY_CODE}> ; <{second}> ?value }}""")
    assert [float(c["value"]) for c in city] == [sum(50 + w for w in range(1, 26))]


@pytest.mark.parametrize("spec, message", [
    ("nope", "expected an object"),
    ({"dataset": "a"}, "cube.area: required"),
    ({"dataset": "a", "area": "{_base}/x/{b}", "period": "c", "measure": "d", "extra": 1},
     "unknown key"),
    ({"dataset": "a", "area": "{_base}/x/{b}", "period": "c", "measure": "zz"},
     "cube.measure: names no field"),
    ({"dataset": "a", "area": "{_base}/x/{b}", "period": "c", "measure": "a"},
     "must name a number field"),
    ({"dataset": "a", "area": "{_base}/x/{nope}", "period": "c", "measure": "d"},
     "names no field"),
])
def test_a_bad_cube_mapping_is_refused(spec: Any, message: str) -> None:
    schema = {"fields": [{"name": n, "type": "string"} for n in "abc"]
              + [{"name": "d", "type": "number"}]}
    with pytest.raises(InvalidRequest, match=message):
        validate_mapping({"cube": spec}, schema)


def test_a_cube_is_not_cut_off_at_the_records_limit(settings: Settings) -> None:
    """``BELFORT_SPARQL_ROWS_PER_DATASET`` (here 3) is for ordinary records; a cube has its own
    limit (``BELFORT_SPARQL_ROWS_PER_CUBE``), so every observation is there."""
    platform = Platform(settings.model_copy(update={"sparql_rows_per_dataset": 3}))
    save_counts(platform, "veel", {"2024": wijk_counts(2024), "2023": wijk_counts(2023)})
    try:
        with TestClient(create_app(platform)) as client:
            found = select(client, f"""SELECT (COUNT(?o) AS ?n) WHERE {{
                ?o a qb:Observation ; qb:dataSet <{BASE}/id/{DATASET}/cube/veel> }}""")
    finally:
        platform.close()
    assert found == [{"n": str(2 * 26)}]  # 25 wijken and the city, two years
