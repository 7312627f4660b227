"""The City Dashboard's pages over HTTP: readable without JavaScript (every tile's last
values as text, charts and maps as SVG with their data as tables), the gate on every tile,
embeddable in an iframe only by whom BELFORT_DASHBOARD_FRAME_ANCESTORS names (the rest of the
site stays unframeable), and hostile ids answered with a page, never an error."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from belfort.streams.model import ObservationIn, now_us
from belfort.streams.sensors import SensorSpec, devices, register_sensor
from belfort.streams.write import write_observations

SPEC = """
title: {nl: Proef, en: Trial}
description: {nl: "Een <b>proef</b>", en: A trial}
tiles:
  - {id: fiets, type: kpi, title: {nl: Fietsers nu, en: Cyclists now}, stream: fiets-1,
     thresholds: [{upto: 50, colour: green, label: {nl: rustig, en: quiet}},
                  {colour: red, label: {nl: te druk, en: too busy}}]}
  - {id: meter, type: gauge, title: Drukte, stream: fiets-1}
  - {id: lijn, type: line, title: Verloop, stream: fiets-1}
  - {id: kaart, type: map, title: Kaart, sensors: telpunten-drukte-gent,
     thresholds: [{upto: 50, colour: green, label: rustig}, {colour: red, label: te druk}]}
  - {id: garages, type: bars, title: Garages, dataset: bezetting-parkeergarages-demo,
     query: {select: "garage, max(capaciteit) as cap", group_by: garage}, x: garage, y: cap}
  - {id: intern, type: table, title: Intern, dataset: meldingen-openbaar-domein-intern,
     query: {select: "status", limit: 3}}
  - {id: drukte, type: gauge, title: Druktebarometer, dataset: druktebarometer-info,
     value: status_druktemeter}
"""


@pytest.fixture
def site(platform: Platform) -> Iterator[TestClient]:
    from belfort.demo.loader import load_demo

    for _line in load_demo(platform, size="small"):
        pass
    with platform.db.session() as session:
        credential = register_sensor(session, SensorSpec(
            id="fiets-1", name="Fietstelpaal Coupure", kind="fietstelpaal",
            observed_property="count", unit="fietsers", longitude=3.72, latitude=51.05,
            dataset_id="telpunten-drukte-gent")).credential
        save_dashboard(session, "proef", SPEC)
    device = devices(platform).authenticate(credential, "fiets-1", "test")
    write_observations(platform, device, [
        ObservationIn("fiets-1", "count", now_us() - 600_000_000, 30),
        ObservationIn("fiets-1", "count", now_us() - 1_000_000, 64)])
    with TestClient(create_app(platform)) as client:
        yield client


def text_of(page: str) -> str:
    """The text a reader sees (elements with ``hidden`` left out)."""
    shown = re.sub(r"<p [^>]*\bhidden>.*?</p>", " ", page, flags=re.S)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", shown)).split())


def tile_html(page: str, tile: str) -> str:
    found = re.search(rf'<article [^>]*id="tile-{tile}".*?</article>', page, re.S)
    assert found, f"no tile {tile}"
    return found.group(0)


def test_every_tile_shows_its_last_values_as_text(site: TestClient) -> None:
    page = site.get("/dashboards/proef")
    assert page.status_code == 200
    body = page.text
    kpi = text_of(tile_html(body, "fiets"))
    assert "64 fietsers" in kpi and "Niveau: te druk" in kpi and "Stand van" in kpi
    gauge = tile_html(body, "meter")
    assert 'role="img"' in gauge and "Meter van 0 tot 100: 64, druk." in htmllib.unescape(gauge)
    assert "Niveau: druk" in text_of(gauge)  # the crowd gauge's own labels
    line = tile_html(body, "lijn")
    assert "<svg" in line and "<table>" in line and "64" in text_of(line)
    kaart = tile_html(body, "kaart")
    assert "bf-map-svg" in kaart and "Fietstelpaal Coupure" in text_of(kaart)
    assert "te druk (1)" in text_of(kaart)  # the legend says it in words
    garages = text_of(tile_html(body, "garages"))
    assert "Vrijdagmarkt" in garages
    assert "Nog geen gegevens." in text_of(tile_html(body, "drukte"))
    assert "Een <b>proef</b>" in text_of(body)  # markup from a spec stays text
    assert "<b>proef</b>" not in body
    english = site.get("/dashboards/proef?lang=en").text
    assert "Cyclists now" in english and "Level: too busy" in text_of(english)


def test_a_tile_over_restricted_data_shows_nothing_to_the_public(site: TestClient,
                                                                  staff_token: str) -> None:
    public = tile_html(site.get("/dashboards/proef").text, "intern")
    assert "Nog geen gegevens." in text_of(public) and "<table>" not in public
    site.cookies.set("belfort_staff", staff_token)
    staff = tile_html(site.get("/dashboards/proef").text, "intern")
    assert "<table>" in staff and "Nog geen gegevens." not in text_of(staff)
    alone = site.get("/dashboards/proef/tiles/intern")
    assert alone.status_code == 200 and "<table>" in alone.text


def test_one_tile_alone_and_embedded(site: TestClient) -> None:
    alone = site.get("/dashboards/proef/tiles/fiets")
    assert alone.status_code == 200 and "site-header" in alone.text
    assert "<h1" in tile_html(alone.text, "fiets")
    embedded = site.get("/dashboards/proef/tiles/fiets?embed=1")
    assert embedded.status_code == 200 and "site-header" not in embedded.text
    assert "64 fietsers" in text_of(embedded.text)
    assert "site-header" not in site.get("/dashboards/proef?embed=1").text


def test_dashboards_may_be_framed_as_the_setting_says_and_nothing_else(platform: Platform,
                                                                        site: TestClient) -> None:
    for path in ("/dashboards", "/dashboards/proef", "/dashboards/proef/tiles/fiets?embed=1"):
        answer = site.get(path)
        assert "frame-ancestors 'self'" in answer.headers["content-security-policy"]
        assert "x-frame-options" not in answer.headers
    for path in ("/", "/datasets", "/staff", "/no-such-page"):
        answer = site.get(path)
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-frame-options"] == "DENY"
    platform.settings.dashboard_frame_ancestors = "'self' https://www.stad.gent x;y 'unsafe-inline'"
    with TestClient(create_app(platform)) as other:
        csp = other.get("/dashboards/proef").headers["content-security-policy"]
        assert csp.endswith("frame-ancestors 'self' https://www.stad.gent")  # bad ones left out
        assert "frame-ancestors 'none'" in other.get("/datasets").headers["content-security-policy"]


def test_the_list_and_the_default_dashboard(site: TestClient) -> None:
    listing = site.get("/dashboards")
    assert listing.status_code == 200
    assert '/dashboards/gent"' in listing.text and '/dashboards/proef"' in listing.text
    # the twin's pages are found from here: the forecasts and the what-if scenarios
    assert 'href="/voorspellingen"' in listing.text and 'href="/scenarios"' in listing.text
    gent = site.get("/dashboards/gent")
    assert gent.status_code == 200
    assert "Bezetting per parkeergarage" in gent.text
    assert "Nog geen gegevens." in text_of(tile_html(gent.text, "drukte"))  # not there yet


@pytest.mark.parametrize("path", [
    "/dashboards/nope", "/dashboards/proef/tiles/nope", "/dashboards/" + "x" * 5000,
    "/dashboards/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/dashboards/a%00b",
    "/dashboards/proef/tiles/%3Cimg%20src%3Dx%3E",
])
def test_unknown_or_hostile_ids_get_a_not_found_page(site: TestClient, path: str) -> None:
    answer = site.get(path)
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "<script>alert" not in answer.text and "<img src=x>" not in answer.text
