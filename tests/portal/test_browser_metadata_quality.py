"""The metadata-quality badge of a dataset page in Debian's Chromium: everyone sees the band
and the points, staff also what to add to score higher; no axe violation at 1280 and 390 px
in either language; nothing loaded from outside Belfort."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv
from tests.portal.conftest import (  # noqa: F401 (chromium is a fixture)
    DESKTOP,
    PHONE,
    LiveDemo,
    assert_no_axe_violations,
    chromium,
    guarded_context,
    live_staff_site,
    sign_in_as_staff,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str, Platform]]:
    root: Path = tmp_path_factory.mktemp("metadata-quality")
    with live_staff_site(root, "browser metadata quality") as (live, key, platform):
        ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(root), metadata={
            "title_nl": "Tellingen", "themes": ["TRAN"], "organisation": "Stad Gent",
            "keywords": ["tellingen"], "licence": "CC0-1.0"})
        yield live, key, platform


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("who", ["public", "staff"])
def test_the_badge_is_accessible_and_staff_see_what_to_add(
    chromium: Any,  # noqa: F811
    site: tuple[LiveDemo, str, Platform],
    viewport: dict[str, int],
    lang: str,
    who: str,
) -> None:
    live, key, _ = site
    phone = viewport == PHONE
    context, guard = guarded_context(chromium, live, viewport=viewport, is_mobile=phone,
                                     has_touch=phone)
    try:
        page = context.new_page()
        if who == "staff":
            sign_in_as_staff(page, live.url, key)
        page.goto(f"{live.url}/datasets/tellingen?lang={lang}")
        badge = page.locator("#metadata-quality .mqa-badge").inner_text()
        # no spatial 20, temporal 20, rights 5, byte size 5; the shapes are not configured
        # here, so dcatApCompliance (30) is not checked: 405 - 80 = 325
        assert badge == ("Goed: 325 van 405 punten" if lang == "nl" else "Good: 325 of 405 points")
        to_add = page.locator("#metadata-quality .mqa-to-add li")
        if who == "staff":
            assert to_add.count() == 5
            first = to_add.first.inner_text()
            assert first.startswith("+30") and "dcatApCompliance" in first
        else:
            assert to_add.count() == 0
        assert_no_axe_violations(page, f"metadata quality ({who}, {lang}, {viewport['width']} px)")
    finally:
        context.close()
    assert not guard.blocked, guard.blocked
