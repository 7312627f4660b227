"""Issue 12 item 5: every problem of a real ingest carries a machine code and parameters (the
portal says it in the page's language); its English ``problem`` text stays for the API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.errors import ValidationFailed
from belfort.ingest import convert_to_parquet
from belfort.ingest.report import PROBLEM_CODES


def problems(tmp_path: Path, name: str, data: bytes, **kwargs: Any) -> list[dict[str, Any]]:
    source = tmp_path / name
    source.write_bytes(data)
    with pytest.raises(ValidationFailed) as info:
        convert_to_parquet(source, tmp_path / "out.parquet", **kwargs)
    found: list[dict[str, Any]] = info.value.details["report"]["problems"]
    assert all(p["code"] in PROBLEM_CODES for p in found), found
    return found


def test_a_value_that_is_not_of_the_chosen_type(tmp_path: Path) -> None:
    (p,) = problems(
        tmp_path,
        "t.csv",
        b"telpaal;aantal\nFT01;1\nFT02;2\nFT03;3\n",
        overrides={"telpaal": "integer"},
    )
    assert p["code"] == "not_integer" and p["params"] == {"type": "integer"}
    assert p["problem"] == "not a valid integer" and p["examples"][0] == {
        "row": 1,
        "column": "telpaal",
        "value": "FT01",
    }


def test_a_date_in_another_form_names_the_form(tmp_path: Path) -> None:
    (p,) = problems(
        tmp_path, "t.csv", b"dag;n\n01/02/2024;1\n2024-13-45;2\n", overrides={"dag": "date"}
    )
    assert p["code"] == "not_date" and p["params"]["type"] == "date"


def test_rows_of_the_wrong_width_and_an_open_quote(tmp_path: Path) -> None:
    (p,) = problems(tmp_path, "t.csv", b"a,b\n1,2\n1,2,3\n4,5\n")
    assert p["code"] == "wrong_field_count" and p["params"] == {"expected": 2, "found": 3}
    assert p["problem"] == "wrong number of fields"
    found = problems(tmp_path, "q.csv", b'a,b\n1,2\n3,"open\n5,6\n')
    assert "unterminated_quote" in {p["code"] for p in found}


def test_nul_bytes_and_bad_geometries(tmp_path: Path) -> None:
    (nul,) = problems(tmp_path, "n.csv", b"a,b\nx\x00y,1\n")
    assert nul["code"] == "nul_byte" and nul["params"] == {}
    feature = {
        "type": "Feature",
        "properties": {"n": 1},
        "geometry": {"type": "Point", "coordinates": [500.0, 51.0]},
    }
    data = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    (geo,) = problems(tmp_path, "g.geojson", data)
    assert geo["code"] == "invalid_geometry" and geo["params"]["reason"].startswith("longitude 500")


def test_parquet_overrides_carry_codes_too(tmp_path: Path) -> None:
    source = tmp_path / "t.parquet"
    pq.write_table(pa.table({"telpaal": ["FT01", "12"]}), source)
    with pytest.raises(ValidationFailed) as info:
        convert_to_parquet(source, tmp_path / "out.parquet", overrides={"telpaal": "integer"})
    (p,) = info.value.details["report"]["problems"]
    assert p["code"] == "not_integer" and p["examples"] == [
        {"row": 1, "column": "telpaal", "value": "FT01"}
    ]
