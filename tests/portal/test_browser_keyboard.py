"""Keyboard-only use of the portal in Debian's Chromium: every Tab stop on every page type
shows a visible focus indicator and no page traps the focus; the skip link; the search box,
the facets, the sort control, the table preview (its scroll region, sort headers, filter
and pager) and the download buttons are reached with Tab and worked with Enter or Space,
with the pages' scripts and without them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.portal.conftest import (
    PAGES,
    PHONE,
    TABLE_DATASET,
    LiveDemo,
    guarded_context,
    open_page,
)

MAX_TAB_STOPS = 250

# What the focused element is, and whether its focus can be seen: an outline of at least
# 2 px that is not transparent, or a box shadow; a size; and some of it on the screen.
_FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const cs = getComputedStyle(el), r = el.getBoundingClientRect();
  const transparent = (c) => c === 'transparent' || /rgba\\(.*,\\s*0\\)$/.test(c);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 && !transparent(cs.outlineColor);
  const shadow = cs.boxShadow && cs.boxShadow !== 'none';
  const name = (el.getAttribute('aria-label') || el.textContent || el.value || el.name || '').trim().replace(/\\s+/g, ' ');
  return {
    what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/)[0] : ''} "${name.slice(0, 40)}"`,
    indicator: outline || !!shadow,
    style: `outline ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}; box-shadow ${cs.boxShadow}`,
    sized: r.width > 0 && r.height > 0,
    on_screen: r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
    hidden: cs.visibility === 'hidden' || cs.display === 'none' || parseFloat(cs.opacity) === 0,
  };
}"""


def wait_until(page: Any, condition: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript condition from Python (``page.wait_for_function`` polls inside the
    page, which does not happen in a page whose JavaScript is switched off)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition):
        if time.monotonic() > deadline:
            pytest.fail(f"not true after {timeout} s on {page.url}: {condition}")
        time.sleep(0.05)


def focus_of(page: Any) -> dict[str, Any] | None:
    return page.evaluate(_FOCUS)


def assert_focus_visible(page: Any, where: str) -> dict[str, Any]:
    info = focus_of(page)
    assert info is not None, f"{where}: nothing has the focus"
    assert info["indicator"], f"{where}: focus on {info['what']} is not visible ({info['style']})"
    assert info["sized"] and not info["hidden"], f"{where}: the focused {info['what']} cannot be seen"
    assert info["on_screen"], f"{where}: the focused {info['what']} is not scrolled into view"
    return info


def tab_to(page: Any, selector: str, *, limit: int = MAX_TAB_STOPS) -> int:
    """Press Tab until the element matching ``selector`` has the focus; how many presses."""
    visited: list[str] = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            assert_focus_visible(page, f"Tab to {selector}")
            return presses
        info = focus_of(page)
        visited.append(info["what"] if info else "(nothing)")
    pytest.fail(f"{selector} not reached by Tab in {limit} presses on {page.url}; last stops: {visited[-8:]}")


# --- every Tab stop ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PAGES))
def test_every_tab_stop_shows_its_focus(portal_page: Any, demo_server: LiveDemo, name: str) -> None:
    """Tab from the top of the page to its end: each stop has a visible indicator and is on
    screen, and the focus leaves the page at the end (no keyboard trap)."""
    open_page(portal_page, demo_server, name)
    stops: list[str] = []
    for _ in range(MAX_TAB_STOPS):
        portal_page.keyboard.press("Tab")
        info = focus_of(portal_page)
        if info is None:
            break  # past the last stop: the focus left the page
        stops.append(info["what"])
        assert info["indicator"], f"{PAGES[name]}: focus on {info['what']} is not visible ({info['style']})"
        assert info["sized"] and not info["hidden"], f"{PAGES[name]}: focused {info['what']} cannot be seen"
        assert info["on_screen"], f"{PAGES[name]}: focused {info['what']} is not scrolled into view"
    else:
        pytest.fail(f"{PAGES[name]}: still inside the page after {MAX_TAB_STOPS} Tab presses "
                    f"(a keyboard trap?); last stops: {stops[-8:]}")
    assert len(stops) >= 8, f"{PAGES[name]}: only {len(stops)} Tab stops: {stops}"
    # and back again: Shift+Tab from the end reaches the first stop's neighbourhood
    portal_page.keyboard.press("Shift+Tab")
    assert focus_of(portal_page) is not None, f"{PAGES[name]}: Shift+Tab from the end does not come back"


def test_skip_link_is_first_and_moves_to_the_content(portal_page: Any, demo_server: LiveDemo) -> None:
    open_page(portal_page, demo_server, "dataset")
    portal_page.keyboard.press("Tab")
    info = assert_focus_visible(portal_page, "first Tab")
    assert "skip-link" in info["what"], f"the first Tab stop is {info['what']}, not the skip link"
    top = portal_page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert top >= 5, f"the skip link's focus ring (5 px) is cut off by the top of the window (top {top} px)"
    portal_page.keyboard.press("Enter")
    assert portal_page.evaluate("document.activeElement.id") == "main"
    portal_page.keyboard.press("Tab")  # the next stop is inside the content, past the navigation
    assert portal_page.evaluate("document.querySelector('main').contains(document.activeElement)")


# --- search, facets, sort ------------------------------------------------------------------


def test_search_from_the_home_page_by_keyboard(portal_page: Any, demo_server: LiveDemo) -> None:
    open_page(portal_page, demo_server, "home")
    tab_to(portal_page, "#search-q")
    portal_page.keyboard.type("parkeren")
    with portal_page.expect_navigation():
        portal_page.keyboard.press("Enter")
    assert portal_page.url.endswith("/datasets?q=parkeren")
    assert portal_page.locator(".results .card").count() >= 1
    assert portal_page.locator(f'.results .card a[href="/datasets/{TABLE_DATASET}"]').count() == 1


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_facets_and_sort_by_keyboard(chromium: Any, demo_server: LiveDemo, scripts: bool) -> None:
    """A facet is ticked with Space and applied with Space on its button; the chip that
    shows it is removed with Enter; the sort order is changed with the arrow keys."""
    context, _guard = guarded_context(chromium, demo_server, java_script_enabled=scripts)
    try:
        page = context.new_page()
        page.goto(demo_server.url + "/datasets")
        total = page.locator(".results .card").count()
        tab_to(page, 'input[type=checkbox][name="theme"][value="TRAN"]')
        page.keyboard.press("Space")
        assert page.locator('input[type=checkbox][name="theme"][value="TRAN"]').is_checked()
        tab_to(page, ".facets button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Space")
        assert "theme=TRAN" in page.url
        assert page.locator('input[type=checkbox][name="theme"][value="TRAN"]').is_checked()
        filtered = page.locator(".results .card").count()
        assert 0 < filtered < total

        tab_to(page, "#sort")
        page.keyboard.press("ArrowDown")  # relevance -> title
        assert page.locator("#sort").input_value() == "title"
        tab_to(page, ".sort-form button[type=submit]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "sort=title" in page.url and "theme=TRAN" in page.url
        titles = page.locator(".results .card h3").all_inner_texts()
        assert titles == sorted(titles, key=str.casefold), titles

        tab_to(page, "a.chip-remove")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "theme=TRAN" not in page.url
        assert page.locator(".results .card").count() == total
    finally:
        context.close()


# --- the table preview ---------------------------------------------------------------------


def _caption(page: Any) -> str:
    return page.locator("#preview caption").inner_text()


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_table_preview_by_keyboard(chromium: Any, demo_server: LiveDemo, scripts: bool) -> None:
    """Filter (type, then Space on the button), the scroll region (arrow keys scroll it at
    phone width), sorting by Enter on a column header, and the pager."""
    context, _guard = guarded_context(chromium, demo_server, viewport=PHONE, java_script_enabled=scripts)
    try:
        page = context.new_page()
        open_page(page, demo_server, "dataset", scripts=scripts)

        def act(key: str, done: str) -> None:
            """Press ``key``; without scripts that loads a new page, with them the preview
            redraws itself in place: wait for ``done`` (a JS condition) either way."""
            if scripts:
                page.keyboard.press(key)
            else:
                with page.expect_navigation():
                    page.keyboard.press(key)
            wait_until(page, done)

        tab_to(page, "#p_q")
        page.keyboard.type("Kouter")
        tab_to(page, "#preview form button[type=submit]")
        act("Space", "document.querySelector('#preview caption').textContent.includes('2.684')")
        assert "Kouter" in page.locator("#preview tbody tr").first.inner_text()

        region = "#preview .table-scroll"
        tab_to(page, region)
        assert page.evaluate(f"document.querySelector('{region}').scrollWidth > "
                             f"document.querySelector('{region}').clientWidth"), \
            "the preview table fits a phone screen: nothing to scroll (pick a wider dataset)"
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        wait_until(page, f"document.querySelector('{region}').scrollLeft > 0")

        column = "bezet"
        tab_to(page, f'#preview thead th a[href*="p_sort={column}"]')
        act("Enter", f"[...document.querySelectorAll('#preview thead th')].some(th => "
                     f"th.getAttribute('aria-sort') === 'ascending' && th.dataset.field === '{column}')")
        assert "p_sort=bezet" in page.url
        values = [int(v.replace(".", "")) for v in page.locator(
            f"#preview tbody td:nth-child({_column_index(page, column)})").all_inner_texts()]
        assert values == sorted(values), values
        if scripts:  # the script puts the focus back on the header it redrew
            assert page.evaluate("document.activeElement.closest('th') !== null")
            act("Enter", "document.querySelector('#preview th[aria-sort=descending]') !== null")
        tab_to(page, '#preview .pager a[rel="next"]')
        act("Enter", "document.querySelector('#preview caption').textContent.includes('21')")
        assert "Rijen 21 tot 40 van 2.684" in _caption(page), _caption(page)
    finally:
        context.close()


def _column_index(page: Any, column: str) -> int:
    names = [th.get_attribute("data-field") for th in page.locator("#preview thead th").all()]
    return next(i for i, n in enumerate(names, start=1) if n == column)


# --- downloads -----------------------------------------------------------------------------


def test_download_buttons_by_keyboard(portal_page: Any, demo_server: LiveDemo) -> None:
    """Each download button is reached with Tab and Enter downloads the file."""
    open_page(portal_page, demo_server, "dataset")
    buttons = portal_page.locator("#download a.button")
    formats = [h.rsplit("/", 1)[1] for h in buttons.evaluate_all("els => els.map(e => e.getAttribute('href'))")]
    assert {"csv", "json", "parquet"} <= set(formats), formats
    for fmt in ("csv", "json"):
        tab_to(portal_page, f'#download a.button[href$="/exports/{fmt}"]')
        with portal_page.expect_download() as info:
            portal_page.keyboard.press("Enter")
        body = Path(info.value.path()).read_bytes()
        if fmt == "csv":
            header = body.decode("utf-8-sig").splitlines()[0]
            assert "garage" in header and "bezet" in header, header
        else:
            records = json.loads(body)
            assert len(records) == 32208 and "garage" in records[0], str(records[:1])
