"""Issue 14, item 3: Opendatasoft v1 search facet counts (``rows=0&facet=…``) answer a
principal limited to aggregates with thresholded counts and say how many values were
withheld; records stay refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from tests import thresholds as t

SEARCH = "/api/records/1.0/search/"


@pytest.fixture
def research(client: TestClient, platform: Platform, tmp_path: Path,
             admin_headers: dict[str, str]) -> dict[str, str]:
    t.publish(platform, tmp_path)
    return t.aggregates_only(client, platform, admin_headers)


def _ask(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    return client.get(SEARCH, headers=headers, params={"dataset": t.DATASET, **params})


def _facets(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["name"]: g for g in body["facet_groups"]}


def test_facet_counts_are_thresholded_and_say_so(client: TestClient,
                                                 research: dict[str, str]) -> None:
    r = _ask(client, research, rows=0, facet=["wijk", "soort"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["records"] == [] and body["nhits"] == t.TOTAL
    groups = _facets(body)
    wijk = groups["wijk"]
    assert {f["name"]: f["count"] for f in wijk["facets"]} == t.RELEASED
    assert wijk["suppressed"] == 2 and wijk["count"] == t.TOTAL
    assert groups["soort"]["facets"] == [] and groups["soort"]["suppressed"] == 2
    assert "Oost" not in r.text and "lawaai" not in r.text


def test_a_suppressed_value_cannot_be_recovered_from_totals(client: TestClient,
                                                             research: dict[str, str]) -> None:
    body = _ask(client, research, rows=0, facet="wijk").json()
    wijk = _facets(body)["wijk"]
    left = wijk["count"] - sum(f["count"] for f in wijk["facets"])
    assert left >= t.K and left != t.GROUPS["Oost"]
    for params in ({"refine.wijk": "Oost"}, {"exclude.wijk": "Oost"}, {"q": "wijk:Oost"},
                   {"q": "NOT wijk:Oost"}):
        r = _ask(client, research, rows=0, facet="soort", **params)
        assert r.status_code == 200, (params, r.text)
        answer = r.json()
        assert answer["nhits"] is None, (params, answer)
        assert _facets(answer)["soort"]["facets"] == [], params
        assert _facets(answer)["soort"]["count"] is None, params


def test_unrestricted_callers_see_every_value(client: TestClient, research: dict[str, str],
                                             admin_headers: dict[str, str]) -> None:
    r = _ask(client, admin_headers, rows=0, facet="wijk")
    assert r.status_code == 200, r.text
    wijk = _facets(r.json())["wijk"]
    assert {f["name"]: f["count"] for f in wijk["facets"]} == t.GROUPS
    assert "suppressed" not in wijk


@pytest.mark.parametrize("params", [{}, {"rows": 1, "facet": "wijk"}, {"rows": 0},
                                    {"rows": 0, "facet": "wijk", "format": "geojson"}])
def test_records_stay_refused(client: TestClient, research: dict[str, str],
                              params: dict[str, Any]) -> None:
    r = _ask(client, research, **params)
    assert r.status_code == 403, r.text
    assert r.json()["error"] == "aggregates_only"
    assert "Oost" not in r.text and "Centrum" not in r.text


@pytest.mark.parametrize("facet", ["bestaat_niet", "<script>alert(1)</script>", "wijk\x00",
                                   "x" * 5000])
def test_bad_facets_are_a_clear_400(client: TestClient, research: dict[str, str],
                                    facet: str) -> None:
    r = _ask(client, research, rows=0, facet=facet)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/json")  # never markup
