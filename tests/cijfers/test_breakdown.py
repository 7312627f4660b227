"""Breakdowns: the demo's ``telpunten`` per type of instrument — values per wijk × year ×
member that add up to the totals, protected per member, in the Swing API (dimensions,
members, ``dimlevel``), the ``gent-in-cijfers`` dataset and the Data Cube; and breakdown
specs that are refused with their problems."""

from __future__ import annotations

from collections import defaultdict

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.catalog.models import Dataset, Version
from belfort.cijfers.breakdown import breakdown_shape
from belfort.cijfers.dataset import DATASET, NEW_FIELDS, ensure
from belfort.cijfers.models import IndicatorValue, MemberValue
from belfort.platform import Platform
from tests.cijfers.test_dataset import save_counts, wijk_counts

MEMBERS = ["camera", "wifi", "telraam", "overig"]
HOSTILE = [
    "jive/selectiontableasjson.ashx?var=telpunten&dimlevel=drone",
    "jive/selectiontableasjson.ashx?var=telpunten&dimlevel=%27%3B%20DROP%20TABLE%20x",
    "jive/selectiontableasjson.ashx?var=telpunten&dimlevel=" + "camera," * 300,
    "jive/selectiontableasjson.ashx?var=telpunten&dimlevel=" + "c" * 500,
    "jive/selectiontableasjson.ashx?var=bev_totaal&dimlevel=camera",
    "jiveservices/odata/CubeVariables('nope')/Dimensions",
    "jiveservices/odata/CubeVariables('telpunten')/DimLevels('leeftijd')/DimMembers",
    "viewerservices/odata/CubeVariables('telpunten')/DimLevels('a'b')/DimMembers",
    "viewerservices/odata/Dimensions('leeftijd')/DimLevels",
    "viewerservices/odata/Dimensions('" + "x" * 70 + "')/DimLevels",
]


def test_breakdown_values_protection_swing_and_dataset(
    demo_platform: Platform, client_with_profile: TestClient
) -> None:
    with demo_platform.db.session() as session:
        totals = {
            (r.geolevel, r.geoitem, r.period): r
            for r in session.scalars(
                select(IndicatorValue).where(IndicatorValue.indicator == "telpunten")
            )
        }
        members = list(
            session.scalars(select(MemberValue).where(MemberValue.indicator == "telpunten"))
        )
    assert members and {m.member for m in members} == set(MEMBERS)
    added: dict[tuple[str, str, str], float] = defaultdict(float)
    for m in members:
        added[(m.geolevel, m.geoitem, m.period)] += m.value or 0
        assert not (m.display is None and 0 < (m.contributors or 0) < 5)  # below 5: never shown
    for key, total in totals.items():
        if key[0] != "sector":
            assert added[key] == total.value, key  # the members add up to the total
    assert any(m.display == "< 5" for m in members)

    c = client_with_profile
    for base in ("jiveservices", "viewerservices"):
        dims = c.get(f"/{base}/odata/CubeVariables('telpunten')/Dimensions").json()["value"]
        assert dims == [{"ExternalCode": "instrument", "Name": "Type telinstrument"}]
        found = c.get(
            f"/{base}/odata/CubeVariables('telpunten')/DimLevels('instrument')/DimMembers"
        ).json()["value"]
        assert [m["ExternalCode"] for m in found] == MEMBERS and found[1]["Name"] == "Wifi-sensor"
        levels = c.get(f"/{base}/odata/Dimensions('instrument')/DimLevels").json()["value"]
        assert levels == found
    assert c.get("/jiveservices/odata/CubeVariables('bev_totaal')/Dimensions").json() == {
        "value": []
    }
    table = c.get(
        "/jive/selectiontableasjson.ashx",
        params={"var": "telpunten", "geolevel": "wijk", "period": "all", "dimlevel": "camera,wifi",
                "geoitem_codes": "true"},
    ).json()
    assert [h["type"] for h in table["headers"]] == ["Text", "Text", "Numeric", "Text"]
    assert {r[3] for r in table["rows"]} == {"camera", "wifi"}
    stored = {(m.geoitem, m.period, m.member): m for m in members if m.geolevel == "wijk"}
    for area, period, value, member in table["rows"]:
        m = stored[(area, period, member)]
        assert value == (m.display if m.display else int(m.value or 0))  # protected only
    for path in HOSTILE:
        response = c.get("/" + path)
        assert 400 <= response.status_code < 500, (path, response.status_code)

    records = c.get(
        "/api/explore/v2.1/catalog/datasets/gent-in-cijfers/records",
        params={"where": "indicator='telpunten' and dimensie_lid != 'totaal'", "limit": 100},
    ).json()
    assert records["total_count"] == len(members)
    for record in records["results"]:
        assert record["dimensie"] == "instrument" and record["dimensie_lid"] in MEMBERS
        assert record["waarde"] is None or record["weergave"] not in ("< 5", "x")

    # the Data Cube: the breakdown is a qb:DimensionProperty of telpunten's structure, and
    # each member's observations name their member (protected values only)
    root = "http://testserver/id/gent-in-cijfers/cube/telpunten"
    dims = _sparql(c, f"""SELECT ?dim WHERE {{ <{root}/structure> qb:component/qb:dimension ?dim .
        ?dim a qb:DimensionProperty }}""")
    dimension = "http://testserver/def/gent-in-cijfers/cube/dimension#instrument"
    assert dimension in {d["dim"] for d in dims} and len(dims) == 3
    observed = _sparql(c, f"""SELECT ?member ?label (COUNT(?o) AS ?n) WHERE {{
        ?o qb:dataSet <{root}> ; <{dimension}> ?member . ?member rdfs:label ?label }}
        GROUP BY ?member ?label""")
    assert {o["label"] for o in observed} == {"Totaal", "Camera", "Wifi-sensor", "Telraam",
                                              "Overige"}


@pytest.mark.parametrize(
    ("breakdown", "problem"),
    [
        ("instrument", "a JSON object"),
        ({"field": "instrument", "code": "instrument", "name_nl": "T", "name_en": "T"},
         "members: a list"),
        ({"field": "x", "code": "Bad Code", "name_nl": "T", "name_en": "T",
          "members": [{"code": "a", "name_nl": "A", "name_en": "A"}]}, "code: lower-case"),
        ({"field": "x", "code": "d", "name_nl": "T", "name_en": "T",
          "members": [{"code": "a", "name_nl": "A", "name_en": "A"},
                      {"code": "a", "name_nl": "B", "name_en": "B"}]}, "must differ"),
        ({"field": "x", "code": "d", "name_nl": "T", "name_en": "T", "sql": "1",
          "members": [{"code": "a", "name_nl": "A", "name_en": "A"}]}, "unknown key"),
        ({"field": "x", "code": "d", "name_nl": "T", "name_en": "T",
          "members": [{"code": f"m{i}", "name_nl": "A", "name_en": "A"} for i in range(51)]},
         "1 to 50 members"),
    ],
)
def test_malformed_breakdowns_are_refused(breakdown: object, problem: str) -> None:
    problems: list[str] = []
    breakdown_shape(breakdown, "count", problems)
    assert any(problem in p for p in problems), problems


def test_a_breakdown_is_not_for_rates() -> None:
    problems: list[str] = []
    breakdown_shape({"field": "x", "code": "d", "name_nl": "T", "name_en": "T",
                     "members": [{"code": "a", "name_nl": "A", "name_en": "A"}]}, "rate", problems)
    assert problems == ["definition.breakdown: only for count, sum, mean, share"]


def _sparql(client: TestClient, query: str) -> list[dict[str, str]]:
    response = client.post("/sparql", data={"query": "PREFIX qb: <http://purl.org/linked-data/cube#>\n"
                                            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                                            + query})
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def test_an_entry_made_before_breakdowns_gets_their_columns(platform: Platform) -> None:
    save_counts(platform, "oud", {"2024": wijk_counts(2024)})  # makes the entry
    with platform.db.session() as session:  # as it was before breakdowns
        dataset = session.get(Dataset, DATASET)
        assert dataset is not None
        version = session.scalar(select(Version).where(Version.dataset_id == DATASET))
        assert version is not None
        version.table_schema = {"fields": [
            f for f in version.table_schema["fields"] if f["name"] not in NEW_FIELDS]}
        dataset.record_key = ["indicator", "geoniveau", "geo_code", "periode"]
    assert ensure(platform) is False  # it exists: upgraded, not made
    with platform.db.session() as session:
        dataset = session.get(Dataset, DATASET)
        version = session.scalar(select(Version).where(Version.dataset_id == DATASET))
        assert dataset is not None and version is not None
        assert {f["name"] for f in version.table_schema["fields"]} >= set(NEW_FIELDS)
        assert dataset.record_key[-1] == "dimensie_lid"
        assert dataset.rdf_mapping["cube"]["member"] == "dimensie_lid"
