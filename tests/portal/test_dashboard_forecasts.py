"""The dashboard's tiles show the forecast beside the live value, drawn on the server (no
JavaScript needed): a table per hour (or per zone), which model made it and how accurate it
has been with a link to its page, in Dutch and English; without a forecast, why."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from tests.portal.test_dashboard_pages import text_of, tile_html
from tests.twin.conftest import make_zone
from tests.twin.forecasting.helpers import trained_city

SPEC = """
title: {nl: Verwachting, en: Forecast}
tiles:
  - id: zone
    type: gauge
    title: {nl: Korenmarkt, en: Korenmarkt}
    stream: TP00
    forecast: {zone: korenmarkt, hours: 4}
  - id: teller
    type: kpi
    title: Teller TP00
    stream: TP00
    forecast: {sensor: TP00, hours: 3}
  - id: zones
    type: table
    title: {nl: Alle zones, en: Every zone}
    sensors: '*'
    forecast: {zones: '*', hours: 2}
"""


def _save(platform: Platform) -> None:
    with platform.db.session() as session:
        save_dashboard(session, "proef", SPEC)


def test_tiles_show_the_forecast_with_its_model_and_margin(client: TestClient,
                                                           platform: Platform) -> None:
    version = str(trained_city(platform)["version"])
    _save(platform)
    page = client.get("/dashboards/proef")
    assert page.status_code == 200
    zone = tile_html(page.text, "zone")
    assert "Verwachting, komende 4 uur" in zone
    assert zone.count('<th scope="row">') == 4  # one row per hour
    assert "Marge (80 %)" in zone and "Niveau" in zone
    assert f'href="/voorspellingen/modellen/{version}"' in zone
    assert f"door model {version}" in text_of(zone) and "Hoe nauwkeurig het was" in zone
    assert re.search(r"<td>\d+–\d+</td>", zone)  # the 80 % interval
    counter = tile_html(page.text, "teller")
    assert counter.count('<th scope="row">') == 3
    assert '<th scope="col">Niveau</th>' not in counter  # a sensor has no level
    every = tile_html(page.text, "zones")
    assert '<th scope="row">Korenmarkt</th>' in every and "<th scope=\"col\">Nu</th>" in every
    english = client.get("/dashboards/proef?lang=en")
    zone = tile_html(english.text, "zone")
    assert "Forecast, next 4 hours" in zone and "Margin (80 %)" in zone
    assert f'href="/voorspellingen/modellen/{version}?lang=en"' in zone
    alone = client.get("/dashboards/proef/tiles/zone?lang=nl")  # the page the live stream fetches
    assert alone.status_code == 200 and "Verwachting, komende 4 uur" in alone.text
    api = client.get("/api/belfort/v1/dashboards/proef").json()
    tiles = api["tiles"] if isinstance(api["tiles"], dict) else {
        t["id"]: t for t in api["tiles"]}
    assert tiles["zone"]["forecast"]["model"]["version"] == version


def test_without_a_model_the_tile_says_why_in_words(client: TestClient,
                                                   platform: Platform) -> None:
    make_zone(platform, "korenmarkt")
    _save(platform)
    zone = tile_html(client.get("/dashboards/proef").text, "zone")
    assert "Geen verwachting beschikbaar: er is nog geen voorspellingsmodel getraind." in \
        text_of(zone)
    assert "belfort twin train" in zone  # the serving side's own words, marked English
    zone = tile_html(client.get("/dashboards/proef?lang=en").text, "zone")
    assert "No forecast available: no forecast model has been trained yet." in text_of(zone)


def test_the_default_dashboard_shows_each_zone_s_forecast(client: TestClient,
                                                         platform: Platform) -> None:
    trained_city(platform)
    tile = tile_html(client.get("/dashboards/gent").text, "drukte-per-zone")
    assert "Verwachting, komende 3 uur" in tile and '<th scope="row">Korenmarkt</th>' in tile
