"""The PyPI client ``stadincijfers`` (0.2.3), unchanged, reads Gent in Cijfers from a real
``belfort serve`` on a free port: variables page by page, levels, areas, periods,
dimensions with their members and selection tables, per member too (``mrp`` = the most
recent period), as it reads Swing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from stadincijfers import stadincijfers  # type: ignore[import-untyped]

from belfort.settings import Settings
from tests.helpers import free_port, wait_until_serving


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[str]:
    common = ["--data-dir", str(settings.data_dir), "--database-url", str(settings.database_url)]
    subprocess.run(
        [sys.executable, "-m", "belfort.cli", "demo", "--small", "--load-only", *common],
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "belfort.cli", "serve", "--port", str(port), *common],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, proc)
        yield base + "/"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_stadincijfers_reads_belfort(served: str, capsys: pytest.CaptureFixture[str]) -> None:
    sic = stadincijfers(served)
    assert sic.odata_url == served + "jiveservices/odata/"
    variables = sic.odataVariables(0, 1000)  # pages of 10 until an empty page
    assert len(variables) >= 37
    assert variables["bev_totaal"] == "Inwoners"
    assert "passanten_per_dag" in variables and "telpunten" in variables
    assert sic.geolevels() == {"gemeente": "Gemeente", "wijk": "Wijk"}
    assert sic.geolevels("bev_totaal") == {"gemeente": "Gemeente", "wijk": "Wijk"}
    wijken = sic.geoitemlevels("wijk")
    assert len(wijken) == 25 and wijken["1"] == "Binnenstad" and wijken["16"] == "Gentbrugge"
    assert sic.geoitemlevels("wijk", var="bev_totaal") == wijken
    assert sic.periodlevels() == {
        "year": "Jaar",
        "halfyear": "Halfjaar",
        "quarter": "Kwartaal",
        "month": "Maand",
    }
    assert sic.periodlevels("bev_totaal", "wijk") == {"year": "Jaar"}
    assert sorted(sic.periods("year", "bev_totaal", "wijk")) == [str(y) for y in range(2015, 2025)]
    assert "2024" in sic.periods("year")
    assert sic.dim_dict("bev_totaal") == {}
    # a breakdown: the counting points per type of instrument, per member as Swing answers
    assert sic.dim_dict("telpunten") == {"instrument": ["camera", "wifi", "telraam", "overig"]}
    split = sic.selectiontableasDataframe(
        "telpunten", geolevel="wijk", periodlevel="year", period="all", dimlevel="camera,wifi",
        validate=True,
    )
    assert list(split.columns) == ["Geo", "Periode", "Telpunten in dienst genomen",
                                   "Type telinstrument"]
    assert set(split["Type telinstrument"]) == {"Camera", "Wifi-sensor"}
    assert len(split) == 25 * 2 * split["Periode"].nunique()
    raw_split = sic.selectiontableasjson(
        "telpunten", geolevel="wijk", period="all", dimlevel="camera,wifi"
    )
    assert "< 5" in [row[2] for row in raw_split["rows"]]  # protected per member

    frame = sic.selectiontableasDataframe("bev_totaal", geolevel="wijk", periodlevel="year")
    assert len(frame) == 25 and set(frame["Periode"]) == {"2024"}  # mrp: the most recent
    assert frame["Inwoners"].notna().all() and frame["Inwoners"].sum() > 200_000
    city = sic.selectiontableasjson("bev_totaal", geolevel="gemeente", period="2015,2024")
    assert [row[1] for row in city["rows"]] == ["2015", "2024"]
    assert city["rows"][1][2] == frame["Inwoners"].sum()  # the city is the sum of its wijken

    # protected: the centenarians per wijk are "< 5" (read as None), never their count
    old = sic.selectiontableasDataframe("bev_100plus", geolevel="wijk", period="2024")
    raw = sic.selectiontableasjson("bev_100plus", geolevel="wijk", period="2024")
    assert "< 5" in [row[2] for row in raw["rows"]]
    assert old["Honderdjarigen"].isna().sum() >= 2
    live = sic.selectiontableasjson("passanten_per_dag", geolevel="wijk", periodlevel="month")
    assert any(isinstance(row[2], int | float) and row[2] > 0 for row in live["rows"])


HOSTILE = [
    "jive/selectiontableasjson.ashx?var=nope",
    "jive/selectiontableasjson.ashx?var=bev_totaal&geolevel=provincie",
    "jive/selectiontableasjson.ashx?var=bev_totaal&geoitem=999",
    "jive/selectiontableasjson.ashx?var=bev_totaal&period=2024-Q1",
    "jive/selectiontableasjson.ashx?var=bev_totaal&periodlevel=week",
    "jive/selectiontableasjson.ashx?var=bev_totaal&period=" + "2024," * 300,
    "jive/selectiontableasjson.ashx?var=" + "a" * 5000,
    "jive/selectiontableasjson.ashx?var=%27%3B%20DROP%20TABLE",
    "jive/selectiontableasjson.ashx",
    "jiveservices/odata/Variables?$skip=-1",
    "jiveservices/odata/Variables?$skip=1e9",
    "jiveservices/odata/Variables('nope')/GeoLevels",
    "jiveservices/odata/GeoLevels('provincie')/GeoItems",
    "jiveservices/odata/PeriodLevels('week')/Periods",
    "jiveservices/odata/Variables('bev_totaal')/GeoLevels('wijk')/PeriodLevels('month')/Periods",
    "viewerservices/odata/Nonsense",
    "viewerservices/odata/Variables('" + "x" * 600 + "')/GeoLevels",
    "viewerservices/odata/Variables('a'b')/GeoLevels",
    "jive/selectiontableasjson.ashx?var=bev_totaal&geoitem_codes=" + "1" * 50,
]


def test_hostile_parameters_are_refused_with_4xx(client_with_profile: TestClient) -> None:
    for path in HOSTILE:
        response = client_with_profile.get("/" + path)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:200])


def test_swing_answers_carry_cors_for_browser_apps(client_with_profile: TestClient) -> None:
    for path in (
        "jiveservices/odata/GeoLevels",
        "viewerservices/odata/Variables?$skip=0",
        "jive/selectiontableasjson.ashx?var=bev_totaal&geolevel=wijk",
    ):
        response = client_with_profile.get("/" + path, headers={"Origin": "https://apps.example"})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "*"


def test_geoitem_codes_geocompare_and_all_periods(client_with_profile: TestClient) -> None:
    answer = client_with_profile.get(
        "/jive/selectiontableasjson.ashx",
        params={
            "var": "bev_totaal",
            "geolevel": "wijk",
            "geoitem": "1,16",
            "geoitem_codes": "true",
            "geocompare": "gemeente",
            "period": "all",
        },
    ).json()
    assert answer["headers"][2] == {"name": "Inwoners", "type": "Numeric"}
    assert {row[0] for row in answer["rows"]} == {"1", "16", "44021"}
    assert len(answer["rows"]) == 3 * 10
