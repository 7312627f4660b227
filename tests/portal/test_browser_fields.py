"""The data dictionary in Debian's Chromium: the staff page "Velden" (as it opens, and after a
refused save with its problems shown) and the public "Velden / Fields" section have no
axe-core WCAG 2.1 A/AA violation at 1280 and 390 px, in Dutch and English, do not scroll
sideways on a phone, and a steward can fill in and save the form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.catalog.field_dictionary import check_texts
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.portal.render import STAFF_COOKIE
from belfort.publishing import describe_fields, ingest_file
from tests.helpers import counts_csv, staff_session
from tests.portal.conftest import (  # noqa: F401 (chromium is a fixture)
    DESKTOP,
    PHONE,
    LiveDemo,
    axe_violations,
    chromium,
    describe_violations,
    guarded_context,
    live_staff_site,
)
from tests.portal.test_browser import _sideways


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str]]:
    root: Path = tmp_path_factory.mktemp("fields-browser")
    with live_staff_site(root, "fields browser test") as (live, key, platform):
        yield live, _described(platform, root, key)


def _described(platform: Platform, root: Path, key: str) -> str:
    """The site's dataset with two fields described; a staff session's token."""
    ingest_file(
        platform, CLI_ADMIN, "tellingen", counts_csv(root), metadata={"title_nl": "Tellingen"}
    )
    describe_fields(
        platform,
        CLI_ADMIN,
        "tellingen",
        {
            "aantal": check_texts(
                {
                    "title_nl": "Aantal fietsers",
                    "title_en": "Cyclists",
                    "unit": "fietsers",
                    "description_nl": "Fietsers per uur,\nvoorbij de telpaal <b>geteld</b>.",
                }
            ),
            "telpunt": check_texts(
                {"title_nl": "Telpunt", "description_en": "Where " + "long text " * 40}
            ),
        },
    )
    return staff_session(platform, key)


def _check(page: Any, where: str, phone: bool) -> list[str]:
    problems = []
    if phone and (sideways := _sideways(page)):
        problems.append(f"{where}: {sideways}")
    if violations := axe_violations(page):
        problems.append(f"{where}: axe-core violations:\n{describe_violations(violations)}")
    return problems


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_fields_pages_have_no_axe_violations(
    chromium: Any,  # noqa: F811
    site: tuple[LiveDemo, str],
    lang: str,
    viewport: dict[str, int],
) -> None:
    demo, token = site
    phone = viewport == PHONE
    context, guard = guarded_context(
        chromium, demo, viewport=viewport, is_mobile=phone, has_touch=phone
    )
    problems: list[str] = []
    try:
        page = context.new_page()
        public = page.goto(f"{demo.url}/datasets/tellingen?lang={lang}", wait_until="load")
        assert public is not None and public.status == 200
        assert page.locator("#schema table.fields tbody tr").count() == 5
        label = "Cyclists" if lang == "en" else "Aantal fietsers"
        assert page.locator("#field-aantal th").inner_text() == label
        problems += _check(page, "dataset page", phone)
        context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": demo.url}])
        form = page.goto(
            f"{demo.url}/staff/datasets/tellingen/fields?lang={lang}", wait_until="load"
        )
        assert form is not None and form.status == 200
        assert page.locator("fieldset").count() == 5
        problems += _check(page, "staff fields form", phone)
        # a refused save: the browser's maxlength lifted, as a pasted text from elsewhere might be
        page.evaluate("document.getElementById('f-3-unit').removeAttribute('maxlength')")
        page.fill("#f-3-unit", "u" * 60)
        page.fill("#f-1-title_en", "Counting point")
        page.click(".fields-form button[type=submit]")
        page.wait_for_selector("#fields-problems")
        assert page.input_value("#f-1-title_en") == "Counting point"  # typed input kept
        assert page.get_attribute("#f-3-unit", "aria-invalid") == "true"
        problems += _check(page, "staff fields form with problems", phone)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not guard.blocked, guard.blocked


def test_a_steward_saves_the_form_in_the_browser(chromium: Any, site: tuple[LiveDemo, str]) -> None:  # noqa: F811
    demo, token = site
    context, _ = guarded_context(chromium, demo)
    try:
        context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": demo.url}])
        page = context.new_page()
        page.goto(f"{demo.url}/staff/datasets/tellingen/fields", wait_until="load")
        page.fill("#f-2-title_nl", "Tijdstip van de telling")
        page.fill("#f-2-title_en", "Time of the count")
        page.click(".fields-form button[type=submit]")
        page.wait_for_url("**/staff/datasets/tellingen/fields?saved=1")
        assert page.locator("p.notice[role=status]").count() == 1
        page.goto(f"{demo.url}/datasets/tellingen?lang=en", wait_until="load")
        assert page.locator("#field-tijdstip th").inner_text() == "Time of the count"
    finally:
        context.close()
