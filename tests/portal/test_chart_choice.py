"""The default chart of a dataset (belfort.portal.chart_choice): chosen from the schema
and the content so that it answers an obvious question. The choice is fixed here for
every demo dataset and for the real Ghent bike counters."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from belfort.platform import Platform
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.policy.reading import ReadableVersion, readable
from belfort.portal import chart_choice, charts
from belfort.portal.charts import ChartRequest
from belfort.publishing import ingest_file
from belfort.schema import Field
from belfort.settings import Settings
from tests.conftest import ghent_data
from tests.helpers import write


@pytest.fixture(scope="module")
def demo() -> Iterator[Platform]:
    """The small demo catalogue (``belfort demo --small``), loaded once for this module."""
    from belfort.demo.loader import load_demo

    with tempfile.TemporaryDirectory(prefix="belfort-chart-choice-") as tmp:
        root = Path(tmp)
        platform = Platform(
            Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'catalog.sqlite'}")
        )
        for _line in load_demo(platform, size="small"):
            pass
        try:
            yield platform
        finally:
            platform.close()


def _default(platform: Platform, dataset_id: str) -> ChartRequest | None:
    rv = readable(platform, CLI_ADMIN, dataset_id)  # the air-quality draft too
    return chart_choice.default_chart(platform, rv)


DEMO_DEFAULTS: dict[str, ChartRequest | None] = {
    # real pedestrian counts, 10 sensors (too many lines): the hourly sum of passers-by
    "passantentellingen-auckland": ChartRequest(
        "line", "tijdstip", "aantal", "sum", "hour", "datetime"
    ),
    # one row per sensor, every name different: nothing to count per category
    "passantentellers-auckland": None,
    # one row per wijk: no chart (the map says it)
    "stadswijken-gent-demo": None,
    # counting points: how many per wijk (in_dienst_sinds only dates the objects)
    "telpunten-drukte-gent": ChartRequest("bar", "wijk", None, "count", None, "string"),
    "passantentellingen-gent-demo": ChartRequest(
        "line", "tijdstip", "aantal", "sum", "hour", "datetime"
    ),
    # occupancy is a level: its mean, never the sum of the (constant) capacity
    "bezetting-parkeergarages-demo": ChartRequest(
        "line", "tijdstip", "bezettingsgraad", "avg", "hour", "datetime"
    ),
    # reports: an event log without a measure; counted per week (per day would be 0 or 1)
    "meldingen-openbaar-domein-intern": ChartRequest(
        "line", "ingediend_op", None, "count", "week", "datetime"
    ),
    # six sensors: the mean NO2 concentration per hour, one line per sensor (by name, not id)
    "luchtkwaliteit-sensoren-demo": ChartRequest(
        "line", "tijdstip", "no2_ugm3", "avg", "hour", "datetime", "sensor_naam"
    ),
    "verwerkingsregister-stad-gent": ChartRequest("bar", "type", None, "count", None, "string"),
}


@pytest.mark.parametrize("dataset_id", sorted(DEMO_DEFAULTS))
def test_default_chart_of_each_demo_dataset(demo: Platform, dataset_id: str) -> None:
    assert _default(demo, dataset_id) == DEMO_DEFAULTS[dataset_id]


def test_default_charts_draw_a_sensible_number_of_points(demo: Platform) -> None:
    for dataset_id, expected in DEMO_DEFAULTS.items():
        if expected is None:
            continue
        rv = readable(demo, CLI_ADMIN, dataset_id)
        rows = charts.chart_data(demo, rv, expected)
        assert 3 <= len(rows) <= 400, (dataset_id, len(rows))
        if expected.split:  # one line per air-quality sensor, named
            assert len({r["series"] for r in rows}) == 6
            assert all(not r["series"].startswith("LK") for r in rows)


def _bike_counters(tmp_path: Path, names: list[str]) -> Path:
    records: list[dict[str, object]] = []
    for name in names:
        records += json.loads((ghent_data() / f"fietstelpaal-{name}-2021-gent.json").read_text())
    return write(tmp_path / "fietstellingen.json", json.dumps(records))


def _ingest_file(platform: Platform, dataset_id: str, path: Path) -> ReadableVersion:
    ingest_file(
        platform,
        CLI_ADMIN,
        dataset_id,
        path,
        metadata={"title_nl": dataset_id, "organisation": "Stad Gent"},
    )
    return readable(platform, ANONYMOUS, dataset_id)


def test_one_bike_counter_sums_its_total_per_day(platform: Platform, tmp_path: Path) -> None:
    rv = _ingest_file(
        platform, "fietstelpaal-bataviabrug", _bike_counters(tmp_path, ["bataviabrug"])
    )
    request = chart_choice.default_chart(platform, rv)
    # `totaal` is the sum of both directions; a year of hourly counts is 365 daily points
    assert request == ChartRequest("line", "datum", "totaal", "sum", "day", "date")
    rows = charts.chart_data(platform, rv, request)
    assert len(rows) == 365
    records = json.loads((ghent_data() / "fietstelpaal-bataviabrug-2021-gent.json").read_text())
    assert sum(r["y"] or 0 for r in rows) == sum(r["totaal"] or 0 for r in records)


def test_several_bike_counters_are_split_per_counter(platform: Platform, tmp_path: Path) -> None:
    path = _bike_counters(tmp_path, ["bataviabrug", "dampoort-zuid", "groendreef"])
    rv = _ingest_file(platform, "fietstellingen", path)
    request = chart_choice.default_chart(platform, rv)
    # three lines of a year: weeks, not days (at most ~400 points in all)
    assert request == ChartRequest("line", "datum", "totaal", "sum", "week", "date", "locatie")
    rows = charts.chart_data(platform, rv, request)
    assert {r["series"] for r in rows} == {"Bataviabrug", "Dampoort-Zuid", "Groendreef"}
    # Dampoort-Zuid counted until October: 2 × 53 weeks + 44
    assert 2 * 52 + 43 <= len(rows) <= 2 * 53 + 44
    assert all(r["x"].endswith("T00:00:00Z") for r in rows)


def test_bike_counter_locations_are_not_summed_over_dates(ghent: Platform) -> None:
    bikes = readable(ghent, ANONYMOUS, "fietstelpalen-gent")
    # nine counters: begindatum dates the objects (no time series), `sensoren` is a count of
    # parts, not a measure; nine rows are better read in the table than in a chart
    assert chart_choice.default_chart(ghent, bikes) is None


# --- the rules on their own ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "aggregate"),
    [
        (Field("aantal", "integer"), "sum"),
        (Field("totaal", "integer"), "sum"),
        (Field("passanten", "integer"), "sum"),
        (Field("bezet", "integer"), "avg"),
        (Field("vrije_plaatsen", "integer"), "avg"),
        (Field("capaciteit", "integer"), "avg"),
        (Field("bezettingsgraad", "number"), "avg"),
        (Field("no2_ugm3", "number"), "avg"),
        (Field("temperatuur", "number"), "avg"),
        (Field("waarde", "number", unit="%"), "avg"),
        (Field("waarde", "integer", description="Aantal voertuigen per kwartier"), "sum"),
        (Field("neerslag_mm", "number"), "sum"),
        (Field("waarde", "integer"), "sum"),
        (Field("waarde", "number"), "avg"),
    ],
)
def test_sum_for_counts_and_mean_for_levels(field: Field, aggregate: str) -> None:
    assert chart_choice.aggregate_for(field, constant_per_entity=False) == aggregate


def test_a_value_that_repeats_per_entity_is_a_level() -> None:
    assert chart_choice.aggregate_for(Field("waarde", "integer"), constant_per_entity=True) == "avg"


@pytest.mark.parametrize(
    "name",
    [
        "id",
        "wijknr",
        "huisnummer",
        "postcode",
        "objectid",
        "lat",
        "long",
        "point_x",
        "bouwjaar",
        "display_codedvalue",
        "sensor_id",
    ],
)
def test_identifiers_and_coordinates_are_not_measures(name: str) -> None:
    assert not chart_choice.is_measure(Field(name, "integer"))


@pytest.mark.parametrize(
    "name",
    [
        "begindatum",
        "in_dienst_sinds",
        "eerste_meting",
        "peildatum",
        "bouwdatum",
        "startdatum",
        "commissioned_at",
        "installed_on",
    ],
)
def test_dates_that_date_objects_are_not_times_of_measurement(name: str) -> None:
    assert chart_choice.dates_objects(Field(name, "date"))


@pytest.mark.parametrize("name", ["tijdstip", "datum", "ingediend_op", "timestamp", "meetmoment"])
def test_times_of_measurement(name: str) -> None:
    assert not chart_choice.dates_objects(Field(name, "datetime"))


def test_an_object_table_with_many_dates_gets_counts_per_category(
    platform: Platform, tmp_path: Path
) -> None:
    # 200 trees planted on many days: the planting date dates the trees, so no time series
    lines = ["boom_id,soort,plantdatum,hoogte_m"]
    kinds = ["linde", "eik", "plataan", "esdoorn"]
    lines += [
        f"B{i:04d},{kinds[i % 4]},20{10 + i % 12}-0{1 + i % 9}-{1 + i % 27:02d},{3 + i % 20}"
        for i in range(200)
    ]
    rv = _ingest_file(platform, "bomen", write(tmp_path / "bomen.csv", "\n".join(lines) + "\n"))
    assert chart_choice.default_chart(platform, rv) == ChartRequest(
        "bar", "soort", None, "count", None, "string"
    )


def test_a_few_records_get_no_chart(platform: Platform, tmp_path: Path) -> None:
    text = "wijk,inwoners\nA,10\nB,20\nA,30\n"
    rv = _ingest_file(platform, "klein", write(tmp_path / "klein.csv", text))
    assert chart_choice.default_chart(platform, rv) is None
