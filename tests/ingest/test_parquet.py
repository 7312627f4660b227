"""Parquet input: Arrow types mapped to schema types, rewritten batch by batch."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.errors import UnreadableFile, ValidationFailed
from belfort.ingest import convert_to_parquet
from tests.ingest.conftest import types

UTC = dt.timezone.utc


def _source(tmp_path):
    table = pa.table(
        {
            "Naam": pa.array(["a", "b"]),
            "n": pa.array([1, 2], pa.int32()),
            "x": pa.array([1.5, None], pa.float32()),
            "ok": pa.array([True, False]),
            "dag": pa.array([dt.date(2024, 1, 1), None]),
            "lokaal": pa.array([dt.datetime(2024, 7, 1, 12), None], pa.timestamp("ms")),
            "utc": pa.array([dt.datetime(2024, 7, 1, 12, tzinfo=UTC), None], pa.timestamp("s", "UTC")),
            "punt": pa.array([{"lat": 51.0, "lon": 3.7}, None],
                             pa.struct([("lat", pa.float32()), ("lon", pa.float64())])),
            "lijst": pa.array([[1, 2], None]),
            "cat": pa.array(["x", "y"]).dictionary_encode(),
            "tekstgetal": pa.array(["12", "13"]),
        }
    )
    path = tmp_path / "in.parquet"
    pq.write_table(table, path, row_group_size=1)
    return path


def test_types_mapped(tmp_path):
    result = convert_to_parquet(_source(tmp_path), tmp_path / "out.parquet")
    assert result.source_format == "parquet"
    assert types(result) == {
        "naam": "string", "n": "integer", "x": "number", "ok": "boolean", "dag": "date",
        "lokaal": "datetime", "utc": "datetime", "punt": "geopoint", "lijst": "string",
        "cat": "string", "tekstgetal": "string",
    }
    table = pq.read_table(tmp_path / "out.parquet")
    row = table.to_pylist()[0]
    assert row["lokaal"] == dt.datetime(2024, 7, 1, 10, tzinfo=UTC)
    assert row["utc"] == dt.datetime(2024, 7, 1, 12, tzinfo=UTC)
    assert row["punt"] == {"lat": 51.0, "lon": 3.7}
    assert row["lijst"] == "[1,2]"
    assert str(table.schema.field("n").type) == "int64"
    assert str(table.schema.field("utc").type) == "timestamp[us, tz=UTC]"
    assert result.row_count == 2


def test_override_on_parquet(tmp_path):
    result = convert_to_parquet(_source(tmp_path), tmp_path / "out.parquet",
                                overrides={"tekstgetal": "integer"})
    assert types(result)["tekstgetal"] == "integer"
    assert pq.read_table(tmp_path / "out.parquet").column("tekstgetal").to_pylist() == [12, 13]
    with pytest.raises(ValidationFailed):
        convert_to_parquet(_source(tmp_path), tmp_path / "out2.parquet", overrides={"naam": "integer"})
    assert not (tmp_path / "out2.parquet").exists()


def test_truncated_parquet(tmp_path):
    path = _source(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnreadableFile):
        convert_to_parquet(path, tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()
