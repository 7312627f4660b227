"""The publication gate on the staff dataset page in Debian's Chromium: publishing a version
below the minimum shows why (the rules at fault under the version) and a reason field, with no
axe-core WCAG 2.1 A/AA violation in Dutch and English, on a desktop and a phone; a steward
publishes it anyway with a written reason, which the version's history then shows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.catalog.store import find_dataset
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.portal.render import STAFF_COOKIE
from belfort.publishing import ingest_file
from belfort.quality import store
from tests.helpers import staff_session
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
from tests.quality.conftest import PARKINGS, write_parkings

CLEAN = PARKINGS.replace("ABCD", "9000")
REASON = "De postcodefout is gekend en wordt volgende week bij de bron verbeterd"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str, Platform]]:
    root: Path = tmp_path_factory.mktemp("gate-browser")
    with live_staff_site(root, "quality gate browser test") as (live, key, platform):
        platform.settings = platform.settings.model_copy(update={
            "quality_gate_max_failing_percent": "open=10", "quality_on_publish": False})
        ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(root, CLEAN),
                    metadata={"title_nl": "Parkings"})
        with platform.db.session() as session:
            store.replace_rules(
                session, find_dataset(session, "parkings"),
                [{"type": "pattern", "id": "postcode", "field": "postcode", "value": "[0-9]{4}"}],
                "test", max_rules=200, max_chars=2000)
        ingest_file(platform, CLI_ADMIN, "parkings", write_parkings(root), draft=True)
        yield live, staff_session(platform, key), platform


PUBLISH_2 = "form.inline-form:has(input[name=version][value='2']) button"


@pytest.mark.parametrize(("lang", "viewport"), [("nl", DESKTOP), ("en", PHONE)],
                         ids=["nl-desktop", "en-phone"])
def test_a_blocked_publication_says_why_without_axe_violations(
    chromium: Any,  # noqa: F811
    site: tuple[LiveDemo, str, Platform],
    lang: str,
    viewport: dict[str, int],
) -> None:
    demo, token, platform = site
    phone = viewport == PHONE
    context, guard = guarded_context(
        chromium, demo, viewport=viewport, is_mobile=phone, has_touch=phone
    )
    problems: list[str] = []
    try:
        context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": demo.url}])
        page = context.new_page()
        page.goto(f"{demo.url}/staff/datasets/parkings?lang={lang}", wait_until="load")
        with page.expect_navigation():
            page.click(PUBLISH_2)
        assert page.locator(".error-summary, [role=alert]").count() >= 1
        block = page.inner_text("#gate-blocked")
        assert "postcode" in block and ("16.67" in block or "16,67" in block)
        assert page.get_attribute("#override_reason", "required") is not None
        if phone and (sideways := _sideways(page)):
            problems.append(f"blocked page: {sideways}")
        if violations := axe_violations(page):
            problems.append(
                f"blocked page: axe-core violations:\n{describe_violations(violations)}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not guard.blocked, guard.blocked
    with platform.db.session() as session:
        assert find_dataset(session, "parkings").published_version == 1  # type: ignore[union-attr]


def test_a_steward_publishes_anyway_with_a_reason(
    chromium: Any, site: tuple[LiveDemo, str, Platform]  # noqa: F811
) -> None:
    demo, token, platform = site
    context, _ = guarded_context(chromium, demo)
    try:
        context.add_cookies([{"name": STAFF_COOKIE, "value": token, "url": demo.url}])
        page = context.new_page()
        page.goto(f"{demo.url}/staff/datasets/parkings?lang=nl", wait_until="load")
        with page.expect_navigation():
            page.click(PUBLISH_2)
        page.keyboard.press("Tab")  # the reason field is reachable by keyboard
        page.focus("#override_reason")
        page.keyboard.type(REASON)
        with page.expect_navigation():
            page.click("#gate-blocked button[type=submit]")
        assert "saved=publish" in page.url
        assert REASON in page.inner_text(".gate-overridden")
        if violations := axe_violations(page):
            pytest.fail(describe_violations(violations))
    finally:
        context.close()
    with platform.db.session() as session:
        dataset = find_dataset(session, "parkings")
        assert dataset is not None and dataset.published_version == 2
        assert dataset.versions[-1].quality_gate["reason"] == REASON  # type: ignore[index]
