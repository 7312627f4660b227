"""JSON: arrays of objects, the Opendatasoft v1 export shape, NDJSON, real Ghent files."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from belfort.errors import UnreadableFile
from belfort.ingest import convert_to_parquet, sniff
from belfort.ingest.readers import json as json_reader
from tests.ingest.conftest import GHENT_DATA, types

needs_ghent = pytest.mark.skipif(
    not GHENT_DATA.is_dir(), reason=f"Ghent sample data not present at {GHENT_DATA}"
)


def test_array_of_objects_with_typed_values(run):
    data = json.dumps(
        [
            {"naam": "Gent", "inwoners": 265086, "oppervlakte": 156.18, "stad": True,
             "sinds": "1815-01-01", "extra": {"a": [1, 2]}},
            {"naam": "Aalst", "inwoners": 90000, "oppervlakte": 78.12, "stad": True,
             "sinds": "1815-01-01", "extra": None, "nieuw": "x"},
        ]
    ).encode()
    result, table = run(data, "steden.json")
    assert result.source_format == "json"
    assert types(result) == {
        "naam": "string", "inwoners": "integer", "oppervlakte": "number", "stad": "boolean",
        "sinds": "date", "extra": "string", "nieuw": "string",
    }
    assert table.column("extra").to_pylist() == ['{"a":[1,2]}', None]
    assert table.column("nieuw").to_pylist() == [None, "x"]
    assert table.column("sinds").to_pylist()[0] == dt.date(1815, 1, 1)


def test_opendatasoft_v1_export_shape(run):
    records = [
        {
            "datasetid": "fietstelpalen-gent",
            "recordid": "abc",
            "fields": {"naam": "Visserij", "geo_point_2d": [51.0444, 3.7391], "bouwjaar": 2021},
            "geometry": {"type": "Point", "coordinates": [3.7391, 51.0444]},
            "record_timestamp": "2022-04-01T00:01:10.698+02:00",
        }
    ]
    result, table = run(json.dumps(records).encode(), "ods.json")
    assert types(result) == {
        "naam": "string", "geo_point_2d": "geopoint", "bouwjaar": "integer", "geometry": "geometry",
    }
    assert result.schema.get("geometry").format == "geojson"
    row = table.to_pylist()[0]
    assert row["geo_point_2d"] == {"lat": 51.0444, "lon": 3.7391}
    assert json.loads(row["geometry"]) == {"type": "Point", "coordinates": [3.7391, 51.0444]}


def test_newline_delimited_json(run):
    result, table = run(b'{"a": 1, "b": "x"}\n{"a": 2, "b": "y"}\n\n', "data.ndjson")
    assert types(result) == {"a": "integer", "b": "string"}
    assert table.column("a").to_pylist() == [1, 2]


def test_size_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(json_reader, "MAX_JSON_BYTES", 100)
    source = tmp_path / "groot.json"
    source.write_text(json.dumps([{"a": "x" * 200}]))
    with pytest.raises(UnreadableFile, match="limited to"):
        convert_to_parquet(source, tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()


def test_sniff_json_preview(tmp_path):
    source = tmp_path / "data.json"
    source.write_text(json.dumps([{"Naam": "Gent", "n": i} for i in range(50)]))
    preview = sniff(source, sample_rows=3)
    assert preview.format == "json"
    assert [f.type for f in preview.schema.fields] == ["string", "integer"]
    assert preview.rows == [{"naam": "Gent", "n": str(i)} for i in range(3)]


@needs_ghent
@pytest.mark.parametrize(
    "path", sorted(GHENT_DATA.glob("fietstelpaal-*-gent.json")) if GHENT_DATA.is_dir() else []
)
def test_real_fietstelpaal_counts(tmp_path, path):
    expected_rows = len(json.loads(path.read_bytes()))
    result = convert_to_parquet(path, tmp_path / "out.parquet")
    assert result.row_count == expected_rows > 0
    assert result.report.valid
    schema = types(result)
    assert schema["datum"] == "date"
    assert schema["totaal"] == "integer"
    assert schema["locatie"] == "string"


@needs_ghent
def test_real_fietstelpalen_ods_export(tmp_path):
    import pyarrow.parquet as pq

    result = convert_to_parquet(GHENT_DATA / "fietstelpalen-gent.json", tmp_path / "out.parquet")
    assert result.row_count == 9
    assert result.source_details["shape"] == "opendatasoft-v1"
    schema = types(result)
    assert schema["geo_point_2d"] == "geopoint"
    assert schema["geometry"] == "geometry"
    assert schema["begindatum"] == "datetime"
    assert schema["actief"] == "boolean"
    assert schema["bouwjaar"] == "integer"
    table = pq.read_table(tmp_path / "out.parquet")
    visserij = next(r for r in table.to_pylist() if r["naam"] == "Visserij")
    assert visserij["geo_point_2d"]["lat"] == pytest.approx(51.0445, abs=1e-4)
    assert json.loads(visserij["geometry"])["type"] == "Point"
