"""A corpus of real-world CSV dialects, written byte for byte in the tests."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ingest.conftest import types

UTC = dt.timezone.utc


def test_semicolon_decimal_comma_dutch_booleans_and_dmy_dates(run):
    data = (
        "Sensor ID;Tijdstip;Datum;Aantal;Waarde;Actief\r\n"
        "S-01;2024-03-01 13:00:00;31/12/2024;12;12,5;ja\r\n"
        "S-02;2024-07-01 13:00:00;01/01/2024;7;1.234,56;nee\r\n"
    ).encode()
    result, table = run(data)
    assert types(result) == {
        "sensor_id": "string",
        "tijdstip": "datetime",
        "datum": "date",
        "aantal": "integer",
        "waarde": "number",
        "actief": "boolean",
    }
    assert result.source_details == {
        "encoding": "utf-8", "delimiter": ";", "decimal": ",", "timezone": "Europe/Brussels"
    }
    assert result.schema.get("sensor_id").title == "Sensor ID"
    assert result.schema.get("datum").format == "%d/%m/%Y"
    rows = table.to_pylist()
    assert rows[0] == {
        "sensor_id": "S-01",
        # winter: Brussels is UTC+1, summer UTC+2
        "tijdstip": dt.datetime(2024, 3, 1, 12, 0, tzinfo=UTC),
        "datum": dt.date(2024, 12, 31),
        "aantal": 12,
        "waarde": 12.5,
        "actief": True,
    }
    assert rows[1]["tijdstip"] == dt.datetime(2024, 7, 1, 11, 0, tzinfo=UTC)
    assert rows[1]["waarde"] == 1234.56
    assert rows[1]["actief"] is False
    assert str(table.schema.field("tijdstip").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("datum").type) == "date32[day]"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(run, delimiter):
    lines = [["naam", "aantal", "prijs"], ["Gent", "3", "1.5"], ["Brugge", "4", "2.25"]]
    data = "\n".join(delimiter.join(line) for line in lines).encode() + b"\n"
    result, table = run(data)
    assert result.source_details["delimiter"] == delimiter
    assert types(result) == {"naam": "string", "aantal": "integer", "prijs": "number"}
    assert table.column("prijs").to_pylist() == [1.5, 2.25]


def test_quoted_fields_with_delimiters_quotes_and_newlines(run):
    data = (
        b'id,omschrijving,bedrag\r\n'
        b'1,"Korenmarkt, Gent",10\r\n'
        b'2,"Zei ""hallo""",20\r\n'
        b'3,"Lijn 1\r\nLijn 2",30\r\n'
        b'4,gewoon,40\r\n'
    )
    result, table = run(data)
    assert result.row_count == 4
    assert table.column("omschrijving").to_pylist() == [
        "Korenmarkt, Gent",
        'Zei "hallo"',
        "Lijn 1\r\nLijn 2",
        "gewoon",
    ]
    assert table.column("bedrag").to_pylist() == [10, 20, 30, 40]


def test_lf_line_endings_and_comma_decimal_quoted_in_comma_file(run):
    data = b'naam,waarde\nA,"3,14"\nB,"2,5"\n'
    result, table = run(data)
    assert types(result)["waarde"] == "number"
    assert table.column("waarde").to_pylist() == [3.14, 2.5]


def test_utf8_bom_header_is_stripped(run):
    data = "\ufeffStraat;Postcode\nVeldstraat;9000\n".encode()
    result, table = run(data)
    assert result.source_details["encoding"] == "utf-8-sig"
    assert result.schema.fields[0].name == "straat"
    assert result.schema.fields[0].title == "Straat"
    assert table.column("postcode").to_pylist() == [9000]


@pytest.mark.parametrize("encoding,label", [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")])
def test_utf16_with_bom(run, encoding, label):
    bom = "\ufeff".encode(encoding)
    data = bom + "wijk\taantal\nSint-Amandsberg café\t5\nLedeberg\t6\n".encode(encoding)
    result, table = run(data)
    assert result.source_details["encoding"] == label
    assert result.source_details["delimiter"] == "\t"
    assert table.column("wijk").to_pylist() == ["Sint-Amandsberg café", "Ledeberg"]
    assert table.column("aantal").to_pylist() == [5, 6]


def test_cp1252_fallback(run):
    data = "wijk;prijs\nSint-Amandsberg café;€ 5\n".encode("cp1252")
    result, table = run(data)
    assert result.source_details["encoding"] == "cp1252"
    assert table.column("wijk").to_pylist() == ["Sint-Amandsberg café"]
    assert table.column("prijs").to_pylist() == ["€ 5"]


def test_invalid_utf8_after_the_sample_switches_to_cp1252(run):
    filler = "".join(f"rij {i};{i}\n" for i in range(120_000)).encode()
    assert len(filler) > 1 << 20  # beyond the detection sample
    data = b"naam;nummer\n" + filler + "café;1\n".encode("cp1252")
    result, table = run(data)
    assert result.source_details["encoding"] == "cp1252"
    assert table.column("naam").to_pylist()[-1] == "café"
    assert result.row_count == 120_001


@pytest.mark.parametrize(
    "text,expected",
    [
        ("31/12/2024", dt.date(2024, 12, 31)),
        ("31-12-2024", dt.date(2024, 12, 31)),
        ("31.12.2024", dt.date(2024, 12, 31)),
        ("2024-12-31", dt.date(2024, 12, 31)),
        ("1/2/2024", dt.date(2024, 2, 1)),
    ],
)
def test_date_formats(run, text, expected):
    result, table = run(f"datum;x\n{text};1\n01/01/2000;2\n".replace("01/01/2000", _same_style(text)).encode())
    assert types(result)["datum"] == "date"
    assert table.column("datum").to_pylist()[0] == expected


def _same_style(text: str) -> str:
    if text.startswith("2024"):
        return "2000-01-01"
    sep = next(ch for ch in text if not ch.isdigit())
    return f"01{sep}01{sep}2000"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2024-12-31T13:45:00", dt.datetime(2024, 12, 31, 12, 45, tzinfo=UTC)),
        ("2024-12-31 13:45:00", dt.datetime(2024, 12, 31, 12, 45, tzinfo=UTC)),
        ("2024-12-31T13:45:00Z", dt.datetime(2024, 12, 31, 13, 45, tzinfo=UTC)),
        ("2024-12-31T13:45:00+05:00", dt.datetime(2024, 12, 31, 8, 45, tzinfo=UTC)),
        ("2024-06-30T13:45:00.250", dt.datetime(2024, 6, 30, 11, 45, 0, 250000, tzinfo=UTC)),
        ("31/12/2024 13:45", dt.datetime(2024, 12, 31, 12, 45, tzinfo=UTC)),
    ],
)
def test_datetime_formats(run, text, expected):
    result, table = run(f"tijd;x\n{text};1\n".encode())
    assert types(result)["tijd"] == "datetime"
    assert table.column("tijd").to_pylist() == [expected]


def test_mixed_offsets_and_naive_in_one_column(run):
    data = b"t\n2024-01-01T10:00:00Z\n2024-01-01T10:00:00\n2024-01-01T10:00:00+01:00\n"
    result, table = run(data)
    assert table.column("t").to_pylist() == [
        dt.datetime(2024, 1, 1, 10, tzinfo=UTC),
        dt.datetime(2024, 1, 1, 9, tzinfo=UTC),
        dt.datetime(2024, 1, 1, 9, tzinfo=UTC),
    ]


def test_booleans_dutch_and_english_but_01_is_integer(run):
    data = b"a;b;c;d;e\nja;J;waar;true;1\nnee;n;onwaar;False;0\n"
    result, table = run(data)
    assert types(result) == {"a": "boolean", "b": "boolean", "c": "boolean", "d": "boolean", "e": "integer"}
    assert table.column("b").to_pylist() == [True, False]


def test_geopoint_strings(run):
    data = b'naam,geo_point_2d\nBelfort,"51.0543, 3.7174"\nGravensteen,"51.0573,3.7207"\n'
    result, table = run(data)
    assert types(result)["geo_point_2d"] == "geopoint"
    assert table.column("geo_point_2d").to_pylist() == [
        {"lat": 51.0543, "lon": 3.7174},
        {"lat": 51.0573, "lon": 3.7207},
    ]
    assert str(table.schema.field("geo_point_2d").type) == "struct<lat: double, lon: double>"


def test_empty_values_are_null_except_in_strings(run):
    data = b"naam;aantal;datum\n;;\nGent;3;2024-01-01\n"
    result, table = run(data)
    assert types(result) == {"naam": "string", "aantal": "integer", "datum": "date"}
    assert table.to_pylist()[0] == {"naam": "", "aantal": None, "datum": None}


def test_header_only_is_valid_with_zero_rows(run):
    result, table = run(b"a;b;c\n")
    assert result.row_count == 0
    assert result.report.valid
    assert table.num_rows == 0
    assert table.column_names == ["a", "b", "c"]
    result, table = run(b"a;b;c")  # no final newline
    assert result.row_count == 0 and table.column_names == ["a", "b", "c"]


def test_field_names_are_normalised_like_opendatasoft(run):
    data = "Tijd van voltooien;Aantal (€);2de kolom;;Tijd van voltooien;Één  Twee\n1;2;3;4;5;6\n".encode()
    result, _ = run(data)
    assert [f.name for f in result.schema.fields] == [
        "tijd_van_voltooien",
        "aantal",
        "f_2de_kolom",
        "column_4",
        "tijd_van_voltooien_2",
        "een_twee",
    ]
    assert result.schema.fields[1].title == "Aantal (€)"


def test_leading_zero_identifiers_stay_strings(run):
    result, table = run(b"postcode;nr\n09000;1\n9000;2\n")
    assert types(result)["postcode"] == "string"
    assert table.column("postcode").to_pylist() == ["09000", "9000"]


def test_ragged_rows_reported_with_row_numbers(run, tmp_path):
    from belfort.errors import ValidationFailed

    data = b"a;b;c\n1;2;3\n4;5\n6;7;8;9\n10;11;12\n"
    with pytest.raises(ValidationFailed) as info:
        run(data)
    report = info.value.details["report"]
    assert report["error_count"] == 2
    problem = report["problems"][0]
    assert problem["problem"] == "wrong number of fields"
    assert [e["row"] for e in problem["examples"]] == [2, 3]
    assert not (tmp_path / "out.parquet").exists()
    result, table = run(data, max_invalid_rows=2)
    assert result.row_count == 2
    assert table.column("a").to_pylist() == [1, 10]
    assert result.report.error_count == 2
    assert result.report.rows_read == 4


def test_progress_is_called_with_rows_done(run):
    data = b"x\n" + b"".join(b"%d\n" % i for i in range(300_000))
    seen: list[int] = []
    result, _ = run(data, progress=seen.append)
    assert seen and seen[-1] == 300_000 == result.row_count
    assert seen == sorted(seen)
