"""The portal in a real browser (Debian's Chromium driven by Playwright), over the demo
catalogue served by a real uvicorn: axe-core finds no WCAG 2.1 A/AA violation on any page
type in either language, at desktop and phone width, with and without the pages' scripts;
no page body scrolls sideways on a phone; and no page asks for anything outside Belfort
(every context aborts and writes down any request that is not to the test server).

Keyboard use is in test_browser_keyboard.py, reading without JavaScript in
test_browser_nojs.py, page weight and server time in test_browser_speed.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.portal.conftest import (
    DESKTOP,
    LANGS,
    MAP_PAGES,
    PAGES,
    PHONE,
    LiveDemo,
    axe_violations,
    block_scripts,
    describe_violations,
    guarded_context,
    open_page,
    with_lang,
)

SCRIPTED = {"dataset", "dataset-filtered", "dataset-empty-preview", "map"}  # pages with scripts


def _open_everything(page: Any) -> None:
    """Open what is folded (the chart's data table) so axe checks it too."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_wcag_violations(chromium: Any, demo_server: LiveDemo, name: str, lang: str,
                                      viewport: dict[str, int]) -> None:
    """axe-core on every page type, both languages, at 1280 and 390 px; at 390 px the page
    body also fits the screen (wide tables scroll inside their own region)."""
    phone = viewport == PHONE
    context, guard = guarded_context(chromium, demo_server, viewport=viewport, is_mobile=phone, has_touch=phone)
    problems = []
    try:
        page = context.new_page()
        open_page(page, demo_server, name, lang)
        _open_everything(page)
        if phone and (problem := _sideways(page)):
            problems.append(problem)
        violations = axe_violations(page)
        if violations:
            problems.append(f"axe-core: WCAG 2.1 A/AA violations at {viewport['width']} px:\n"
                            f"{describe_violations(violations)}")
    finally:
        context.close()
    assert not problems, f"{with_lang(PAGES[name], lang)}: " + "\n".join(problems)
    assert not guard.blocked, f"{PAGES[name]} asked for something outside Belfort: {guard.blocked}"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", sorted(SCRIPTED))
def test_axe_without_the_pages_scripts(chromium: Any, demo_server: LiveDemo, name: str, lang: str) -> None:
    """The server-rendered page (what a browser without JavaScript shows: the SVG map,
    the plain preview links) is as accessible as the enhanced one."""
    context, _guard = guarded_context(chromium, demo_server)
    try:
        page = context.new_page()
        block_scripts(page)
        open_page(page, demo_server, name, lang, scripts=False)
        assert page.locator(".leaflet-container").count() == 0  # the scripts really did not run
        _open_everything(page)
        violations = axe_violations(page)
        assert not violations, (
            f"axe-core without scripts: violations on {with_lang(PAGES[name], lang)}:\n"
            f"{describe_violations(violations)}")
    finally:
        context.close()


def test_map_page_is_enhanced_by_leaflet_and_stays_accessible(portal_page: Any, demo_server: LiveDemo) -> None:
    """The map page as checked above really is the Leaflet map (not the fallback)."""
    open_page(portal_page, demo_server, "map")
    assert portal_page.locator(".bf-map .leaflet-container, .bf-map.leaflet-container").count() == 1
    assert portal_page.locator(".bf-map path.leaflet-interactive, .bf-map .leaflet-marker-icon").count() > 0
    violations = axe_violations(portal_page)
    assert not violations, describe_violations(violations)


@pytest.mark.parametrize("lang", LANGS)
def test_reflow_at_320_css_pixels(chromium: Any, demo_server: LiveDemo, lang: str) -> None:
    """WCAG 2.1 success criterion 1.4.10 (Reflow): at 320 CSS px, which is 1280 px zoomed to
    400 %, no page type scrolls sideways."""
    context, _guard = guarded_context(chromium, demo_server, viewport={"width": 320, "height": 640})
    problems = []
    try:
        page = context.new_page()
        for name in PAGES:
            open_page(page, demo_server, name, lang)
            if problem := _sideways(page):
                problems.append(f"{with_lang(PAGES[name], lang)}: {problem}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def _sideways(page: Any) -> str | None:
    """Why the page body scrolls sideways, or None when it fits."""
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth,"
                           " document.documentElement.clientWidth]")
    if max(widths[:2]) <= widths[2]:
        return None
    return (f"the page scrolls sideways at {widths[2]} px (scrollWidth {max(widths[:2])}); "
            f"too wide: {page.evaluate(_WIDE_ELEMENTS)}")


# The outermost elements sticking out to the right, outside any element that clips or
# scrolls its own content (like .table-scroll or the map).
_WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth, out = [];
  const clipped = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o !== 'visible') return true; } return false; };
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && !clipped(el) && !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 0.5)) {
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} (right edge ${Math.round(r.right)} px)`);
    }
  }
  return out.slice(0, 10);
}"""


def test_nothing_is_requested_outside_belfort(chromium: Any, demo_server: LiveDemo) -> None:
    """Every page type in both languages, with its scripts, the map drawn, the preview
    sorted by script and the chart's table opened: every request stays on the Belfort
    server (fonts, scripts, styles, tiles, images). The guard itself is checked first."""
    context, guard = guarded_context(chromium, demo_server)
    try:
        page = context.new_page()
        page.goto(demo_server.url + "/health")  # JSON: no CSP, so only the guard can stop the fetch
        page.evaluate("fetch('https://fonts.googleapis.com/css2?family=Roboto').catch(() => null)")
        page.wait_for_timeout(200)
        assert guard.blocked == ["https://fonts.googleapis.com/css2?family=Roboto"], guard.blocked
        guard.blocked.clear()
        guard.requests.clear()

        for lang in LANGS:
            for name in PAGES:
                open_page(page, demo_server, name, lang)
                _open_everything(page)
                if name == "dataset":
                    with page.expect_response(lambda r: "/api/records/1.0/search/" in r.url):
                        page.locator("#preview thead a").first.click()
                if name in MAP_PAGES:  # a popup opened from the keyboard
                    page.locator(".bf-map path.leaflet-interactive, .bf-map .leaflet-marker-icon").first.focus()
                    page.keyboard.press("Enter")
                    page.locator(".leaflet-popup-content").wait_for()
                if name in SCRIPTED:  # scripts may ask for more after "load"
                    page.wait_for_load_state("networkidle")
    finally:
        context.close()
    outside = [u for u in guard.requests if not demo_server.is_local(u)]
    assert not guard.blocked and not outside, f"requests outside Belfort: {guard.blocked or outside}"
    assert any("/static/vendor/leaflet/leaflet.js" in u for u in guard.requests)
    assert any("/map.geojson" in u for u in guard.requests)
