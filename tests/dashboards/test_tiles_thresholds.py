"""Issue 14, item 3: dashboard tiles answer a principal limited to aggregates with the same
aggregation threshold as every other dialect: a bar of a group below k is withheld (and the
bar that would reveal it through the total), a single figure over fewer than k records is
withheld, the tile says so (``state``, ``suppressed``, ``threshold``); rows stay refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from tests import thresholds as t

SPEC = f"""
title: {{nl: Meldingen, en: Reports}}
tiles:
  - {{id: wijken, type: bars, title: W, dataset: {t.DATASET},
     query: {{select: 'wijk, count(*) as n', group_by: wijk, order_by: wijk}}, x: wijk, y: n}}
  - {{id: soorten, type: bars, title: S, dataset: {t.DATASET},
     query: {{select: 'soort, count(*) as n', group_by: soort}}, x: soort, y: n}}
  - {{id: totaal, type: kpi, title: T, dataset: {t.DATASET},
     query: {{select: 'count(*) as n'}}, value: n}}
  - {{id: klein, type: gauge, title: L, dataset: {t.DATASET},
     query: {{select: 'count(*) as n', where: "soort = 'lawaai'"}}, value: n}}
  - {{id: lijst, type: table, title: R, dataset: {t.DATASET}, query: {{limit: 3}}}}
  - {{id: hoogste, type: kpi, title: H, dataset: {t.DATASET},
     query: {{select: 'max(aantal) as n'}}, value: n}}
"""


@pytest.fixture
def research(client: TestClient, platform: Platform, tmp_path: Path,
             admin_headers: dict[str, str]) -> dict[str, str]:
    t.publish(platform, tmp_path)
    with platform.db.session() as session:
        save_dashboard(session, "meldingen", SPEC)
    return t.aggregates_only(client, platform, admin_headers)


def _tiles(client: TestClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    r = client.get("/api/belfort/v1/dashboards/meldingen", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["tiles"]


def test_tiles_are_thresholded_and_say_so(client: TestClient, research: dict[str, str]) -> None:
    tiles = _tiles(client, research)
    wijken = tiles["wijken"]
    assert wijken["state"] == "ok" and wijken["threshold"] == t.K
    assert {r["x"]: r["y"] for r in wijken["rows"]} == t.RELEASED
    assert wijken["suppressed"] == 2
    soorten = tiles["soorten"]  # lawaai < k, and afval alone would reveal it
    assert soorten["state"] == "suppressed" and soorten["rows"] == []
    assert soorten["suppressed"] == 2
    assert tiles["totaal"]["state"] == "ok" and tiles["totaal"]["value"] == t.TOTAL
    klein = tiles["klein"]  # lawaai: 3 records < k
    assert klein["state"] == "suppressed" and klein["value"] is None
    assert klein["threshold"] == t.K
    shown = str([(tile["rows"], tile["points"]) for tile in tiles.values()])
    assert "Oost" not in shown and "lawaai" not in shown


def test_a_suppressed_bar_cannot_be_recovered_from_the_total(client: TestClient,
                                                            research: dict[str, str]) -> None:
    tiles = _tiles(client, research)
    left = tiles["totaal"]["value"] - sum(r["y"] for r in tiles["wijken"]["rows"])
    assert left >= t.K and left != t.GROUPS["Oost"]


def test_rows_and_single_records_stay_refused(client: TestClient,
                                              research: dict[str, str]) -> None:
    tiles = _tiles(client, research)
    for tile_id in ("lijst", "hoogste"):  # records; max is one record's value
        tile = tiles[tile_id]
        assert tile["state"] == "empty" and tile["rows"] == [] and tile["value"] is None
        assert tile["problem"] is None


def test_unrestricted_callers_see_every_bar(client: TestClient, research: dict[str, str],
                                           admin_headers: dict[str, str]) -> None:
    tiles = _tiles(client, admin_headers)
    assert {r["x"]: r["y"] for r in tiles["wijken"]["rows"]} == t.GROUPS
    assert tiles["wijken"]["threshold"] is None and tiles["wijken"]["suppressed"] == 0
    assert tiles["klein"]["value"] == 3 and len(tiles["lijst"]["rows"]) == 3


def test_the_public_sees_no_figure_at_all(client: TestClient, research: dict[str, str]) -> None:
    tiles = _tiles(client, {})
    for tile in tiles.values():
        assert tile["state"] == "empty" and tile["threshold"] is None and tile["rows"] == []
