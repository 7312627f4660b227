"""The City Dashboard in Debian's Chromium: axe-core finds no WCAG 2.1 A/AA violation at
1280 and 390 px in both languages, with and without scripts; an observation written while the
page is open shows up in the tile's text within seconds, without a reload; the tiles are
reachable by keyboard; with reduced motion nothing moves; nothing is loaded from outside."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.dashboards.store import save_dashboard
from belfort.platform import Platform
from belfort.settings import Settings
from belfort.streams.model import ObservationIn, now_us
from belfort.streams.sensors import Device, SensorSpec, devices, register_sensor
from belfort.streams.write import write_observations
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

SPEC = """
title: {nl: Fietsen nu, en: Cycling now}
tiles:
  - {id: fiets, type: kpi, title: {nl: Fietsers nu, en: Cyclists now}, stream: fiets-1,
     thresholds: [{upto: 50, colour: green, label: {nl: rustig, en: quiet}},
                  {colour: red, label: {nl: te druk, en: too busy}}]}
  - {id: meter, type: gauge, title: {nl: Drukte, en: Crowding}, stream: fiets-1}
  - {id: lijn, type: line, title: {nl: Verloop, en: Over time}, stream: fiets-1}
  - {id: kaart, type: map, title: {nl: Kaart, en: Map}, sensors: telpunten-drukte-gent,
     thresholds: [{upto: 50, colour: green, label: {nl: rustig, en: quiet}},
                  {colour: red, label: {nl: te druk, en: too busy}}]}
  - {id: tabel, type: table, title: {nl: Tellers, en: Counters}, sensors: telpunten-drukte-gent}
"""
PAGES = {
    "list": "/dashboards",
    "gent": "/dashboards/gent",
    "live": "/dashboards/fietsen",
    "tile": "/dashboards/fietsen/tiles/kaart",
    "embedded": "/dashboards/fietsen?embed=1",
}


class Site:
    def __init__(self, demo: LiveDemo, platform: Platform, device: Device) -> None:
        self.demo, self.platform, self.device = demo, platform, device
        self.value = 40.0

    def observe(self, value: float) -> None:
        result = write_observations(self.platform, self.device, [
            ObservationIn("fiets-1", "count", now_us(), value)])
        assert result.stored == 1


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    from belfort.demo.loader import load_demo

    root: Path = tmp_path_factory.mktemp("dashboard-browser")
    platform = Platform(Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'c.db'}",
                                 map_tile_url=None, quota_per_address=0, quota_per_key=0,
                                 dashboard_min_interval_seconds=0.3))
    for _line in load_demo(platform, size="small"):
        pass
    with platform.db.session() as session:
        credential = register_sensor(session, SensorSpec(
            id="fiets-1", name="Fietstelpaal Coupure", kind="fietstelpaal",
            observed_property="count", unit="fietsers", longitude=3.72, latitude=51.05,
            dataset_id="telpunten-drukte-gent")).credential
        save_dashboard(session, "fietsen", SPEC)
    device = devices(platform).authenticate(credential, "fiets-1", "test")
    write_observations(platform, device, [ObservationIn("fiets-1", "count", now_us() - 60_000_000,
                                                        40)])
    try:
        with live_server(platform) as url:
            yield Site(LiveDemo(url, ServerTimer(None), 0.0), platform, device)
    finally:
        platform.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_violations(chromium: Any, site: Site, name: str, lang: str,
                                      viewport: dict[str, int]) -> None:
    phone = viewport == PHONE
    context, guard = guarded_context(chromium, site.demo, viewport=viewport, is_mobile=phone,
                                     has_touch=phone)
    try:
        page = context.new_page()
        response = page.goto(site.demo.url + with_lang(PAGES[name], lang))
        assert response is not None and response.status == 200
        page.wait_for_timeout(600)  # the live stream's first event has been applied
        if phone:
            assert _sideways(page) is None, _sideways(page)
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    finally:
        context.close()
    assert not guard.blocked, f"asked for something outside Belfort: {guard.blocked}"


@pytest.mark.parametrize("name", ["gent", "live", "tile"])
def test_axe_without_scripts(chromium: Any, site: Site, name: str) -> None:
    context, _guard = guarded_context(chromium, site.demo)
    try:
        page = context.new_page()
        block_scripts(page)
        page.goto(site.demo.url + PAGES[name])
        assert page.locator("[data-tile]").count() >= 1
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    finally:
        context.close()


def test_a_new_observation_updates_the_tile_without_reload(chromium: Any, site: Site) -> None:
    context, guard = guarded_context(chromium, site.demo)
    try:
        page = context.new_page()
        page.goto(site.demo.url + PAGES["live"])
        page.evaluate("window.notReloaded = true")
        page.wait_for_timeout(500)
        site.observe(77)
        started = time.monotonic()
        page.wait_for_function(
            "() => document.querySelector('#tile-fiets [data-value]').textContent.trim()"
            " === '77 fietsers'",
            timeout=5000)
        seconds = time.monotonic() - started
        assert page.inner_text("#tile-fiets [data-level]") == "Niveau: te druk"
        assert page.evaluate("window.notReloaded") is True
        # the pictures follow: the table of the line and the map's table are drawn again
        page.wait_for_function(
            "() => document.querySelector('#tile-lijn table').textContent.includes('77')",
            timeout=5000)
        page.wait_for_function(
            "() => document.querySelector('#tile-tabel table').textContent.includes('77')",
            timeout=5000)
        assert page.get_attribute("#tile-fiets [data-summary]", "aria-live") == "polite"
        assert seconds < 5
    finally:
        context.close()
    assert not guard.blocked


def test_the_tiles_are_reachable_by_keyboard(chromium: Any, site: Site) -> None:
    context, _guard = guarded_context(chromium, site.demo)
    try:
        page = context.new_page()
        page.goto(site.demo.url + PAGES["live"])
        reached: list[str] = []
        for _ in range(60):
            page.keyboard.press("Tab")
            reached.append(page.evaluate(
                "(() => { const e = document.activeElement; return (e.getAttribute('href') || "
                "e.getAttribute('aria-labelledby') || e.tagName); })()"))
        for tile in ("fiets", "meter", "lijn", "kaart", "tabel"):
            assert f"/dashboards/fietsen/tiles/{tile}" in reached, reached
        assert any(r and r.startswith("tile-lijn-caption") for r in reached)  # scrollable table
        page.focus('a[href="/dashboards/fietsen/tiles/kaart"]')
        page.keyboard.press("Enter")
        page.wait_for_url("**/dashboards/fietsen/tiles/kaart")
        assert page.locator("h1#tile-kaart-title").count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("reduced", [True, False])
def test_reduced_motion_means_no_highlight_animation(chromium: Any, site: Site,
                                                     reduced: bool) -> None:
    context, _guard = guarded_context(chromium, site.demo,
                                      reduced_motion="reduce" if reduced else "no-preference")
    try:
        page = context.new_page()
        page.goto(site.demo.url + PAGES["live"])
        page.wait_for_timeout(500)
        site.value += 1
        site.observe(site.value)
        page.wait_for_selector("#tile-fiets.dash-changed", timeout=5000)
        animation = page.evaluate(
            "getComputedStyle(document.querySelector('#tile-fiets')).animationName")
        assert animation == ("none" if reduced else "dash-flash")
    finally:
        context.close()


def test_the_staff_page_in_the_browser(chromium: Any, site: Site) -> None:
    """The staff page by keyboard and axe: a refused spec comes back with its error summary
    focused, the typed text kept, no WCAG violation."""
    from belfort.policy.keys import create_key
    from tests.helpers import staff_session

    with site.platform.db.session() as session:
        key = create_key(session, "browser staff").secret
    token = staff_session(site.platform, key)
    context, guard = guarded_context(chromium, site.demo)
    context.add_cookies([{"name": "belfort_staff", "value": token, "url": site.demo.url}])
    try:
        page = context.new_page()
        page.goto(site.demo.url + "/staff/dashboards/fietsen")
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        page.fill("#dash-spec", "title: T\ntiles:\n  - {id: a, type: pie, title: A, stream: s}\n")
        page.focus("#dash-spec")
        page.keyboard.press("Tab")  # to the save button
        page.keyboard.press("Enter")
        page.wait_for_selector(".error-summary")
        assert "tiles[0].type" in page.inner_text(".error-summary")
        page.wait_for_function("() => document.activeElement.classList.contains('error-summary')")
        assert "type: pie" in page.input_value("#dash-spec")
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
        page.goto(site.demo.url + "/staff/dashboards")
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    finally:
        context.close()
    assert not guard.blocked
