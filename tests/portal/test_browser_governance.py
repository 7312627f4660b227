"""The governance pages in Debian's Chromium: the steward's worklist, a dataset's roles page
(also with a refused role) and "Wie is verantwoordelijk?" on the dataset page have no
axe-core WCAG 2.1 A/AA violation at 1280 and 390 px, in Dutch and English, do not scroll
sideways on a phone; a steward marks the metadata reviewed with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.governance import roles
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.portal.render import STAFF_COOKIE
from belfort.publishing import ingest_file
from belfort.quality import hook
from tests.governance.conftest import with_failing_rules
from tests.helpers import add_organisations, staff_session
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
from tests.portal.test_browser_keyboard import assert_focus_visible, tab_to
from tests.quality.conftest import write_parkings


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str, Platform]]:
    root: Path = tmp_path_factory.mktemp("governance-browser")
    with live_staff_site(root, "governance browser test") as (live, key, platform):
        add_organisations(platform, "Mobiliteitsbedrijf")
        ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(root),
                    metadata={"title_nl": "Parkings", "organisation": "Mobiliteitsbedrijf",
                              "frequency": "daily"})
        hook.wait(platform)
        with_failing_rules(platform)  # failing rules on the worklist
        with platform.db.session() as session:
            roles.set_role(session, "admin", "organisation", "mobiliteitsbedrijf", "owner",
                           {"name": "Dienst Mobiliteit", "email": "mob@stad.gent"})
            roles.set_role(session, "admin", "dataset", "parkings", "steward",
                           {"name": "An Peeters", "email": "an@stad.gent",
                            "email_public": True})
        yield live, staff_session(platform, key), platform


def _check(page: Any, where: str, phone: bool) -> list[str]:
    problems = []
    if phone and (sideways := _sideways(page)):
        problems.append(f"{where}: {sideways}")
    if violations := axe_violations(page):
        problems.append(f"{where}: axe-core violations:\n{describe_violations(violations)}")
    return problems


@pytest.mark.parametrize(("lang", "viewport"), [("nl", DESKTOP), ("en", PHONE)],
                         ids=["nl-desktop", "en-phone"])  # both languages, both widths
def test_governance_pages_have_no_axe_violations(
    chromium: Any, site: tuple[LiveDemo, str, Platform], lang: str,  # noqa: F811
    viewport: dict[str, int],
) -> None:
    demo, token, _ = site
    phone = viewport == PHONE
    context, guard = guarded_context(chromium, demo, viewport=viewport, is_mobile=phone,
                                     has_touch=phone)
    problems: list[str] = []
    try:
        context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": demo.url}])
        page = context.new_page()
        shown = page.goto(f"{demo.url}/staff/governance?lang={lang}", wait_until="load")
        assert shown is not None and shown.status == 200
        assert page.locator("table.worklist[data-kind=failing_rules] tbody tr").count() == 1
        problems += _check(page, "worklist", phone)
        shown = page.goto(f"{demo.url}/staff/governance/datasets/parkings", wait_until="load")
        assert shown is not None and shown.status == 200
        problems += _check(page, "dataset roles", phone)
        page.fill("#gov-dpo-email", "dpo@stad.gent\nBcc: x@example.org")
        page.fill("#gov-dpo-name", "DPO")
        page.click("form[action$='/roles/dpo'] button[type=submit]")
        page.wait_for_selector(".error-summary")
        assert page.get_attribute("#gov-dpo-email", "aria-invalid") == "true"
        problems += _check(page, "dataset roles with a refusal", phone)
        shown = page.goto(f"{demo.url}/datasets/parkings", wait_until="load")
        assert shown is not None and shown.status == 200
        assert page.locator("#responsible dd").count() == 2
        problems += _check(page, "dataset page", phone)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not guard.blocked, guard.blocked


def test_a_steward_marks_the_metadata_reviewed_with_the_keyboard(
    chromium: Any, site: tuple[LiveDemo, str, Platform]  # noqa: F811
) -> None:
    demo, token, _ = site
    context, _ = guarded_context(chromium, demo)
    try:
        context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": demo.url}])
        page = context.new_page()
        page.goto(f"{demo.url}/staff/governance/datasets/parkings?lang=en", wait_until="load")
        tab_to(page, "form[action$='/review'] button")
        assert_focus_visible(page, "the metadata-reviewed button")
        page.keyboard.press("Enter")
        page.wait_for_url("**/staff/governance/datasets/parkings?saved=review")
        assert "Metadata last reviewed on" in page.inner_text("#gov-review-title + p")
    finally:
        context.close()
