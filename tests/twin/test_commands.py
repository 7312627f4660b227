"""``belfort zones add|list|remove|demo``: from GeoJSON files, with clear errors and exit
codes for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from belfort.cli import main
from tests.twin.conftest import box


@pytest.fixture
def cli(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path / "data"), "--database-url", database_url]

    def run(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(main, [*args, *where], catch_exceptions=False)

    return run


def _file(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return str(path)


def test_zones_are_added_from_geojson_listed_and_removed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": box(side_m=50),
         "properties": {"id": "graslei", "name": "Graslei", "centre": True}},
        {"type": "Feature", "geometry": box(lon=3.7237, lat=51.0498),
         "properties": {"id": "kouter", "name": "Kouter", "area_m2": 6500}},
    ]}
    added = cli("zones", "add", _file(tmp_path, "zones.geojson", collection))
    assert added.exit_code == 0, added.output
    assert "zone graslei added" in added.output and "zone kouter added" in added.output
    polygon = cli("zones", "add", _file(tmp_path, "k.geojson", box()), "--id", "korenmarkt",
                  "--name", "Korenmarkt", "--area", "3100", "--centre")
    assert polygon.exit_code == 0, polygon.output
    listing = cli("zones", "list")
    assert listing.output.splitlines()[2].startswith("kouter\t6500 m²\tcapacity 13000\t-\tKouter")
    zones = json.loads(cli("zones", "list", "--json").output)
    assert [(z["id"], z["centre"]) for z in zones] == [
        ("graslei", True), ("korenmarkt", True), ("kouter", False)]
    assert cli("zones", "remove", "kouter").exit_code == 0
    gone = cli("zones", "remove", "kouter")
    assert gone.exit_code == 4 and "no zone 'kouter'" in gone.output


@pytest.mark.parametrize(("content", "code", "message"), [
    (b"{broken", 2, "not a JSON (GeoJSON) file"),
    (b"\x00\x01\x02", 2, "not a JSON (GeoJSON) file"),
    ({"type": "FeatureCollection", "features": []}, 2, "without features"),
    ({"type": "Feature", "geometry": box(), "properties": {"id": "x", "name": "<b>x</b>",
                                                           "area_m2": -1}}, 2, "area_m2"),
    ({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
      "properties": {"id": "x", "name": "X"}}, 2, "at least 4 positions"),
    (box(), 2, "id:"),  # a bare polygon needs --id and --name
])
def test_bad_files_fail_clearly(cli, tmp_path: Path, content: object, code: int,  # type: ignore[no-untyped-def]
                                message: str) -> None:
    result = cli("zones", "add", _file(tmp_path, "bad.geojson", content))
    assert result.exit_code == code and message in result.output, result.output
    assert json.loads(cli("zones", "list", "--json").output) == []


def test_the_demo_zones_load_once(cli) -> None:  # type: ignore[no-untyped-def]
    first = cli("zones", "demo")
    assert first.exit_code == 0 and "12 demo zone(s) added" in first.output, first.output
    assert "0 demo zone(s) added" in cli("zones", "demo").output
    zones = {z["id"]: z for z in json.loads(cli("zones", "list", "--json").output)}
    assert zones["korenmarkt"]["area_m2"] == 3100 and zones["korenmarkt"]["centre"]
    assert not zones["zuid-woodrow-wilsonplein"]["centre"]
