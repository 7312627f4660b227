"""Chart errors in the page's language: every refusal raised in ``portal.charts`` and
``portal.chart_series`` carries a code (its English message unchanged) and the dataset page
shows it as a plain Dutch or English sentence, fields named by their titles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from belfort.catalog.field_dictionary import check_texts
from belfort.errors import InvalidRequest
from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.policy.reading import ReadableVersion, readable
from belfort.portal import charts
from belfort.portal.charts import ChartRequest
from belfort.portal.i18n import Translator
from belfort.portal.messages import error_text, said
from belfort.publishing import describe_fields, ingest_file
from belfort.settings import Settings
from tests.helpers import write
from tests.portal.test_charts import COUNTS, SCHEMA, _parse

#: params → (English message part, Dutch sentence, English sentence)
PARSED: list[tuple[dict[str, str], str, str, str]] = [
    ({"x": "x" * 300}, "chart_x is too long",
     "De keuze voor de horizontale as is te lang (hoogstens 200 tekens).",
     "The choice for the horizontal axis is too long (at most 200 characters)."),
    ({"x": "telpunt", "mark": "pie"}, "chart_mark must be one of",
     "‘pie’ is geen mogelijke keuze voor de soort grafiek.",
     "‘pie’ is not a possible choice for the kind of chart."),
    ({"x": "telpunt", "agg": "median"}, "chart_agg must be one of",
     "‘median’ is geen mogelijke keuze voor de berekening.",
     "‘median’ is not a possible choice for the calculation."),
    ({"x": "tijdstip", "unit": "fortnight"}, "chart_unit must be one of",
     "‘fortnight’ is geen mogelijke keuze voor de tijdseenheid.",
     "‘fortnight’ is not a possible choice for the time unit."),
    ({"y": "aantal"}, "choose a field for the horizontal axis",
     "Kies een veld voor de horizontale as.", "Choose a field for the horizontal axis."),
    ({"x": "plek"}, "is a geopoint and cannot go on the horizontal axis",
     "Het veld ‘plek’ (punt op de kaart) kan niet op de horizontale as.",
     "The field ‘plek’ (point on the map) cannot go on the horizontal axis."),
    ({"x": "telpunt", "y": "plek"}, "the vertical axis needs numbers",
     "Het veld ‘plek’ is een punt op de kaart. Kies voor de verticale as een veld met getallen.",
     "The field ‘plek’ is a point on the map. Choose a field with numbers for the vertical axis."),
    ({"x": "telpunt", "agg": "avg"}, "the avg needs a numeric field",
     "Voor het gemiddelde is een veld met getallen nodig. Kies er een voor de verticale as.",
     "The average needs a field with numbers. Choose one for the vertical axis."),
    ({"x": "graad", "mark": "scatter"}, "scatter plot needs a numeric field",
     "Een puntenwolk heeft een veld met getallen nodig. Kies er een voor de verticale as.",
     "A scatter plot needs a field with numbers. Choose one for the vertical axis."),
    ({"x": "graad", "y": "aantal", "mark": "line", "agg": "none"}, "only be drawn as a scatter",
     "Losse waarden kunnen alleen als puntenwolk getekend worden.",
     "Single values can only be drawn as a scatter plot."),
    ({"x": "telpunt", "unit": "day"}, "only applies to a date or time field",
     "Een tijdseenheid kan alleen bij een datum of tijd. Het veld ‘telpunt’ is een tekst.",
     "A time unit only applies to a date or time. The field ‘telpunt’ is a text."),
    ({"x": "tijdstip", "split": "aantal"}, "'aantal' cannot split a chart",
     "Het veld ‘aantal’ (geheel getal) kan de grafiek niet opsplitsen. "
     "Kies een tekstveld of een ja/nee-veld.",
     "The field ‘aantal’ (whole number) cannot split the chart. Choose a text or yes/no field."),
    ({"x": "telpunt", "split": "telpunt"}, "chart_split must be another field",
     "Splits de grafiek op een ander veld dan dat op de horizontale as.",
     "Split the chart by another field than the horizontal axis."),
    ({"x": "tijdstip", "split": "<script>alert(1)</script>"}, "chart_split: this dataset has no",
     "Deze dataset heeft geen veld ‘<script>alert(1)</script>’.",
     "This dataset has no field ‘<script>alert(1)</script>’."),
]


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize(("params", "english", "nl", "en"), PARSED,
                         ids=[str(i) for i in range(len(PARSED))])
def test_every_refused_chart_request_reads_in_the_page_language(
    params: dict[str, str], english: str, nl: str, en: str, lang: str
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        _parse(SCHEMA, **params)
    assert english in caught.value.message  # the English (API) text is unchanged
    t = Translator(lang)
    assert error_text(t, caught.value) == (nl if lang == "nl" else en)
    assert said(t, caught.value) == (nl if lang == "nl" else en)  # no English detail added


def _ingest(platform: Platform, tmp_path: Path, dataset_id: str, text: str) -> ReadableVersion:
    source = write(tmp_path / f"{dataset_id}.csv", text)
    ingest_file(platform, CLI_ADMIN, dataset_id, source,
                metadata={"title_nl": dataset_id, "organisation": "Stad Gent"})
    return readable(platform, ANONYMOUS, dataset_id)


def _hourly(groups: int) -> str:
    start = datetime(2024, 1, 1)
    lines = ["nr,tijdstip,waarde,groep"]
    lines += [f"{i},{start + timedelta(hours=i):%Y-%m-%d %H:%M:%S},{i % 7},g{i % groups}"
              for i in range(1500)]
    return "\n".join(lines) + "\n"


def _refusal(draw: Callable[[], Any]) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        draw()
    return caught.value


def test_charts_that_would_be_too_large_read_in_the_page_language(
    platform: Platform, tmp_path: Path
) -> None:
    hourly = _ingest(platform, tmp_path, "uurlijks", _hourly(2))
    many = _ingest(platform, tmp_path, "namen",
                   "naam,aantal\n" + "".join(f"n{i},{i}\n" for i in range(1200)))
    nl, en = Translator("nl"), Translator("en")
    points = _refusal(lambda: charts.chart_data(
        platform, hourly, ChartRequest("line", "tijdstip", "waarde", "sum", "hour")))
    split_points = _refusal(lambda: charts.chart_data(
        platform, hourly, ChartRequest("line", "tijdstip", "waarde", "sum", "hour", "datetime",
                                       "groep")))
    values = _refusal(lambda: charts.chart_data(
        platform, many, ChartRequest("bar", "aantal", None, "count", None, "integer", "naam")))
    assert "coarser time unit" in points.message and "more than 1000 values" in values.message
    for exc in (points, split_points):
        assert error_text(nl, exc) == (
            "Deze grafiek zou meer dan 1.000 punten hebben. Kies een grotere tijdseenheid.")
        assert error_text(en, exc) == (
            "This chart would have more than 1,000 points. Choose a larger time unit.")
    assert error_text(nl, values) == (
        "Het veld ‘naam’ heeft meer dan 1.000 verschillende waarden. "
        "Splits op een veld met minder waarden.")
    assert error_text(en, values) == (
        "The field ‘naam’ has more than 1,000 different values. "
        "Split by a field with fewer values.")


def test_a_split_chart_past_the_row_limit_reads_in_the_page_language(tmp_path: Path) -> None:
    platform = Platform(Settings(data_dir=tmp_path / "data",
                                 database_url=f"sqlite:///{tmp_path / 'c.sqlite'}",
                                 query_max_rows=1100))
    try:
        hourly = _ingest(platform, tmp_path, "uurlijks", _hourly(2))
        exc = _refusal(lambda: charts.chart_data(
            platform, hourly, ChartRequest("line", "tijdstip", "waarde", "sum", "hour",
                                           "datetime", "groep")))
    finally:
        platform.close()
    assert "too many points" in exc.message
    assert error_text(Translator("nl"), exc) == (
        "Deze grafiek zou te veel punten hebben. Kies een grotere tijdseenheid of splits op "
        "een veld met minder waarden.")
    assert error_text(Translator("en"), exc) == (
        "This chart would have too many points. Choose a larger time unit or split by a "
        "field with fewer values.")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_dataset_page_shows_chart_errors_in_its_language(
    client: TestClient, platform: Platform, tmp_path: Path, lang: str
) -> None:
    _ingest(platform, tmp_path, "tellingen", COUNTS)
    describe_fields(platform, CLI_ADMIN, "tellingen",
                    {"aantal": check_texts({"title_nl": "Aantal fietsers",
                                            "title_en": "Cyclists"})})
    cases = [
        ({"chart_x": "tijdstip", "chart_split": "aantal"},
         {"nl": "Het veld ‘Aantal fietsers’ (geheel getal) kan de grafiek niet opsplitsen.",
          "en": "The field ‘Cyclists’ (whole number) cannot split the chart."}),
        ({"chart_x": "tijdstip", "chart_split": "<script>alert(1)</script>"},
         {"nl": "Deze dataset heeft geen veld ‘&lt;script&gt;alert(1)&lt;/script&gt;’.",
          "en": "This dataset has no field ‘&lt;script&gt;alert(1)&lt;/script&gt;’."}),
        ({"chart_x": "tijdstip", "chart_split": "telpunt\x00"},
         {"nl": "Deze dataset heeft geen veld ‘telpunt\\0’.",
          "en": "This dataset has no field ‘telpunt\\0’."}),
        ({"chart_x": "telpunt", "chart_mark": "pie"},
         {"nl": "‘pie’ is geen mogelijke keuze voor de soort grafiek.",
          "en": "‘pie’ is not a possible choice for the kind of chart."}),
    ]
    for params, expected in cases:
        page = client.get("/datasets/tellingen", params={**params, "lang": lang})
        assert page.status_code == 200, params
        assert f'<p class="error" role="alert">{expected[lang]}' in page.text, (params, lang)
        assert "chart_" + "split:" not in page.text and "chart_mark must" not in page.text
        assert "<script>alert(1)" not in page.text
