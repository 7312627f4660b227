"""Issue 14, item 3: Explore v2.1 ``/facets`` answers a principal limited to aggregates with
thresholded counts (primary and secondary suppression, the population rule) and says how many
values it withheld; records stay refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from tests import thresholds as t

V2 = f"/api/explore/v2.1/catalog/datasets/{t.DATASET}"


@pytest.fixture
def research(client: TestClient, platform: Platform, tmp_path: Path,
             admin_headers: dict[str, str]) -> dict[str, str]:
    t.publish(platform, tmp_path)
    return t.aggregates_only(client, platform, admin_headers)


def _groups(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["name"]: g for g in body["facets"]}


def _counts(group: dict[str, Any]) -> dict[str, int]:
    return {f["name"]: f["count"] for f in group["facets"]}


def test_facets_are_thresholded_and_say_so(client: TestClient,
                                           research: dict[str, str]) -> None:
    r = client.get(f"{V2}/facets", headers=research,
                   params=[("facet", "wijk"), ("facet", "soort")])
    assert r.status_code == 200, r.text
    groups = _groups(r.json())
    assert _counts(groups["wijk"]) == t.RELEASED  # Oost < k; Zuid would reveal it
    assert groups["wijk"]["suppressed"] == 2
    # soort: lawaai has 3 records; afval alone would reveal it as total minus afval
    assert _counts(groups["soort"]) == {} and groups["soort"]["suppressed"] == 2
    assert "Oost" not in r.text and "lawaai" not in r.text


def test_a_suppressed_value_cannot_be_recovered_from_totals(client: TestClient,
                                                             research: dict[str, str]) -> None:
    total = client.get(f"{V2}/records", headers=research,
                       params={"select": "count(*) as n"}).json()["results"][0]["n"]
    assert total == t.TOTAL
    released = _counts(_groups(client.get(f"{V2}/facets", headers=research,
                                          params={"facet": "wijk"}).json())["wijk"])
    left = total - sum(released.values())
    assert left >= t.K and left not in (t.GROUPS["Oost"], t.GROUPS["Zuid"])
    # refining on the small value, or excluding it, releases nothing (population rule)
    for params in ({"refine": "wijk:Oost"}, {"exclude": "wijk:Oost"},
                   {"where": "wijk = 'Oost'"}, {"where": "wijk != 'Oost'"}):
        r = client.get(f"{V2}/facets", headers=research,
                       params={**params, "facet": "soort"})
        assert r.status_code == 200, (params, r.text)
        soort = _groups(r.json())["soort"]
        assert _counts(soort) == {}, params


def test_the_same_question_unrestricted_shows_every_value(client: TestClient,
                                                          research: dict[str, str],
                                                          admin_headers: dict[str, str]) -> None:
    r = client.get(f"{V2}/facets", headers=admin_headers, params={"facet": "wijk"})
    assert r.status_code == 200, r.text
    wijk = _groups(r.json())["wijk"]
    assert _counts(wijk) == t.GROUPS and "suppressed" not in wijk


def test_date_facets_below_a_refined_year_are_thresholded(client: TestClient,
                                                          research: dict[str, str]) -> None:
    r = client.get(f"{V2}/facets", headers=research,
                   params={"facet": "datum", "refine": "datum:2024"})
    assert r.status_code == 200, r.text
    year = _groups(r.json())["datum"]["facets"][0]
    assert year["name"] == "2024" and year["count"] == t.TOTAL
    months = year["facets"]  # April (2 records) withheld, and the month that would reveal it
    assert months and all(m["count"] >= t.K for m in months)
    assert "04" not in {m["name"] for m in months} and year["suppressed"] == 2
    assert t.TOTAL - sum(m["count"] for m in months) >= t.K


def test_rows_stay_refused(client: TestClient, research: dict[str, str]) -> None:
    for path, params in ((f"{V2}/records", {}), (f"{V2}/records", {"select": "wijk"}),
                         (f"{V2}/exports/csv", {}), (f"{V2}/records/1", {})):
        r = client.get(path, headers=research, params=params)
        assert r.status_code in (403, 404), (path, r.text)
        assert "Oost" not in r.text


@pytest.mark.parametrize("facet", ["bestaat_niet", "<script>alert(1)</script>", "wijk\x00",
                                   "x" * 5000, 'facet(name="wijk", sort="boos")'])
def test_bad_facets_are_a_clear_400(client: TestClient, research: dict[str, str],
                                    facet: str) -> None:
    r = client.get(f"{V2}/facets", headers=research, params={"facet": facet})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/json")  # never markup
