"""Searching on a phone (390 × 844) in Debian's Chromium: the first result is on the screen
when the page loads (the filters are folded behind a "Filters" button, unfolded on a
desktop), the active filters are removable chips above the results at every size, the
processing register's list shows its first entry too, and axe-core finds nothing at 390
and 1280 px. Every public page has the discreet sign-in link for staff in its footer."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.portal.conftest import (
    DESKTOP,
    NOT_FOUND,
    ORGANISATION,
    PAGES,
    PHONE,
    LiveDemo,
    axe_violations,
    describe_violations,
    guarded_context,
)

SEARCHES = {
    "all": "/datasets",
    "query": "/datasets?q=parkeren",
    "filtered": "/datasets?theme=TRAN&organisation=Mobiliteitsbedrijf+Gent",
    "english": "/datasets?theme=TRAN&lang=en",
}
FILTERED = "/datasets?theme=TRAN&organisation=Mobiliteitsbedrijf+Gent"


def _context(
    chromium: Any, demo: LiveDemo, viewport: dict[str, int], **options: Any
) -> tuple[Any, Any]:
    phone = viewport == PHONE
    return guarded_context(
        chromium, demo, viewport=viewport, is_mobile=phone, has_touch=phone, **options
    )


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def phone(request: Any, chromium: Any, demo_server: LiveDemo) -> Iterator[Any]:
    context, guard = _context(chromium, demo_server, PHONE, java_script_enabled=request.param)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert not guard.blocked, f"requests outside Belfort: {guard.blocked}"


def _go(page: Any, url: str) -> None:
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"


def _first_result_top(page: Any, selector: str = ".results .card") -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"no {selector} on {page.url}"
    return float(box["y"])


@pytest.mark.parametrize("name", list(SEARCHES))
def test_first_result_is_on_the_phone_screen(phone: Any, demo_server: LiveDemo, name: str) -> None:
    """At 390 × 844 the first result's title starts on the screen without scrolling, and
    the facets are folded (the checkboxes are not shown until "Filters" is opened)."""
    _go(phone, demo_server.url + SEARCHES[name])
    assert phone.evaluate("window.scrollY") == 0
    top = _first_result_top(phone)
    title = phone.locator(".results .card h3").first.bounding_box()
    assert title is not None
    assert top + title["height"] < PHONE["height"], (
        f"{SEARCHES[name]}: the first result starts at {top:.0f} px, "
        f"below the {PHONE['height']} px screen"
    )
    assert phone.locator(".facets input[type=checkbox]").first.is_hidden()


def test_filters_unfold_and_apply_on_a_phone(phone: Any, demo_server: LiveDemo) -> None:
    """The "Filters" button is a real control: it says the filters are folded, opens them
    (a tap, or Enter from the keyboard), and the ticked filter is applied."""
    _go(phone, demo_server.url + "/datasets")
    summary = phone.locator(".facets summary")
    assert summary.inner_text().strip().startswith("Filters")
    summary.focus()
    phone.keyboard.press("Enter")
    box = phone.locator('.facets input[name="theme"][value="TRAN"]')
    assert box.is_visible()
    box.check()
    with phone.expect_navigation():
        phone.get_by_role("button", name="Filters toepassen").click()
    assert "theme=TRAN" in phone.url
    # the fold says how many filters are on, so a closed fold does not hide them
    assert "1 actief" in phone.locator(".facets summary").inner_text()
    assert phone.locator(".facets input[type=checkbox]").first.is_hidden()


@pytest.mark.parametrize("scripts", [True, False], ids=["javascript", "no-javascript"])
def test_filters_are_unfolded_on_a_desktop(
    chromium: Any, demo_server: LiveDemo, scripts: bool
) -> None:
    context, _guard = _context(chromium, demo_server, DESKTOP, java_script_enabled=scripts)
    try:
        page = context.new_page()
        _go(page, demo_server.url + "/datasets")
        assert page.locator('.facets input[name="theme"][value="TRAN"]').is_visible()
        assert page.locator(".facets summary").is_hidden()  # no fold to open on a wide screen
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_chips_name_the_filter_and_remove_it(
    chromium: Any, demo_server: LiveDemo, viewport: dict[str, int]
) -> None:
    """Each active filter is a chip "Thema: Vervoer ✕" above the results; following it
    removes that filter only."""
    context, _guard = _context(chromium, demo_server, viewport)
    try:
        page = context.new_page()
        _go(page, demo_server.url + FILTERED)
        chips = page.locator(".results .chips a.chip-remove")
        assert chips.all_inner_texts() == ["Thema: Vervoer ✕", f"Organisatie: {ORGANISATION} ✕"]
        chip_box = chips.first.bounding_box()
        assert chip_box is not None and chip_box["y"] < _first_result_top(page)
        if viewport == PHONE:
            assert chip_box["y"] + chip_box["height"] < PHONE["height"]
        assert chips.first.get_attribute("aria-label") == "Filter Thema: Vervoer verwijderen"
        filtered = page.locator(".results .card").count()
        with page.expect_navigation():
            chips.first.click()
        assert "theme=" not in page.url and "organisation=Mobiliteitsbedrijf" in page.url
        assert page.locator(".results .chips a.chip-remove").all_inner_texts() == [
            f"Organisatie: {ORGANISATION} ✕"
        ]
        assert page.locator(".results .card").count() >= filtered
        with page.expect_navigation():
            page.locator(".results .chips a.chip-remove").first.click()
        assert page.locator(".results .chips").count() == 0
    finally:
        context.close()


def test_chips_in_english(chromium: Any, demo_server: LiveDemo) -> None:
    context, _guard = _context(chromium, demo_server, PHONE)
    try:
        page = context.new_page()
        _go(page, demo_server.url + "/datasets?theme=TRAN&lang=en")
        chip = page.locator(".results .chips a.chip-remove")
        assert chip.all_inner_texts() == ["Theme: Transport ✕"]
        assert chip.first.get_attribute("aria-label") == "Remove filter Theme: Transport"
    finally:
        context.close()


@pytest.mark.parametrize(
    "path", ["/verwerkingsregister", "/verwerkingsregister?audience=burger&q=parkeer"]
)
def test_register_list_shows_its_first_entry_on_a_phone(
    chromium: Any, demo_server: LiveDemo, path: str
) -> None:
    """The processing register's list keeps its four filters in view (they are few) and
    its first entry's title still starts on a phone's screen."""
    context, _guard = _context(chromium, demo_server, PHONE)
    try:
        page = context.new_page()
        _go(page, demo_server.url + path)
        top = _first_result_top(page, ".cards .card")
        title = page.locator(".cards .card h2").first.bounding_box()
        assert title is not None
        assert top + title["height"] < PHONE["height"], (
            f"{path}: the first entry starts at {top:.0f} px"
        )
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    "path", [*SEARCHES.values(), "/verwerkingsregister", "/verwerkingsregister?audience=burger"]
)
def test_axe_on_folded_filters(
    chromium: Any, demo_server: LiveDemo, path: str, viewport: dict[str, int]
) -> None:
    """axe-core on the search and register pages as they load (fold closed on a phone) and
    with the fold opened."""
    context, _guard = _context(chromium, demo_server, viewport)
    try:
        page = context.new_page()
        _go(page, demo_server.url + path)
        for state in ("as loaded", "opened"):
            violations = axe_violations(page)
            assert not violations, (
                f"{path} ({state}, {viewport['width']} px):\n{describe_violations(violations)}"
            )
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_footer_has_a_sign_in_link_for_staff_on_every_public_page(
    demo_server: LiveDemo, lang: str
) -> None:
    text = {"nl": "Aanmelden voor medewerkers", "en": "Staff sign-in"}[lang]
    for name, path in PAGES.items():
        url = demo_server.url + path.partition("#")[0]
        url += ("&" if "?" in url else "?") + f"lang={lang}"
        try:
            request = urllib.request.Request(
                url, headers={"Accept": "text/html"}
            )  # the record page negotiates
            with urllib.request.urlopen(request, timeout=30) as response:
                html = response.read().decode()
        except urllib.error.HTTPError as error:
            assert name in NOT_FOUND, f"{path}: {error.code}"
            html = error.read().decode()
        footer = html.partition('<footer class="site-footer">')[2]
        assert f'<a class="footer-staff" href="/staff" rel="nofollow">{text}</a>' in footer, (
            f"{name}: no sign-in link in the footer"
        )


@pytest.mark.parametrize(
    "value",
    ["<script>alert(1)</script>", "a\x00b", "\"' onmouseover=alert(1) x='", "v" * 5000],
    ids=["script", "nul", "attribute", "oversized"],
)
def test_a_hostile_filter_value_is_an_escaped_chip(demo_server: LiveDemo, value: str) -> None:
    """A filter value nobody offered (typed into the URL) finds nothing and shows as an
    escaped chip that removes it: never markup, never a server error."""
    from urllib.parse import urlencode

    url = f"{demo_server.url}/datasets?" + urlencode({"keyword": value, "theme": "TRAN"})
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        html = response.read().decode()
    assert "<script>alert" not in html and "' onmouseover" not in html  # escaped: &lt; &#39;
    assert "\x00" not in html
    chips = html.partition('<ul class="chips"')[2].partition("</ul>")[0]
    assert chips.count('class="chip chip-remove"') == 2
    assert 'href="/datasets?theme=TRAN"' in chips  # the keyword chip removes only the keyword
