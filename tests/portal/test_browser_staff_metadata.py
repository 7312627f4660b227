"""The staff metadata form with its controlled lists in Debian's Chromium: no axe violation
at 1280 and 390 px in either language, before and after a refused save (which keeps what was
typed), and a save with the lists' values lands in the catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.catalog.models import Dataset
from belfort.linked.vocabularies import CC_BY_4
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv
from tests.portal.conftest import (  # noqa: F401 (chromium is a fixture)
    DESKTOP,
    PHONE,
    LiveDemo,
    assert_no_axe_violations,
    axe_violations,
    chromium,
    describe_violations,
    guarded_context,
    live_staff_site,
    sign_in_as_staff,
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str, Platform]]:
    root: Path = tmp_path_factory.mktemp("staff-metadata")
    with live_staff_site(root, "browser metadata test") as (live, key, platform):
        ingest_file(
            platform,
            CLI_ADMIN,
            "tellingen",
            counts_csv(root),
            metadata={"title_nl": "Tellingen", "themes": ["TRAN"], "organisation": "Stad Gent"},
        )
        yield live, key, platform


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_metadata_form_is_accessible_and_keeps_a_refused_entry(
    chromium: Any,  # noqa: F811
    site: tuple[LiveDemo, str, Platform],
    viewport: dict[str, int],
    lang: str,
) -> None:  # noqa: F811
    live, key, _ = site
    phone = viewport == PHONE
    context, guard = guarded_context(
        chromium, live, viewport=viewport, is_mobile=phone, has_touch=phone
    )
    try:
        page = context.new_page()
        sign_in_as_staff(page, live.url, key)
        page.goto(f"{live.url}/staff/datasets/tellingen?lang={lang}")
        assert page.locator("input[name=themes][value=TRAN]").is_checked()
        assert_no_axe_violations(page, f"metadata form ({lang}, {viewport['width']} px)")
        page.fill("#title_nl", "Tellingen aangepast")
        page.fill("#keywords", "fiets, <b>vet</b>")
        page.fill("#temporal_start", "2024-12-31")  # a mistake the browser lets through:
        page.fill("#temporal_end", "2024-01-01")  # the period ends before it starts
        page.click("form:has(input[name=action][value=metadata]) button[type=submit]")
        page.wait_for_selector("[data-error-summary]")
        assert page.input_value("#title_nl") == "Tellingen aangepast"
        assert page.input_value("#keywords") == "fiets, <b>vet</b>"
        assert page.input_value("#temporal_start") == "2024-12-31"
        assert_no_axe_violations(page, f"refused save ({lang}, {viewport['width']} px)")
    finally:
        context.close()
    assert not guard.blocked, guard.blocked


def test_choosing_from_the_lists_saves_their_entries(
    chromium: Any,  # noqa: F811
    site: tuple[LiveDemo, str, Platform],
) -> None:  # noqa: F811
    live, key, platform = site
    context, _ = guarded_context(chromium, live)
    try:
        page = context.new_page()
        sign_in_as_staff(page, live.url, key)
        page.goto(f"{live.url}/staff/datasets/tellingen")
        page.check("input[name=themes][value=ENVI]")
        page.select_option("#licence", label="Creative Commons Naamsvermelding 4.0")
        page.select_option("#spatial", label="Sint-Amandsberg")
        page.select_option("#frequency", value="daily")
        page.fill("#contact_email", "data@stad.gent")
        page.click("form:has(input[name=action][value=metadata]) button[type=submit]")
        page.wait_for_url("**/staff/datasets/tellingen?saved=metadata")
    finally:
        context.close()
    with platform.db.session() as session:
        dataset = session.get(Dataset, "tellingen")
        assert dataset is not None
        assert dataset.themes == ["ENVI", "TRAN"] and dataset.licence == CC_BY_4.uri
        assert dataset.spatial == "Sint-Amandsberg" and dataset.frequency == "daily"
        assert dataset.contact_email == "data@stad.gent" and dataset.organisation == "Stad Gent"
