"""A map tile over a dataset of shapes (zones coloured by crowding): its spec names the
dataset, its geometry, value and label fields and colour bands; every mistake is named by its
path, hostile text is refused or kept as text."""

from __future__ import annotations

import pytest

from belfort.dashboards.spec import parse_spec
from belfort.errors import DashboardInvalid

ZONES = """
title: Drukte
tiles:
  - id: zones
    type: map
    title: {nl: Drukte per zone, en: Crowding per zone}
    dataset: drukte-per-zone
    geometry: geo_shape
    value: score
    label: naam
    bands:
      - {upto: 33, colour: green, label: {nl: rustig, en: quiet}}
      - {upto: 67, colour: orange, label: {nl: druk, en: busy}}
      - {colour: red, label: {nl: te druk, en: too busy}}
"""


def problems(source: str) -> list[dict[str, str]]:
    with pytest.raises(DashboardInvalid) as caught:
        parse_spec(source)
    assert caught.value.http_status == 422
    return list(caught.value.details["problems"])


def paths(source: str) -> set[str]:
    return {p["path"] for p in problems(source)}


def tile(**fields: str) -> str:
    """A spec with one map tile: ZONES's fields, ``fields`` replacing or adding lines
    (an empty text leaves a field out)."""
    base = {"id": "zones", "type": "map", "title": "Z", "dataset": "drukte-per-zone",
            "geometry": "geo_shape", "value": "score", "label": "naam",
            "bands": "[{upto: 50, colour: green, label: rustig}, {colour: red, label: druk}]"}
    base.update(fields)
    lines = "".join(f"    {k}: {v}\n" for k, v in base.items() if v != "")
    return "title: T\ntiles:\n  -\n" + lines


def test_a_map_of_zones_parses_with_its_fields_and_bands() -> None:
    found = parse_spec(ZONES).tiles[0]
    assert (found.type, found.dataset, found.geometry, found.value, found.label) == (
        "map", "drukte-per-zone", "geo_shape", "score", "naam")
    assert found.sensors is None
    assert [b.label.nl for b in found.thresholds] == ["rustig", "druk", "te druk"]
    assert [b.upto for b in found.thresholds] == [33, 67, None]
    assert found.level(50).label.en == "busy"  # type: ignore[union-attr]
    assert found.level(90).colour == "red"  # type: ignore[union-attr]
    assert found.query is not None and found.query.select == ()


def test_bands_may_also_be_called_thresholds_as_on_other_tiles() -> None:
    found = parse_spec(tile(bands="", thresholds="[{upto: 10, colour: green, label: ok},"
                            " {colour: red, label: vol}]")).tiles[0]
    assert [b.label.nl for b in found.thresholds] == ["ok", "vol"]


def test_a_map_of_zones_may_filter_and_order_its_rows() -> None:
    found = parse_spec(tile(query="{where: score is not null, order_by: score desc, limit: 20}"))
    assert found.tiles[0].query is not None and found.tiles[0].query.limit == 20


@pytest.mark.parametrize(("fields", "expected"), [
    ({"geometry": ""}, {"tiles[0].geometry"}),
    ({"value": ""}, {"tiles[0].value"}),
    ({"bands": ""}, {"tiles[0].bands"}),
    ({"geometry": "'geo shape!'"}, {"tiles[0].geometry"}),
    ({"geometry": "[geo_shape]"}, {"tiles[0].geometry"}),
    ({"value": "'1score'"}, {"tiles[0].value"}),
    ({"label": "'<b>naam</b>'"}, {"tiles[0].label"}),
    ({"label": "''"}, {"tiles[0].label"}),
    ({"bands": "[{upto: 50, colour: pink, label: x}]"}, {"tiles[0].bands[0].colour"}),
    ({"bands": "[{upto: 50, colour: green}]"}, {"tiles[0].bands[0].label"}),
    ({"bands": "[{upto: 50, colour: green, label: a}, {upto: 20, colour: red, label: b}]"},
     {"tiles[0].bands[1].upto"}),
    ({"bands": "[{colour: green, label: a}, {upto: 20, colour: red, label: b}]"},
     {"tiles[0].bands[0].upto"}),
    ({"bands": "[]"}, {"tiles[0].bands"}),
    ({"bands": "rood"}, {"tiles[0].bands"}),
    ({"thresholds": "[{colour: red, label: b}]"}, {"tiles[0].bands"}),
    ({"query": "{select: 'naam, score'}"}, {"tiles[0].query.select"}),
    ({"query": "{group_by: naam}"}, {"tiles[0].query.group_by"}),
    ({"query": "{where: 'score >'}"}, {"tiles[0].query.where"}),
    ({"dataset": "'Drukte Per Zone'"}, {"tiles[0].dataset"}),
    ({"sensors": "drukte-per-zone"}, {"tiles[0]"}),
    ({"dataset": "", "sensors": "sensorwaarnemingen"}, {"tiles[0].geometry"}),
])
def test_every_mistake_in_a_map_of_zones_is_named_by_its_path(fields: dict[str, str],
                                                              expected: set[str]) -> None:
    found = paths(tile(**fields))
    assert expected <= found, found


@pytest.mark.parametrize("kind", ["kpi", "bars", "table", "gauge", "line"])
def test_geometry_label_and_bands_belong_to_map_tiles(kind: str) -> None:
    source = ("title: T\ntiles:\n  - {id: a, type: " + kind + ", title: A, dataset: d, x: a,"
              " y: b, geometry: geo_shape, label: naam, bands: [{colour: red, label: r}]}")
    assert {"tiles[0].geometry", "tiles[0].label", "tiles[0].bands"} <= paths(source)


def test_the_messages_say_what_is_expected() -> None:
    found = {p["path"]: p["message"] for p in problems(tile(geometry="", bands=""))}
    assert "geometry" in found["tiles[0].geometry"]
    assert "bands" in found["tiles[0].bands"]


def test_hostile_field_names_are_refused_and_markup_in_labels_stays_text() -> None:
    for hostile in ('"geo\\u0000shape"', '"<script>alert(1)</script>"', "x" * 300,
                    '"geo_shape; drop table"'):
        assert "tiles[0].geometry" in paths(tile(geometry=hostile))
    found = parse_spec(tile(bands="[{colour: red, label: '<img src=x onerror=alert(1)>'}]"))
    assert found.tiles[0].thresholds[0].label.nl == "<img src=x onerror=alert(1)>"
