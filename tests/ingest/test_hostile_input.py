"""Hostile and malformed inputs: precise error class or outcome, never partial output."""

from __future__ import annotations

import io
import zipfile

import pyarrow.parquet as pq
import pytest

from belfort.errors import UnreadableFile, UnsupportedFormat, ValidationFailed
from belfort.ingest import convert_to_parquet
from tests.ingest.conftest import types


def _fails(tmp_path, data: bytes, name: str, error: type[Exception], **kwargs):
    source = tmp_path / name
    source.write_bytes(data)
    destination = tmp_path / "out.parquet"
    with pytest.raises(error) as info:
        convert_to_parquet(source, destination, **kwargs)
    assert not destination.exists()
    return info.value


def test_empty_file(tmp_path):
    _fails(tmp_path, b"", "leeg.csv", UnreadableFile)
    _fails(tmp_path, b"  \n\n", "leeg.csv", UnreadableFile)


def test_binary_garbage(tmp_path):
    garbage = bytes(range(256)) * 64
    _fails(tmp_path, garbage, "data.csv", UnsupportedFormat)
    _fails(tmp_path, garbage, "data.bin", UnsupportedFormat)


@pytest.mark.parametrize(
    "header", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
)
@pytest.mark.parametrize("name", ["data.csv", "data.json", "data"])
def test_png_and_pdf_headers(tmp_path, header, name):
    _fails(tmp_path, header + b"rest of file" * 10, name, UnsupportedFormat)


def test_unknown_format_argument(tmp_path):
    _fails(tmp_path, b"a\n1\n", "data.csv", UnsupportedFormat, format="shapefile")


def test_zip_that_is_not_xlsx(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "geen werkboek")
    _fails(tmp_path, buffer.getvalue(), "archief.zip", UnsupportedFormat)
    # claims to be xlsx by its name: unreadable as what it claims to be
    _fails(tmp_path, buffer.getvalue(), "werkboek.xlsx", UnreadableFile)


def test_corrupt_xlsx(tmp_path):
    _fails(tmp_path, b"PK\x03\x04" + b"\x00" * 100, "kapot.xlsx", UnreadableFile)
    _fails(tmp_path, b"gewone tekst, geen zip\n", "kapot.xlsx", UnreadableFile)


def test_nul_bytes_in_text_are_a_validation_error(tmp_path, run):
    # issue 11: a NUL byte in a value is a sign of a binary or wrongly decoded file
    error = _fails(tmp_path, b"a;b\nx\x00y;1\nz;2\n", "data.csv", ValidationFailed)
    (problem,) = error.details["report"]["problems"]
    assert problem["column"] == "a" and problem["problem"].startswith("NUL byte")
    assert problem["examples"] == [{"row": 1, "column": "a", "value": "x\\0y"}]
    # allowed as an invalid row: the value is dropped, never stored with its NUL
    result, table = run(b"a;b\nx\x00y;1\nz;2\n", max_invalid_rows=1)
    assert table.column("a").to_pylist() == ["", "z"]
    assert types(result)["b"] == "integer"


def test_mostly_nul_is_binary(tmp_path):
    _fails(tmp_path, b"a;b\n" + b"\x00" * 5000, "nul.csv", UnsupportedFormat)


def test_five_megabyte_single_line(run):
    value = "x" * (5 * 1024 * 1024)
    result, table = run(f"kolom\n{value}\n".encode())
    assert table.column("kolom")[0].as_py() == value


def test_five_megabyte_header_only(tmp_path, run):
    header = ";".join(f"k{i}_" + "x" * 2000 for i in range(2700))
    assert len(header) > 5 * 1024 * 1024
    result, table = run(header.encode() + b"\n")
    assert result.row_count == 0 and len(result.schema.fields) == 2700
    assert result.schema.fields[-1].title.startswith("k2699_x")


def test_five_thousand_columns(run):
    header = ",".join(f"kolom {i}" for i in range(5000))
    row = ",".join(str(i) for i in range(5000))
    result, table = run(f"{header}\n{row}\n{row}\n".encode())
    assert len(result.schema.fields) == 5000
    assert result.schema.fields[4999].name == "kolom_4999"
    assert table.column("kolom_4999").to_pylist() == [4999, 4999]


def test_mixed_encodings_mid_file(run):
    data = "naam\nSint-Amandsberg café\n".encode("utf-8") + "Mariakerke café\n".encode("cp1252")
    result, table = run(data)
    # not valid UTF-8 as a whole: read as cp1252, so nothing is refused
    assert result.source_details["encoding"] == "cp1252"
    assert table.column("naam").to_pylist() == ["Sint-Amandsberg cafÃ©", "Mariakerke café"]


def test_unterminated_quote_at_eof(tmp_path, run):
    data = b'a;b\n1;"open\n2;3\n'
    error = _fails(tmp_path, data, "data.csv", ValidationFailed)
    problems = error.details["report"]["problems"]
    assert problems[0]["problem"].startswith("unterminated quoted field")
    assert problems[0]["examples"][0]["row"] == 1


def test_json_nested_ten_thousand_deep(tmp_path):
    deep = b"[{\"a\": " + b"[" * 10_000 + b"]" * 10_000 + b"}]"
    _fails(tmp_path, deep, "diep.json", UnreadableFile)


@pytest.mark.parametrize("payload", [b"42", b'"tekst"', b"null", b"[1, 2, 3]", b'{"a": 1}'])
def test_json_not_an_array_of_objects(tmp_path, payload):
    _fails(tmp_path, payload, "data.json", UnreadableFile)


def test_broken_json(tmp_path):
    _fails(tmp_path, b'[{"a": 1}, {"a": ', "data.json", UnreadableFile)


def test_huge_numbers_beyond_int64(run):
    result, table = run(b"n\n1\n99999999999999999999999\n")
    assert types(result) == {"n": "number"}
    assert table.column("n").to_pylist() == [1.0, 1e23]
    result, table = run(b'[{"n": 1}, {"n": 99999999999999999999999}]', "data.json")
    assert types(result)["n"] == "number"


def test_impossible_dates(tmp_path, run):
    data = b"datum\n31/01/2024\n31/02/2024\n"
    result, table = run(data)
    assert types(result) == {"datum": "string"}
    error = _fails(tmp_path, data, "data.csv", ValidationFailed, overrides={"datum": "date"})
    (problem,) = error.details["report"]["problems"]
    assert problem["examples"] == [{"row": 2, "column": "datum", "value": "31/02/2024"}]


def test_no_partial_output_when_a_previous_file_exists(tmp_path):
    # a stale file at destination is not ours to keep after a failure either
    source = tmp_path / "data.csv"
    source.write_bytes(b"a\nx\n")
    destination = tmp_path / "out.parquet"
    with pytest.raises(ValidationFailed):
        convert_to_parquet(source, destination, overrides={"a": "integer"})
    assert not destination.exists()
    result = convert_to_parquet(source, destination)
    assert pq.read_table(destination).num_rows == result.row_count == 1
