"""The what-if scenarios page: two scenarios side by side — a map of the zones coloured by
their busiest band (the dashboard map's SVG), the explanation in plain language, one table —
in Dutch and English; names are text, not markup; unknown ids a 404 page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.platform import Platform
from belfort.twin.scenarios import store
from tests.twin.scenarios.helpers import MONDAY_9, WINDOW, diamond

HOSTILE = "<script>alert(1)</script> & Co"


@pytest.fixture
def site(platform: Platform) -> Iterator[tuple[TestClient, str, str]]:
    diamond(platform)
    closing_b = store.create(platform, {"name": HOSTILE, "closures": [{"zone": "b"}], **WINDOW},
                             "key:test", until_us=MONDAY_9)
    closing_link = store.create(platform, {"name": "Link a–c dicht",
                                           "closures": [{"link": "ac"}], **WINDOW},
                                "key:test", until_us=MONDAY_9)
    with TestClient(create_app(platform)) as client:
        yield client, closing_b["id"], closing_link["id"]


def test_two_scenarios_side_by_side(site: tuple[TestClient, str, str]) -> None:
    client, a, b = site
    page = client.get(f"/scenarios?a={a}&b={b}")
    assert page.status_code == 200, page.text
    text = page.text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)" in text
    assert text.count('<svg xmlns="http://www.w3.org/2000/svg" class="bf-map-svg"') == 2
    titles = re.findall(r"<path [^>]*fill=\"(#[0-9a-f]{6})\"[^>]*><title>([^<]*)</title>", text)
    # scenario A: b closed (grey), c te druk (red) at its busiest hour; scenario B: all calm
    assert ("#5f6368", "B: dicht") in titles
    assert ("#b3261e", "C: drukste uur 100/100, te druk") in titles
    assert ("#2e7d32", "C: drukste uur 0/100, rustig") in titles
    lines = {title: colour for colour, title in re.findall(
        r"stroke=\"(#[0-9a-f]{6})\"[^>]*/>\s*<title>([^<]*)</title>", text)}
    assert lines.get("ac: 200000 voetgangers per uur, capaciteit 588000") == "#1d5a8e", lines
    assert lines.get("ac: dicht") == "#5f6368", lines  # scenario B closed the link a–c
    assert lines.get("ab: dicht") == "#5f6368", lines  # scenario A closed b, so its links
    assert lines.get("bd: 200000 voetgangers per uur, capaciteit 588000") == "#1d5a8e", lines
    assert "Drukker dan zonder afsluiting: c" in text and "Geen zone wordt drukker." in text
    assert "Wat als zone b dicht is" in text and "Betrouwbaarheid: indicatief" in text
    table = text[text.index('id="scen-table"'):]
    assert re.search(r"<th scope=\"row\">C</th>\s*<td>20</td>", table)
    assert "100/100 te druk" in table and "▲" in table
    assert f"/api/belfort/v1/scenarios/{a}/export?format=csv" in text


def test_in_english_and_when_nothing_is_picked(site: tuple[TestClient, str, str]) -> None:
    client, a, _ = site
    page = client.get(f"/scenarios?a={a}&lang=en")
    assert page.status_code == 200
    assert "What if zone b closed" in page.text and "C: busiest hour 100/100, too busy" in page.text
    assert "Reliability: indicative" in page.text
    listing = client.get("/scenarios")
    assert listing.status_code == 200 and "bf-map-svg" not in listing.text
    assert listing.text.count("<option value=") == 2 * 3  # two selects: none + two scenarios


@pytest.mark.parametrize("bad", ["0" * 16, "<b>", "x" * 5000, "%00"])
def test_unknown_scenarios_are_a_404_page(site: tuple[TestClient, str, str], bad: str) -> None:
    client, a, _ = site
    page = client.get("/scenarios", params={"a": a, "b": bad})
    assert page.status_code == 404 and "Scenario niet gevonden" in page.text
    assert "Scenario niet gevonden: <b>" not in page.text
    assert "bf-map-svg" in page.text  # the scenario that exists is still shown


def test_no_scenarios_yet(client: TestClient) -> None:
    page = client.get("/scenarios")
    assert page.status_code == 200 and "Er zijn nog geen scenario" in page.text
