"""The portal's chart builder: requests from the query string, their data from the real
engine (SQLite and PostgreSQL catalogues), Vega-Lite specs and accessible offline SVG."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from belfort.errors import InvalidRequest, QueryError
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.policy.reading import ReadableVersion, readable
from belfort.portal import charts
from belfort.portal.charts import ChartRequest
from belfort.publishing import ingest_file
from belfort.schema import Field, TableSchema
from tests.helpers import write

COUNTS = (
    "telpunt;tijdstip;aantal;bezettingsgraad;open\n"
    "Korenmarkt;2024-03-01 13:00:00;120;0,75;ja\n"
    "Korenmarkt;2024-03-01 14:00:00;180;0,9;ja\n"
    "Korenmarkt;2024-03-02 13:00:00;60;0,5;ja\n"
    "Veldstraat;2024-03-01 13:00:00;80;0,4;nee\n"
    "Veldstraat;2024-03-02 14:00:00;95;0,5;ja\n"
    "Graslei;2024-04-01 13:00:00;;0,1;nee\n"
)
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
SVG = "{http://www.w3.org/2000/svg}"


def _ingest(platform: Platform, tmp_path: Path, dataset_id: str, text: str) -> ReadableVersion:
    source = write(tmp_path / f"{dataset_id}.csv", text)
    ingest_file(platform, CLI_ADMIN, dataset_id, source,
                metadata={"title_nl": dataset_id, "organisation": "Stad Gent"})
    return readable(platform, ANONYMOUS, dataset_id)


@pytest.fixture
def counts(platform: Platform, tmp_path: Path) -> ReadableVersion:
    return _ingest(platform, tmp_path, "tellingen", COUNTS)


@pytest.fixture
def hourly(platform: Platform, tmp_path: Path) -> ReadableVersion:
    """1,500 hourly records from 1 January 2024 (Ghent time), ``nr`` 0…1499, ``waarde`` nr % 7."""
    start = datetime(2024, 1, 1)
    lines = ["nr,tijdstip,waarde"]
    lines += [f"{i},{start + timedelta(hours=i):%Y-%m-%d %H:%M:%S},{i % 7}" for i in range(1500)]
    return _ingest(platform, tmp_path, "uurlijks", "\n".join(lines) + "\n")


def _parse(schema: TableSchema, **params: str) -> ChartRequest | None:
    return charts.parse_chart_request({f"chart_{k}": v for k, v in params.items()}, schema)


# --- requests ---------------------------------------------------------------------------

SCHEMA = TableSchema(fields=(
    Field("telpunt", "string"), Field("tijdstip", "datetime"), Field("aantal", "integer"),
    Field("graad", "number"), Field("open", "boolean"), Field("plek", "geopoint"),
    Field("vorm", "geometry"), Field("dag", "date"),
))


def test_parse_fills_in_sensible_defaults() -> None:
    assert charts.parse_chart_request({}, SCHEMA) is None
    assert _parse(SCHEMA, x="", y="  ") is None
    assert _parse(SCHEMA, x="tijdstip") == ChartRequest("line", "tijdstip", None, "count", None, "datetime")
    assert _parse(SCHEMA, x="telpunt", y="aantal") == ChartRequest("bar", "telpunt", "aantal", "sum", None, "string")
    assert _parse(SCHEMA, mark="SCATTER", x="graad", y="aantal") == ChartRequest(
        "scatter", "graad", "aantal", "none", None, "number")
    assert _parse(SCHEMA, mark="bar", x="dag", agg="count", unit="Month") == ChartRequest(
        "bar", "dag", None, "count", "month", "date")
    assert _parse(SCHEMA, x="tijdstip", y="aantal", split="telpunt", unit="week") == ChartRequest(
        "line", "tijdstip", "aantal", "sum", "week", "datetime", "telpunt")
    assert _parse(SCHEMA, x="telpunt", split="open").split == "open"
    assert charts.chart_options(SCHEMA).split_fields == (
        charts.FieldChoice("telpunt", "telpunt", "string"), charts.FieldChoice("open", "open", "boolean"))


@pytest.mark.parametrize(("params", "message"), [
    ({"x": "bestaat_niet"}, "no field 'bestaat_niet'"),
    ({"mark": "bar"}, "choose a field for the horizontal axis"),
    ({"x": "telpunt", "y": "telpunt", "agg": "sum"}, "is a string; the vertical axis needs numbers"),
    ({"x": "telpunt", "agg": "sum"}, "the sum needs a numeric field"),
    ({"x": "telpunt", "agg": "avg"}, "the avg needs a numeric field"),
    ({"x": "graad", "mark": "scatter"}, "scatter plot needs a numeric field"),
    ({"x": "graad", "y": "aantal", "mark": "line", "agg": "none"}, "only be drawn as a scatter"),
    ({"x": "telpunt", "mark": "pie"}, "chart_mark must be one of line, bar, scatter"),
    ({"x": "telpunt", "agg": "median"}, "chart_agg must be one of"),
    ({"x": "tijdstip", "unit": "fortnight"}, "chart_unit must be one of year, month, week, day, hour"),
    ({"x": "tijdstip", "split": "aantal"}, "'aantal' cannot split a chart: choose a text or yes/no"),
    ({"x": "tijdstip", "split": "plek"}, "'plek' cannot split a chart"),
    ({"x": "telpunt", "split": "telpunt"}, "chart_split must be another field"),
    ({"x": "tijdstip", "split": "bestaat_niet"}, "chart_split: this dataset has no field"),
    ({"x": "tijdstip", "split": "<script>alert(1)</script>"}, "no field"),
    ({"x": "tijdstip", "split": "telpunt\x00"}, "no field"),
    ({"x": "tijdstip", "split": "s" * 5000}, "chart_split is too long"),
    ({"x": "telpunt", "unit": "day"}, "only applies to a date or time field"),
    ({"x": "plek"}, "is a geopoint and cannot go on the horizontal axis"),
    ({"x": "vorm"}, "is a geometry and cannot go on the horizontal axis"),
    ({"x": "telpunt", "y": "plek"}, "the vertical axis needs numbers"),
    ({"x": "x" * 5000}, "chart_x is too long"),
    ({"x": "telpunt", "mark": "bar" * 1000}, "chart_mark is too long"),
    ({"x": "aantal; DROP TABLE datasets"}, "no field"),
    ({"x": '"telpunt"'}, "no field"),
    ({"x": "../../etc/passwd"}, "no field"),
    ({"x": "<script>alert(1)</script>"}, "no field"),
    ({"x": "telpunt\x00"}, "no field"),
    ({"x": "TELPUNT"}, "no field"),
])
def test_wrong_requests_are_refused_in_plain_words(params: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        _parse(SCHEMA, **params)
    assert message in caught.value.message
    assert len(caught.value.message) < 200
    assert caught.value.http_status == 400


def test_chart_options_offer_fitting_fields() -> None:
    options = charts.chart_options(SCHEMA)
    assert [f.name for f in options.x_fields] == ["telpunt", "tijdstip", "aantal", "graad", "open", "dag"]
    assert [f.name for f in options.y_fields] == ["aantal", "graad"]
    assert options.marks == ("line", "bar", "scatter")
    assert "none" in options.aggregates and "hour" in options.time_units


# --- data from the engine ---------------------------------------------------------------


def test_line_over_time_sums_per_day_and_chooses_the_unit(platform: Platform, counts: ReadableVersion) -> None:
    request = _parse(counts.schema, x="tijdstip", y="aantal")
    assert request is not None
    assert charts.resolve_chart(platform, counts, request).time_unit == "day"  # spans a month
    rows = charts.chart_data(platform, counts, request)
    assert rows == [
        {"x": "2024-03-01T00:00:00Z", "y": 380},
        {"x": "2024-03-02T00:00:00Z", "y": 155},
        {"x": "2024-04-01T00:00:00Z", "y": None},  # Graslei counted nothing
    ]
    monthly = charts.chart_data(platform, counts, ChartRequest("line", "tijdstip", "aantal", "sum", "month"))
    assert monthly == [{"x": "2024-03-01T00:00:00Z", "y": 535}, {"x": "2024-04-01T00:00:00Z", "y": None}]
    maxima = charts.chart_data(platform, counts, ChartRequest("line", "tijdstip", "aantal", "max", "year"))
    assert maxima == [{"x": "2024-01-01T00:00:00Z", "y": 180}]


def test_hours_are_read_in_the_asked_zone(platform: Platform, counts: ReadableVersion) -> None:
    request = ChartRequest("bar", "tijdstip", None, "count", "hour")
    ghent = charts.chart_data(platform, counts, request)
    utc = charts.chart_data(platform, counts, request, timezone="UTC")
    assert ghent[:2] == [{"x": "2024-03-01T13:00:00Z", "y": 2}, {"x": "2024-03-01T14:00:00Z", "y": 1}]
    assert utc[:2] == [{"x": "2024-03-01T12:00:00Z", "y": 2}, {"x": "2024-03-01T13:00:00Z", "y": 1}]
    assert utc[-1] == {"x": "2024-04-01T11:00:00Z", "y": 1}  # summer time from 31 March
    with pytest.raises(QueryError):
        charts.chart_data(platform, counts, request, timezone="Mars/Olympus")


def test_bars_count_and_average_per_category(platform: Platform, counts: ReadableVersion) -> None:
    count = charts.chart_data(platform, counts, _parse(counts.schema, x="telpunt"))
    assert count == [{"x": "Korenmarkt", "y": 3}, {"x": "Veldstraat", "y": 2}, {"x": "Graslei", "y": 1}]
    avg = charts.chart_data(platform, counts, _parse(counts.schema, x="telpunt", y="aantal", agg="avg"))
    assert avg == [{"x": "Korenmarkt", "y": 120.0}, {"x": "Veldstraat", "y": 87.5}, {"x": "Graslei", "y": None}]
    booleans = charts.chart_data(platform, counts, _parse(counts.schema, x="open"))
    assert booleans == [{"x": True, "y": 4}, {"x": False, "y": 2}]
    values = charts.chart_data(platform, counts, _parse(counts.schema, x="telpunt", y="aantal", agg="count"))
    assert values == [{"x": "Korenmarkt", "y": 3}, {"x": "Veldstraat", "y": 2}, {"x": "Graslei", "y": 0}]


def test_bars_keep_the_fifty_largest_categories(platform: Platform, tmp_path: Path) -> None:
    text = "straat,aantal\n" + "".join(f"straat {i:03d},{i}\n" for i in range(120))
    rv = _ingest(platform, tmp_path, "straten", text)
    rows = charts.chart_data(platform, rv, ChartRequest("bar", "straat", "aantal", "sum"))
    assert len(rows) == charts.MAX_CATEGORIES == 50
    assert rows[0] == {"x": "straat 119", "y": 119} and rows[-1] == {"x": "straat 070", "y": 70}


def test_scatter_of_raw_values(platform: Platform, counts: ReadableVersion) -> None:
    rows = charts.chart_data(platform, counts, _parse(counts.schema, mark="scatter", x="bezettingsgraad", y="aantal"))
    assert rows == [{"x": 0.75, "y": 120}, {"x": 0.9, "y": 180}, {"x": 0.5, "y": 60},
                    {"x": 0.4, "y": 80}, {"x": 0.5, "y": 95}]  # Graslei has no count
    over_time = charts.chart_data(platform, counts, ChartRequest("scatter", "tijdstip", "aantal", "none"))
    assert over_time[0] == {"x": "2024-03-01T13:00:00Z", "y": 120}


def test_scatter_is_capped_and_many_numbers_are_binned(platform: Platform, hourly: ReadableVersion) -> None:
    scatter = charts.chart_data(platform, hourly, ChartRequest("scatter", "nr", "waarde", "none"))
    assert len(scatter) == 1500 and scatter[8] == {"x": 8, "y": 1}
    bins = charts.chart_data(platform, hourly, ChartRequest("bar", "nr", None, "count"))
    assert len(bins) == 30  # 1,500 distinct numbers in bins of 50
    assert bins[0] == {"x": 0.0, "y": 50, "x2": 50.0} and bins[-1] == {"x": 1450.0, "y": 50, "x2": 1500.0}
    few = charts.chart_data(platform, hourly, ChartRequest("bar", "waarde", None, "count"))
    assert [r["x"] for r in few] == [0, 1, 2, 3, 4, 5, 6] and sum(r["y"] for r in few) == 1500


def test_too_many_time_buckets_ask_for_a_coarser_unit(platform: Platform, hourly: ReadableVersion) -> None:
    auto = charts.chart_data(platform, hourly, ChartRequest("line", "tijdstip", "waarde", "sum"))
    assert len(auto) == 63 and auto[0] == {"x": "2024-01-01T00:00:00Z", "y": sum(i % 7 for i in range(24))}
    with pytest.raises(InvalidRequest, match="coarser time unit"):
        charts.chart_data(platform, hourly, ChartRequest("line", "tijdstip", "waarde", "sum", "hour"))


def test_unknown_fields_in_a_request_built_by_hand_are_refused(platform: Platform, counts: ReadableVersion) -> None:
    with pytest.raises(InvalidRequest, match="no field"):
        charts.chart_data(platform, counts, ChartRequest("bar", "nope"))
    with pytest.raises(InvalidRequest, match="the vertical axis needs numbers"):
        charts.chart_data(platform, counts, ChartRequest("bar", "telpunt", "telpunt", "sum"))
    with pytest.raises(InvalidRequest, match="chart_mark must be one of"):
        charts.chart_data(platform, counts, ChartRequest("pie", "telpunt"))


# --- split by a field, and weeks -------------------------------------------------------


def test_a_line_per_value_of_the_split_field(platform: Platform, counts: ReadableVersion) -> None:
    request = ChartRequest("line", "tijdstip", "aantal", "sum", "day", "datetime", "telpunt")
    rows = charts.chart_data(platform, counts, request)
    assert rows == [  # per day, the largest series (Korenmarkt: 360 in all) first
        {"x": "2024-03-01T00:00:00Z", "y": 300, "series": "Korenmarkt"},
        {"x": "2024-03-01T00:00:00Z", "y": 80, "series": "Veldstraat"},
        {"x": "2024-03-02T00:00:00Z", "y": 60, "series": "Korenmarkt"},
        {"x": "2024-03-02T00:00:00Z", "y": 95, "series": "Veldstraat"},
        {"x": "2024-04-01T00:00:00Z", "y": None, "series": "Graslei"},
    ]
    by_state = charts.chart_data(platform, counts, ChartRequest("bar", "telpunt", None, "count", None,
                                                                "string", "open"), lang="en")
    assert by_state == [{"x": "Korenmarkt", "y": 3, "series": "yes"}, {"x": "Veldstraat", "y": 1, "series": "yes"},
                        {"x": "Veldstraat", "y": 1, "series": "no"}, {"x": "Graslei", "y": 1, "series": "no"}]


def test_more_than_eight_series_fold_into_other(platform: Platform, tmp_path: Path) -> None:
    lines = ["plek,dag,aantal,graad"]
    for p in range(11):  # plek 10 counts the most, plek 0 the least
        lines += [f"plek {p:02d},2024-05-0{d},{(p + 1) * d},{p / 10}" for d in range(1, 4)]
    rv = _ingest(platform, tmp_path, "plekken", "\n".join(lines) + "\n")
    rows = charts.chart_data(platform, rv, ChartRequest("line", "dag", "aantal", "sum", "day", "date", "plek"))
    series = list(dict.fromkeys(r["series"] for r in rows))
    assert series == [f"plek {p:02d}" for p in range(10, 3, -1)] + ["overig"]
    first_day = {r["series"]: r["y"] for r in rows if r["x"] == "2024-05-01T00:00:00Z"}
    assert first_day["overig"] == 1 + 2 + 3 + 4  # plek 00–03 added up
    assert sum(r["y"] for r in rows) == sum((p + 1) * d for p in range(11) for d in range(1, 4))
    means = charts.chart_data(platform, rv, ChartRequest("line", "dag", "graad", "avg", "day", "date", "plek"),
                              lang="en")
    other = [r for r in means if r["series"] == "other"]
    assert len(other) == 3 and all(r["y"] == pytest.approx(0.15) for r in other)  # (0+.1+.2+.3)/4


def test_weeks_add_up_days_from_monday(platform: Platform, hourly: ReadableVersion) -> None:
    rows = charts.chart_data(platform, hourly, ChartRequest("line", "tijdstip", "waarde", "sum", "week"))
    # 1 January 2024 is a Monday; 1,500 hours run into the ninth week
    assert [r["x"] for r in rows][:3] == ["2024-01-01T00:00:00Z", "2024-01-08T00:00:00Z", "2024-01-15T00:00:00Z"]
    assert len(rows) == 9 and sum(r["y"] for r in rows) == sum(i % 7 for i in range(1500))
    assert rows[0]["y"] == sum(i % 7 for i in range(7 * 24))
    mean = charts.chart_data(platform, hourly, ChartRequest("line", "tijdstip", "waarde", "avg", "week"))
    assert mean[0]["y"] == pytest.approx(sum(i % 7 for i in range(168)) / 168)
    request = charts.resolve_chart(platform, hourly, ChartRequest("line", "tijdstip", "waarde", "sum", "week"))
    assert charts.chart_table(rows, request)[1][1] == ["2024-01-08", "504"]


def test_split_charts_have_a_legend_and_a_table_column(platform: Platform, counts: ReadableVersion) -> None:
    request = charts.resolve_chart(platform, counts, _parse(counts.schema, x="tijdstip", y="aantal",
                                                            split="telpunt"))
    rows = charts.chart_data(platform, counts, request)
    spec = charts.chart_spec(request, rows, title="Passanten", lang="nl")
    colour = spec["encoding"]["color"]
    assert colour["field"] == "series" and colour["title"] == "telpunt"
    assert colour["scale"]["domain"] == ["Korenmarkt", "Veldstraat", "Graslei"]
    assert spec["description"].startswith("Lijndiagram van aantal (som) tegen tijdstip (per dag), per telpunt "
                                          "(3 reeksen): 5 punten")
    assert spec["description"].endswith("Hoogste waarde: 300 bij 2024-03-01 (Korenmarkt).")
    assert charts.chart_spec(request, rows, title="t", narrow=True)["encoding"]["color"]["legend"]["orient"] == "bottom"
    svg = charts.render_svg(spec)
    assert ">Veldstraat</text>" in svg and ">telpunt</text>" in svg  # the legend
    headers, cells = charts.chart_table(rows, request, lang="en")
    assert headers == ["tijdstip (per day)", "telpunt", "aantal (sum)"]
    assert cells[0] == ["2024-03-01", "Korenmarkt", "300"]


def test_scatter_split_and_scatter_per_week(platform: Platform, counts: ReadableVersion) -> None:
    split = charts.chart_data(platform, counts, _parse(counts.schema, mark="scatter", x="bezettingsgraad",
                                                       y="aantal", split="telpunt"))
    assert split[0] == {"x": 0.75, "y": 120, "series": "Korenmarkt"} and len(split) == 5
    weekly = charts.chart_data(platform, counts, _parse(counts.schema, mark="scatter", x="tijdstip",
                                                        y="aantal", unit="week"))
    assert weekly[0] == {"x": "2024-03-01T13:00:00Z", "y": 120} and len(weekly) == 5


def test_a_split_with_too_many_values_is_refused(platform: Platform,
                                                 tmp_path: Path) -> None:
    text = "naam,aantal\n" + "".join(f"n{i},{i}\n" for i in range(1200))
    rv = _ingest(platform, tmp_path, "namen", text)
    with pytest.raises(InvalidRequest, match="more than 1000 values"):
        charts.chart_data(platform, rv, ChartRequest("bar", "aantal", None, "count", None, "integer", "naam"))


# --- specs, SVG, table --------------------------------------------------------------------


def _urls(text: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)]+", text))


def test_spec_is_self_contained_and_described(platform: Platform, counts: ReadableVersion) -> None:
    request = charts.resolve_chart(platform, counts, _parse(counts.schema, x="tijdstip", y="aantal"))
    rows = charts.chart_data(platform, counts, request)
    spec = charts.chart_spec(request, rows, title="Passanten", lang="nl")
    assert not _urls(json.dumps(spec))
    assert spec["data"]["values"] == rows
    assert (spec["width"], spec["height"]) == (640, 320)
    assert spec["encoding"]["x"]["title"] == "tijdstip (per dag)"
    assert spec["encoding"]["y"]["title"] == "aantal (som)"
    assert spec["encoding"]["x"]["timeUnit"] == "utcyearmonthdate"
    assert spec["description"] == (
        "Lijndiagram van aantal (som) tegen tijdstip (per dag): 3 punten, van 2024-03-01 tot "
        "2024-04-01. Hoogste waarde: 380 bij 2024-03-01.")
    narrow = charts.chart_spec(request, rows, title="Passanten", lang="en", narrow=True)
    assert (narrow["width"], narrow["height"]) == (288, 260)
    assert narrow["description"].startswith("Line chart of aantal (sum) against tijdstip (per day): 3 points")
    empty = charts.chart_spec(request, [], title="Niets", lang="nl")
    assert empty["description"].endswith("Geen gegevens om te tonen.")


def test_svg_is_accessible_and_offline(platform: Platform, counts: ReadableVersion) -> None:
    for params in ({"x": "tijdstip", "y": "aantal"}, {"x": "telpunt"}, {"x": "open", "mark": "bar"},
                   {"x": "bezettingsgraad", "y": "aantal", "mark": "scatter"},
                   {"x": "tijdstip", "y": "aantal", "mark": "scatter"},
                   {"x": "aantal", "mark": "bar"}):
        request = charts.resolve_chart(platform, counts, _parse(counts.schema, **params))
        rows = charts.chart_data(platform, counts, request)
        for lang, narrow in (("nl", False), ("en", True)):
            title = "Passanten <Gent> & co"
            svg = charts.render_svg(charts.chart_spec(request, rows, title=title, lang=lang, narrow=narrow))
            root = ET.fromstring(svg)
            assert root.tag == f"{SVG}svg" and root.get("role") == "img"
            title_id, desc_id = root.get("aria-labelledby", "").split()
            assert root[0].tag == f"{SVG}title" and root[0].get("id") == title_id and root[0].text == title
            assert root[1].tag == f"{SVG}desc" and root[1].get("id") == desc_id and root[1].text
            assert _urls(svg) <= NAMESPACES, params
            assert not re.search(r"<(script|image|foreignObject)\b", svg)
    bars = charts.render_svg(charts.chart_spec(ChartRequest("bar", "telpunt", None, "count", None, "string"),
                                               [{"x": "Korenmarkt", "y": 3}], title="t"))
    assert ">Korenmarkt</text>" in bars and ">aantal records</text>" in bars


def test_external_references_are_stripped() -> None:
    hostile = ('<svg xmlns="http://www.w3.org/2000/svg" role="graphics-document" aria-label="x" width="10">'
               '<style>@import url(https://evil.example/a.css); .a{fill:url(http://evil.example/#g)}</style>'
               '<image href="https://evil.example/x.png" width="5"/><a xlink:href="http://evil.example">a</a>'
               '<use href="#local"/><script>fetch("https://evil.example")</script>'
               '<foreignObject><iframe src="x"/></foreignObject></svg>')
    clean = charts.accessible_svg(hostile, "Titel", "Uitleg", "bf-chart")
    assert _urls(clean) == {"http://www.w3.org/2000/svg"}
    assert 'href="#local"' in clean and "<script" not in clean and "foreignObject" not in clean
    assert 'role="img"' in clean and "graphics-document" not in clean and 'aria-label="x"' not in clean


def test_table_shows_the_same_data(platform: Platform, counts: ReadableVersion) -> None:
    request = charts.resolve_chart(platform, counts, _parse(counts.schema, x="tijdstip", y="aantal", agg="avg"))
    rows = charts.chart_data(platform, counts, request)
    headers, cells = charts.chart_table(rows, request)
    assert headers == ["tijdstip (per dag)", "aantal (gemiddelde)"]
    assert cells == [["2024-03-01", "126,67"], ["2024-03-02", "77,50"], ["2024-04-01", "–"]]
    headers, cells = charts.chart_table(rows, request, lang="en")
    assert headers == ["tijdstip (per day)", "aantal (average)"] and cells[0] == ["2024-03-01", "126.67"]
    booleans = charts.chart_data(platform, counts, _parse(counts.schema, x="open"))
    assert charts.chart_table(booleans, _parse(counts.schema, x="open"))[1] == [["ja", "4"], ["nee", "2"]]
    binned = [{"x": 0.0, "y": 1234, "x2": 50.0}]
    assert charts.chart_table(binned, ChartRequest("bar", "nr"))[1] == [["0 – 50", "1.234"]]


def test_rendering_is_fast_once_warm() -> None:
    charts.warm_up()
    request = ChartRequest("line", "tijdstip", "aantal", "sum", "day", "datetime")
    rows = [{"x": f"2024-03-{d:02d}T00:00:00Z", "y": d * 10} for d in range(1, 31)]
    spec = charts.chart_spec(request, rows, title="Snel")
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        charts.render_svg(spec)
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[2] < 0.5


def test_the_page_refuses_wrong_chart_parameters_in_plain_words(client: Any, counts: ReadableVersion) -> None:
    for params in ({"chart_x": "tijdstip", "chart_split": "<script>alert(1)</script>"},
                   {"chart_x": "tijdstip", "chart_split": "telpunt\x00"},
                   {"chart_x": "tijdstip", "chart_split": "s" * 5000},
                   {"chart_x": "tijdstip", "chart_split": "aantal"},
                   {"chart_x": "telpunt", "chart_unit": "week"}):
        page = client.get("/datasets/tellingen", params=params)
        assert page.status_code == 200, params
        assert 'class="error" role="alert"' in page.text, params
        assert "<script>alert(1)" not in page.text
    split = client.get("/datasets/tellingen", params={"chart_x": "tijdstip", "chart_y": "aantal",
                                                      "chart_split": "telpunt", "chart_unit": "day"})
    assert '<option value="telpunt" selected>' in split.text and '<option value="day" selected>' in split.text
    assert "<td>2024-03-01</td><td>Korenmarkt</td><td>300</td>" in split.text
