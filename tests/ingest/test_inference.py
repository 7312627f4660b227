"""Type inference over the whole file, and overrides validated in pass 2."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from belfort.errors import InvalidRequest, ValidationFailed
from belfort.ingest.convert import INTEGER, NUMBER_COMMA, convert_strings
from belfort.ingest.infer import ColumnInference
from tests.ingest.conftest import types


def test_late_decimal_widens_integer_to_number(run):
    rows = [f"{i};{i % 1000}\n" for i in range(900_000)]
    rows.append("900000;12,5\n")
    result, table = run(("id;waarde\n" + "".join(rows)).encode())
    assert types(result) == {"id": "integer", "waarde": "number"}
    assert result.report.valid
    assert table.column("waarde")[-1].as_py() == 12.5
    assert table.column("waarde")[999].as_py() == 999.0


def test_late_text_makes_a_column_string_not_a_failure(run):
    data = "x\n" + "".join(f"{i}\n" for i in range(200_000)) + "onbekend\n"
    result, table = run(data.encode())
    assert types(result) == {"x": "string"}
    assert table.column("x")[-1].as_py() == "onbekend"


def test_all_empty_column_is_string(run):
    result, _ = run(b"a;b\n1;\n2;\n")
    assert types(result) == {"a": "integer", "b": "string"}


def test_dates_mixed_with_datetimes_become_datetime(run):
    result, table = run(b"t\n2024-01-01\n2024-01-01 10:00\n")
    assert types(result) == {"t": "datetime"}
    assert table.column("t").to_pylist()[0] == dt.datetime(2023, 12, 31, 23, tzinfo=dt.timezone.utc)


def test_ambiguous_thousands_follow_the_file(run):
    # "1.234" alone could be 1.234 or 1234; the other column decides: decimal comma
    result, table = run(b"a;b\n1.234;2,5\n5.678;3,5\n")
    assert table.column("a").to_pylist() == [1234.0, 5678.0]
    result, table = run(b"a,b\n1.234,2.5\n5.678,3.5\n")
    assert table.column("a").to_pylist() == [1.234, 5.678]


def test_column_inference_unit():
    state = ColumnInference()
    state.update(pa.array(["1", "2", None]))
    assert state.result(prefer_comma=False) is INTEGER
    state.update(pa.array(["3,5"]))
    assert state.result(prefer_comma=False) is NUMBER_COMMA


def test_nan_and_inf_text_are_not_numbers(run):
    result, _ = run(b"x\n1.5\nnan\ninf\n")
    assert types(result) == {"x": "string"}


def test_override_by_normalised_name_and_by_header(run):
    data = b"Code;Bedrag\n1;2\n3;4\n"
    result, table = run(data, overrides={"code": "string", "Bedrag": "number"})
    assert types(result) == {"code": "string", "bedrag": "number"}
    assert table.column("code").to_pylist() == ["1", "3"]
    assert table.column("bedrag").to_pylist() == [2.0, 4.0]


def test_unknown_override_is_a_clear_error(run, tmp_path):
    with pytest.raises(InvalidRequest, match="unknown field 'nope'"):
        run(b"a\n1\n", overrides={"nope": "integer"})
    with pytest.raises(InvalidRequest, match="unknown type"):
        run(b"a\n1\n", overrides={"a": "float"})
    assert not (tmp_path / "out.parquet").exists()


def test_override_failures_are_reported_with_row_column_value(run, tmp_path):
    lines = ["id;aantal"] + [f"{i};{i}" for i in range(1, 11)]
    lines[3] = "3;drie"
    lines[8] = "8;acht"
    with pytest.raises(ValidationFailed) as info:
        run("\n".join(lines).encode(), overrides={"aantal": "integer"}, max_examples=1)
    report = info.value.details["report"]
    assert report["error_count"] == 2
    (problem,) = report["problems"]
    assert problem["column"] == "aantal"
    assert problem["count"] == 2
    assert problem["examples"] == [{"row": 3, "column": "aantal", "value": "drie"}]
    assert not (tmp_path / "out.parquet").exists()
    # tolerated: bad values become null, the rest is kept
    result, table = run("\n".join(lines).encode(), overrides={"aantal": "integer"}, max_invalid_rows=2)
    assert table.column("aantal").to_pylist()[2] is None
    assert table.column("aantal").to_pylist()[3] == 4
    assert result.report.error_count == 2


def test_excel_serial_dates_through_override(run):
    data = b"datum;tijd\n45657;45657.5\n45292;45292.25\n"
    result, table = run(data, overrides={"datum": "date", "tijd": "datetime"})
    assert table.column("datum").to_pylist() == [dt.date(2024, 12, 31), dt.date(2024, 1, 1)]
    assert table.column("tijd").to_pylist() == [
        dt.datetime(2024, 12, 31, 11, tzinfo=dt.timezone.utc),  # 12:00 Brussels
        dt.datetime(2024, 1, 1, 5, tzinfo=dt.timezone.utc),
    ]


def test_boolean_override_accepts_1_0(run):
    result, table = run(b"vlag\n1\n0\nja\n", overrides={"vlag": "boolean"})
    assert table.column("vlag").to_pylist() == [True, False, True]


def test_row_numbers_account_for_dropped_ragged_rows(run):
    data = b"a;b\n1;2\n3\n4;x\n"
    with pytest.raises(ValidationFailed) as info:
        run(data, overrides={"b": "integer"})
    problems = {p["problem"]: p for p in info.value.details["report"]["problems"]}
    assert problems["wrong number of fields"]["examples"][0]["row"] == 2
    assert problems["not a valid integer"]["examples"][0]["row"] == 3


def test_convert_strings_reports_bad_positions():
    converted = convert_strings(pa.array(["1", "x", None, " 4 "]), "integer", [INTEGER])
    assert converted.array.to_pylist() == [1, None, None, 4]
    assert converted.bad.tolist() == [False, True, False, False]
