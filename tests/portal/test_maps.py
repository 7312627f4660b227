"""The portal's map: GeoJSON from the real engine (SQLite and PostgreSQL catalogues),
data-driven legends, the SVG fallback map, map.js (run in Node.js with a stand-in for
Leaflet) and the vendored Leaflet files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from belfort.errors import InvalidRequest
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.policy.reading import ReadableVersion, readable
from belfort.portal import maps
from belfort.publishing import ingest_file
from belfort.schema import Field, TableSchema
from tests.conftest import REPO_ROOT
from tests.helpers import write

SVG = "{http://www.w3.org/2000/svg}"
MAP_JS = REPO_ROOT / "src/belfort/portal/static/js/map.js"
VENDOR = REPO_ROOT / "src/belfort/portal/static/vendor/leaflet"

HOLE = [[3.71, 51.05], [3.72, 51.05], [3.72, 51.06], [3.71, 51.06], [3.71, 51.05]]
ZONES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"naam": "Park", "soort": "groen", "opp": 12.5},
     "geometry": {"type": "Polygon", "coordinates": [
         [[3.70, 51.04], [3.74, 51.04], [3.74, 51.07], [3.70, 51.07], [3.70, 51.04]], HOLE]}},
    {"type": "Feature", "properties": {"naam": "Pleinen", "soort": "plein", "opp": 3},
     "geometry": {"type": "MultiPolygon", "coordinates": [
         [[[3.75, 51.04], [3.76, 51.04], [3.76, 51.05], [3.75, 51.04]]],
         [[[3.77, 51.04], [3.78, 51.04], [3.78, 51.05], [3.77, 51.04]]]]}},
    {"type": "Feature", "properties": {"naam": "Straat", "soort": None, "opp": None},
     "geometry": {"type": "LineString", "coordinates": [[3.70, 51.03], [3.78, 51.08]]}},
    {"type": "Feature", "properties": {"naam": "Belfort", "soort": "toren", "opp": 0.1},
     "geometry": {"type": "Point", "coordinates": [3.7249, 51.0536]}},
    {"type": "Feature", "properties": {"naam": "Lambert", "soort": "fout", "opp": 1},
     "geometry": {"type": "Point", "coordinates": [105846.97, 192889.81]}},
    {"type": "Feature", "properties": {"naam": "Nergens", "soort": "leeg", "opp": 2}, "geometry": None},
]}


def _ingest(platform: Platform, path: Path, dataset_id: str) -> ReadableVersion:
    ingest_file(platform, CLI_ADMIN, dataset_id, path,
                metadata={"title_nl": dataset_id, "organisation": "Stad Gent"})
    return readable(platform, ANONYMOUS, dataset_id)


@pytest.fixture
def zones(platform: Platform, tmp_path: Path) -> ReadableVersion:
    # the Lambert point is an invalid geometry (issue 11): allowed as one invalid row, it is
    # stored as null and reported, never stored as if it were WGS 84
    platform.settings.max_invalid_rows = 1
    try:
        return _ingest(platform, write(tmp_path / "zones.geojson", json.dumps(ZONES)), "zones")
    finally:
        platform.settings.max_invalid_rows = 0


@pytest.fixture
def points(platform: Platform, tmp_path: Path) -> ReadableVersion:
    """30 records with a geopoint (one without), ``soort`` a/b/c, ``waarde`` 1…30."""
    rows = ["naam,plek,soort,waarde"] + [
        f'punt {i},"{51.0 + i / 1000:.3f}, {3.7 + i / 1000:.3f}",{"abc"[i % 3]},{i}' for i in range(1, 30)
    ] + ["zonder plek,,a,30"]
    return _ingest(platform, write(tmp_path / "punten.csv", "\n".join(rows) + "\n"), "punten")


def _svg_urls(svg: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)]+", svg))


# --- features -------------------------------------------------------------------------------


def test_geometry_field() -> None:
    assert maps.geometry_field(TableSchema(fields=(Field("a", "string"),))) is None
    # a shape wins over a point (a boundary file's geo_point_2d centre is not what to draw)
    assert maps.geometry_field(TableSchema(fields=(
        Field("a", "string"), Field("plek", "geopoint"), Field("vorm", "geometry")))) == "vorm"
    assert maps.geometry_field(TableSchema(fields=(Field("plek", "geopoint"), Field("p2", "geopoint")))) == "plek"
    assert maps.geometry_field(TableSchema(fields=(Field("vorm", "geometry"), Field("plek", "geopoint")))) == "vorm"


def test_features_of_real_ghent_points(ghent: Platform) -> None:
    bikes = readable(ghent, ANONYMOUS, "fietstelpalen-gent")
    collection = maps.map_features(ghent, bikes)
    assert collection["type"] == "FeatureCollection"
    assert (collection["total"], collection["shown"], collection["omitted"]) == (9, 9, 0)
    assert collection["truncated"] is False and collection["unreadable"] == 0
    json.dumps(collection, allow_nan=False)
    first = collection["features"][0]
    assert first["geometry"]["type"] == "Point"
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert 3.6 < lon < 3.9 and 50.9 < lat < 51.2  # Ghent
    props = first["properties"]
    assert props["_label"] == props["naam"] == "Visserij"
    assert "geometry" not in props and props["geo_point_2d"]["lat"] == pytest.approx(51.0445, abs=1e-3)
    assert props["begindatum"] == "2021-07-07T00:00:00+02:00"  # in Ghent's zone
    assert maps.map_features(ghent, bikes, timezone="UTC")["features"][0]["properties"]["begindatum"] == (
        "2021-07-06T22:00:00+00:00")

    cars = readable(ghent, ANONYMOUS, "real-time-locaties-deelwagen-partago")
    # both a geopoint and the record's GeoJSON geometry (the same Point): the geometry is drawn
    assert maps.geometry_field(cars.schema) == "geometry"
    collection = maps.map_features(ghent, cars)
    assert collection["shown"] == 5
    first = collection["features"][0]
    assert first["properties"]["_label"] == "Partago Quark"
    assert "geometry" not in first["properties"] and first["geometry"]["type"] == "Point"
    lat, lon = first["properties"]["geopoints"]["lat"], first["properties"]["geopoints"]["lon"]
    assert first["geometry"]["coordinates"] == pytest.approx([lon, lat])


def test_features_are_capped_and_counted(platform: Platform, points: ReadableVersion) -> None:
    everything = maps.map_features(platform, points)
    assert (everything["total"], everything["shown"], everything["truncated"]) == (29, 29, False)
    capped = maps.map_features(platform, points, limit=10)
    assert (capped["total"], capped["shown"], capped["omitted"], capped["truncated"]) == (29, 10, 19, True)
    assert [f["properties"]["naam"] for f in capped["features"]][:2] == ["punt 1", "punt 2"]
    assert capped["features"][0]["geometry"] == {"type": "Point", "coordinates": [3.701, 51.001]}
    coloured = maps.map_features(platform, points, color_by="soort")
    assert coloured["legend"]["kind"] == "categorical"
    assert [(c["value"], c["count"]) for c in coloured["legend"]["classes"]] == [("b", 10), ("c", 10), ("a", 9)]
    for bad in ("nope", "plek", "x" * 5000):
        with pytest.raises(InvalidRequest, match="cannot colour the map"):
            maps.map_features(platform, points, color_by=bad)
    with pytest.raises(InvalidRequest, match="positive limit"):
        maps.map_features(platform, points, limit=0)


def test_shapes_and_unreadable_geometries(platform: Platform, zones: ReadableVersion) -> None:
    collection = maps.map_features(platform, zones)
    assert collection["total"] == 4  # "Nergens" has no geometry at all, Lambert's was refused
    assert collection["unreadable"] == 0
    # versions stored before geometries were checked can hold such a point: the map skips it
    assert maps._geometry('{"type": "Point", "coordinates": [105846.97, 192889.81]}') is None
    kinds = [f["geometry"]["type"] for f in collection["features"]]
    assert kinds == ["Polygon", "MultiPolygon", "LineString", "Point"]
    assert collection["features"][0]["geometry"]["coordinates"][1] == HOLE


def test_lines_and_rings_are_checked_position_by_position() -> None:
    good = [[3.70, 51.03], [3.78, 51.08]]
    assert maps._valid({"type": "LineString", "coordinates": good})
    assert maps._valid({"type": "MultiLineString", "coordinates": [good, good]})
    for bad in ([True, 51.0], [3.7], [200.0, 51.0], [3.7, -91], [float("nan"), 51.0],
                [3.7, float("inf")], ["3.7", "51.0"], (3.7, 51.0), None):
        assert not maps._valid({"type": "LineString", "coordinates": [good[0], bad]}), bad
        assert not maps._valid({"type": "Polygon", "coordinates": [[good[0], bad, good[0]]]}), bad
    assert not maps._valid({"type": "LineString", "coordinates": []})


def test_no_geometry_no_map(platform: Platform, tmp_path: Path) -> None:
    rv = _ingest(platform, write(tmp_path / "a.csv", "a,b\n1,2\n"), "zonder-kaart")
    with pytest.raises(InvalidRequest, match="no geographic field"):
        maps.map_features(platform, rv)


# --- legends --------------------------------------------------------------------------------


def _features(values: list[Any], field: str = "v") -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [3.7 + i / 1000, 51.05]},
         "properties": {field: v, "_label": f"#{i}"}} for i, v in enumerate(values)]}


def test_categorical_legend_keeps_eight_and_groups_the_rest() -> None:
    values = [f"cat{i}" for i in range(10) for _ in range(10 - i)] + [None, ""]
    legend = maps.legend(_features(values), "v")
    assert legend.kind == "categorical"
    assert [(c.label, c.count) for c in legend.classes] == [
        *[(f"cat{i}", 10 - i) for i in range(8)], ("andere", 3), ("(geen waarde)", 2)]
    assert [c.color for c in legend.classes[:8]] == list(maps.OKABE_ITO)
    assert legend.classes[8].other and legend.classes[8].color == maps.OTHER_COLOR
    assert legend.classify("cat9").other and legend.classify("never seen").other
    assert legend.classify(None).missing and legend.classify("").missing
    assert legend.color_of({"v": "cat0"}) == maps.OKABE_ITO[0]
    booleans = maps.legend(_features([True, True, False]), "v", lang="en")
    assert [(c.label, c.value, c.count) for c in booleans.classes] == [("yes", "true", 2), ("no", "false", 1)]
    few = maps.legend(_features(["b", "a", "b"]), "v")
    assert [c.value for c in few.classes] == ["b", "a"] and not any(c.other for c in few.classes)
    assert few.classify("c") is None and few.color_of({"v": "c"}) == maps.OTHER_COLOR
    json.dumps(legend.to_dict(), allow_nan=False)


def test_numeric_legend_has_quantile_classes() -> None:
    legend = maps.legend(_features(list(range(100, 0, -1)) + [None]), "v")
    assert legend.kind == "numeric"
    numeric = [c for c in legend.classes if not c.missing]
    assert [(c.lower, c.upper, c.count) for c in numeric] == [
        (1, 20, 20), (20, 40, 20), (40, 60, 20), (60, 80, 20), (80, 100, 20)]
    assert [c.label for c in numeric] == ["1 – 20", "20 – 40", "40 – 60", "60 – 80", "80 – 100"]
    assert [c.color for c in numeric] == list(maps.RAMP)
    assert legend.classes[-1].missing and legend.classes[-1].count == 1
    assert legend.classify(20).upper == 20 and legend.classify(20.5).upper == 40
    assert legend.classify(1000) is None  # above every class: drawn grey

    skewed = maps.legend(_features([1] * 90 + list(range(2, 12))), "v")
    assert [(c.lower, c.upper, c.count) for c in skewed.classes] == [(1, 1, 90), (1, 11, 10)]
    assert [c.color for c in skewed.classes] == [maps.RAMP[0], maps.RAMP[-1]]
    exact = maps.legend(_features([3, 1, 2, 2.5, 1]), "v")
    assert [(c.label, c.count) for c in exact.classes] == [("1", 2), ("2", 1), ("2.5", 1), ("3", 1)]
    single = maps.legend(_features([1, 2]), None)
    assert single.kind == "single" and single.classes[0].count == 2
    assert single.color_of({}) == maps.SINGLE_COLOR


def test_default_color_field(platform: Platform, zones: ReadableVersion, points: ReadableVersion) -> None:
    schema = TableSchema(fields=(Field("naam", "string"), Field("open", "boolean")))
    assert maps.default_color_field(schema) == "open"
    assert maps.default_color_field(points.schema, maps.map_features(platform, points)) == "soort"
    # zones: every naam and soort differs, so colour by the area
    assert maps.default_color_field(zones.schema, maps.map_features(platform, zones)) == "opp"


# --- the SVG map ----------------------------------------------------------------------------


def _check_svg(svg: str, title: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert root[0].tag == f"{SVG}title" and root[0].get("id") == title_id and root[0].text == title
    assert root[1].tag == f"{SVG}desc" and root[1].get("id") == desc_id
    assert _svg_urls(svg) == {"http://www.w3.org/2000/svg"}
    return root


def test_svg_map_of_points(ghent: Platform) -> None:
    bikes = readable(ghent, ANONYMOUS, "fietstelpalen-gent")
    collection = maps.map_features(ghent, bikes)
    legend = maps.legend(collection, "actief")
    svg = maps.render_svg_map(collection, legend, title="Fietstelpalen <Gent>")
    root = _check_svg(svg, "Fietstelpalen <Gent>")
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == 9
    assert {c.findtext(f"{SVG}title") for c in circles} == {f["properties"]["naam"] for f in collection["features"]}
    xs = [float(c.get("cx")) for c in circles]
    ys = [float(c.get("cy")) for c in circles]
    assert 0 <= min(xs) and max(xs) <= 640 and 0 <= min(ys) and max(ys) <= 420
    assert min(xs) == pytest.approx(16, abs=0.2) or min(ys) == pytest.approx(16, abs=0.2)  # fitted
    north = max(collection["features"], key=lambda f: f["geometry"]["coordinates"][1])
    top = min(circles, key=lambda c: float(c.get("cy")))
    assert top.findtext(f"{SVG}title") == north["properties"]["naam"]  # north is up
    assert {c.get("fill") for c in circles} == {c.color for c in legend.classes}
    assert "Kaart met 9 objecten, ingekleurd volgens actief" in root[1].text


def test_svg_map_of_polygons_holes_and_lines(platform: Platform, zones: ReadableVersion) -> None:
    collection = maps.map_features(platform, zones)
    legend = maps.legend(collection, "soort", lang="en")
    svg = maps.render_svg_map(collection, legend, title="Zones", lang="en", draw_legend=True)
    root = _check_svg(svg, "Zones")
    paths = [p for p in root.iter(f"{SVG}path") if p.get("fill") != "none"]
    park, squares = paths
    assert park.findtext(f"{SVG}title") == "Park" and park.get("fill-rule") == "evenodd"
    assert park.get("d").count("M") == 2 and park.get("d").count("Z") == 2  # outer ring and hole
    assert squares.findtext(f"{SVG}title") == "Pleinen" and squares.get("d").count("M") == 2
    assert park.get("fill") == legend.color_of({"soort": "groen"})
    line = next(g for g in root.iter(f"{SVG}g") if g.findtext(f"{SVG}title") == "Straat")
    assert len(line.findall(f"{SVG}path")) == 2  # casing and colour
    assert len(root.findall(f".//{SVG}circle")) == 1
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "soort" in texts and "(no value) (1)" in texts  # the drawn legend
    assert root[1].text.startswith("Map of 4 features, coloured by soort: ")


def test_svg_map_edge_cases() -> None:
    empty = maps.render_svg_map({"type": "FeatureCollection", "features": []}, maps.legend([], None),
                                title="Leeg")
    root = _check_svg(empty, "Leeg")
    assert root.findtext(f".//{SVG}text") == "Geen locaties om te tonen."
    single = maps.render_svg_map(_features(["x"]), maps.legend(_features(["x"]), "v"), title="Eén",
                                 width=300, height=200)
    circle = _check_svg(single, "Eén").find(f".//{SVG}circle")
    assert (float(circle.get("cx")), float(circle.get("cy"))) == (150.0, 100.0)  # centred
    same_place = _features(["a", "b"])
    same_place["features"][1]["geometry"] = same_place["features"][0]["geometry"]
    _check_svg(maps.render_svg_map(same_place, maps.legend(same_place, "v"), title="Twee"), "Twee")
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"_label": "mix"}, "geometry": {"type": "GeometryCollection",
         "geometries": [{"type": "Point", "coordinates": [3.7, 51.0]},
                        {"type": "MultiPoint", "coordinates": [[3.8, 51.1], [3.75, 51.05]]}]}}],
        "truncated": True, "total": 10}
    svg = maps.render_svg_map(collection, maps.legend(collection, None), title="Mix")
    root = _check_svg(svg, "Mix")
    assert len(root.findall(f".//{SVG}circle")) == 3
    assert "(1 van 10 getoond)" in root[1].text


def test_features_for_thousands_of_points(platform: Platform, tmp_path: Path) -> None:
    rows = ["naam,plek,soort"] + [
        f'p{i},"{51.0 + (i % 100) / 1000:.4f}, {3.6 + i / 40000:.5f}",{"abcdefghijk"[i % 11]}' for i in range(6000)]
    rv = _ingest(platform, write(tmp_path / "veel.csv", "\n".join(rows) + "\n"), "veel")
    started = time.perf_counter()
    collection = maps.map_features(platform, rv, color_by="soort")
    elapsed = time.perf_counter() - started
    assert (collection["shown"], collection["omitted"]) == (5000, 1000)
    assert len(collection["legend"]["classes"]) == 9  # 8 + other
    svg = maps.render_svg_map(collection, maps.legend(collection, "soort"), title="Veel")
    assert svg.count("<circle") == 5000
    assert elapsed < 5


# --- map.js in Node.js, with a stand-in for Leaflet -----------------------------------------

HARNESS = r"""
const vm = require("vm");
const fs = require("fs");
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const calls = { tileLayer: [], fetch: [], fitBounds: 0, setView: 0, controls: 0, maps: 0, panes: [],
                base: [] };
function node(tag) {
  return { tagName: tag, style: {}, dataset: {}, children: [], attributes: {}, listeners: {},
    classList: { add() {} }, setAttribute(k, v) { this.attributes[k] = String(v); },
    getAttribute(k) { return this.attributes[k]; }, appendChild(c) { this.children.push(c); return c; },
    querySelector() { return null; }, addEventListener(k, f) { this.listeners[k] = f; } };
}
let lastLayers = [];
const L = {
  map(container, options) { calls.maps++; calls.mapOptions = options;
    return { fitBounds(b, o) { calls.fitBounds++; }, setView() { calls.setView++; },
             createPane(name) { calls.panes.push(name); return { style: {} }; } }; },
  tileLayer(url) { calls.tileLayer.push(url); return { addTo() { return this; } }; },
  circleMarker(latlng, options) { return options; },
  geoJSON(data, options) {
    if (options.pane === "bfBase") {  // the base layer: outlines with a name as tooltip
      const drawn = data.features.map((f) => {
        const element = node("path");
        element.namespaceURI = "svg";
        const layer = { style: options.style(f), added: [], getElement() { return element; },
                        on(event, fn) { if (event === "add") this.added.push(fn); },
                        bindTooltip() { calls.tooltips = (calls.tooltips || 0) + 1; } };
        options.onEachFeature(f, layer);
        return layer;
      });
      return { addTo() {
                 drawn.forEach((l) => l.added.forEach((fn) => fn()));
                 calls.base.push(...drawn.map((l) => [l.getElement().children.map(
                   (c) => [c.tagName, c.ns, c.textContent]), l.style]));
                 return this; },
               getBounds() { return { isValid: () => drawn.length > 0 }; } };
    }
    lastLayers = data.features.map((f) => {
      const style = f.geometry.type === "Point" ? options.pointToLayer(f, [0, 0]) : options.style(f);
      const element = node("path");
      const layer = { feature: f, style, element, added: [], bindPopup(fn) { this.popup = fn; },
                      on(event, fn) { if (event === "add") this.added.push(fn); },
                      getElement() { return element; }, openPopup() { this.opened = true; } };
      options.onEachFeature(f, layer);
      return layer;
    });
    const layers = lastLayers;
    return { addTo() { layers.forEach((l) => l.added.forEach((fn) => fn())); return this; },
             eachLayer(fn) { layers.forEach(fn); },
             getBounds() { return { isValid: () => layers.length > 0 }; } };
  },
  control() { return { addTo() { calls.controls++; return this; } }; },
  DomUtil: { create() { return node("div"); } },
  DomEvent: { disableClickPropagation() {} },
};
const window = { L, location: { href: "http://portal.test/datasets/zones", origin: "http://portal.test" } };
const document = { documentElement: { lang: "nl" }, readyState: "complete",
  querySelectorAll() { return []; }, createElement: node,
  createElementNS(ns, tag) { const n = node(tag); n.ns = ns; return n; },
  createTextNode(text) { return { text }; } };
async function fetch(url) { calls.fetch.push(url);
  if (url === "/maps/base.geojson") return { ok: true, json: async () => input.base };
  if (url === "/maps/missing.geojson") return { ok: false, json: async () => ({}) };
  return { ok: true, json: async () => input.collection }; }
vm.runInNewContext(fs.readFileSync(input.script, "utf8"),
  { window, document, fetch, URL, console });
const api = window.BelfortMap;
(async () => {
  const out = { classified: input.cases.map((c) => { const k = api.classify(c.legend, c.value);
    return k ? k.color : null; }) };
  const runs = [];
  for (const dataset of input.elements) {
    Object.keys(calls).forEach((k) => { calls[k] = Array.isArray(calls[k]) ? [] : 0; });
    const el = node("div");
    el.children.push(node("svg"));
    Object.assign(el.dataset, dataset);
    await api.enhance(el);
    const canvas = el.children[1];
    const layer = lastLayers[0];
    let popupText = [];
    if (canvas && layer) {
      const walk = (n) => { if (n.textContent) popupText.push(n.textContent); (n.children || []).forEach(walk); };
      walk(layer.popup());
      layer.element.listeners.keydown({ key: "Enter", preventDefault() {} });
    }
    runs.push({ calls: JSON.parse(JSON.stringify(calls)), hiddenFallback: el.children[0].style.display,
      canvas: canvas ? { attributes: canvas.attributes, tabIndex: canvas.tabIndex } : null,
      colors: lastLayers.map((l) => l.style.fillColor || l.style.color),
      focusable: layer ? layer.element.attributes : null, opened: layer ? !!layer.opened : false,
      popupText });
    lastLayers = [];
  }
  out.runs = runs;
  process.stdout.write(JSON.stringify(out));
})();
"""


def _node() -> str:
    node = shutil.which("node")
    assert node, "Node.js is needed to test map.js (Debian: apt-get install nodejs)"
    return node


def test_map_js_needs_no_network_and_no_build() -> None:
    source = MAP_JS.read_text()
    assert not re.search(r"https?://", source)
    assert not re.search(r"^\s*(import|export)\b|require\(", source, re.M)
    subprocess.run([_node(), "--check", str(MAP_JS)], check=True)


def test_map_js_draws_like_the_server(platform: Platform, zones: ReadableVersion) -> None:
    collection = maps.map_features(platform, zones)
    categorical = maps.legend(collection, "soort")
    numeric = maps.legend(_features(list(range(1, 101)) + [None]), "v")
    cases = [(categorical, v) for v in ("groen", "plein", "toren", "onbekend", None, "")]
    cases += [(numeric, v) for v in (1, 20, 20.5, 99, 100, 1000, None)]
    cases += [(maps.legend(_features([True, False, True]), "v"), v) for v in (True, False)]
    legend_json = json.dumps(categorical.to_dict())
    elements = [
        {"geojsonUrl": "/api/zones.geojson", "legend": legend_json, "label": "Kaart van de zones"},
        {"geojsonUrl": "/api/zones.geojson", "legend": legend_json,
         "tileUrl": "/tiles/{z}/{x}/{y}.png", "tileAttribution": "Stad Gent"},
        {"geojsonUrl": "https://elsewhere.example/zones.geojson"},
        {"geojsonUrl": "/api/zones.geojson", "legend": legend_json, "baseUrl": "/maps/base.geojson"},
        {"geojsonUrl": "/api/zones.geojson", "legend": legend_json, "baseUrl": "/maps/missing.geojson"},
        {"geojsonUrl": "/api/zones.geojson", "legend": legend_json,
         "baseUrl": "https://elsewhere.example/base.geojson"},
    ]
    base = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Binnenstad"}, "geometry": {
            "type": "MultiPolygon", "coordinates": [[[[3.7, 51.0], [3.8, 51.0], [3.8, 51.1], [3.7, 51.0]]]]}}]}
    payload = {"script": str(MAP_JS), "collection": collection, "elements": elements, "base": base,
               "cases": [{"legend": lg.to_dict(), "value": v} for lg, v in cases]}
    done = subprocess.run([_node(), "-e", HARNESS], input=json.dumps(payload), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    expected = [lg.classify(v).color if lg.classify(v) else None for lg, v in cases]
    assert out["classified"] == expected

    plain, tiled, foreign, based, missing, foreign_base = out["runs"]
    assert plain["calls"]["tileLayer"] == []  # no tiles unless the portal configures them
    assert plain["calls"]["fetch"] == ["/api/zones.geojson"]
    assert plain["calls"]["mapOptions"]["keyboard"] is True
    assert plain["calls"]["mapOptions"]["attributionControl"] is False
    # no legend drawn on the map: the page's list under it is the one legend
    assert plain["calls"]["fitBounds"] == 1 and plain["calls"]["controls"] == 0
    assert plain["hiddenFallback"] == "none"
    assert plain["canvas"]["tabIndex"] == 0
    assert plain["canvas"]["attributes"]["aria-label"] == "Kaart van de zones"
    assert plain["colors"][:2] == [categorical.color_of({"soort": "groen"}), categorical.color_of({"soort": "plein"})]
    assert plain["focusable"] == {"tabindex": "0", "role": "button", "aria-label": "Park"}
    assert plain["opened"] is True
    assert plain["popupText"][0] == "Park" and "groen" in plain["popupText"]
    assert tiled["calls"]["tileLayer"] == ["/tiles/{z}/{x}/{y}.png"]
    assert tiled["calls"]["mapOptions"]["attributionControl"] is True
    assert foreign["calls"]["fetch"] == [] and foreign["calls"]["maps"] == 0 and foreign["canvas"] is None
    assert plain["calls"]["base"] == [] and plain["calls"]["panes"] == []
    assert based["calls"]["fetch"] == ["/maps/base.geojson", "/api/zones.geojson"]
    assert based["calls"]["panes"] == ["bfBase"]
    # the name as the outline's SVG title; no Leaflet tooltip (its focus listeners would make
    # each outline a Tab stop in Chromium)
    assert based["calls"]["base"] == [[[["title", "svg", "Binnenstad"]],
                                       {"color": "#7d8590", "weight": 1, "opacity": 1, "fill": False}]]
    assert "tooltips" not in based["calls"]
    assert based["colors"] == plain["colors"]  # the data is drawn as without a base layer
    assert missing["calls"]["base"] == [] and missing["calls"]["maps"] == 1  # no base, no error
    assert foreign_base["calls"]["fetch"] == ["/api/zones.geojson"]  # never another host
    assert foreign_base["calls"]["base"] == []


# --- vendored Leaflet ----------------------------------------------------------------------


def test_vendor_assets_puts_leaflet_in_static() -> None:
    script = REPO_ROOT / "scripts/vendor-assets"
    done = subprocess.run([str(script)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Leaflet 1\.9\.\d", (VENDOR / "leaflet.js").read_text()[:500])
    assert ".leaflet-container" in (VENDOR / "leaflet.css").read_text()
    assert (VENDOR / "images" / "marker-icon.png").is_file() and (VENDOR / "images" / "layers.png").is_file()
    started = time.perf_counter()
    again = subprocess.run([str(script)], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and time.perf_counter() - started < 2  # nothing to do
    ignored = subprocess.run(["git", "check-ignore", "-q", str(VENDOR / "leaflet.js")], cwd=REPO_ROOT)
    assert ignored.returncode == 0, "the vendored copy must not be committed"
    tracked = subprocess.run(["git", "ls-files", "src/belfort/portal/static/vendor", "src/belfort/portal/assets/node_modules"],
                             cwd=REPO_ROOT, capture_output=True, text=True)
    assert tracked.stdout == ""


# --- map.js with the real Leaflet in Debian's Chromium ---------------------------------------


def _serve(directory: Path) -> tuple[Any, str]:
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_map_in_a_real_browser(platform: Platform, zones: ReadableVersion, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed for the browser tests (apt-get install chromium)"
    assert subprocess.run([str(REPO_ROOT / "scripts/vendor-assets")], timeout=600).returncode == 0
    site = tmp_path / "site"
    shutil.copytree(VENDOR, site / "vendor/leaflet")
    shutil.copy(MAP_JS, site / "map.js")
    collection = maps.map_features(platform, zones, limit=3)
    legend = maps.legend(collection, "soort")
    (site / "zones.geojson").write_text(json.dumps(collection))
    svg = maps.render_svg_map(collection, legend, title="Zones in Gent")
    legend_attr = json.dumps(legend.to_dict()).replace("&", "&amp;").replace("'", "&#39;")
    for name, extra in (("plain", ""), ("tiled", ' data-tile-url="/tiles/{z}/{x}/{y}.png"')):
        (site / f"{name}.html").write_text(
            '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
            '<link rel="stylesheet" href="vendor/leaflet/leaflet.css"></head><body>'
            f"<div class=\"bf-map\" data-geojson-url=\"zones.geojson\" data-legend='{legend_attr}'{extra}>"
            f'{svg}</div><script src="vendor/leaflet/leaflet.js"></script>'
            '<script src="map.js"></script></body></html>')
    server, base = _serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            try:
                page = browser.new_page()
                requests: list[str] = []
                page.on("request", lambda r: requests.append(r.url))
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"{base}/plain.html")
                page.wait_for_selector(".bf-map[data-bf-map-ready='1']", timeout=10_000)
                assert not errors
                assert all(url.startswith(base) for url in requests), requests  # nothing from outside
                assert not any("/tiles/" in url for url in requests)
                assert page.locator(".leaflet-tile-pane img").count() == 0
                assert page.locator("svg.bf-map-svg").is_hidden()
                canvas = page.locator(".bf-map-canvas")
                assert canvas.get_attribute("aria-label") == "Zones in Gent"
                assert canvas.get_attribute("tabindex") == "0"
                assert page.locator("path.leaflet-interactive").count() == 3
                assert page.locator(".bf-map-legend").count() == 0  # the page's list is the legend
                assert "3 van 4 objecten getoond" in page.locator(".bf-map-notice").inner_text()
                fills = page.locator("path.leaflet-interactive").evaluate_all(
                    "els => els.map(e => e.getAttribute('fill'))")
                assert fills[0] == legend.color_of({"soort": "groen"})
                canvas.focus()
                page.keyboard.press("Tab")
                assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Park"
                page.keyboard.press("Enter")
                assert "groen" in page.locator(".leaflet-popup-content").inner_text(timeout=5_000)

                tiled = browser.new_page()
                tile_requests: list[str] = []
                tiled.on("request", lambda r: tile_requests.append(r.url))
                tiled.goto(f"{base}/tiled.html")
                tiled.wait_for_selector(".bf-map[data-bf-map-ready='1']", timeout=10_000)
                tiled.wait_for_timeout(300)
                assert any("/tiles/" in url for url in tile_requests)
            finally:
                browser.close()
    finally:
        server.shutdown()
