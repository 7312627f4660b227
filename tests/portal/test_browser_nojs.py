"""Reading the portal with JavaScript switched off in Chromium: the home page, searching
and filtering, the dataset page (metadata, the table preview with sorting and paging, the
chart, the map's SVG fallback) and downloading work as plain HTML."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.portal.conftest import MAP_DATASET, TABLE_DATASET, LiveDemo, guarded_context


@pytest.fixture
def nojs(chromium: Any, demo_server: LiveDemo) -> Iterator[Any]:
    context, guard = guarded_context(chromium, demo_server, java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert not guard.blocked, f"requests outside Belfort: {guard.blocked}"


def _go(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    assert page.evaluate("typeof window.L") == "undefined"  # no script ran (evaluate still works)


def test_home_page_without_javascript(nojs: Any, demo_server: LiveDemo) -> None:
    _go(nojs, demo_server.url + "/")
    assert nojs.locator("h1").inner_text() == "Open data van de stad Gent"
    assert nojs.locator("#newest-title + .cards .card").count() >= 3
    assert nojs.locator(".figures li").count() == 4
    with nojs.expect_navigation():
        nojs.locator("a.chip", has_text="Vervoer").click()
    assert nojs.url.endswith("/datasets?theme=TRAN")
    assert nojs.locator(".results .card").count() >= 3


def test_search_and_filter_without_javascript(nojs: Any, demo_server: LiveDemo) -> None:
    _go(nojs, demo_server.url + "/")
    nojs.fill("#search-q", "parkeergarages")
    with nojs.expect_navigation():
        nojs.get_by_role("button", name="Zoeken").click()
    assert "/datasets?q=parkeergarages" in nojs.url
    first = nojs.locator(".results .card h3 a").first
    assert first.get_attribute("href") == f"/datasets/{TABLE_DATASET}"

    nojs.goto(demo_server.url + "/datasets")
    total = nojs.locator(".results .card").count()
    nojs.get_by_role("checkbox", name="Stad Gent - Dienst Data en Informatie").check()
    with nojs.expect_navigation():
        nojs.get_by_role("button", name="Filters toepassen").click()
    filtered = nojs.locator(".results .card").count()
    assert 0 < filtered < total
    assert nojs.locator("#results-count").inner_text().startswith(str(filtered))
    with nojs.expect_navigation():
        nojs.locator(".results .card h3 a").first.click()
    assert nojs.locator(".publisher").inner_text() == "Stad Gent - Dienst Data en Informatie"


def test_dataset_page_without_javascript(nojs: Any, demo_server: LiveDemo) -> None:
    _go(nojs, f"{demo_server.url}/datasets/{TABLE_DATASET}")
    assert "Bezetting parkeergarages" in nojs.locator("h1").inner_text()
    assert nojs.locator("#metadata dl > div").count() >= 8
    assert nojs.locator("#schema tbody tr").count() == 7
    assert nojs.locator("#versions tbody tr").count() >= 1
    assert nojs.locator("#preview tbody tr").count() == 20
    assert nojs.locator("#preview caption .preview-count").inner_text() == "Rijen 1 tot 20 van 32.208"
    chart = nojs.locator("#chart figure svg:visible")  # the phone's drawing is hidden at 1280 px
    assert chart.count() == 1 and nojs.locator("#chart figure svg").count() == 2
    assert nojs.locator("button.copy-button:visible").count() == 0  # shown only with JavaScript

    with nojs.expect_navigation():
        nojs.locator("#preview thead a", has_text="bezet").first.click()
    assert "p_sort=bezet" in nojs.url
    header = nojs.locator("#preview thead th[aria-sort=ascending]")
    assert header.count() == 1 and header.get_attribute("data-field") == "bezet"
    with nojs.expect_navigation():
        nojs.locator('#preview .pager a[rel="next"]').click()
    assert nojs.locator("#preview caption .preview-count").inner_text() == "Rijen 21 tot 40 van 32.208"
    nojs.fill("#p_q", "Kouter")
    with nojs.expect_navigation():
        nojs.get_by_role("button", name="Filteren").click()
    assert nojs.locator("#preview caption .preview-count").inner_text() == "Rijen 1 tot 20 van 2.684"


def test_map_page_without_javascript_shows_the_svg_map(nojs: Any, demo_server: LiveDemo) -> None:
    _go(nojs, f"{demo_server.url}/datasets/{MAP_DATASET}")
    fallback = nojs.locator(".bf-map img")
    assert fallback.count() == 1, "no SVG fallback image in the map section"
    fallback.scroll_into_view_if_needed()  # it is loading="lazy"
    nojs.wait_for_load_state("load")
    deadline = 50
    while not nojs.evaluate("(img) => img.complete && img.naturalWidth > 0", fallback.element_handle()):
        deadline -= 1
        assert deadline > 0, "the map's SVG fallback did not load"
        nojs.wait_for_timeout(100)
    assert nojs.locator(".leaflet-container").count() == 0
    assert nojs.locator("#map .legend li").count() >= 1


@pytest.mark.parametrize(("dataset", "fmt"), [(TABLE_DATASET, "csv"), (MAP_DATASET, "geojson")])
def test_download_without_javascript(nojs: Any, demo_server: LiveDemo, dataset: str, fmt: str) -> None:
    _go(nojs, f"{demo_server.url}/datasets/{dataset}")
    with nojs.expect_download() as info:
        nojs.locator(f'#download a.button[href$="/exports/{fmt}"]').click()
    body = Path(info.value.path()).read_bytes()
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=_delimiter(body)))
        assert "garage" in rows[0] and len(rows) == 32208 + 1
    else:
        collection = json.loads(body)
        assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 12
        assert collection["features"][0]["geometry"]["type"] == "Point"


def _delimiter(body: bytes) -> str:
    first = body.split(b"\n", 1)[0].decode("utf-8-sig")
    return ";" if first.count(";") > first.count(",") else ","
