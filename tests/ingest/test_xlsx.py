"""XLSX: first or named sheet, header = first non-empty row, typed cells kept."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from belfort.errors import InvalidRequest, UnreadableFile
from belfort.ingest import convert_to_parquet, sniff
from tests.ingest.conftest import types

UTC = dt.timezone.utc


def _workbook(path, sheets):
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


ROWS = [
    [None, None, None],
    ["Wijk", "Datum", "Tijdstip", "Aantal", "Bedrag", "Actief", "Code"],
    ["Gentbrugge", dt.date(2024, 12, 31), dt.datetime(2024, 7, 1, 13, 45), 3, 2.5, True, "007"],
    [None, None, None, None, None, None, None],
    ["Ledeberg", dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 8, 0), 4, 3, False, "010"],
]


def test_first_sheet_typed_cells(tmp_path):
    path = _workbook(tmp_path / "data.xlsx", {"Blad1": ROWS, "Blad2": [["x"], [1]]})
    result = convert_to_parquet(path, tmp_path / "out.parquet")
    assert result.source_format == "xlsx"
    assert result.source_details["sheet"] == "Blad1"
    assert types(result) == {
        "wijk": "string", "datum": "date", "tijdstip": "datetime", "aantal": "integer",
        "bedrag": "number", "actief": "boolean", "code": "string",
    }
    import pyarrow.parquet as pq

    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert result.row_count == 2
    assert rows[0] == {
        "wijk": "Gentbrugge",
        "datum": dt.date(2024, 12, 31),
        "tijdstip": dt.datetime(2024, 7, 1, 11, 45, tzinfo=UTC),
        "aantal": 3,
        "bedrag": 2.5,
        "actief": True,
        "code": "007",
    }


def test_named_sheet_and_unknown_sheet(tmp_path):
    path = _workbook(tmp_path / "data.xlsx", {"Blad1": ROWS, "Tellingen": [["n"], [1], [2]]})
    result = convert_to_parquet(path, tmp_path / "out.parquet", sheet="Tellingen")
    assert result.row_count == 2 and types(result) == {"n": "integer"}
    with pytest.raises(InvalidRequest, match="Blad1, Tellingen"):
        convert_to_parquet(path, tmp_path / "out2.parquet", sheet="Bestaat niet")
    assert not (tmp_path / "out2.parquet").exists()


def test_empty_sheet_has_no_header(tmp_path):
    path = _workbook(tmp_path / "leeg.xlsx", {"Blad1": []})
    with pytest.raises(UnreadableFile, match="no header"):
        convert_to_parquet(path, tmp_path / "out.parquet")


def test_excel_serial_numbers_with_date_override(tmp_path):
    path = _workbook(tmp_path / "serieel.xlsx", {"Blad1": [["datum"], [45657], [45292]]})
    result = convert_to_parquet(path, tmp_path / "out.parquet", overrides={"datum": "date"})
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "out.parquet").column("datum").to_pylist() == [
        dt.date(2024, 12, 31), dt.date(2024, 1, 1)
    ]
    assert types(result) == {"datum": "date"}


def test_cells_beyond_the_header_are_reported(tmp_path):
    from belfort.errors import ValidationFailed

    path = _workbook(tmp_path / "breed.xlsx", {"Blad1": [["a"], [1], [2, "extra"]]})
    with pytest.raises(ValidationFailed) as info:
        convert_to_parquet(path, tmp_path / "out.parquet")
    assert info.value.details["report"]["problems"][0]["examples"][0]["row"] == 2


def test_sniff_xlsx(tmp_path):
    path = _workbook(tmp_path / "data.xlsx", {"Blad1": ROWS})
    preview = sniff(path, sample_rows=1)
    assert preview.format == "xlsx"
    assert preview.rows[0]["datum"] == "2024-12-31"
    assert preview.source_details["sheets"] == ["Blad1"]
