"""The Opendatasoft portal's page URLs redirect to Belfort's own pages (belfort.portal.explore_urls)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.portal.explore_urls import TABS
from belfort.publishing import ingest_file
from tests.helpers import write

# a geo point, so the dataset page has a map section as well
COUNTS = (
    "telpunt;tijdstip;aantal;open;locatie\n"
    "Korenmarkt;2024-03-01 13:00:00;120;ja;51.0547,3.7215\n"
    "Korenmarkt;2024-03-01 14:00:00;180;nee;51.0547,3.7215\n"
    "Veldstraat;2024-03-01 13:00:00;80;ja;51.0510,3.7220\n"
)
SECTIONS = {"information": "metadata", "table": "preview", "map": "map", "analyze": "chart",
            "export": "download", "api": "api"}


@pytest.fixture
def data(platform: Platform, tmp_path: Path) -> Platform:
    source = write(tmp_path / "tellingen.csv", COUNTS)
    ingest_file(platform, CLI_ADMIN, "tellingen", source, metadata={"title_nl": "Tellingen", "themes": ["TRAN"]},
                overrides={"locatie": "geopoint"})
    ingest_file(platform, CLI_ADMIN, "intern", source, overrides={"locatie": "geopoint"}, metadata={
        "title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                            "classification_reason": "bevat namen"})
    return platform


def _location(client: TestClient, path: str, **kwargs: object) -> tuple[str, str, dict[str, list[str]], str]:
    r = client.get(path, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
    assert r.status_code == 301, (path, r.status_code, r.text[:200])
    parts = urlsplit(r.headers["location"])
    return parts.path, parts.fragment, parse_qs(parts.query), r.headers["cache-control"]


def test_every_tab_is_covered() -> None:
    assert SECTIONS == TABS


@pytest.mark.parametrize("tab", sorted(SECTIONS))
@pytest.mark.parametrize("slash", ["", "/"])
def test_each_tab_redirects_to_its_section(client: TestClient, data: Platform, tab: str, slash: str) -> None:
    path, fragment, query, cache = _location(client, f"/explore/dataset/tellingen/{tab}{slash}")
    assert (path, fragment, query) == ("/datasets/tellingen", SECTIONS[tab], {})
    assert cache == "public, max-age=86400"
    # and the section exists on the page it points to
    page = client.get(path)
    assert page.status_code == 200 and f'id="{SECTIONS[tab]}"' in page.text


@pytest.mark.parametrize("slash", ["", "/"])
def test_the_dataset_itself(client: TestClient, data: Platform, slash: str) -> None:
    assert _location(client, f"/explore/dataset/tellingen{slash}")[:3] == ("/datasets/tellingen", "", {})


def test_query_refine_and_sort_become_the_preview_filter(client: TestClient, data: Platform) -> None:
    path, fragment, query, _ = _location(
        client, "/explore/dataset/tellingen/table/?q=Korenmarkt&refine.tijdstip=2024/03&exclude.open=nee"
                "&sort=aantal&disjunctive.telpunt=true&location=13,51.05,3.72")
    assert (path, fragment) == ("/datasets/tellingen", "preview")
    assert query["p_q"] == ["(Korenmarkt) AND tijdstip:2024/03 AND NOT #exact(open,\"nee\")"]
    assert query["p_sort"] == ["-aantal"]  # Opendatasoft's "aantal" is descending
    assert set(query) == {"p_q", "p_sort"}  # nothing else survives
    # the page answers that filter through the same engine
    page = client.get(f"{path}?p_q=(Korenmarkt) AND tijdstip:2024/03&p_sort=-aantal")
    assert page.status_code == 200 and "Veldstraat" not in page.text.split('id="preview"')[1].split("</table>")[0]
    ascending = _location(client, "/explore/dataset/tellingen/table/?sort=-aantal")[2]
    assert ascending == {"p_sort": ["aantal"]}
    only_q = _location(client, "/explore/dataset/tellingen/?q=graslei")[2]
    assert only_q == {"p_q": ["graslei"]}


def test_values_that_cannot_be_written_are_dropped(client: TestClient, data: Platform) -> None:
    query = _location(client, '/explore/dataset/tellingen/table/?refine.telpunt=a"b&refine.1x=y&sort=a;drop')[2]
    assert query == {}


def test_catalogue(client: TestClient, data: Platform) -> None:
    for path in ("/explore", "/explore/"):
        assert _location(client, path)[:3] == ("/datasets", "", {})
    path, _, query, _ = _location(
        client, "/explore/?q=parkeren&refine.theme=Mobiliteit&refine.publisher=Stad+Gent&refine.keyword=fiets"
                "&refine.license=CC0&sort=modified&disjunctive.theme=true")
    assert path == "/datasets"
    assert query == {"q": ["parkeren"], "theme": ["TRAN"], "organisation": ["Stad Gent"], "keyword": ["fiets"],
                     "licence": ["CC0"], "sort": ["newest"]}
    assert _location(client, "/explore/?refine.theme=TRAN")[2] == {"theme": ["TRAN"]}
    assert client.get("/explore/?refine.theme=Mobiliteit").status_code == 200  # followed: the search page


def test_unknown_tabs_are_404(client: TestClient, data: Platform) -> None:
    for tab in ("nope", "embed", "custom", "..", "table.json"):
        r = client.get(f"/explore/dataset/tellingen/{tab}/", follow_redirects=False)
        assert r.status_code == 404, tab


@pytest.mark.parametrize("dataset_id", ["intern", "bestaat-niet", "nul%00byte", "x" * 300, "HOOFDLETTERS",
                                        "%3Cscript%3E", "..%2F..%2Fstaff"])
@pytest.mark.parametrize("tab", ["", "table/", "information", "export/"])
def test_restricted_and_hostile_ids_are_404_for_the_public(client: TestClient, data: Platform,
                                                           dataset_id: str, tab: str) -> None:
    r = client.get(f"/explore/dataset/{dataset_id}/{tab}", follow_redirects=False)
    assert r.status_code == 404, (dataset_id, tab, r.status_code)
    assert "bevat namen" not in r.text and "location" not in r.headers


def test_staff_are_sent_to_an_internal_dataset_privately(client: TestClient, data: Platform,
                                                         staff_token: str) -> None:
    client.cookies.set("belfort_staff", staff_token)
    try:
        path, fragment, _, cache = _location(client, "/explore/dataset/intern/map/")
    finally:
        client.cookies.clear()
    assert (path, fragment) == ("/datasets/intern", "map")
    assert cache == "private, no-store"
