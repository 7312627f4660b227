"""The map of zones coloured by crowding in Debian's Chromium: observations posted over HTTP to
a zone's sensor change that zone's colour, title and band in the table on the open dashboard,
through the live push, without a reload; axe-core finds no WCAG 2.1 A/AA violation at 1280 and
390 px in both languages, with and without scripts; a phone scrolls no sideways; nothing is
loaded from outside Belfort."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from belfort.portal.dashboard_pages import FILLS
from belfort.settings import Settings
from belfort.twin.datasets import ensure_crowding_datasets
from belfort.twin.zones import ZoneSpec, add_zone
from tests.helpers import live_server
from tests.portal.conftest import (
    DESKTOP,
    LANGS,
    PHONE,
    LiveDemo,
    ServerTimer,
    axe_violations,
    block_scripts,
    describe_violations,
    guarded_context,
    with_lang,
)
from tests.portal.test_browser import _sideways
from tests.portal.test_dashboard_zone_map import SPEC
from tests.twin.conftest import box, make_sensor

PAGE = "/dashboards/drukte"
KORENMARKT_TITLE = ("() => [...document.querySelectorAll('#tile-zones svg path title')]"
                    ".map(t => t.textContent).find(t => t.startsWith('Korenmarkt:')) || ''")


class Site:
    def __init__(self, url: str, credential: str) -> None:
        self.demo = LiveDemo(url, ServerTimer(None), 0.0)
        self.credential = credential

    def post(self, per_minute: float, shift_seconds: int) -> None:
        """A quarter-hour of counts from the Korenmarkt's counter, over HTTP as a device sends
        them (each minute shifted, so none is a resend of one already stored)."""
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        items = [{"phenomenon_time": (now - dt.timedelta(minutes=k, seconds=-shift_seconds))
                  .isoformat(), "value": per_minute} for k in range(15)]
        request = urllib.request.Request(
            self.demo.url + "/api/belfort/v1/observations", data=json.dumps(items).encode(),
            headers={"Authorization": f"Bearer {self.credential}",
                     "Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200, answer.read()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root: Path = tmp_path_factory.mktemp("dashboard-zones")
    platform = Platform(Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'c.db'}",
                                 map_tile_url=None, quota_per_address=0, quota_per_key=0,
                                 dashboard_min_interval_seconds=0.3))
    with platform.db.session() as session:
        for zone_id, name, shape in (("korenmarkt", "Korenmarkt", box(3.7213, 51.0545)),
                                     ("kouter", "Kouter", box(3.7250, 51.0510))):
            add_zone(session, platform.settings, ZoneSpec(zone_id, name, shape, area_m2=1000.0,
                                                          centre=True))
    ensure_crowding_datasets(platform)
    credential = make_sensor(platform, "TP01", "korenmarkt", "passages")
    with platform.db.session() as session:
        save_dashboard(session, "drukte", SPEC)
    try:
        with live_server(platform) as url:
            found = Site(url, credential)
            found.post(20.0, 0)  # 20 a minute: 200 people of 2000, score 10, rustig
            yield found
    finally:
        platform.close()


def test_posted_counts_change_the_zone_s_colour_without_reload(chromium: Any, site: Site) -> None:
    context, guard = guarded_context(chromium, site.demo)
    try:
        page = context.new_page()
        page.goto(site.demo.url + PAGE)
        assert re.fullmatch(r"Korenmarkt: \d{1,2} — rustig", page.evaluate(KORENMARKT_TITLE))
        assert re.search(r"Korenmarkt \d{1,2} rustig",
                         page.inner_text("#tile-zones table").replace("\t", " "))
        page.evaluate("window.notReloaded = true")
        page.wait_for_timeout(500)  # the stream's first event (the state shown) has come
        started = time.monotonic()
        site.post(140.0, 20)  # 160 a minute now: 1600 of 2000, score 80, te druk
        page.wait_for_function(f"() => ({KORENMARKT_TITLE})().endsWith('te druk')",
                               timeout=15000)
        seconds = time.monotonic() - started
        assert re.fullmatch(r"Korenmarkt: [789]\d — te druk", page.evaluate(KORENMARKT_TITLE))
        fill = page.evaluate(
            "() => [...document.querySelectorAll('#tile-zones svg path')].find(p => "
            "(p.querySelector('title') || {}).textContent?.startsWith('Korenmarkt:'))"
            ".getAttribute('fill')")
        assert fill == FILLS["red"]
        table = page.inner_text("#tile-zones table").replace("\t", " ")
        assert re.search(r"Korenmarkt [789]\d te druk", table) and "Kouter" in table
        assert "te druk (1)" in page.inner_text("#tile-zones .dash-legend")
        assert page.evaluate("window.notReloaded") is True
        assert seconds < 15
    finally:
        context.close()
    assert not guard.blocked, f"asked for something outside Belfort: {guard.blocked}"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", [PAGE, PAGE + "/tiles/zones"], ids=["dashboard", "tile"])
def test_axe_finds_no_wcag_violations(chromium: Any, site: Site, path: str, lang: str,
                                      viewport: dict[str, int]) -> None:
    phone = viewport == PHONE
    context, guard = guarded_context(chromium, site.demo, viewport=viewport, is_mobile=phone,
                                     has_touch=phone)
    try:
        page = context.new_page()
        response = page.goto(site.demo.url + with_lang(path, lang))
        assert response is not None and response.status == 200
        assert page.locator("#tile-zones svg path title").count() >= 2
        page.wait_for_timeout(600)
        if phone:
            assert _sideways(page) is None, _sideways(page)
            width = page.evaluate("document.querySelector('#tile-zones svg')"
                                  ".getBoundingClientRect().width")
            assert 0 < width <= PHONE["width"]
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    finally:
        context.close()
    assert not guard.blocked


def test_without_scripts_the_map_and_its_table_are_there(chromium: Any, site: Site) -> None:
    context, _guard = guarded_context(chromium, site.demo)
    try:
        page = context.new_page()
        block_scripts(page)
        page.goto(site.demo.url + PAGE)
        assert page.locator("#tile-zones svg path title").count() >= 2
        assert "Korenmarkt" in page.inner_text("#tile-zones table")
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    finally:
        context.close()
