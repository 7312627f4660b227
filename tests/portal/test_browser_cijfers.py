"""The Gent in Cijfers pages in Debian's Chromium: axe-core finds no WCAG 2.1 A/AA violation
on the profile, compare and map pages at 1280 and 390 px in both languages; a phone does not
scroll sideways; the period choice, the folded series tables and the wijk links are reached
by keyboard; nothing is loaded from outside Belfort."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.cijfers.geography import geography_of
from belfort.cijfers.modelled import load_profile
from belfort.demo.loader import DEMO_LOADER
from belfort.platform import Platform
from belfort.settings import Settings
from tests.helpers import live_server
from tests.portal.conftest import (
    DESKTOP,
    PHONE,
    LiveDemo,
    ServerTimer,
    axe_violations,
    describe_violations,
    guarded_context,
    with_lang,
)
from tests.portal.test_browser import _sideways
from tests.portal.test_cijfers_pages import _secret_table

PAGES = ("/cijfers", "/cijfers/wijken/3", "/cijfers/vergelijk?wijk=1&wijk=3&wijk=20",
         "/cijfers/indicatoren/proef_geheim?periode=2023", "/cijfers/indicatoren/bev_100plus")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDemo]:
    root: Path = tmp_path_factory.mktemp("cijfers-browser")
    platform = Platform(Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'c.db'}",
                                 map_tile_url=None, quota_per_address=0, quota_per_key=0))
    for _line in load_profile(platform, DEMO_LOADER, geography_of(platform)):
        pass
    _secret_table(platform)  # "< 5", "x" and a Swing missing code on the pages
    try:
        with live_server(platform) as url:
            yield LiveDemo(url, ServerTimer(None), 0.0)
    finally:
        platform.close()


# every page in Dutch at both widths; the profile, compare and map pages in English on a phone
VISITS = [(path, "nl", viewport) for path in PAGES for viewport in (DESKTOP, PHONE)] + [
    (path, "en", PHONE) for path in PAGES[1:4]]


def test_the_cijfers_pages_are_accessible_and_fit_a_phone(chromium: Any, site: LiveDemo) -> None:
    problems: list[str] = []
    for path, lang, viewport in VISITS:
        context, guard = guarded_context(chromium, site, viewport=viewport)
        try:
            page = context.new_page()
            answer = page.goto(site.url + with_lang(path, lang))
            assert answer is not None and answer.status == 200, path
            assert page.locator("h1").count() == 1
            violations = axe_violations(page)
            if violations:
                problems.append(f"{path} {lang} {viewport['width']} px: "
                                f"{describe_violations(violations)}")
            if viewport is PHONE and (why := _sideways(page)):
                problems.append(f"{path} {lang}: {why}")
        finally:
            context.close()
        assert not guard.blocked, f"asked for something outside Belfort: {guard.blocked}"
    assert not problems, "\n".join(problems)


def _tab_to(page: Any, test: str, limit: int = 80) -> bool:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(test):
            return True
    return False


def test_the_cijfers_pages_work_by_keyboard(chromium: Any, site: LiveDemo) -> None:
    context, guard = guarded_context(chromium, site)
    try:
        page = context.new_page()
        page.goto(site.url + "/cijfers/indicatoren/bev_totaal")
        assert _tab_to(page, "document.activeElement.id === 'gic-period'")
        page.keyboard.press("End")  # the oldest period
        assert _tab_to(page, "document.activeElement.type === 'submit'", 3)
        page.keyboard.press("Enter")
        page.wait_for_url("**periode=2015**")
        assert "2015" in page.locator("h2#gic-map-h").inner_text()
        assert _tab_to(page, "(document.activeElement.getAttribute('href') || '')"
                             ".startsWith('/cijfers/wijken/')", 120)
        page.keyboard.press("Enter")
        page.wait_for_url("**/cijfers/wijken/**")
        assert _tab_to(page, "document.activeElement.tagName === 'SUMMARY'", 120)
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.parentElement.open") is True
        page.goto(site.url + "/cijfers")
        assert _tab_to(page, "document.activeElement.name === 'wijk'", 120)
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        assert _tab_to(page, "document.activeElement.type === 'submit'", 40)
        page.keyboard.press("Enter")
        page.wait_for_url("**/cijfers/vergelijk?wijk=1&wijk=2**")
        assert page.locator("h1").count() == 1
    finally:
        context.close()
    assert not guard.blocked
