"""The maps' base layer (``belfort.portal.map_base``): the city's wijk boundaries from a
dataset in Belfort, served at ``/maps/base.geojson`` and drawn under every map (Leaflet and
the SVG fallback), named once in the page's one legend."""

from __future__ import annotations

import json
import math
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.portal import map_base, maps
from belfort.publishing import ingest_file
from tests.conftest import ghent_data
from tests.helpers import write

SVG = "{http://www.w3.org/2000/svg}"
WIJKEN = ("Binnenstad", "Brugse Poort", "Dampoort", "Gentbrugge", "Ledeberg", "Wondelgem")
CENTRES = [(3.7250, 51.0540), (3.7010, 51.0600), (3.7480, 51.0620), (3.7730, 51.0390),
           (3.7400, 51.0380), (3.7100, 51.0870)]


def _points_geojson(tmp_path: Path, count: int = len(WIJKEN)) -> Path:
    """Wijk centre points, as the demo's stadswijken-gent-demo has them."""
    return write(tmp_path / "wijken.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": list(c)},
         "properties": {"wijknr": i + 1, "wijk": name, "inwoners": 1000 * (i + 1)}}
        for i, (name, c) in enumerate(zip(WIJKEN[:count], CENTRES[:count], strict=True))]}))


def _ingest(platform: Platform, dataset_id: str, path: Path, **metadata: Any) -> None:
    ingest_file(platform, CLI_ADMIN, dataset_id, path,
                metadata={"title_nl": f"Titel {dataset_id}", "title_en": f"Title {dataset_id}",
                          "organisation": "Stad Gent", **metadata})


def _cafes(platform: Platform, tmp_path: Path) -> None:
    rows = ["naam,plek,soort", 'Het Waterhuis,"51.0567, 3.7219",cafe',
            'Dulle Griet,"51.0573, 3.7262",cafe', 'Vooruit,"51.0480, 3.7284",concertzaal']
    _ingest(platform, "cafes", write(tmp_path / "cafes.csv", "\n".join(rows) + "\n"))


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    x, y = point
    inside = False
    for (ax, ay), (bx, by) in zip(ring, ring[1:], strict=False):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            inside = not inside
    return inside


# --- the base layer ------------------------------------------------------------------------


def test_real_wijken_named_as_base_dataset(platform: Platform, tmp_path: Path) -> None:
    """The real 25 wijken of Ghent (polygons, with a geo_point_2d centre field as well)."""
    _ingest(platform, "wijkgrenzen", ghent_data() / "stadswijken-gent.geojson")
    platform.settings.map_base_dataset = "wijkgrenzen"
    base = map_base.base_layer(platform)
    assert base is not None and not base.modelled and base.count == 25
    names = {f["properties"]["name"] for f in base.collection["features"]}
    assert {"Gentbrugge", "Oostakker", "Zwijnaarde", "Macharius - Heirnis"} <= names
    for feature in base.collection["features"]:
        assert set(feature["properties"]) == {"name"}  # nothing else of the dataset
        assert feature["geometry"]["type"] == "MultiPolygon"
        for lon, lat in (p for poly in feature["geometry"]["coordinates"] for r in poly for p in r):
            assert 3.55 < lon < 3.9 and 50.95 < lat < 51.2
    assert base.vertices <= map_base.MAX_VERTICES
    assert base.title("en") == "Title wijkgrenzen"
    assert map_base.base_layer(platform) is base  # kept until the catalogue changes


def test_demo_centre_points_give_modelled_cells(platform: Platform, tmp_path: Path) -> None:
    _ingest(platform, "stadswijken-gent-demo", _points_geojson(tmp_path))
    base = map_base.base_layer(platform)  # the default setting names the demo's dataset
    assert base is not None and base.modelled and base.count == len(WIJKEN)
    cells = {f["properties"]["name"]: f["geometry"]["coordinates"][0][0]
             for f in base.collection["features"]}
    assert set(cells) == set(WIJKEN)
    for name, centre in zip(WIJKEN, CENTRES, strict=True):
        ring = cells[name]
        assert ring[0] == ring[-1] and len(ring) >= 4
        assert _inside(centre, ring)  # each centre lies in its own cell and in no other one
        assert [other for other, r in cells.items() if _inside(centre, r)] == [name]


@pytest.mark.parametrize("setting", ["", "   ", "bestaat-niet", "intern-wijken", "zonder-geometrie",
                                     "<script>alert(1)</script>", "wijk\x00en", "x" * 200])
def test_no_base_layer_and_no_error(platform: Platform, tmp_path: Path, client: TestClient,
                                    setting: str) -> None:
    _ingest(platform, "intern-wijken", _points_geojson(tmp_path), classification="internal",
            restriction_reason="privacy", classification_reason="nog niet vrijgegeven")
    _ingest(platform, "zonder-geometrie", write(tmp_path / "w.csv", "wijk,inwoners\nA,1\nB,2\n"))
    _cafes(platform, tmp_path)
    platform.settings.map_base_dataset = setting
    assert map_base.base_layer(platform) is None
    response = client.get("/maps/base.geojson")
    assert response.status_code == 404 and "Binnenstad" not in response.text
    page = client.get("/datasets/cafes")
    assert page.status_code == 200 and "data-base-url" not in page.text
    assert 'class="legend-base"' not in page.text
    svg = client.get("/datasets/cafes/map.svg")
    assert svg.status_code == 200 and "bf-map-base" not in svg.text and "Binnenstad" not in svg.text


def test_restricted_base_dataset_leaks_nothing_even_to_staff(
        platform: Platform, tmp_path: Path, client: TestClient, staff_token: str) -> None:
    from belfort.portal.render import STAFF_COOKIE

    _ingest(platform, "intern-wijken", _points_geojson(tmp_path), classification="internal",
            restriction_reason="privacy", classification_reason="nog niet vrijgegeven")
    _cafes(platform, tmp_path)
    platform.settings.map_base_dataset = "intern-wijken"
    client.cookies.set(STAFF_COOKIE, staff_token)
    assert client.get("/datasets/intern-wijken").status_code == 200  # staff may read it …
    for path in ("/maps/base.geojson", "/datasets/cafes", "/datasets/cafes/map.svg"):
        text = client.get(path).text  # … but it is no base layer, for staff neither
        assert not any(name in text for name in WIJKEN), path


def test_base_route_serves_cached_geojson(platform: Platform, tmp_path: Path,
                                          client: TestClient) -> None:
    _ingest(platform, "stadswijken-gent-demo", _points_geojson(tmp_path))
    response = client.get("/maps/base.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    assert response.headers["cache-control"] == "public, max-age=300"
    data = response.json()
    assert data["type"] == "FeatureCollection" and data["modelled"] is True
    assert data["dataset"] == "stadswijken-gent-demo" and len(data["features"]) == 6
    etag = response.headers["etag"]
    again = client.get("/maps/base.geojson", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # a catalogue write (a new version) builds it again
    _ingest(platform, "stadswijken-gent-demo", _points_geojson(tmp_path / "x", count=4))
    newer = client.get("/maps/base.geojson", headers={"If-None-Match": etag})
    assert newer.status_code == 200 and len(newer.json()["features"]) == 4
    platform.settings.map_base_dataset = "bestaat-niet"
    assert client.get("/maps/base.geojson").status_code == 404


def test_huge_boundary_file_is_simplified_and_bounded(platform: Platform, tmp_path: Path,
                                                     client: TestClient) -> None:
    """700 wijken of 2,000 positions each (1.4 million): at most 500 shapes and 20,000
    positions are served, quickly, and the shapes keep their place."""
    features = []
    for i in range(700):
        cx, cy = 3.6 + (i % 35) * 0.01, 50.95 + (i // 35) * 0.01
        ring = [[round(cx + 0.004 * math.cos(2 * math.pi * k / 2000), 7),
                 round(cy + 0.004 * math.sin(2 * math.pi * k / 2000), 7)] for k in range(2000)]
        features.append({"type": "Feature", "properties": {"naam": f"wijk {i}"},
                         "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}})
    path = write(tmp_path / "groot.geojson",
                 json.dumps({"type": "FeatureCollection", "features": features}))
    _ingest(platform, "grote-wijken", path)
    platform.settings.map_base_dataset = "grote-wijken"
    started = time.perf_counter()
    base = map_base.base_layer(platform)
    elapsed = time.perf_counter() - started
    assert base is not None and base.simplified
    assert 0 < base.count <= map_base.MAX_FEATURES
    assert base.vertices <= map_base.MAX_VERTICES
    assert len(base.body) < 600_000
    first = base.collection["features"][0]
    assert first["properties"]["name"] == "wijk 0"
    ring = first["geometry"]["coordinates"][0][0]
    assert len(ring) >= 4 and ring[0] == ring[-1]
    assert all(abs(math.hypot(x - 3.6, y - 50.95) - 0.004) < 0.0005 for x, y in ring)  # still round
    assert elapsed < 30
    assert len(client.get("/maps/base.geojson").content) == len(base.body)


def test_simplify_keeps_small_files_exact_to_a_metre() -> None:
    square = {"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Polygon",
              "coordinates": [[[3.7, 51.0], [3.7000001, 51.0], [3.71, 51.0], [3.71, 51.01],
                               [3.7, 51.01]]]}}
    line = {"type": "Feature", "properties": {"name": "b"}, "geometry": {
        "type": "MultiLineString", "coordinates": [[[3.7, 51.0], [3.8, 51.1]], [[3.7, 51.0]]]}}
    shaped, count, simplified = map_base.simplify([square, line])
    assert not simplified
    assert shaped[0]["geometry"] == {"type": "MultiPolygon", "coordinates": [[[
        [3.7, 51.0], [3.71, 51.0], [3.71, 51.01], [3.7, 51.01], [3.7, 51.0]]]]}  # closed, no repeat
    assert shaped[1]["geometry"] == {"type": "MultiLineString",
                                     "coordinates": [[[3.7, 51.0], [3.8, 51.1]]]}
    assert count == 7


# --- the dataset page: one legend, the base layer under the data ---------------------------


def test_page_names_the_base_layer_once_in_one_legend(platform: Platform, tmp_path: Path,
                                                       client: TestClient) -> None:
    _ingest(platform, "wijkgrenzen", ghent_data() / "stadswijken-gent.geojson")
    _cafes(platform, tmp_path)
    platform.settings.map_base_dataset = "wijkgrenzen"
    for lang, words in (("nl", "wijkgrenzen uit de dataset ‘Titel wijkgrenzen’"),
                        ("en", "neighbourhood boundaries from the dataset ‘Title wijkgrenzen’")):
        page = client.get("/datasets/cafes", params={"lang": lang}).text
        assert page.count('class="legend"') == 1 and page.count(words) == 1
        assert 'data-base-url="/maps/base.geojson"' in page
        svg = client.get("/datasets/cafes/map.svg", params={"lang": lang}).text
        root = ET.fromstring(svg)
        assert not [t for t in root.iter(f"{SVG}text")]  # no second legend drawn in the image
        assert words in root.findtext(f"{SVG}desc", "")
        base_group = root.find(f".//{SVG}g[@class='bf-map-base']")
        assert base_group is not None and base_group.get("clip-path", "").startswith("url(#")
        outlines = base_group.findall(f"{SVG}path")
        assert all(p.get("fill") == "none" for p in outlines)
        names = {p.findtext(f"{SVG}title") for p in outlines}
        assert "Binnenstad" in names  # where the cafés are …
        assert not names & {"Drongen", "Oostakker", "Zwijnaarde"}  # … not wijken wholly outside
        order = [e.tag for e in root.iter() if e.tag in (f"{SVG}circle", f"{SVG}g")]
        assert order.index(f"{SVG}g", 1) < order.index(f"{SVG}circle")  # under the data
        assert len(root.findall(f".//{SVG}circle")) == 3
        assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) == {"http://www.w3.org/2000/svg"}


def test_boundary_dataset_itself_is_drawn_as_polygons(platform: Platform,
                                                      client: TestClient) -> None:
    """A boundary file with a geo_point_2d centre field: its map draws the polygons, not the
    centres as markers."""
    _ingest(platform, "wijkgrenzen", ghent_data() / "stadswijken-gent.geojson")
    features = client.get("/datasets/wijkgrenzen/map.geojson").json()["features"]
    assert len(features) == 25 and {f["geometry"]["type"] for f in features} == {"Polygon"}
    svg = ET.fromstring(client.get("/datasets/wijkgrenzen/map.svg").text)
    filled = [p for p in svg.iter(f"{SVG}path") if p.get("fill") != "none"]
    assert len(filled) == 25 and not svg.findall(f".//{SVG}circle")
    assert maps.geometry_field(maps.TableSchema(fields=(
        maps.Field("centrum", "geopoint"), maps.Field("vorm", "geometry")))) == "vorm"
