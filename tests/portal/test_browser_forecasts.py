"""The forecasts pages in Debian's Chromium: axe-core finds no WCAG 2.1 A/AA violation at
1280 and 390 px in both languages; a phone does not scroll sideways; nothing is loaded from
outside Belfort."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.platform import Platform
from belfort.settings import Settings
from tests.helpers import live_server
from tests.portal.conftest import (
    DESKTOP,
    LANGS,
    PHONE,
    LiveDemo,
    ServerTimer,
    axe_violations,
    describe_violations,
    guarded_context,
    with_lang,
)
from tests.portal.test_browser import _sideways
from tests.twin.forecasting.helpers import trained_city


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str]]:
    root: Path = tmp_path_factory.mktemp("forecasts")
    platform = Platform(Settings(data_dir=root / "data",
                                 database_url=f"sqlite:///{root / 'c.db'}", map_tile_url=None,
                                 quota_per_address=0, quota_per_key=0))
    made = trained_city(platform)
    from belfort.dashboards.store import save_dashboard
    from tests.portal.test_dashboard_forecasts import SPEC
    with platform.db.session() as session:
        save_dashboard(session, "proef", SPEC)  # a zone's, a sensor's and every zone's forecast
    try:
        with live_server(platform) as url:
            yield LiveDemo(url, ServerTimer(None), 0.0), str(made["version"])
    finally:
        platform.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_forecast_pages_are_accessible_and_fit_a_phone(
        chromium: Any, site: tuple[LiveDemo, str], lang: str) -> None:
    demo, version = site
    problems: list[str] = []
    for path in ("/voorspellingen", f"/voorspellingen/modellen/{version}"):
        for viewport in (DESKTOP, PHONE):
            context, guard = guarded_context(chromium, demo, viewport=viewport)
            try:
                page = context.new_page()
                answer = page.goto(demo.url + with_lang(path, lang))
                assert answer is not None and answer.status == 200
                assert page.locator("h1").count() == 1
                violations = axe_violations(page)
                if violations:
                    problems.append(f"{path} {viewport['width']} px: "
                                    f"{describe_violations(violations)}")
                if viewport is PHONE and (why := _sideways(page)):
                    problems.append(f"{path}: {why}")
            finally:
                context.close()
            assert not guard.blocked, f"asked for something outside Belfort: {guard.blocked}"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
def test_dashboards_with_forecasts_are_accessible_by_keyboard_and_on_a_phone(
        chromium: Any, site: tuple[LiveDemo, str], lang: str) -> None:
    demo, _ = site
    problems: list[str] = []
    for path in ("/dashboards/gent", "/dashboards/proef", "/dashboards/proef/tiles/zone"):
        for viewport in (DESKTOP, PHONE):
            context, guard = guarded_context(chromium, demo, viewport=viewport)
            try:
                page = context.new_page()
                answer = page.goto(demo.url + with_lang(path, lang))
                assert answer is not None and answer.status == 200
                assert page.locator(".dash-forecast table").count() >= 1, path
                violations = axe_violations(page)
                if violations:
                    problems.append(f"{path} {viewport['width']} px: "
                                    f"{describe_violations(violations)}")
                if viewport is PHONE and (why := _sideways(page)):
                    problems.append(f"{path}: {why}")
                if viewport is DESKTOP:  # the forecast's table and model link by keyboard
                    reached = set()
                    for _ in range(80):
                        page.keyboard.press("Tab")
                        reached.add(page.evaluate(
                            "() => { const e = document.activeElement;"
                            " return !e || !e.closest('.dash-forecast') ? '' :"
                            " e.tagName === 'A' ? 'link' : 'table'; }"))
                        if {"link", "table"} <= reached:
                            break
                    if not {"link", "table"} <= reached:
                        problems.append(f"{path}: the forecast is not reached by keyboard")
            finally:
                context.close()
            assert not guard.blocked, f"asked for something outside Belfort: {guard.blocked}"
    assert not problems, "\n".join(problems)
