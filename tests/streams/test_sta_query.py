"""The SensorThings query options parser: what it reads, and that it refuses the rest with
a message (no database involved)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from belfort.errors import SensorThingsInvalid
from belfort.streams.sta_entities import property_name
from belfort.streams.sta_query import (
    Compare,
    Function,
    Literal,
    Logical,
    Not,
    Path,
    parse_filter,
    parse_options,
)


def test_precedence_and_parentheses() -> None:
    tree = parse_filter("result gt 1 and result lt 5 or not (name eq 'a''b')")
    assert tree == Logical(
        "or",
        Logical("and", Compare("gt", Path("result"), Literal(1)),
                Compare("lt", Path("result"), Literal(5))),
        Not(Compare("eq", Path("name"), Literal("a'b"))))


def test_literals_and_paths() -> None:
    assert parse_filter("phenomenonTime ge 2024-05-01T12:00:00.5+02:00") == Compare(
        "ge", Path("phenomenonTime"), Literal("2024-05-01T12:00:00.5+02:00", is_time=True))
    assert parse_filter("Datastream/@iot.id eq 3") == Compare(
        "eq", Path("Datastream/@iot.id"), Literal(3))
    assert parse_filter("result EQ -1.5e2") == Compare("eq", Path("result"), Literal(-150.0))
    assert parse_filter("resultQuality ne null") == Compare(
        "ne", Path("resultQuality"), Literal(None))
    assert parse_filter("startswith(name,'Kor')") == Function(
        "startswith", (Path("name"), Literal("Kor")))


@pytest.mark.parametrize("text", [
    "", "result", "result gt", "result gt 1 and", "(result gt 1", "result gt 1)",
    "name eq 'open", "result between 1", "foo(name) eq 1", "result gt 1 # x",
    "not " * 30 + "result eq 1", "startswith(name)", "result eq startswith(name, 'a')",
    "x" * 5000,
])
def test_malformed_filters_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(SensorThingsInvalid) as refused:
        parse_filter(text)
    assert refused.value.message.startswith("$filter")


def test_options() -> None:
    options = parse_options({
        "$top": "5", "$skip": "10", "$count": "true", "$orderby": "phenomenonTime DESC, id",
        "$select": "id,result",
        "$expand": "Datastream($select=name;$expand=Thing),Datastream/Sensor",
    }, max_top=1000)
    assert (options.top, options.skip, options.count) == (5, 10, True)
    assert options.orderby == (("phenomenonTime", True), ("id", False))
    assert options.select == ("id", "result")
    first, second = options.expand
    assert first.name == "Datastream" and first.options.select == ("name",)
    assert first.options.expand[0].name == "Thing"
    assert second.name == "Datastream" and second.options.expand[0].name == "Sensor"
    assert parse_options({"$top": "99999"}, max_top=100).top == 100


@pytest.mark.parametrize("params", [
    {"$top": "-1"}, {"$top": "1.5"}, {"$skip": "x"}, {"$count": "yes"}, {"$foo": "1"},
    {"$orderby": "result up"}, {"$orderby": "1result"}, {"$select": "a b"},
    {"$expand": "Datastreams("}, {"$expand": "A/B/C/D"}, {"$expand": "A($top=1;$top=2)"},
    {"$expand": "A(top=1)"}, {"$filter": "a eq '\x00'"},
])
def test_malformed_options_are_refused(params: dict[str, str]) -> None:
    with pytest.raises(SensorThingsInvalid):
        parse_options(params, max_top=100)


@pytest.mark.parametrize(("name", "expected"), [
    ("Air Temperature (°C)", "air_temperature_c"), ("PM2.5", "pm2.5"),
    ("15-minute count", "p_15-minute_count"), ("!!!", "value"), ("bikes", "bikes"),
])
def test_property_names(name: str, expected: str) -> None:
    assert property_name(name) == expected


_ALPHABET = "abcdeqnotrlgsu()' ,;=$/@.-:0129TZ\x00é"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_any_filter_text_is_read_or_refused_cleanly(text: str) -> None:
    from belfort.streams.sta_read import condition

    try:
        tree = parse_filter(text)
    except SensorThingsInvalid:
        return
    for plural in ("Things", "Observations"):
        try:
            condition(plural, tree)
        except SensorThingsInvalid:
            pass


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["$expand", "$orderby", "$select", "$top", "$skip", "$count"]),
       st.text(alphabet=_ALPHABET + "ABDTO", max_size=60))
def test_any_option_text_is_read_or_refused_cleanly(name: str, text: str) -> None:
    try:
        parse_options({name: text}, max_top=100)
    except SensorThingsInvalid:
        pass
