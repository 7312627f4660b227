"""GeoJSON FeatureCollections: one row per feature, geometry kept."""

from __future__ import annotations

import json

import pytest

from belfort.errors import UnreadableFile
from belfort.ingest import convert_to_parquet
from tests.ingest.conftest import GHENT_DATA, types

COLLECTION = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"naam": "Belfort", "hoogte": 91, "geo_point_2d": {"lon": 3.72, "lat": 51.05}},
            "geometry": {"type": "Point", "coordinates": [3.7248, 51.0536]},
        },
        {
            "type": "Feature",
            "properties": {"naam": "Zonder vorm", "hoogte": None, "geometry": "eigen veld"},
            "geometry": None,
        },
    ],
}


def test_feature_collection(run):
    result, table = run(json.dumps(COLLECTION).encode(), "punten.geojson")
    assert result.source_format == "geojson"
    assert types(result) == {
        "naam": "string",
        "hoogte": "integer",
        "geo_point_2d": "geopoint",
        "geometry": "string",  # the property called geometry
        "geometry_2": "geometry",  # the feature geometry
    }
    rows = table.to_pylist()
    assert json.loads(rows[0]["geometry_2"]) == COLLECTION["features"][0]["geometry"]
    assert rows[1]["geometry_2"] is None
    assert rows[0]["geo_point_2d"] == {"lat": 51.05, "lon": 3.72}


def test_geojson_with_json_extension_is_detected(run):
    result, _ = run(json.dumps(COLLECTION).encode(), "punten.json")
    assert result.source_format == "geojson"


def test_invalid_feature_geometry(tmp_path):
    bad = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                                                     "geometry": {"type": "Cirkel"}}]}
    source = tmp_path / "slecht.geojson"
    source.write_text(json.dumps(bad))
    with pytest.raises(UnreadableFile):
        convert_to_parquet(source, tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()


@pytest.mark.skipif(not GHENT_DATA.is_dir(), reason=f"Ghent sample data not present at {GHENT_DATA}")
def test_real_stadswijken(tmp_path):
    import pyarrow.parquet as pq

    source = GHENT_DATA / "stadswijken-gent.geojson"
    result = convert_to_parquet(source, tmp_path / "out.parquet")
    assert result.row_count == 25
    assert result.source_format == "geojson"
    assert types(result)["geometry"] == "geometry"
    assert types(result)["geo_point_2d"] == "geopoint"
    table = pq.read_table(tmp_path / "out.parquet")
    original = json.loads(source.read_bytes())
    kept = [json.loads(g) for g in table.column("geometry").to_pylist()]
    assert kept == [f["geometry"] for f in original["features"]]
    assert sorted(table.column("wijk").to_pylist()) == sorted(
        f["properties"]["wijk"] for f in original["features"]
    )
