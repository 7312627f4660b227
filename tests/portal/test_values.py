"""Values as people read them (belfort.portal.values): times in Ghent time, numbers with
the language's separators, ja/nee, geo as short text, field labels."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest

from belfort.portal.values import (
    MAX_TEXT,
    field_label,
    format_number,
    format_value,
    geo_text,
    humanised,
)
from belfort.schema import Field

UTC = dt.UTC


def shown(value: object, type_: str, lang: str = "nl", separator: str | None = None) -> str:
    return format_value(value, type_, lang, separator).text


@pytest.mark.parametrize(
    ("instant", "nl", "en", "iso"),
    [
        # summer time: UTC+2
        (
            dt.datetime(2024, 7, 20, 20, 10, tzinfo=UTC),
            "za 20 jul 2024 22:10",
            "Sat 20 Jul 2024 22:10",
            "2024-07-20T22:10:00+02:00",
        ),
        # winter time: UTC+1
        (
            dt.datetime(2024, 1, 5, 7, 0, 30, tzinfo=UTC),
            "vr 5 jan 2024 08:00:30",
            "Fri 5 Jan 2024 08:00:30",
            "2024-01-05T08:00:30+01:00",
        ),
        # 31 March 2024: 02:00 CET jumps to 03:00 CEST
        (
            dt.datetime(2024, 3, 31, 0, 59, tzinfo=UTC),
            "zo 31 mrt 2024 01:59",
            "Sun 31 Mar 2024 01:59",
            "2024-03-31T01:59:00+01:00",
        ),
        (
            dt.datetime(2024, 3, 31, 1, 0, tzinfo=UTC),
            "zo 31 mrt 2024 03:00",
            "Sun 31 Mar 2024 03:00",
            "2024-03-31T03:00:00+02:00",
        ),
        # 27 October 2024: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice
        (
            dt.datetime(2024, 10, 27, 0, 30, tzinfo=UTC),
            "zo 27 okt 2024 02:30 CEST",
            "Sun 27 Oct 2024 02:30 CEST",
            "2024-10-27T02:30:00+02:00",
        ),
        (
            dt.datetime(2024, 10, 27, 1, 30, tzinfo=UTC),
            "zo 27 okt 2024 02:30 CET",
            "Sun 27 Oct 2024 02:30 CET",
            "2024-10-27T02:30:00+01:00",
        ),
        (
            dt.datetime(2024, 10, 27, 2, 0, tzinfo=UTC),
            "zo 27 okt 2024 03:00",
            "Sun 27 Oct 2024 03:00",
            "2024-10-27T03:00:00+01:00",
        ),
        # a time without zone is UTC, as the API reads it
        (
            dt.datetime(2024, 12, 31, 23, 30),
            "wo 1 jan 2025 00:30",
            "Wed 1 Jan 2025 00:30",
            "2025-01-01T00:30:00+01:00",
        ),
    ],
)
def test_datetimes_in_ghent_time(instant: dt.datetime, nl: str, en: str, iso: str) -> None:
    cell = format_value(instant, "datetime", "nl")
    assert (cell.text, cell.machine, cell.kind) == (nl, iso, "datetime")
    assert format_value(instant, "datetime", "en").text == en
    assert dt.datetime.fromisoformat(cell.machine) == instant.replace(tzinfo=instant.tzinfo or UTC)


def test_dates() -> None:
    cell = format_value(dt.date(2024, 7, 20), "date", "nl")
    assert (cell.text, cell.machine) == ("20 jul 2024", "2024-07-20")
    assert shown(dt.date(2024, 3, 1), "date", "en") == "1 Mar 2024"


@pytest.mark.parametrize(
    ("value", "nl", "en"),
    [
        (0, "0", "0"),
        (7, "7", "7"),
        (1234, "1.234", "1,234"),
        (-1234567, "-1.234.567", "-1,234,567"),
        (1234.5, "1.234,5", "1,234.5"),
        (-0.25, "-0,25", "-0.25"),
        (3.0, "3", "3"),
        (100.0, "100", "100"),
        (0.1 + 0.2, "0,30000000000000004", "0.30000000000000004"),
        (123456789012345.6, "123.456.789.012.345,6", "123,456,789,012,345.6"),
        (1.5e16, "1,5 × 10¹⁶", "1.5 × 10¹⁶"),
        (-2e300, "-2 × 10³⁰⁰", "-2 × 10³⁰⁰"),
        (1e-8, "1 × 10⁻⁸", "1 × 10⁻⁸"),
        (0.000001, "0,000001", "0.000001"),
        (Decimal("12345.60"), "12.345,6", "12,345.6"),
    ],
)
def test_numbers_with_the_languages_separators(value: float, nl: str, en: str) -> None:
    assert format_value(value, "number", "nl") == format_value(value, "number", "nl")
    assert (shown(value, "number", "nl"), shown(value, "number", "en")) == (nl, en)
    assert format_value(value, "number", "nl").kind == "number"  # right-aligned


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, Decimal("NaN"), None])
def test_no_number_shows_empty_as_the_api_gives_null(value: object) -> None:
    assert shown(value, "number") == ""


def test_booleans_and_empty() -> None:
    assert [shown(True, "boolean"), shown(False, "boolean")] == ["ja", "nee"]
    assert [shown(True, "boolean", "en"), shown(False, "boolean", "en")] == ["yes", "no"]
    assert (
        format_value(None, "datetime", "nl").text == ""
        and format_value(None, "string", "en").kind == "empty"
    )


def test_geo_as_short_text() -> None:
    assert shown({"lat": 51.05434, "lon": 3.71742}, "geopoint") == "punt 51,0543° N 3,7174° O"
    assert (
        shown({"lat": 51.05434, "lon": 3.71742}, "geopoint", "en") == "point 51.0543° N 3.7174° E"
    )
    assert geo_text([-36.8485, -174.7633], "en") == "point 36.8485° S 174.7633° W"
    square = (
        '{"type":"Polygon","coordinates":'
        "[[[3.7,51.0],[3.8,51.0],[3.8,51.1],[3.7,51.1],[3.7,51.0]]]}"
    )
    assert shown(square, "geometry") == "vlak (5 punten)"
    assert shown(square, "geometry", "en") == "area (5 points)"
    line = {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [[3.7, 51.0], [3.8, 51.1]]},
    }
    assert shown(line, "geometry") == "lijn (2 punten)"
    multi = {
        "type": "MultiPolygon",
        "coordinates": [[[[0, 0], [1, 0], [0, 1], [0, 0]]], [[[2, 2], [3, 2], [2, 3], [2, 2]]]],
    }
    assert shown(multi, "geometry") == "2 vlakken (8 punten)"
    assert (
        shown('{"type":"Point","coordinates":[3.72,51.05]}', "geometry")
        == "punt 51,0500° N 3,7200° O"
    )
    assert shown("not json at all", "geometry") == "vorm"
    assert "{" not in shown({"type": "GeometryCollection", "geometries": []}, "geometry")


def test_multivalued_text_and_long_text() -> None:
    assert shown("fiets;auto;;te voet", "string", separator=";") == "fiets, auto, te voet"
    assert shown(["fiets", "auto"], "string") == "fiets, auto"
    long = "x" * 10_000
    text = shown(long, "string")
    assert len(text) == MAX_TEXT and text.endswith("…")
    assert (
        shown("<script>alert(1)</script>", "string") == "<script>alert(1)</script>"
    )  # escaped by the template
    assert "'" not in shown({"a": 1}, "string")  # no Python repr


def test_field_labels_fall_back_to_a_readable_id() -> None:
    assert field_label(Field("tijd_van_voltooien", "datetime"), "nl") == "Tijd van voltooien"
    assert field_label(Field("telpunt", "string", title="Telpunt (code)"), "en") == "Telpunt (code)"
    assert field_label(Field("x", "string", title="   "), "nl") == "X"
    assert humanised("__a__b") == "A b"
    # a source header that is an id itself reads as one made readable
    assert (
        field_label(Field("tijd_van_voltooien", "datetime", title="tijd_van_voltooien"), "nl")
        == "Tijd van voltooien"
    )
    assert field_label(Field("naam", "string", title="naam"), "nl") == "Naam"
    assert field_label(Field("naam", "string", title="Naam straat"), "nl") == "Naam straat"


def test_format_number_keeps_big_integers_exact() -> None:
    assert format_number(9_223_372_036_854_775_807, "nl") == "9.223.372.036.854.775.807"
    assert shown(10**30, "integer") == "1" + ".000" * 10
    # a whole number in a decimal field reads as the browser reads its JSON number
    assert shown(10**30, "number") == "1 × 10³⁰" and shown(1234, "number") == "1.234"
