"""The map of zones coloured by crowding, drawn on the server: each zone a ``<path>`` with a
``<title>`` (its name, score and band in words), a legend naming the bands, the bands as text in
a table under the map (colour is never the only sign), strong colours, markup from zone names
kept as text, nothing from outside Belfort."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from belfort.portal.dashboard_pages import FILLS
from belfort.streams.model import now_us
from belfort.twin.datasets import ensure_crowding_datasets
from belfort.twin.zones import ZoneSpec, add_zone
from tests.portal.test_dashboard_pages import text_of, tile_html
from tests.twin.conftest import MINUTE, box, feed, make_sensor

SPEC = """
title: Drukte
tiles:
  - id: zones
    type: map
    title: {nl: Drukte per zone, en: Crowding per zone}
    dataset: drukte-per-zone
    geometry: geo_shape
    value: score
    label: naam
    time: tijd_van_voltooien
    bands:
      - {upto: 33, colour: green, label: {nl: rustig, en: quiet}}
      - {upto: 67, colour: orange, label: {nl: druk, en: busy}}
      - {colour: red, label: {nl: te druk, en: too busy}}
"""
HOSTILE = "<script>alert(1)</script> & Co"


@pytest.fixture
def site(platform: Platform) -> Iterator[TestClient]:
    zones = [("korenmarkt", "Korenmarkt", box(3.7213, 51.0545)),
             ("kouter", "Kouter", box(3.7250, 51.0510)),
             ("graslei", HOSTILE, box(3.7205, 51.0555, 60))]
    with platform.db.session() as session:
        for zone_id, name, shape in zones:
            add_zone(session, platform.settings, ZoneSpec(zone_id, name, shape, area_m2=1000.0,
                                                          centre=True))
    ensure_crowding_datasets(platform)
    now = now_us()
    busy = make_sensor(platform, "TP01", "korenmarkt", "passages")
    feed(platform, busy, "TP01", [(now - k * MINUTE, 150.0) for k in range(15)])  # 75
    quiet = make_sensor(platform, "TP02", "graslei", "passages")
    feed(platform, quiet, "TP02", [(now - k * MINUTE, 20.0) for k in range(15)])  # 10
    with platform.db.session() as session:
        save_dashboard(session, "drukte", SPEC)
    with TestClient(create_app(platform)) as client:
        yield client


def zone_paths(svg: str) -> dict[str, str]:
    """Each zone's ``<title>`` → its fill, in the order drawn."""
    found = re.findall(r'<path d="M[^"]*" fill="(#[0-9a-fA-F]{6})"[^>]*><title>([^<]*)</title>',
                       svg)
    return {title: fill for fill, title in found}


def test_each_zone_is_a_path_with_a_title_in_its_band_s_colour(site: TestClient) -> None:
    page = site.get("/dashboards/drukte")
    assert page.status_code == 200
    tile = tile_html(page.text, "zones")
    svg = tile[tile.index("<svg"):tile.index("</svg>")]
    assert 'role="img"' in svg
    paths = zone_paths(svg)
    assert paths["Korenmarkt: 75 — te druk"] == FILLS["red"]
    assert paths["Kouter: nog geen waarde"] == "#dddddd"  # no sensor: no score, not 0
    hostile = "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co: 10 — rustig"
    assert paths[hostile] == FILLS["green"]
    assert "<script>alert" not in page.text
    assert 'fill-opacity="1"' in svg  # the band's own colour, not washed out
    assert "<circle" not in svg  # zones large enough to see need no marker
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_legend_and_the_table_say_each_band_in_words(site: TestClient) -> None:
    tile = tile_html(site.get("/dashboards/drukte").text, "zones")
    legend = text_of(tile[tile.index('class="dash-legend"'):tile.index("</ul>")])
    assert "rustig (1)" in legend and "druk (0)" in legend and "te druk (1)" in legend
    assert "nog geen waarde (1)" in legend
    table = tile[tile.index("<table>"):tile.index("</table>")]
    rows = [text_of(r) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    assert rows[0] == "Naam Score Niveau"
    assert "Korenmarkt 75 te druk" in rows and "Kouter nog geen waarde" in rows
    assert "<script>alert(1)</script> & Co 10 rustig" in rows
    assert "Stand van" in text_of(tile)  # when the scores were computed


def test_in_english_and_alone(site: TestClient) -> None:
    tile = tile_html(site.get("/dashboards/drukte?lang=en").text, "zones")
    assert "Crowding per zone" in tile and "too busy (1)" in text_of(tile)
    assert "Korenmarkt 75 too busy" in text_of(tile)
    alone = site.get("/dashboards/drukte/tiles/zones?embed=1&lang=nl")
    assert alone.status_code == 200 and zone_paths(alone.text)["Korenmarkt: 75 — te druk"]


def test_the_band_colours_hold_against_the_map_and_white_text() -> None:
    def luminance(colour: str) -> float:
        def channel(c: int) -> float:
            s = c / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    def contrast(a: str, b: str) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    for colour in FILLS.values():  # WCAG 1.4.11: shapes at least 3:1 against the map
        assert contrast(colour, "#eef2f5") >= 3.0, colour


def test_the_default_ghent_dashboard_maps_the_demo_s_crowding_zones(platform: Platform) -> None:
    from belfort.twin.demo_zones import demo_zones, load_demo_zones

    load_demo_zones(platform)
    now = now_us()
    busy = make_sensor(platform, "TP01", "korenmarkt", "passages")
    feed(platform, busy, "TP01", [(now - k * MINUTE, 1000.0) for k in range(15)])
    with TestClient(create_app(platform)) as client:  # creates the default dashboard
        page = client.get("/dashboards/gent?lang=nl")
    assert page.status_code == 200
    tile = tile_html(page.text, "drukte-kaart")
    paths = zone_paths(tile)
    names = {title.split(":")[0] for title in paths}
    assert names == {zone.name for zone in demo_zones()}
    korenmarkt = next(t for t in paths if t.startswith("Korenmarkt:"))
    assert korenmarkt.endswith("te druk") and paths[korenmarkt] == FILLS["red"]
    assert "Korenmarkt" in text_of(tile[tile.index("<table>"):])
    # the demo's squares are small at the city's scale: each also has a marker at its centre
    markers = dict((title, fill) for fill, title in re.findall(
        r'<circle [^>]*fill="(#[0-9a-fA-F]{6})"[^>]*><title>([^<]*)</title>', tile))
    assert markers[korenmarkt] == FILLS["red"] and set(markers) <= set(paths)


def test_staff_saving_a_map_with_a_wrong_field_see_its_path(site: TestClient,
                                                           staff_token: str) -> None:
    from tests.portal.test_staff import csrf_of
    from tests.portal.test_staff_dashboards import _summary, _textarea

    site.cookies.set("belfort_staff", staff_token)
    edit = site.get("/staff/dashboards/drukte")
    for bad, path, words in (
            (SPEC.replace("value: score", "value: naam"), "tiles[0].value", "not a number"),
            (SPEC.replace("label: naam", "label: '<script>x</script>'"), "tiles[0].label",
             "field name")):
        answer = site.post("/staff/dashboards/drukte", data={"csrf": csrf_of(edit.text),
                                                              "source": bad})
        assert answer.status_code == 400
        summary = _summary(answer.text)
        assert path in summary and words in summary, summary
        assert _textarea(answer.text) == bad and "<script>x</script>" not in answer.text
    good = SPEC.replace("value: score", "value: bezetting")
    answer = site.post("/staff/dashboards/drukte", data={"csrf": csrf_of(edit.text),
                                                          "source": good})
    assert answer.status_code in (200, 303)
