"""Dashboard specs: YAML or JSON, validated with a path per problem; hostile text (huge,
NUL bytes, alias bombs, deep nesting, markup) is refused cheaply or kept as plain text."""

from __future__ import annotations

import json
import time

import pytest

from belfort.dashboards.spec import (
    GAUGE_THRESHOLDS,
    MAX_SPEC_BYTES,
    MAX_TILES,
    parse_spec,
)
from belfort.dashboards.store import default_source
from belfort.errors import DashboardInvalid
from belfort.query.model import Aggregate, FieldRef, Query

GOOD = """
title: {nl: Drukte, en: Crowding}
tiles:
  - id: meter
    type: gauge
    title: Drukte nu
    dataset: druktebarometer-info
    query: {order_by: tijd_van_voltooien desc, limit: 1}
    value: status_druktemeter
    time: tijd_van_voltooien
  - id: garages
    type: bars
    title: {nl: Garages, en: Garages}
    dataset: bezetting-parkeergarages-demo
    query: {select: "garage, max(bezet) as bezet", group_by: garage}
    x: garage
    y: bezet
    thresholds:
      - {upto: 100, colour: green, label: {nl: rustig, en: quiet}}
      - {colour: red, label: {nl: te druk, en: too busy}}
  - {id: fiets, type: line, title: Fiets, stream: {sensor: fiets-1, property: count}, hours: 6}
  - {id: kaart, type: map, title: Kaart, sensors: {dataset: sensorwaarnemingen, kind: fietstelpaal}}
"""


def problems(source: str) -> list[dict[str, str]]:
    with pytest.raises(DashboardInvalid) as caught:
        parse_spec(source)
    assert caught.value.http_status == 422
    return list(caught.value.details["problems"])


def paths(source: str) -> set[str]:
    return {p["path"] for p in problems(source)}


def test_a_good_spec_parses_into_tiles_with_native_queries() -> None:
    spec = parse_spec(GOOD)
    assert spec.title.get("en") == "Crowding" and spec.title.get("nl") == "Drukte"
    assert [t.type for t in spec.tiles] == ["gauge", "bars", "line", "map"]
    gauge, bars, line, kaart = spec.tiles
    assert gauge.thresholds == GAUGE_THRESHOLDS  # rustig / druk / te druk by default
    assert [th.label.nl for th in gauge.thresholds] == ["rustig", "druk", "te druk"]
    assert isinstance(bars.query, Query)
    assert bars.query.group_by[0].expr == FieldRef("garage")
    assert bars.query.select[1].expr == Aggregate("max", FieldRef("bezet"))
    assert bars.level(50).label.nl == "rustig" and bars.level(101).label.nl == "te druk"
    assert line.stream is not None and line.stream.sensor == "fiets-1" and line.hours == 6
    assert kaart.sensors is not None and kaart.sensors.kind == "fietstelpaal"


def test_json_is_accepted_too() -> None:
    spec = parse_spec(json.dumps({"title": "T", "tiles": [
        {"id": "k", "type": "kpi", "title": "K", "stream": "s-1"}]}))
    assert spec.tiles[0].stream is not None and spec.tiles[0].stream.sensor == "s-1"


def test_the_default_ghent_dashboard_is_valid() -> None:
    spec = parse_spec(default_source())
    ids = [t.id for t in spec.tiles]
    assert "drukte" in ids and "parkeergarages" in ids and "fietstellingen" in ids
    assert spec.tile("drukte").dataset == "druktebarometer-info"  # type: ignore[union-attr]


@pytest.mark.parametrize(("source", "expected"), [
    ("tiles: []", {"title", "tiles"}),
    ("title: T\ntiles: [{id: a, type: pie, title: A, stream: s}]", {"tiles[0].type"}),
    ("title: T\ntiles: [{id: A!, type: kpi, title: A, stream: s}]", {"tiles[0].id"}),
    ("title: T\ntiles: [{id: a, type: kpi, stream: s}]", {"tiles[0].title"}),
    ("title: T\ntiles: [{id: a, type: kpi, title: A}]", {"tiles[0]"}),
    ("title: T\ntiles: [{id: a, type: kpi, title: A, stream: s, dataset: d}]", {"tiles[0]"}),
    ("title: T\ntiles: [{id: a, type: table, title: A, dataset: d, query: {where: 'x >'}}]",
     {"tiles[0].query.where"}),
    ("title: T\ntiles: [{id: a, type: table, title: A, dataset: d, query: {limit: 100000}}]",
     {"tiles[0].query.limit"}),
    ("title: T\ntiles: [{id: a, type: table, title: A, dataset: d, query: {drop: x}}]",
     {"tiles[0].query.drop"}),
    ("title: T\ntiles: [{id: a, type: bars, title: A, dataset: d}]", {"tiles[0].x", "tiles[0].y"}),
    ("title: T\ntiles: [{id: a, type: map, title: A, stream: s}]",
     {"tiles[0].stream", "tiles[0].sensors"}),
    ("title: T\ntiles: [{id: a, type: kpi, title: A, stream: s},"
     " {id: a, type: kpi, title: B, stream: s}]", {"tiles[1].id"}),
    ("title: T\ntiles: [{id: a, type: kpi, title: A, stream: s, thresholds: "
     "[{upto: 5, colour: green, label: x}, {upto: 3, colour: red, label: y}]}]",
     {"tiles[1].thresholds[1].upto".replace("tiles[1]", "tiles[0]")}),
    ("title: T\ntiles: [{id: a, type: kpi, title: A, stream: s, thresholds: "
     "[{upto: 5, colour: pink, label: x}]}]", {"tiles[0].thresholds[0].colour"}),
    ("title: T\ntiles: [{id: a, type: kpi, title: A, stream: s, thresholds: "
     "[{upto: 5, colour: green}]}]", {"tiles[0].thresholds[0].label"}),
    ("title: T\ntiles: [{id: a, type: kpi, title: A, stream: s, hours: .nan}]",
     {"tiles[0].hours"}),
    ("title: {nl: T, fr: X}\ntiles: [{id: a, type: kpi, title: A, stream: s}]", {"title.fr"}),
    ("title: T\ncolour: red\ntiles: [{id: a, type: kpi, title: A, stream: s}]", {"colour"}),
])
def test_every_problem_is_named_by_its_path(source: str, expected: set[str]) -> None:
    found = paths(source)
    assert expected <= found, found


def test_many_problems_are_reported_together() -> None:
    found = problems("title: T\ntiles: [{id: a, type: pie, title: A, stream: s},"
                     " {id: B, type: kpi, title: B, stream: s}]")
    assert {p["path"] for p in found} == {"tiles[0].type", "tiles[1].id"}
    assert all(p["message"] for p in found)


@pytest.mark.parametrize("source", [
    "", "just text", "[1, 2]", "title: [unclosed", "{\"title\": ",
    "tiles: !!python/object:os.system x",
])
def test_not_a_spec_is_refused_with_a_clear_problem(source: str) -> None:
    found = problems(source)
    assert found and found[0]["message"]


def test_oversized_specs_are_refused_before_they_are_read() -> None:
    big = "title: T\ntiles: []\n#" + "x" * MAX_SPEC_BYTES
    assert "KiB" in problems(big)[0]["message"]
    many = "title: T\ntiles:\n" + "".join(
        f"  - {{id: t{i}, type: kpi, title: T, stream: s}}\n" for i in range(MAX_TILES + 1))
    assert paths(many) == {"tiles"}


def test_nul_bytes_and_control_characters_are_refused() -> None:
    assert "NUL" in problems("title: T\x00\ntiles: []")[0]["message"]
    bell = "title: \"a\\x07b\"\ntiles: [{id: a, type: kpi, title: A, stream: s}]"
    assert paths(bell) == {"title"}


def test_an_alias_bomb_is_refused_quickly() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    started = time.perf_counter()
    found = problems(bomb)
    assert time.perf_counter() - started < 1.0
    assert "alias" in found[0]["message"]


def test_deep_nesting_is_refused() -> None:
    deep = "title: T\ntiles: " + "[" * 200 + "]" * 200
    assert "nests" in problems(deep)[0]["message"]


def test_markup_stays_text() -> None:
    spec = parse_spec('title: "<script>alert(1)</script>"\n'
                      'tiles: [{id: a, type: kpi, title: "<img src=x onerror=alert(1)>",'
                      ' stream: s}]')
    assert spec.title.nl == "<script>alert(1)</script>"  # escaped where it is shown
