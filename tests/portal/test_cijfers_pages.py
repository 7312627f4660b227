"""The Gent in Cijfers pages and downloads (issue 18 item 4): rendered in Dutch and English,
figures as the store has them, protected values only — no page or download anywhere shows
the value of a suppressed cell — and hostile parameters answered with a 4xx page."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from belfort.app import create_app
from belfort.cijfers.geography import CITY_LEVEL, WIJK_LEVEL, geography_of
from belfort.cijfers.modelled import load_profile
from belfort.cijfers.models import IndicatorValue
from belfort.cijfers.store import Value, save_tables, write_many
from belfort.demo.loader import DEMO_LOADER
from belfort.platform import Platform
from belfort.settings import Settings
from tests.conftest import BACKENDS, _postgres_schema

# an imported table whose suppressed cells hold values that would be seen if they leaked
SECRET = "proef_geheim"
YEARS = ("2022", "2023", "2024")


def _secret_table(platform: Platform) -> None:
    geography = geography_of(platform)
    save_tables(platform, DEMO_LOADER, [{
        "code": SECRET, "name_nl": "Proef geheim", "name_en": "Test secret", "theme": "wonen",
        "unit": "personen", "decimals": 3, "period_type": "year"}])
    values: list[Value] = []
    for y, year in enumerate(YEARS):
        total = 0
        for i, wijk in enumerate(geography.wijken):
            # wijk 3 has 2 contributors: "< 5"; the others 40+ (the smallest is then hidden as
            # "x" too). Every value is distinct and recognisable: 7xxxx.123
            contributors = {3: 2}.get(int(wijk.code), 40 + i)
            value = 70_000 + 1000 * y + 37 * i + 0.123
            if int(wijk.code) == 12 and year == "2023":
                values.append(Value(WIJK_LEVEL, wijk.code, year, None, -99998, None, "t"))
                continue
            values.append(Value(WIJK_LEVEL, wijk.code, year, value, None, contributors, "t"))
            total += contributors
        values.append(Value(CITY_LEVEL, geography.city.code, year, 99_000.5 + y, None, total, "t"))
    write_many(platform, {SECRET: values})


@pytest.fixture(scope="module", params=BACKENDS)
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[TestClient, Platform]]:
    root: Path = tmp_path_factory.mktemp("cijfers-pages")
    urls = iter(_postgres_schema()) if request.param == "postgres" else None
    url = next(urls) if urls is not None else f"sqlite:///{root / 'c.db'}"
    platform = Platform(Settings(data_dir=root / "data", database_url=url))
    try:
        for _line in load_profile(platform, DEMO_LOADER, geography_of(platform)):
            pass
        _secret_table(platform)
        with TestClient(create_app(platform)) as c:
            yield c, platform
    finally:
        platform.close()
        if urls is not None:
            for _ in urls:
                pass


PAGES = ("/cijfers", "/cijfers/wijken/1", "/cijfers/vergelijk?wijk=1&wijk=20&wijk=7",
         f"/cijfers/indicatoren/{SECRET}", "/cijfers/indicatoren/bev_totaal")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_pages_render_in_both_languages(client: tuple[TestClient, Platform], lang: str) -> None:
    c, _ = client
    for path in PAGES:
        answer = c.get(path + ("&" if "?" in path else "?") + f"lang={lang}")
        assert answer.status_code == 200, path
        assert f'<html lang="{lang}">' in answer.text
        assert answer.text.count("<h1") == 1
        assert 'href="/cijfers"' in answer.text  # the navigation links the overview
    home = c.get(f"/?lang={lang}").text
    assert 'href="/cijfers"' in home
    profile = c.get(f"/cijfers/wijken/1?lang={lang}").text
    assert ("gemodelleerd" if lang == "nl" else "modelled") in profile
    assert profile.count('class="bf-trend"') >= 30  # a trend line per indicator
    assert ("heel Gent" if lang == "nl" else "Ghent as a whole") in profile


def _row(html: str, label: str) -> str:
    found = re.search(r"<tr>\s*<th scope=\"row\"><a [^>]*>" + re.escape(label) + r"</a>.*?</tr>",
                      html, re.S)
    assert found is not None, label
    return found.group(0)


def test_figures_are_the_stores(client: tuple[TestClient, Platform]) -> None:
    c, platform = client
    with platform.db.session() as session:
        rows = session.execute(select(IndicatorValue.geoitem, IndicatorValue.value).where(
            IndicatorValue.indicator == "bev_totaal", IndicatorValue.period == "2024")).all()
    by_area = {item: int(round(value)) for item, value in rows}
    html = c.get("/cijfers/wijken/1?lang=en").text
    row = _row(html, "Inhabitants")
    assert f"{by_area['1']:,}" in row and f"{by_area['44021']:,}" in row
    wijk_values = sorted((v for k, v in by_area.items() if k != "44021"), reverse=True)
    assert f"{wijk_values.index(by_area['1']) + 1} of 25" in row
    nl = _row(c.get("/cijfers/vergelijk?wijk=1&wijk=2&lang=nl").text, "Inwoners")
    for code in ("1", "2"):
        assert f"{by_area[code]:,}".replace(",", ".") in nl
    map_page = c.get("/cijfers/indicatoren/bev_totaal?periode=2024&lang=en").text
    assert map_page.count('class="bf-choropleth"') == 1 and map_page.count("<path ") == 25
    for code in ("1", "25"):
        assert f"{by_area[code]:,}" in map_page
    assert c.get("/cijfers/indicatoren/bev_totaal?periode=2015").status_code == 200


def _secrets(platform: Platform) -> list[str]:
    """Every way the raw value of a protected cell could be written on a page or in a CSV."""
    with platform.db.session() as session:
        hidden = session.execute(select(IndicatorValue.value).where(
            IndicatorValue.indicator == SECRET, IndicatorValue.display.is_not(None))).scalars()
        found = []
        for value in hidden:
            whole = int(value)
            found += [f"{whole}.1", f"{whole:,}", f"{whole:,}".replace(",", ".")]
    assert len(found) >= 3 * 3 * 2  # "< 5" and at least one "x" every year
    return found


def test_no_page_or_download_shows_a_suppressed_value(client: tuple[TestClient, Platform]) -> None:
    c, platform = client
    secrets = _secrets(platform)
    geography = geography_of(platform)
    paths = [f"/cijfers/indicatoren/{SECRET}?periode={y}&lang={lang}"
             for y in YEARS for lang in ("nl", "en")]
    paths += [f"/cijfers/wijken/{w.code}?lang=nl" for w in geography.wijken]
    paths += [f"/cijfers/wijken/{w}?lang=en" for w in ("1", "3", "4")]
    paths += [f"/cijfers/vergelijk?wijk={a}&wijk={b}&wijk=3&wijk=7"
              for a, b in (("1", "2"), ("12", "25"))]
    paths += [f"/cijfers/indicatoren/{SECRET}/waarden.csv"]
    paths += [f"/cijfers/wijken/{w.code}/cijfers.csv" for w in geography.wijken]
    for path in paths:
        answer = c.get(path)
        assert answer.status_code == 200, path
        leaked = [s for s in secrets if s in answer.text]
        assert not leaked, f"{path} shows {leaked[:3]}"
    download = c.get(f"/cijfers/indicatoren/{SECRET}/waarden.csv").text
    table = list(csv.DictReader(io.StringIO(download)))
    assert len(table) == 26 * len(YEARS)
    marks = {r["protected"] for r in table if r["protected"]}
    assert marks == {"< 5", "x"}
    assert all(r["value"] == "" for r in table if r["protected"] or r["missing"])
    assert {r["missing"] for r in table if r["missing"]} == {"-99998"}
    shown = [r for r in table if r["value"]]
    assert all(r["value"].startswith(("7", "99")) for r in shown)
    page = c.get(f"/cijfers/indicatoren/{SECRET}?periode=2023&lang=nl").text
    assert "&lt; 5" in page and "geheim" in page and "niet van toepassing" in page
    assert 'url(#bf-map-' in page  # a hatched wijk on the map, with its legend entry
    assert "cijfer beschermd" in page


HOSTILE = [
    ("/cijfers/wijken/99", 404), ("/cijfers/wijken/0", 404), ("/cijfers/wijken/%3Cscript%3E", 404),
    ("/cijfers/wijken/" + "9" * 5000, 404), ("/cijfers/wijken/1%00", 404),
    ("/cijfers/wijken/99/cijfers.csv", 404),
    ("/cijfers/vergelijk", 400), ("/cijfers/vergelijk?wijk=1", 400),
    ("/cijfers/vergelijk?wijk=1&wijk=2&wijk=3&wijk=4&wijk=5", 400),
    ("/cijfers/vergelijk?wijk=1&wijk=1", 400), ("/cijfers/vergelijk?wijk=1&wijk=nope", 404),
    ("/cijfers/vergelijk?wijk=1&wijk=%27%3Bdrop", 404),
    ("/cijfers/vergelijk?" + "&".join(["wijk=1"] * 500), 400),
    ("/cijfers/indicatoren/nope", 404), ("/cijfers/indicatoren/" + "a" * 3000, 404),
    ("/cijfers/indicatoren/bev_totaal?periode=abc", 400),
    ("/cijfers/indicatoren/bev_totaal?periode=1999", 404),
    ("/cijfers/indicatoren/bev_totaal?periode=2024-Q3", 404),
    ("/cijfers/indicatoren/bev_totaal?periode=" + "2" * 4000, 400),
    ("/cijfers/indicatoren/nope/waarden.csv", 404),
]


@pytest.mark.parametrize(("path", "status"), HOSTILE)
def test_hostile_parameters_get_a_clear_4xx_page(
        client: tuple[TestClient, Platform], path: str, status: int) -> None:
    c, _ = client
    answer = c.get(path)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1" in answer.text


def test_a_profile_shows_new_values_at_once(client: tuple[TestClient, Platform]) -> None:
    """Profiles are kept per catalogue generation: writing values bumps it."""
    c, platform = client
    geography = geography_of(platform)
    save_tables(platform, DEMO_LOADER, [{"code": "proef_nieuw", "name_nl": "Proef nieuw",
                                         "name_en": "Test new", "theme": "werk"}])

    def write(base: float) -> None:
        write_many(platform, {"proef_nieuw": [
            Value(WIJK_LEVEL, w.code, "2024", base + int(w.code), None, None, "t")
            for w in geography.wijken] + [
            Value(CITY_LEVEL, geography.city.code, "2024", base, None, None, "t")]})

    write(40_000.0)
    assert "40,001" in _row(c.get("/cijfers/wijken/1?lang=en").text, "Test new")
    write(50_000.0)
    row = _row(c.get("/cijfers/wijken/1?lang=en").text, "Test new")
    assert "50,001" in row and "40,001" not in row
