"""The dataset page's table and downloads as people read them (no browser): Ghent time,
separators, ja/nee, geo as text, field titles with their ids, downloads that say their
time zone and agree with the table, GeoJSON only for geo data, the 10,000-row limit."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import write

SQUARE = {"type": "Polygon", "coordinates": [[[3.7, 51.0], [3.8, 51.0], [3.8, 51.1], [3.7, 51.0]]]}


def wijken_geojson(path: Path) -> Path:
    features = [
        {
            "type": "Feature",
            "geometry": SQUARE,
            "properties": {
                "naam": f"<b>Wijk</b> {i}",
                "tijd_van_voltooien": f"2024-10-27T0{i}:30:00Z",
                "oppervlakte": 1234.5 * (i + 1),
                "open": i % 2 == 0,
                "dag": "2024-03-31",
            },
        }
        for i in range(3)
    ]
    return write(path, json.dumps({"type": "FeatureCollection", "features": features}))


@pytest.fixture
def portal(platform: Platform, tmp_path: Path, client: TestClient) -> TestClient:
    ingest_file(
        platform,
        CLI_ADMIN,
        "wijken",
        wijken_geojson(tmp_path / "w.geojson"),
        metadata={"title_nl": "Wijken"},
    )
    ingest_file(
        platform,
        CLI_ADMIN,
        "lijst",
        write(tmp_path / "l.csv", "naam,aantal\nA,1\nB,2\n"),
        metadata={"title_nl": "Lijst"},
    )
    return client


def cells(page: str) -> list[list[str]]:
    body = page.split('<section id="preview"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_table_shows_values_as_people_read_them(portal: TestClient) -> None:
    page = portal.get("/datasets/wijken", params={"p_sort": "tijd_van_voltooien"}).text
    rows = cells(page)
    assert rows[0] == [
        "&lt;b&gt;Wijk&lt;/b&gt; 0",  # HTML in values is escaped
        '<time datetime="2024-10-27T02:30:00+02:00">zo 27 okt 2024 02:30 CEST</time>',
        "1.234,5",
        "ja",
        '<time datetime="2024-03-31">31 mrt 2024</time>',
        "vlak (4 punten)",
    ]
    assert (
        rows[1][1] == '<time datetime="2024-10-27T02:30:00+01:00">zo 27 okt 2024 02:30 CET</time>'
    )
    assert rows[1][2:4] == ["2.469", "nee"]
    assert '<td class="num">1.234,5</td>' in page  # numbers right-aligned
    assert "Tijden in Gentse tijd (CET/CEST)." in page
    # field titles as headers, the id still there (and named for screen readers)
    th = re.search(r'<th scope="col" data-field="tijd_van_voltooien"[^>]*>(.*?)</th>', page, re.S)
    assert th is not None
    assert "Tijd van voltooien" in th.group(1) and "<code>tijd_van_voltooien</code>" in th.group(1)
    assert 'aria-label="Sorteer op Tijd van voltooien' in th.group(1)
    assert "true" not in "".join(sum(rows, [])) and "{" not in "".join(sum(rows, []))


def test_table_in_english(portal: TestClient) -> None:
    rows = cells(
        portal.get("/datasets/wijken", params={"p_sort": "tijd_van_voltooien", "lang": "en"}).text
    )
    assert rows[0][1:] == [
        '<time datetime="2024-10-27T02:30:00+02:00">Sun 27 Oct 2024 02:30 CEST</time>',
        "1,234.5",
        "yes",
        '<time datetime="2024-03-31">31 Mar 2024</time>',
        "area (4 points)",
    ]


def test_downloads_say_their_time_zone_and_offer_ghent_time(portal: TestClient) -> None:
    page = portal.get("/datasets/wijken").text
    links = re.findall(
        r'<a class="button" href="([^"]+)" download data-format="(\w+)"[^>]*>([^<]+)</a>', page
    )
    labels = {html.unescape(href): text for href, _, text in links}
    base = "/api/explore/v2.1/catalog/datasets/wijken/exports/"
    assert labels[base + "csv?timezone=Europe%2FBrussels"] == "CSV downloaden (Gentse tijd)"
    assert labels[base + "csv"] == "CSV downloaden (tijden in UTC)"
    assert labels[base + "xlsx?timezone=Europe%2FBrussels"] == "XLSX downloaden (Gentse tijd)"
    assert base + "geojson" in labels  # the data has shapes
    for href in labels:
        assert portal.get(href).status_code == 200, href
    english = portal.get("/datasets/wijken", params={"lang": "en"}).text
    assert "Download CSV (Ghent time)" in english and "Download CSV (times in UTC)" in english


def test_geojson_only_for_data_with_geometry(portal: TestClient) -> None:
    page = portal.get("/datasets/lijst").text
    assert "/exports/geojson" not in page
    assert "GeoJSON is er alleen voor gegevens met een locatie of vorm." in page
    assert "(tijden in UTC)" not in page and "CSV downloaden" in page  # no times: nothing to say
    # the export API itself is unchanged (Opendatasoft-compatible): features without geometry
    exported = portal.get("/api/explore/v2.1/catalog/datasets/lijst/exports/geojson")
    assert exported.status_code == 200
    assert [f["geometry"] for f in exported.json()["features"]] == [None, None]


def test_page_and_local_time_csv_agree(portal: TestClient) -> None:
    page = portal.get("/datasets/wijken", params={"p_sort": "tijd_van_voltooien"}).text
    shown = {html.unescape(re.sub("<[^>]+>", "", row[0])): row[1] for row in cells(page)}
    href = html.unescape(re.search(r'href="([^"]+/exports/csv\?timezone=[^"]+)"', page).group(1))  # type: ignore[union-attr]
    body = portal.get(href).content.decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(body), delimiter=";"))
    assert len(records) == 3
    for record in records:
        cell = shown[record["naam"]]
        machine = re.search(r'datetime="([^"]+)"', cell).group(1)  # type: ignore[union-attr]
        assert dt.datetime.fromisoformat(machine) == dt.datetime.fromisoformat(
            record["tijd_van_voltooien"]
        )
        # the same wall-clock time people read in the table
        wall = dt.datetime.fromisoformat(record["tijd_van_voltooien"]).strftime("%H:%M")
        assert f" {wall}" in cell
        assert record["tijd_van_voltooien"].endswith(("+01:00", "+02:00"))


@pytest.fixture
def big(platform: Platform, tmp_path: Path, client: TestClient) -> TestClient:
    rows = "\n".join(f"{i},{i % 7}" for i in range(10_050))
    ingest_file(
        platform,
        CLI_ADMIN,
        "groot",
        write(tmp_path / "g.csv", "nummer,rest\n" + rows + "\n"),
        metadata={"title_nl": "Groot"},
    )
    return client


def limit_notice(page: str) -> str | None:
    """The notice's text, or None when it is hidden."""
    match = re.search(
        r'<div class="table-limit" id="table-limit"( hidden)?>(.*?)</div>', page, re.S
    )
    assert match is not None, "the limit notice is always on the page (preview.js shows it)"
    return None if match.group(1) else " ".join(re.sub("<[^>]+>", " ", match.group(2)).split())


def test_paging_past_the_row_limit_says_why(big: TestClient) -> None:
    assert limit_notice(big.get("/datasets/groot").text) is None
    for start in ("9980", "99999999"):
        page = big.get("/datasets/groot", params={"p_start": start}).text
        notice = limit_notice(page)
        assert notice is not None
        assert (
            "De tabel toont de eerste 10.000 rijen. Filter om verder te zoeken, of download alles."
            in notice
        )
        assert 'href="#p_q"' in page and "CSV downloaden" in notice
        assert 'rel="next"' not in page
    english = limit_notice(
        big.get("/datasets/groot", params={"p_start": "9980", "lang": "en"}).text
    )
    assert english is not None and "The table shows the first 10,000 rows." in english


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "a\x00b", "é" * 600])
def test_hostile_filter_text_is_shown_escaped(portal: TestClient, q: str) -> None:
    response = portal.get("/datasets/wijken", params={"p_q": q})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
