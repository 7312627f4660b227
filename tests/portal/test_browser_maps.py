"""The dataset page's map in Debian's Chromium: the city's wijk boundaries as its base layer
(the real 25 wijken of Ghent, named by BELFORT_MAP_BASE_DATASET; the demo's modelled ones by
default), the data drawn over them as shapes and markers, exactly one legend naming the base
layer once, nothing requested outside Belfort, and zero axe violations at 1280 and 390 px."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.conftest import ghent_data
from tests.helpers import write
from tests.portal.conftest import (
    DESKTOP,
    MAP_DATASET,
    PHONE,
    LiveDemo,
    ServerTimer,
    axe_violations,
    block_scripts,
    describe_violations,
    guarded_context,
)

CAFES = ["naam,plek,soort", 'Het Waterhuis,"51.0567, 3.7219",cafe',
         'Dulle Griet,"51.0573, 3.7262",cafe', 'Vooruit,"51.0480, 3.7284",concertzaal',
         'Bij den wijzen,"51.0400, 3.7600",cafe']
SHAPES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"naam": "Twee pleinen", "soort": "plein"},
     "geometry": {"type": "MultiPolygon", "coordinates": [
         [[[3.720, 51.050], [3.726, 51.050], [3.726, 51.054], [3.720, 51.050]]],
         [[[3.730, 51.050], [3.736, 51.050], [3.736, 51.054], [3.730, 51.050]]]]}},
    {"type": "Feature", "properties": {"naam": "Fietsroutes", "soort": "route"},
     "geometry": {"type": "MultiLineString", "coordinates": [
         [[3.70, 51.04], [3.74, 51.06]], [[3.71, 51.07], [3.75, 51.03]]]}},
    {"type": "Feature", "properties": {"naam": "Gemengd", "soort": "plein"},
     "geometry": {"type": "GeometryCollection", "geometries": [
         {"type": "Polygon",
          "coordinates": [[[3.74, 51.04], [3.75, 51.04], [3.75, 51.05], [3.74, 51.04]]]},
         {"type": "LineString", "coordinates": [[3.74, 51.03], [3.76, 51.03]]}]}},
]}
BASE_DATASET = "wijkgrenzen-gent"
REAL_WIJKEN = 25


@pytest.fixture(scope="module")
def wijken_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDemo]:
    """A portal whose base layer is the real 25 wijken of Ghent (ingested here from the
    shared Ghent data), with a dataset of points and one of polygons and lines."""
    import uvicorn

    from belfort.app import create_app
    from belfort.platform import Platform
    from belfort.settings import Settings

    root = tmp_path_factory.mktemp("portal-maps")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'catalog.sqlite'}",
                        map_tile_url=None, map_base_dataset=BASE_DATASET, quota_per_address=0,
                        quota_per_key=0, host="127.0.0.1", port=port)
    platform = Platform(settings)
    meta = {"organisation": "Stad Gent", "licence": "CC0-1.0"}
    ingest_file(platform, CLI_ADMIN, BASE_DATASET, ghent_data() / "stadswijken-gent.geojson",
                metadata={"title_nl": "Wijkgrenzen Gent", "title_en": "Ghent neighbourhoods",
                          **meta})
    ingest_file(platform, CLI_ADMIN, "cafes", write(root / "cafes.csv", "\n".join(CAFES) + "\n"),
                metadata={"title_nl": "Cafés", "title_en": "Cafés", **meta})
    ingest_file(platform, CLI_ADMIN, "vormen", write(root / "vormen.geojson", json.dumps(SHAPES)),
                metadata={"title_nl": "Pleinen en routes", "title_en": "Squares and routes",
                          **meta})
    timer = ServerTimer(create_app(platform))
    server = uvicorn.Server(uvicorn.Config(timer, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    try:
        yield LiveDemo(f"http://127.0.0.1:{port}", timer, 0.0)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        platform.close()


def _open_map(chromium: Any, server: LiveDemo, path: str,
              viewport: dict[str, int]) -> tuple[Any, Any, Any]:
    phone = viewport == PHONE
    context, guard = guarded_context(chromium, server, viewport=viewport, is_mobile=phone,
                                     has_touch=phone)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    response = page.goto(server.url + path, wait_until="load")
    assert response is not None and response.status == 200
    page.wait_for_selector(".bf-map[data-bf-map-ready='1']", state="attached")
    assert not errors, errors
    return context, guard, page


def _one_legend(page: Any, base_words: str) -> None:
    assert page.locator("#map ul.legend").count() == 1
    assert page.locator(".bf-map-legend").count() == 0  # none drawn on the map itself
    assert page.locator("#map").inner_text().count(base_words) == 1


def _no_outside_requests(server: LiveDemo, guard: Any) -> None:
    assert not guard.blocked, f"asked for something outside Belfort: {guard.blocked}"
    assert all(server.is_local(url) for url in guard.requests), guard.requests
    assert any(url.endswith("/maps/base.geojson") for url in guard.requests)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_points_over_the_real_wijken(chromium: Any, wijken_server: LiveDemo,
                                     viewport: dict[str, int]) -> None:
    context, guard, page = _open_map(chromium, wijken_server, "/datasets/cafes", viewport)
    try:
        outlines = page.locator(".leaflet-bfBase-pane path")
        assert outlines.count() == REAL_WIJKEN
        assert {outlines.nth(i).get_attribute("fill") for i in range(REAL_WIJKEN)} == {"none"}
        cafes = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
        assert cafes.count() == 4
        assert page.locator(".leaflet-tile-pane img").count() == 0  # no tiles configured
        z_index = page.evaluate("""() => ['tile', 'bfBase', 'overlay'].map(n => Number(
            getComputedStyle(document.querySelector('.leaflet-' + n + '-pane')).zIndex))""")
        assert z_index == sorted(z_index), z_index  # tiles (if any) < boundaries < data
        _one_legend(page, "wijkgrenzen uit de dataset ‘Wijkgrenzen Gent’")
        # each wijk's name is its outline's title (shown on hover), and no outline is a Tab stop
        titles = outlines.evaluate_all("els => els.map(e => e.querySelector('title').textContent)")
        assert {"Gentbrugge", "Oostakker", "Zwijnaarde", "Macharius - Heirnis"} <= set(titles)
        assert page.evaluate("""() => Array.from(document.querySelectorAll(
            '.leaflet-bfBase-pane path')).every(e => {
              e.focus(); return document.activeElement !== e; })""")
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    finally:
        context.close()
    _no_outside_requests(wijken_server, guard)


def test_polygons_and_lines_are_shapes(chromium: Any, wijken_server: LiveDemo) -> None:
    context, guard, page = _open_map(chromium, wijken_server, "/datasets/vormen?lang=en", DESKTOP)
    try:
        assert page.locator(".leaflet-marker-pane > *").count() == 0  # no markers for shapes
        drawn = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
        # one path for the two squares, one for the two routes, two for the mixed collection
        assert drawn.count() == 4
        shapes = drawn.evaluate_all(
            "els => els.map(e => [e.getAttribute('fill'),"
            " (e.getAttribute('d').match(/M/g) || []).length])")
        expected = [["#E69F00", 2], ["none", 2], ["#E69F00", 1], ["none", 1]]
        assert sorted(shapes, key=str) == sorted(expected, key=str), shapes
        assert page.locator(".leaflet-bfBase-pane path").count() == REAL_WIJKEN
        _one_legend(page, "neighbourhood boundaries from the dataset ‘Ghent neighbourhoods’")
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    finally:
        context.close()
    _no_outside_requests(wijken_server, guard)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_demo_map_has_the_modelled_wijken(chromium: Any, demo_server: LiveDemo,
                                          viewport: dict[str, int]) -> None:
    """The demo names no setting: its stadswijken-gent-demo (centre points) gives modelled
    boundaries under the counting points."""
    context, guard, page = _open_map(chromium, demo_server, f"/datasets/{MAP_DATASET}", viewport)
    try:
        assert page.locator(".leaflet-bfBase-pane path").count() == 25
        assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() > 0
        _one_legend(page, "benaderde wijkgrenzen")
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    finally:
        context.close()
    _no_outside_requests(demo_server, guard)


def test_without_scripts_the_svg_map_has_the_wijken(chromium: Any, wijken_server: LiveDemo) -> None:
    context, guard = guarded_context(chromium, wijken_server)
    try:
        page = context.new_page()
        block_scripts(page)
        page.goto(wijken_server.url + "/datasets/cafes", wait_until="load")
        assert page.locator(".leaflet-container").count() == 0  # the scripts really did not run
        image = page.locator(".bf-map img")
        # the map image is drawn on request: on a busy machine it may still be on its way at
        # "load" (seen once in CI while browser tests ran beside it)
        image.evaluate(
            "img => img.complete || new Promise(done => img.onload = img.onerror = done)")
        assert image.evaluate("img => img.complete && img.naturalWidth") == 640
        _one_legend(page, "wijkgrenzen uit de dataset ‘Wijkgrenzen Gent’")
        svg = page.request.get(wijken_server.url + image.get_attribute("src")).text()
        assert 0 < svg.count('fill="none" stroke="#7d8590"') < REAL_WIJKEN  # those in view
        assert "<title>Binnenstad</title>" in svg
        violations = axe_violations(page)
        assert not violations, describe_violations(violations)
    finally:
        context.close()
    assert not guard.blocked
