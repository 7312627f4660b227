"""Portal pages over HTTP (no browser): what each page shows, language, the gate, and
hostile input. Browser checks (axe, keyboard, no JavaScript) are in test_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.portal.i18n import MESSAGES
from belfort.portal.render import STAFF_COOKIE
from belfort.publishing import ingest_file
from tests.helpers import add_organisations, counts_csv, write

TEMPLATES = Path(__file__).parents[2] / "src" / "belfort" / "portal" / "templates"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.html_lang = dict(attrs).get("lang")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> tuple[str, str | None]:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.html_lang


@pytest.fixture
def portal(platform: Platform, tmp_path: Path, client: TestClient) -> TestClient:
    add_organisations(platform, "Mobiliteitsbedrijf")
    ingest_file(platform, CLI_ADMIN, "fietstellingen", counts_csv(tmp_path),
                metadata={"title_nl": "Fietstellingen per uur", "title_en": "Hourly bike counts",
                          "description_nl": "Hoeveel fietsers passeren elk uur aan de telpalen.",
                          "organisation": "Stad Gent", "themes": ["TRAN"], "keywords": ["fiets", "mobiliteit"],
                          "licence": "CC0-1.0", "frequency": "hourly"})
    ingest_file(platform, CLI_ADMIN, "parkeergarages", write(tmp_path / "p.csv", "naam,vrij\nVrijdagmarkt,120\nSint-Michiels,80\n"),
                metadata={"title_nl": "Bezetting parkeergarages", "organisation": "Mobiliteitsbedrijf",
                          "themes": ["TRAN"], "keywords": ["parkeren"]})
    ingest_file(platform, CLI_ADMIN, "intern", write(tmp_path / "i.csv", "a,b\n1,2\n"),
                metadata={"title_nl": "Interne lijst", "classification": "internal",
                          "restriction_reason": "privacy",
                          "classification_reason": "personeelsgegevens"})
    return client


def test_home_shows_figures_themes_and_lists(portal: TestClient) -> None:
    response = portal.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    text, lang = text_of(response.text)
    assert lang == "nl"
    assert "Open data van de stad Gent" in text
    assert "2 datasets" in text and "2 organisaties" in text  # the internal one is not counted
    assert "Vervoer" in text  # theme TRAN in Dutch
    assert "Fietstellingen per uur" in text and "Interne lijst" not in text


def test_english_by_switch_and_cookie(portal: TestClient) -> None:
    response = portal.get("/?lang=en")
    text, lang = text_of(response.text)
    assert lang == "en" and "Open data of the City of Ghent" in text and "Transport" in text
    assert response.headers["content-language"] == "en"
    assert "belfort_lang=en" in response.headers["set-cookie"]
    text, lang = text_of(portal.get("/datasets/fietstellingen").text)  # the cookie keeps English
    assert lang == "en" and "Hourly bike counts" in text
    assert 'lang="nl"' in portal.get("/?lang=en").text  # the switch back is marked Dutch


def test_search_finds_filters_and_counts(portal: TestClient) -> None:
    text, _ = text_of(portal.get("/datasets", params={"q": "fiets"}).text)
    assert "1 dataset gevonden" in text and "Fietstellingen per uur" in text
    text, _ = text_of(portal.get("/datasets", params={"q": "parkeerggarage"}).text)  # a typo
    assert "Bezetting parkeergarages" in text
    page = portal.get("/datasets", params={"organisation": "Stad Gent"}).text
    text, _ = text_of(page)
    assert "1 dataset gevonden" in text and "Bezetting parkeergarages" not in text
    assert re.search(r'name="theme" value="TRAN"\s*>\s*Vervoer\s*<span class="count">\(1\)', page)
    assert "/api/explore/v2.1/catalog/datasets?limit=20&amp;refine=default.publisher%3AStad+Gent" in page


@pytest.mark.parametrize("params", [
    {"q": "x" * 60_000}, {"q": "\x00\u202e\U0001F6B2 é́"}, {"page": "abc"}, {"page": "-5"},
    {"page": str(10**30)}, {"sort": "'; drop table"}, {"theme": ["<script>", "x" * 5000]},
])
def test_search_survives_hostile_input(portal: TestClient, params: dict[str, object]) -> None:
    response = portal.get("/datasets", params=params)
    assert response.status_code == 200
    assert "<script>" not in response.text  # escaped


def test_dataset_page_shows_metadata_schema_downloads_and_snippets(portal: TestClient) -> None:
    response = portal.get("/datasets/fietstellingen")
    assert response.status_code == 200
    text, _ = text_of(response.text)
    for expected in ("dct:publisher", "Stad Gent", "dcat:keyword", "Creative Commons Zero-verklaring", "dct:accrualPeriodicity",
                     "elk uur", "telpunt", "tijdstip", "datetime", "Eerste versie"):
        assert expected in text, expected
    for fmt in ("csv", "json", "parquet", "xlsx"):
        assert f"/api/explore/v2.1/catalog/datasets/fietstellingen/exports/{fmt}" in response.text
    assert "/exports/geojson" not in response.text  # no geometry: no GeoJSON offered
    snippet = re.search(r'<code id="snippet-curl">curl &#34;(.+?)&#34;</code>', response.text)
    assert snippet is not None
    api = portal.get(snippet.group(1).replace("http://testserver", ""))  # the snippet's URL works
    assert api.status_code == 200 and api.json()["total_count"] == 5


def test_dataset_page_links_its_linked_data_views(portal: TestClient, staff_token: str) -> None:
    page = portal.get("/datasets/fietstellingen").text
    links = re.findall(r'<li><a href="(/(?:catalog|ldes|def|sparql)[^"]*)">', page)
    assert links == ["/catalog/datasets/fietstellingen.ttl", "/ldes/fietstellingen", "/def/fietstellingen.ttl",
                     "/sparql"]
    assert 'rel="alternate" type="text/turtle" href="/catalog/datasets/fietstellingen.ttl"' in page
    for link in links:  # each answers the public (the SPARQL endpoint with its form)
        accept = "text/html" if link == "/sparql" else "text/turtle"
        assert portal.get(link, headers={"Accept": accept}).status_code == 200, link
    portal.cookies.set(STAFF_COOKIE, staff_token)  # restricted: the views answer keys, not the cookie
    assert "/ldes/intern" not in portal.get("/datasets/intern").text


def test_preview_sorts_filters_and_pages(portal: TestClient) -> None:
    page = portal.get("/datasets/fietstellingen", params={"p_sort": "-aantal"}).text
    cells = re.findall(r'<td class="num">(\d+)</td>', page)
    assert cells[:2] == ["180", "120"]  # aantal descending
    assert 'aria-sort="descending"' in page
    text, _ = text_of(portal.get("/datasets/fietstellingen", params={"p_q": "Veldstraat"}).text)
    assert "Rijen 1 tot 2 van 2" in text
    text, _ = text_of(portal.get("/datasets/fietstellingen", params={"p_q": "aantal >= 100"}).text)
    assert "Rijen 1 tot 2 van 2" in text and "Veldstraat" not in text


@pytest.mark.parametrize("params", [
    {"p_q": "aantal >= 'abc'"}, {"p_q": "((((("}, {"p_sort": "nope"}, {"p_start": "x"}, {"p_start": "99999999"},
    {"p_q": "q" * 50_000},
])
def test_preview_refuses_bad_input_clearly(portal: TestClient, params: dict[str, str]) -> None:
    response = portal.get("/datasets/fietstellingen", params=params)
    assert response.status_code == 200


def test_version_history_says_what_changed(portal: TestClient, platform: Platform, tmp_path: Path) -> None:
    ingest_file(platform, CLI_ADMIN, "parkeergarages",
                write(tmp_path / "p2.csv", "naam,vrij,capaciteit\nVrijdagmarkt,120,600\nSint-Michiels,80,450\nLedeberg,5,300\n"))
    text, _ = text_of(portal.get("/datasets/parkeergarages").text)
    assert "1 rijen erbij" in text and "nieuwe velden: capaciteit" in text


def test_restricted_datasets_are_404_pages_for_the_public(portal: TestClient, admin_key: str,
                                                          staff_token: str) -> None:
    response = portal.get("/datasets/intern")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "personeelsgegevens" not in response.text
    portal.cookies.set(STAFF_COOKIE, staff_token)
    response = portal.get("/datasets/intern")
    assert response.status_code == 200 and "Interne lijst" in response.text
    text, _ = text_of(portal.get("/datasets", params={"classification": "internal"}).text)
    assert "1 dataset gevonden" in text
    portal.cookies.set(STAFF_COOKIE, "bfk_not-a-key")
    assert portal.get("/datasets/intern").status_code == 404
    portal.cookies.set(STAFF_COOKIE, admin_key)  # the key itself is not a session
    assert portal.get("/datasets/intern").status_code == 404


def test_api_errors_stay_json(portal: TestClient) -> None:
    response = portal.get("/api/belfort/v1/datasets/nope")
    assert response.status_code == 404 and response.headers["content-type"].startswith("application/json")


def test_security_txt_and_disclosure_page(portal: TestClient) -> None:
    body = portal.get("/.well-known/security.txt").text
    assert re.search(r"^Contact: mailto:", body, re.M) and re.search(r"^Expires: \d{4}-\d\d-\d\dT", body, re.M)
    assert "Policy: http://testserver/security" in body
    text, _ = text_of(portal.get("/security").text)
    assert "gecoördineerde openbaarmaking" in text


def test_api_page_lists_every_endpoint(portal: TestClient) -> None:
    page = portal.get("/api").text
    for path in portal.get("/openapi.json").json()["paths"]:
        assert f"<code>{path}</code>" in page, path


def test_every_text_exists_in_both_languages() -> None:
    assert MESSAGES["nl"].keys() == MESSAGES["en"].keys()
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+)["']""", template.read_text()))
    from belfort.portal.catalogue import FACETS, SORTS, STAFF_FACETS

    used |= {f"facet_{f}" for f in FACETS + STAFF_FACETS} | {f"sort_{s}" for s in SORTS}
    missing = {k for k in used if not k.endswith("_")} - MESSAGES["nl"].keys()  # "facet_" ~ name: above
    assert not missing, missing


def test_dataset_page_draws_a_chart_and_its_table(portal: TestClient) -> None:
    # a handful of records has no default chart (the table says it), but any chart can be asked for
    assert "geen vanzelfsprekende grafiek" in portal.get("/datasets/fietstellingen").text
    page = portal.get("/datasets/fietstellingen", params={"chart_x": "tijdstip", "chart_y": "aantal"}).text
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="bf-chart-', page)
    assert "De gegevens van de grafiek als tabel" in page
    bar = portal.get("/datasets/fietstellingen", params={
        "chart_mark": "bar", "chart_x": "telpunt", "chart_y": "aantal", "chart_agg": "sum"}).text
    assert re.search(r"<td>Korenmarkt</td><td>300</td>", bar)  # 120 + 180
    bad = portal.get("/datasets/fietstellingen", params={"chart_mark": "pie", "chart_x": "telpunt"})
    assert bad.status_code == 200 and 'class="error" role="alert"' in bad.text


def test_dataset_with_points_gets_a_map(ghent: Platform, tmp_path: Path) -> None:
    from belfort.app import create_app

    with TestClient(create_app(ghent)) as client:
        page = client.get("/datasets/fietstelpalen-gent").text
        assert 'class="bf-map" data-geojson-url="/datasets/fietstelpalen-gent/map.geojson?lang=nl"' in page
        assert "/static/vendor/leaflet/leaflet.js" in page and "/static/js/map.js" in page
        features = client.get("/datasets/fietstelpalen-gent/map.geojson").json()
        assert features["type"] == "FeatureCollection" and features["shown"] == len(features["features"]) > 0
        assert all(f["geometry"]["type"] == "Point" for f in features["features"])
        svg = client.get("/datasets/fietstelpalen-gent/map.svg")
        assert svg.headers["content-type"].startswith("image/svg+xml") and "<circle" in svg.text
        assert client.get("/datasets/intern-register/map.geojson").status_code == 404
        assert "bf-map" not in client.get("/datasets/druktebarometer-info").text  # no geometry, no map
