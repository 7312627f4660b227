"""The staff page "Organisaties" in Debian's Chromium: the list, a refused "add" with its
error summary and the edit page have no axe-core WCAG 2.1 A/AA violation at 1280 and 390 px,
in Dutch and English, do not scroll sideways on a phone, and a steward renames an organisation
in the browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.portal.render import STAFF_COOKIE
from belfort.publishing import ingest_file
from tests.helpers import add_organisations, counts_csv, staff_session
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
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str, Platform]]:
    root: Path = tmp_path_factory.mktemp("orgs-browser")
    with live_staff_site(root, "organisations browser test") as (live, key, platform):
        add_organisations(platform, "Mobiliteitsbedrijf", "Dienst Milieu en Klimaat")
        ingest_file(
            platform, CLI_ADMIN, "tellingen", counts_csv(root),
            metadata={"title_nl": "Tellingen", "organisation": "Mobiliteitsbedrijf"},
        )
        yield live, staff_session(platform, key), platform


def _check(page: Any, where: str, phone: bool) -> list[str]:
    problems = []
    if phone and (sideways := _sideways(page)):
        problems.append(f"{where}: {sideways}")
    if violations := axe_violations(page):
        problems.append(f"{where}: axe-core violations:\n{describe_violations(violations)}")
    return problems


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_organisation_pages_have_no_axe_violations(
    chromium: Any,  # noqa: F811
    site: tuple[LiveDemo, str, Platform],
    lang: str,
    viewport: dict[str, int],
) -> None:
    demo, token, _ = site
    phone = viewport == PHONE
    context, guard = guarded_context(
        chromium, demo, viewport=viewport, is_mobile=phone, has_touch=phone
    )
    problems: list[str] = []
    try:
        context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": demo.url}])
        page = context.new_page()
        listed = page.goto(f"{demo.url}/staff/organisations?lang={lang}", wait_until="load")
        assert listed is not None and listed.status == 200
        assert page.locator("table tbody tr").count() == 3
        problems += _check(page, "organisations list", phone)
        page.fill("#org-slug", "Dienst Milieu!")
        page.fill("#org-name_nl", "Dienst Wonen")
        page.fill("#org-contact_email", "wonen at stad.gent")
        page.click("form.stack button[type=submit]")
        page.wait_for_selector(".error-summary")
        assert page.input_value("#org-name_nl") == "Dienst Wonen"  # typed input kept
        assert page.get_attribute("#org-slug", "aria-invalid") == "true"
        assert page.get_attribute("#org-contact_email", "aria-invalid") == "true"
        summary = page.inner_text(".error-summary")
        assert ("is not an email address" if lang == "en" else "is geen e-mailadres") in summary
        problems += _check(page, "organisations list with problems", phone)
        edit = page.goto(f"{demo.url}/staff/organisations/mobiliteitsbedrijf", wait_until="load")
        assert edit is not None and edit.status == 200
        problems += _check(page, "organisation edit page", phone)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not guard.blocked, guard.blocked


def test_a_steward_renames_an_organisation_in_the_browser(
    chromium: Any, site: tuple[LiveDemo, str, Platform]  # noqa: F811
) -> None:
    demo, token, platform = site
    context, _ = guarded_context(chromium, demo)
    try:
        context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": demo.url}])
        page = context.new_page()
        page.goto(f"{demo.url}/staff?lang=nl", wait_until="load")
        page.click("a[href='/staff/organisations']")
        page.click("a[href='/staff/organisations/dienst-milieu-en-klimaat']")
        page.fill("#org-name_nl", "Dienst Milieu")
        page.fill("#org-homepage", "https://stad.gent/milieu")
        page.click("form.stack button[type=submit]")
        page.wait_for_url("**/staff/organisations/dienst-milieu-en-klimaat?saved=1")
        assert page.locator("p.notice[role=status]").count() == 1
        assert page.input_value("#org-name_nl") == "Dienst Milieu"
    finally:
        context.close()
