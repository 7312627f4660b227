"""The quality dashboards and a dataset page's data-quality section in Debian's Chromium: no
axe violation at 1280 and 390 px in either language, every Tab stop of a dashboard visible up
to the worst dataset's link, the trend drawn as an SVG, nothing loaded from outside Belfort."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.catalog import organisations as orgs
from belfort.catalog import store as catalog_store
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.quality import hook, run, store
from tests.portal.conftest import (  # noqa: F401 (chromium is a fixture)
    DESKTOP,
    PHONE,
    LiveDemo,
    assert_no_axe_violations,
    chromium,
    guarded_context,
    live_staff_site,
)
from tests.portal.test_browser_keyboard import tab_to
from tests.quality.conftest import write_parkings

ORG = "Dienst Kwaliteit"
RULES = [{"type": "check", "id": "bezetting-past", "where": "bezetting <= capaciteit"},
         {"type": "pattern", "field": "postcode", "value": "[0-9]{4}"}]
PAGES = {
    "city": "/datakwaliteit",
    "organisation": "/organisations/dienst-kwaliteit/datakwaliteit",
    "dataset": "/datasets/parkings#data-quality",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str, Platform]]:
    root: Path = tmp_path_factory.mktemp("data-quality")
    with live_staff_site(root, "browser data quality") as (live, key, platform):
        with platform.db.session() as session:
            orgs.add_organisation(session, "dienst-kwaliteit", {"name_nl": ORG})
        ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(root), metadata={
            "title_nl": "Parkings", "organisation": ORG, "licence": "CC0-1.0"})
        hook.wait(platform)
        with platform.db.session() as session:  # rules with examples of failing rows
            store.replace_rules(session, catalog_store.find_dataset(session, "parkings"), RULES,
                                "test", max_rules=100, max_chars=2000)
        run.measure(platform, "parkings", trigger="api")
        yield live, key, platform


# the dataset page's section is also under axe in tests/portal/test_browser_metadata_quality.py
# (both widths, both languages, public and staff): here once, with the failing rules opened
CASES = [(n, lang, v) for n in ("city", "organisation") for lang in ("nl", "en")
         for v in (DESKTOP, PHONE)] + [("dataset", "nl", DESKTOP), ("dataset", "en", PHONE)]


@pytest.mark.parametrize(("name", "lang", "viewport"), CASES,
                         ids=[f"{n}-{lang}-{v['width']}" for n, lang, v in CASES])
def test_quality_pages_are_accessible(
    chromium: Any,  # noqa: F811
    site: tuple[LiveDemo, str, Platform],
    viewport: dict[str, int],
    lang: str,
    name: str,
) -> None:
    live, _, _ = site
    phone = viewport == PHONE
    context, guard = guarded_context(chromium, live, viewport=viewport, is_mobile=phone,
                                     has_touch=phone)
    try:
        page = context.new_page()
        path, _, fragment = PAGES[name].partition("#")
        response = page.goto(f"{live.url}{path}?lang={lang}" + (f"#{fragment}" if fragment else ""))
        assert response is not None and response.status == 200
        if name == "dataset":
            page.locator("#data-quality details summary").click()  # the rules, opened
            assert page.locator("#data-quality .dq-badge").is_visible()
            assert page.locator("#data-quality td code").count() > 0  # failing examples
        else:
            chart = page.locator(".chart-narrow svg" if phone else ".chart-wide svg")
            assert chart.is_visible() and chart.get_attribute("role") == "img"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"] + 1, f"{name}: {width} px wide at {viewport['width']}"
        assert_no_axe_violations(page, f"data quality {name} ({lang}, {viewport['width']} px)")
    finally:
        context.close()
    assert not guard.blocked, guard.blocked


def test_the_dashboard_by_keyboard(chromium: Any, site: tuple[LiveDemo, str, Platform]  # noqa: F811
                                   ) -> None:
    live, _, _ = site
    context, guard = guarded_context(chromium, live)
    try:
        page = context.new_page()
        page.goto(f"{live.url}/datakwaliteit")
        tab_to(page, "#dq-worst a[href^='/datasets/parkings']")
        page.keyboard.press("Enter")
        page.wait_for_url("**/datasets/parkings#data-quality")
        assert page.locator("#data-quality .dq-badge").is_visible()
    finally:
        context.close()
    assert not guard.blocked, guard.blocked
