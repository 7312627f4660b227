"""The what-if scenarios page in Debian's Chromium, on the demo's Ghent zones and street links:
axe-core finds no WCAG 2.1 A/AA violation at 1280 and 390 px in both languages, with and
without scripts; a phone does not scroll sideways; nothing is loaded from outside Belfort."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.platform import Platform
from belfort.settings import Settings
from belfort.twin.demo_zones import load_demo_zones
from belfort.twin.scenarios import store
from belfort.twin.scenarios.demo_links import load_demo_links
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
from tests.twin.conftest import HOUR, feed, make_sensor
from tests.twin.scenarios.helpers import MONDAY_9, WEEK, WINDOW

COUNTED = {"korenmarkt": 3000.0, "veldstraat": 2500.0, "graslei": 1500.0,
           "sint-baafsplein": 1200.0, "kouter": 800.0, "vrijdagmarkt": 900.0}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str]]:
    root: Path = tmp_path_factory.mktemp("scenarios")
    platform = Platform(Settings(data_dir=root / "data",
                                 database_url=f"sqlite:///{root / 'c.db'}", map_tile_url=None,
                                 quota_per_address=0, quota_per_key=0))
    load_demo_zones(platform)
    assert load_demo_links(platform) == 16
    for n, (zone, persons) in enumerate(COUNTED.items()):
        credential = make_sensor(platform, f"S{n}", zone, "passages")
        feed(platform, credential, f"S{n}", [(MONDAY_9 - WEEK, persons, MONDAY_9 - WEEK + HOUR)])
    a = store.create(platform, {"name": "Korenmarkt dicht", "closures": [{"zone": "korenmarkt"}],
                                **WINDOW}, "key:test", until_us=MONDAY_9)
    b = store.create(platform, {"name": "Veldstraat dicht",
                                "closures": [{"link": "korenmarkt-veldstraat"}], **WINDOW},
                     "key:test", until_us=MONDAY_9)
    try:
        with live_server(platform) as url:
            yield LiveDemo(url, ServerTimer(None), 0.0), f"/scenarios?a={a['id']}&b={b['id']}"
    finally:
        platform.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scripts", [True, False])
def test_the_comparison_is_accessible_and_fits_a_phone(
        chromium: Any, site: tuple[LiveDemo, str], lang: str, scripts: bool) -> None:
    demo, path = site
    problems: list[str] = []
    for viewport in (DESKTOP, PHONE):
        context, guard = guarded_context(chromium, demo, viewport=viewport)
        try:
            page = context.new_page()
            if not scripts:
                block_scripts(page)
            answer = page.goto(demo.url + with_lang(path, lang))
            assert answer is not None and answer.status == 200
            assert page.locator("svg.bf-map-svg").count() == 2
            assert page.locator("svg.bf-map-svg path title").count() >= 2 * 12
            violations = axe_violations(page)
            if violations:
                problems.append(f"{viewport['width']} px: {describe_violations(violations)}")
            if viewport is PHONE and (why := _sideways(page)):
                problems.append(why)
        finally:
            context.close()
        assert not guard.blocked, f"asked for something outside Belfort: {guard.blocked}"
    assert not problems, "\n".join(problems)
