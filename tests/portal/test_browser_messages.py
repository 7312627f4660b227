"""Messages in Debian's Chromium (issue 12 item 5): a form that comes back with errors puts
focus on its error summary, whose links move focus to the fields; the pages with messages
(review with metadata errors, review with a failed check, the dataset's staff page with its
state menu, an error page) have zero axe violations at 1280 and 390 px, in Dutch and English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import COUNTS_CSV
from tests.portal.conftest import (  # noqa: F401 (chromium is a fixture)
    DESKTOP,
    LANGS,
    PHONE,
    LiveDemo,
    axe_violations,
    chromium,
    describe_violations,
    guarded_context,
    live_staff_site,
    sign_in_as_staff,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str]]:
    root = tmp_path_factory.mktemp("staff-messages")
    with live_staff_site(root, "browser messages test") as (live, key, _):
        yield live, key


@pytest.fixture
def staff_page(chromium: Any, site: tuple[LiveDemo, str], tmp_path: Path) -> Iterator[Any]:  # noqa: F811
    """A signed-in staff member on the review page of a fresh upload."""
    demo, key = site
    context, guard = guarded_context(chromium, demo)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in_as_staff(page, demo.url, key)
        source = tmp_path / "tellingen.csv"
        source.write_text(COUNTS_CSV)
        page.fill("#dataset", "tellingen")
        page.set_input_files("#file", str(source))
        page.click("form[action='/staff/uploads'] button")
        page.wait_for_selector("form[action^='/staff/uploads/'] button")
        yield page
        assert not errors, errors
    finally:
        context.close()
    assert not guard.blocked, guard.blocked


def _no_violations(page: Any, where: str) -> None:
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        violations = axe_violations(page)
        assert not violations, f"{where} at {size['width']} px:\n{describe_violations(violations)}"


def _review_in(page: Any, lang: str) -> None:
    page.goto(page.url.split("?")[0] + f"?lang={lang}", wait_until="load")


@pytest.mark.parametrize("lang", LANGS)
def test_the_error_summary_takes_focus_and_its_links_reach_the_fields(
    staff_page: Any, lang: str
) -> None:
    page = staff_page
    _review_in(page, lang)
    page.fill("#title_nl", "Tellingen <script>")
    page.fill("#contact_email", "geen-adres")
    page.fill("#temporal_start", "2024-05-01")
    page.fill("#temporal_end", "2024-01-01")
    page.click("form[action^='/staff/uploads/'] button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    page.wait_for_load_state("load")  # messages.js is deferred: it runs before "load"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    links = page.locator("[data-error-summary] a")
    assert links.count() == 2
    assert [links.nth(i).get_attribute("href") for i in range(2)] == [
        "#contact_email",
        "#temporal_end",
    ]
    links.nth(0).click()
    assert page.evaluate("document.activeElement.id") == "contact_email"
    assert page.input_value("#contact_email") == "geen-adres"  # what was typed is kept
    assert page.input_value("#title_nl") == "Tellingen <script>"
    described = page.get_attribute("#contact_email", "aria-describedby")
    assert described == "contact_email-error" and page.locator(f"#{described}").is_visible()
    links.nth(1).focus()  # the second link, followed by keyboard
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "temporal_end"
    _no_violations(page, f"review with metadata errors ({lang})")


@pytest.mark.parametrize("lang", LANGS)
def test_a_failed_check_and_the_state_menu_have_no_axe_violations(
    staff_page: Any, lang: str, site: tuple[LiveDemo, str]
) -> None:
    page = staff_page
    _review_in(page, lang)
    page.fill("#title_nl", "Tellingen")
    page.select_option("select[name='type:telpunt']", "integer")
    page.click("form[action^='/staff/uploads/'] button[type=submit]")
    page.wait_for_selector("table.problem-examples")
    assert (
        page.locator("table.problem-examples tbody tr").count() == 5
    )  # every row: a text, not a number
    _no_violations(page, f"review with a failed check ({lang})")
    page.select_option("select[name='type:telpunt']", "string")
    page.click("form[action^='/staff/uploads/'] button[type=submit]")
    page.click("form[action='/staff/datasets/tellingen'] button")
    page.wait_for_url("**/staff/datasets/tellingen?saved=publish")
    assert page.locator(".notice a[href='/datasets/tellingen']").count() == 1
    assert page.eval_on_selector("#state", "s => s.value") == "published"
    _no_violations(page, f"staff dataset page after publishing ({lang})")
    page.select_option("#state", "archived")
    page.click("form:has(#state) button")
    page.wait_for_selector("[data-error-summary]")
    assert page.eval_on_selector("#state", "s => s.value") == "published"  # nothing archived
    _no_violations(page, f"staff dataset page asking for confirmation ({lang})")
    demo, _ = site
    page.goto(demo.url + f"/datasets/bestaat-niet?lang={lang}")
    _no_violations(page, f"error page ({lang})")
