"""Issue 12's "done when", as a steward does it in Chromium without reading docs: find the
sign-in in the footer, upload a realistic Belgian export (Windows-1252, semicolons, decimal
commas, day-first dates), make the mistake the portal must explain (a code column checked as
whole numbers), fix it from the message, publish, describe a field, and see the public page
speak the field's title, in local time and Dutch numbers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.platform import Platform
from tests.portal.conftest import (  # noqa: F401 (chromium is a fixture)
    LiveDemo,
    assert_no_axe_violations,
    chromium,
    guarded_context,
    live_staff_site,
)

EXPORT = (
    "Telpaal;Locatie;Datum en uur;Aantal fietsers;Bezetting %\r\n"
    + "".join(
        f"FT0{1 + i % 3};{['Coupure', 'Dampoort', 'Bataviabrug'][i % 3]};"
        f"{1 + i // 24:02d}/03/2024 {i % 24:02d}:00;{100 + i * 7};{i % 10},5\r\n"
        for i in range(72)
    )
    + "FT03;Sint-Pietersstation – Zuid;04/03/2024 00:00;1234;7,5\r\n"
).encode("cp1252")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveDemo, str, Platform]]:
    with live_staff_site(tmp_path_factory.mktemp("steward"), "steward journey") as found:
        yield found


def test_a_steward_publishes_describes_and_fixes_a_belgian_export_without_docs(
    chromium: Any,  # noqa: F811
    site: tuple[LiveDemo, str, Platform],
    tmp_path: Path,
) -> None:
    live, key, _ = site
    export = tmp_path / "fietstellingen export.csv"
    export.write_bytes(EXPORT)
    context, guard = guarded_context(chromium, live)
    try:
        page = context.new_page()
        page.goto(live.url + "/")
        page.click("footer a[href='/staff']")  # the discreet sign-in link
        page.fill("#key", key)
        page.click("form[action='/staff/sign-in'] button")
        page.fill("#dataset", "fietstellingen-gent")
        page.set_input_files("#file", str(export))
        page.click("form[action='/staff/uploads'] button")
        page.wait_for_selector("form[action^='/staff/uploads/'] button")
        assert page.input_value("select[name='type:telpaal']") == "string"  # read from every row
        assert page.input_value("select[name='type:aantal_fietsers']") == "integer"

        # the mistake: the codes checked as whole numbers; the message says what to choose
        page.select_option("select[name='type:telpaal']", "integer")
        page.fill("#title_nl", "Fietstellingen Gent")
        page.click("form[action^='/staff/uploads/'] button[type=submit]")
        summary = page.wait_for_selector("[data-error-summary]")
        text = summary.inner_text() + page.inner_text("main")
        assert "is geen geheel getal" in text and "kies 'tekst' als soort" in text
        assert "Value error" not in text and "{'" not in text
        assert page.input_value("#title_nl") == "Fietstellingen Gent"  # kept
        assert_no_axe_violations(page, "a refused check")

        # fixed from the message, checked as a draft, then published
        page.select_option("select[name='type:telpaal']", "string")
        page.click("form[action^='/staff/uploads/'] button[type=submit]")
        page.click("form:has(input[name=action][value=publish]) button")
        notice = page.wait_for_selector(".notice[role=status]").inner_text()
        assert "Versie 1 van Fietstellingen Gent is gepubliceerd: 73 rijen." in notice

        # a field described on the "Velden" page
        page.click("a[href='/staff/datasets/fietstellingen-gent/fields']")
        page.fill("input[name='title_nl:aantal_fietsers']", "Fietsers geteld")
        page.fill("input[name='unit:aantal_fietsers']", "fietsers per uur")
        page.click("form[action='/staff/datasets/fietstellingen-gent/fields'] button[type=submit]")
        page.wait_for_load_state()

        # the public page as a citizen sees it
        page.goto(live.url + "/datasets/fietstellingen-gent?p_sort=-aantal_fietsers")
        headers = page.inner_text("#preview thead")
        assert "Fietsers geteld" in headers
        cells = page.inner_text("#preview tbody")
        assert "1.234" in cells and "mrt 2024" in cells  # Dutch thousands, a readable date
        assert page.locator("#chart svg").count() >= 1  # a default chart
        assert "Fietsers geteld" in page.inner_text("#chart")
        assert_no_axe_violations(page, "the published dataset")
    finally:
        context.close()
    assert not guard.blocked, guard.blocked
