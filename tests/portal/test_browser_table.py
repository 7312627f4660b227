"""The table preview in Debian's Chromium: after a sort and filter round trip through the
Opendatasoft v1 API, preview.js shows exactly the cells the server rendered (a datetime,
a number, a boolean, a date and a shape column, in Dutch and English); the row-limit
notice comes and goes with the pages; zero axe violations at 1280 and 390 px."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import live_server, write
from tests.portal.conftest import DESKTOP, PHONE, axe_violations, describe_violations

DATASET = "wijken-tabel"
BIG = "groot-tabel"
SORT = "tijd_van_voltooien"
START = dt.datetime(
    2024, 10, 26, 22, 0, tzinfo=dt.UTC
)  # 00:00 CEST; the clocks go back at 01:00 UTC


def wait_until(page: Any, condition: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression (the pages' CSP refuses wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(condition):
        assert time.monotonic() < deadline, f"not true after {timeout} s on {page.url}: {condition}"
        time.sleep(0.05)


def features() -> dict[str, Any]:
    ring = [[3.7, 51.0], [3.8, 51.0], [3.8, 51.1], [3.7, 51.0]]
    out = []
    for i in range(45):  # three pages; times every 20 minutes across the October switch
        minutes = 20 * i
        out.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring[: 3 + i % 2] + [ring[0]]]},
                "properties": {
                    "naam": f"Wijk {i} <i>{'x' * (i % 3)}</i>",
                    SORT: (START + dt.timedelta(minutes=minutes))
                    .isoformat()
                    .replace("+00:00", "Z"),
                    "oppervlakte": round(1234.5 * (i + 1) * (-1) ** i, 2),
                    "open": i % 2 == 0,
                    "dag": f"2024-03-{1 + i % 31:02d}",
                },
            }
        )
    return {"type": "FeatureCollection", "features": out}


@pytest.fixture
def served(platform: Platform, tmp_path: Path) -> Iterator[str]:
    ingest_file(
        platform,
        CLI_ADMIN,
        DATASET,
        write(tmp_path / "w.geojson", json.dumps(features())),
        metadata={"title_nl": "Wijken (tabel)"},
    )
    rows = "\n".join(f"{i},{i % 7}" for i in range(10_050))
    ingest_file(
        platform,
        CLI_ADMIN,
        BIG,
        write(tmp_path / "g.csv", "nummer,rest\n" + rows + "\n"),
        metadata={"title_nl": "Groot"},
    )
    with live_server(platform) as base:
        yield base


@pytest.fixture
def context(chromium: Any, served: str) -> Iterator[Any]:
    ctx = chromium.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(15_000)
    outside: list[str] = []

    def route(route: Any) -> None:
        if route.request.url.startswith(served) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")

    ctx.route("**/*", route)
    try:
        yield ctx
    finally:
        ctx.close()
    assert not outside, f"the page asked for something outside Belfort: {outside}"


TABLE = """() => ({
  headers: [...document.querySelectorAll('#preview thead th a')].map(a => a.textContent.trim()),
  rows: [...document.querySelectorAll('#preview tbody tr')].map(tr => [...tr.children].map(td => [
    td.textContent, td.className,
    td.querySelector('time') ? td.querySelector('time').getAttribute('datetime') : null])),
  caption: document.querySelector('#preview caption').textContent.replace(/\\s+/g, ' ').trim(),
})"""


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_redrawn_rows_match_the_server(context: Any, served: str, lang: str) -> None:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{served}/datasets/{DATASET}?lang={lang}&p_sort={SORT}")
    page.wait_for_load_state("networkidle")
    server = page.evaluate(TABLE)
    assert len(server["rows"]) == 20
    first = server["rows"][0]
    # the server's own cells, as people read them (and checked: not raw values)
    naam, tijd, opp, open_, dag, shape = first
    assert tijd[2] == "2024-10-27T00:00:00+02:00"
    assert tijd[0] == ("zo 27 okt 2024 00:00" if lang == "nl" else "Sun 27 Oct 2024 00:00")
    assert opp == (["1.234,5", "num", None] if lang == "nl" else ["1,234.5", "num", None])
    assert open_[0] == ("ja" if lang == "nl" else "yes")
    assert shape[0] == ("vlak (4 punten)" if lang == "nl" else "area (4 points)")
    assert "<i>" in naam[0]  # shown as text, not markup
    assert ("Tijden in Gentse tijd" if lang == "nl" else "Times in Ghent time") in server["caption"]
    assert server["headers"][1].startswith("Tijd van voltooien")

    page.evaluate("window.__sameDocument = true")
    page.locator(
        "#preview thead th[data-field=oppervlakte] a"
    ).click()  # sorted by the API, in the page
    wait_until(
        page,
        "document.querySelector('#preview thead th[data-field=oppervlakte]')"
        ".getAttribute('aria-sort') === 'ascending'",
    )
    sorted_by_number = page.evaluate(TABLE)
    assert sorted_by_number["rows"] != server["rows"]
    numbers = [r[2][0] for r in sorted_by_number["rows"]]
    assert all(n.startswith("-") for n in numbers[:20])  # the negative areas first
    page.fill("#p_q", "zzzz-geen")
    page.press("#p_q", "Enter")
    wait_until(page, "document.querySelector('#preview tbody').children.length === 0")
    page.fill("#p_q", "")
    page.press("#p_q", "Enter")
    wait_until(page, "document.querySelector('#preview tbody').children.length === 20")
    page.locator(f"#preview thead th[data-field={SORT}] a").click()
    wait_until(
        page,
        f"document.querySelector('#preview thead th[data-field={SORT}]')"
        ".getAttribute('aria-sort') === 'ascending'",
    )
    assert page.evaluate("window.__sameDocument === true"), (
        "the page reloaded instead of asking the API"
    )
    redrawn = page.evaluate(TABLE)
    assert redrawn["rows"] == server["rows"]
    assert redrawn["caption"] == server["caption"]
    assert [h.rstrip(" ▲▼") for h in redrawn["headers"]] == [
        h.rstrip(" ▲▼") for h in server["headers"]
    ]
    # the first page holds the October switch: the hour that happens twice, told apart
    times = [r[1][0] for r in redrawn["rows"]]
    assert sum(t.endswith("02:20 CEST") or t.endswith("02:20 CET") for t in times) == 2, times
    page.locator("#preview .pager a[rel=next]").click()
    wait_until(page, "document.querySelector('#preview caption').textContent.includes('21')")
    assert all(r[1][2] for r in page.evaluate(TABLE)["rows"])  # every time keeps its instant
    assert not errors, errors


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_row_limit_notice_in_the_browser(context: Any, served: str, lang: str) -> None:
    page = context.new_page()
    page.goto(f"{served}/datasets/{BIG}?lang={lang}&p_start=9960")
    page.wait_for_load_state("networkidle")
    notice = page.locator("#table-limit")
    assert not notice.is_visible()
    page.locator("#preview .pager a[rel=next]").click()  # the last page the table can show
    wait_until(page, "!document.querySelector('#table-limit').hidden")
    expected = (
        "De tabel toont de eerste 10.000 rijen. Filter om verder te zoeken, of download alles."
        if lang == "nl"
        else "The table shows the first 10,000 rows. Filter to look further, "
        "or download everything."
    )
    assert expected in " ".join(notice.inner_text().split())
    assert page.locator("#preview .pager a[rel=next]").count() == 0
    assert expected.split(".")[0] in page.locator(".preview-status").text_content()  # announced
    notice.locator("a.focus-filter").click()
    wait_until(page, "document.activeElement && document.activeElement.id === 'p_q'")
    csv = notice.locator("a[download]").first.get_attribute("href")
    assert csv is not None and "/exports/csv" in csv
    page.locator("#preview .pager a[rel=prev]").click()
    wait_until(page, "document.querySelector('#table-limit').hidden")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_table_pages_have_no_axe_violations(
    context: Any, served: str, viewport: dict[str, int], lang: str
) -> None:
    page = context.new_page()
    page.set_viewport_size(viewport)
    for path in (f"/datasets/{DATASET}?lang={lang}", f"/datasets/{BIG}?lang={lang}&p_start=9980"):
        page.goto(served + path)
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        assert not violations, (
            f"{path} at {viewport['width']} px:\n{describe_violations(violations)}"
        )
        # wide tables scroll in their own region: the page itself never scrolls sideways
        widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert widths[0] <= widths[1], f"{path} scrolls sideways at {viewport['width']}: {widths}"
    # and after the script redrew the table
    page.locator("#preview thead th[data-field=nummer] a").click()
    wait_until(
        page,
        "document.querySelector('#preview thead th[data-field=nummer]').hasAttribute('aria-sort')",
    )
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
