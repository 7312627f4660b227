"""Issue 11, items 8 and 9: broken input is reported, never silently accepted, and every
reader failure is a typed error (never an OSError, a zipfile or an openpyxl exception)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from belfort.errors import BelfortError, UnreadableFile, UnsupportedFormat, ValidationFailed
from belfort.ingest import convert_to_parquet
from belfort.ingest.geometry import check_geometry
from tests.ingest.conftest import types


def refused(tmp_path: Path, data: bytes, name: str, error: type[Exception], **kwargs: Any) -> Any:
    source = tmp_path / name
    source.write_bytes(data)
    destination = tmp_path / "out.parquet"
    with pytest.raises(error) as info:
        convert_to_parquet(source, destination, **kwargs)
    assert not destination.exists()
    return info.value


# ── geometries ────────────────────────────────────────────────────────────────────────

GOOD = {"type": "Point", "coordinates": [3.7248, 51.0536]}
BROKEN = [
    ({"type": "Point", "coordinates": ["3.72", "51.05"]}, "a coordinate is str"),
    ({"type": "Point", "coordinates": [200.0, 51.0]}, "longitude 200.0 is outside"),
    ({"type": "Point", "coordinates": [3.7, -91]}, "latitude -91 is outside"),
    ({"type": "Point", "coordinates": [3.7, True]}, "a coordinate is bool"),
    ({"type": "Point", "coordinates": [3.7]}, "a position has 1 numbers"),
    ({"type": "LineString", "coordinates": [[3.7, 51.0]]}, "the LineString has 1 position(s)"),
    ({"type": "Polygon", "coordinates": [[[3.7, 51.0], [3.8, 51.0], [3.8, 51.1], [3.7, 51.1]]]},
     "a polygon ring is not closed"),
    ({"type": "Polygon", "coordinates": []}, "the polygon is empty"),
    ({"type": "Polygon", "coordinates": [[[3.7, 51.0], [3.8, 51.0], [3.7, 51.0]]]},
     "the polygon ring has 3 position(s)"),
    ({"type": "MultiPolygon", "coordinates": [[]]}, "the polygon is empty"),
    ({"type": "GeometryCollection",
      "geometries": [GOOD, {"type": "Point", "coordinates": ["x", 1]}]},
     "a coordinate is str"),
]


def collection(*geometries: dict[str, Any] | None) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nr": i + 1}, "geometry": g}
        for i, g in enumerate(geometries)
    ]}).encode()


@pytest.mark.parametrize(("geometry", "reason"), BROKEN)
def test_each_broken_geometry_has_its_reason(geometry: dict[str, Any], reason: str) -> None:
    problem = check_geometry(geometry)
    assert problem is not None and problem.startswith(reason), problem
    assert check_geometry(GOOD) is None


def test_broken_geojson_is_refused_per_feature_with_the_reason(tmp_path: Path) -> None:
    geometries = [GOOD] + [g for g, _ in BROKEN]
    error = refused(tmp_path, collection(*geometries), "kapot.geojson", ValidationFailed)
    report = error.details["report"]
    found = {example["row"]: problem["problem"] for problem in report["problems"]
             for example in problem["examples"]}
    assert set(found) == set(range(2, len(geometries) + 1))  # every broken feature, by number
    for index, (_, reason) in enumerate(BROKEN, start=2):
        assert found[index] == f"invalid geometry: {reason}" or found[index].startswith(
            f"invalid geometry: {reason}"), (index, found[index])
    assert all(p["column"] == "geometry" for p in report["problems"])


def test_allowed_broken_geometries_are_kept_as_null_and_reported(tmp_path: Path, run: Any) -> None:
    data = collection(GOOD, {"type": "Point", "coordinates": ["3.72", "51.05"]})
    result, table = run(data, "half.geojson", max_invalid_rows=1)
    assert [json.loads(g) if g else g for g in table.column("geometry").to_pylist()] == [GOOD, None]
    (problem,) = result.report.to_dict()["problems"]
    assert problem["problem"].startswith("invalid geometry: a coordinate is str")
    assert problem["examples"][0]["row"] == 2


def test_geojson_text_with_broken_coordinates_in_a_csv_is_not_a_geometry(run: Any) -> None:
    bad = json.dumps({"type": "Point", "coordinates": [500, 51]}).replace('"', '""')
    good = json.dumps(GOOD).replace('"', '""')
    result, table = run(f'naam;vorm\na;"{good}"\nb;"{bad}"\n'.encode())
    assert types(result)["vorm"] == "string"  # not served as a geometry column
    error_source = f'naam;vorm\na;"{good}"\nb;"{bad}"\n'.encode()
    with pytest.raises(ValidationFailed) as info:
        run(error_source, overrides={"vorm": "geometry"})
    (problem,) = info.value.details["report"]["problems"]
    assert problem["problem"] == "invalid geometry: longitude 500 is outside -180…180"


# ── NUL bytes and mixed encodings ─────────────────────────────────────────────────────


def test_a_csv_mixing_bom_utf16_and_latin1_is_not_valid(tmp_path: Path) -> None:
    data = ("\ufeffnaam;aantal\n".encode("utf-8") + "Gent;1\n".encode("utf-16-le")
            + "Café;2\n".encode("latin-1") + "Brugge;3\n".encode())
    error = refused(tmp_path, data, "gemengd.csv", ValidationFailed)
    problems = error.details["report"]["problems"]
    assert any(p["problem"].startswith("NUL byte") for p in problems), problems


def test_utf16_text_read_as_utf8_is_not_valid(tmp_path: Path) -> None:
    data = b"naam,aantal\n" + b"Gent,1\n" * 100 + "Brugge,2\n".encode("utf-16-le")
    error = refused(tmp_path, data, "utf16.csv", ValidationFailed)
    assert error.details["report"]["problems"][0]["problem"].startswith("NUL byte")
    # mostly UTF-16: binary, refused as such
    refused(tmp_path, b"naam,aantal\n" + "Gent,1\nBrugge,2\n".encode("utf-16-le"), "utf16.csv",
            UnsupportedFormat)


def test_nul_bytes_in_json_values(tmp_path: Path) -> None:
    error = refused(tmp_path, b'[{"a": "x\\u0000y", "b": 1}]', "data.json", ValidationFailed)
    assert error.details["report"]["problems"][0]["column"] == "a"


def test_nul_bytes_in_a_header_name(tmp_path: Path) -> None:
    refused(tmp_path, b'[{"a\\u0000": "x"}]', "data.json", UnreadableFile)


def test_nul_bytes_in_parquet_strings(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": ["goed", "x\x00y"], "n": [1, 2]}), buffer)
    error = refused(tmp_path, buffer.getvalue(), "data.parquet", ValidationFailed)
    (problem,) = error.details["report"]["problems"]
    assert problem["column"] == "a" and problem["examples"][0]["row"] == 2


# ── corrupt files: typed errors only ──────────────────────────────────────────────────


def _parquet() -> bytes:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"a": [1, 2, 3], "b": ["x", "y", "z"]}), buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["naam", "n"])
    book.active.append(["Gent", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


CORRUPT = {
    "garbage footer": ("kapot.parquet", lambda p: p[:-108] + os.urandom(100) + p[-8:], _parquet),
    "footer length past the file": ("kapot.parquet", lambda p: p[:-8] + b"\xff\xff\xff\x7fPAR1",
                                    _parquet),
    "truncated parquet": ("kapot.parquet", lambda p: p[: len(p) // 2], _parquet),
    "truncated xlsx": ("kapot.xlsx", lambda x: x[: len(x) // 2], _xlsx),
    "xlsx with a garbage central directory": ("kapot.xlsx", lambda x: x[:-40] + os.urandom(40),
                                              _xlsx),
    "invalid json": ("kapot.json", lambda _: b'[{"a": 1}, {"a": ', bytes),
}


@pytest.mark.parametrize("case", sorted(CORRUPT))
def test_corrupt_files_are_unreadable_files(tmp_path: Path, case: str) -> None:
    name, corrupt, make = CORRUPT[case]
    for attempt in range(5):  # random garbage: try a few
        error = refused(tmp_path, corrupt(make()), name, BelfortError)
        assert isinstance(error, (UnreadableFile, UnsupportedFormat)), (attempt, type(error), error)
        assert error.http_status in (415, 422)


def test_a_png_renamed_csv(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000)
    refused(tmp_path, png, "foto.csv", UnsupportedFormat)


def test_unreadable_is_422() -> None:
    assert UnreadableFile("x").http_status == 422


def test_a_zip_member_that_fails_to_inflate(tmp_path: Path) -> None:
    data = bytearray(_xlsx())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start:start + 20] = os.urandom(20)  # the deflate stream itself
    refused(tmp_path, bytes(data), "kapot.xlsx", UnreadableFile)
