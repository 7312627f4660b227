"""One question, one answer: the same words find the same datasets, in the same order, on the
portal's search page, behind its "the same search as an API call" link, in the native API, in
Opendatasoft v1 dataset search and in Explore v2.1 ``catalog/datasets`` (and its exports and
facets) — for the public and for an admin key, who also sees internal and draft datasets.

The catalogue is the demo catalogue (``belfort demo``, small) plus the recorded Ghent datasets
(``tests.ghent_fixtures``): bike counters, Blue-bike, parking garages, park-and-ride, a crowd
gauge, and one internal dataset.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.demo.loader import load_demo
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.portal.render import STAFF_COOKIE
from belfort.settings import Settings
from tests.ghent_fixtures import load_ghent
from tests.helpers import staff_session

PARKING = {"bezetting-parkeergarages-demo", "bezetting-parkeergarages-real-time"}
BLUE_BIKE = {"blue-bike-deelfietsen-gent-dampoort", "blue-bike-deelfietsen-merelbeke-drongen-wondelgem",
             "blue-bike-deelfietsen-gent-sint-pieters-m-hendrikaplein",
             "blue-bike-deelfietsen-gent-sint-pieters-st-denijslaan"}
CROWDS = {"druktebarometer-info", "telpunten-drukte-gent", "passantentellingen-gent-demo"}
DRAFT = "luchtkwaliteit-sensoren-demo"  # a draft: staff only
INTERNAL = "meldingen-openbaar-domein-intern"  # classified internal: staff only

# (query, datasets every audience must find, datasets only an admin finds, what the row tests).
# The ids are what a person would expect from the titles and keywords; the test's point is that
# every dialect gives the same list, the expectations keep it from passing on empty lists.
QUERIES: list[tuple[str, set[str], set[str], str]] = [
    ("parking", PARKING, set(), "English word and synonym of parkeergarage"),
    ("drukte", CROWDS, set(), "Dutch keyword"),
    ("parkeeren", PARKING, set(), "typo of parkeren"),
    ("fietstelpaal", {"fietstelpalen-gent"}, set(), "Dutch plural by stem"),
    ("fiets", {"fietstelpalen-gent"} | BLUE_BIKE, set(), "start of compounds (fietstelpalen, deelfietsen)"),
    ("crowd", CROWDS, set(), "English synonym of drukte"),
    ("buurt", {"stadswijken-gent-demo"}, set(), "synonym of wijk, a compound head (stadswijken)"),
    ("pedestrian counts", {"passantentellingen-gent-demo", "passantentellingen-auckland"}, set(),
     "two English words"),
    ("parkeergarages gent", PARKING, {INTERNAL}, "two words, some datasets match one"),
    ("STADSWÍJKEN", {"stadswijken-gent-demo"}, set(), "case and accents"),
    ("luchtkwaliteit", set(), {DRAFT}, "only in a draft"),
    ("realtime", {"bezetting-parkeergarages-demo"}, set(), "two words written together"),
    ("", PARKING | BLUE_BIKE | CROWDS, {DRAFT, INTERNAL, "intern-register"}, "empty: everything"),
    ("xyzzyq", set(), set(), "no hits"),
]


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, str]]:
    root = tmp_path_factory.mktemp("one-answer")
    platform = Platform(Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'catalog.sqlite'}",
                                 quota_per_address=0, quota_per_key=0))
    try:
        for _line in load_demo(platform, size="small"):
            pass
        load_ghent(platform, root)
        with platform.db.session() as session:
            key = create_key(session, "search test admin").secret
        with TestClient(create_app(platform)) as client:
            yield client, key, staff_session(platform, key)
    finally:
        platform.close()


def ok(client: TestClient, url: str, params: object = None, **kwargs: object) -> object:
    response = client.get(url, params=params, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, (url, params, response.text[:500])
    return response


CARD = re.compile(r'<li class="card">\s*<h3><a href="/datasets/([^"]+)"')
API_LINK = re.compile(r'<p class="api-link"><a href="([^"]+)"')
PAGES = re.compile(r'rel="next"')


def portal(client: TestClient, query: str, staff_token: str | None) -> tuple[list[str], str]:
    """Every dataset the search page lists for ``query`` (all pages, in order) and its API link."""
    cookies = {STAFF_COOKIE: staff_token} if staff_token else {}
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    try:
        ids: list[str] = []
        link = ""
        for page in range(1, 20):
            text = ok(client, "/datasets", {"q": query, "page": page}).text  # type: ignore[attr-defined]
            ids += CARD.findall(text)
            link = link or html.unescape(API_LINK.search(text).group(1))  # type: ignore[union-attr]
            if not PAGES.search(text):
                return ids, link
        raise AssertionError("too many pages")
    finally:
        client.cookies.clear()


def api_link(client: TestClient, link: str, headers: dict[str, str]) -> list[str]:
    """The portal's link, followed with a limit that takes every match."""
    parts = urlsplit(link)
    params = [(k, "100" if k == "limit" else v) for k, v in parse_qsl(parts.query)]
    body = ok(client, parts.path + "?" + urlencode(params), headers=headers).json()  # type: ignore[attr-defined]
    assert body["total_count"] == len(body["results"])
    return [d["dataset_id"] for d in body["results"]]


def native(client: TestClient, query: str, headers: dict[str, str]) -> list[str]:
    body = ok(client, "/api/belfort/v1/datasets", {"q": query, "limit": 1000}, headers=headers).json()  # type: ignore[attr-defined]
    assert body["total_count"] == len(body["datasets"])
    return [d["id"] for d in body["datasets"]]


def v1(client: TestClient, query: str, headers: dict[str, str]) -> list[str]:
    body = ok(client, "/api/datasets/1.0/search/", {"q": query, "rows": 1000}, headers=headers).json()  # type: ignore[attr-defined]
    assert body["nhits"] == len(body["datasets"])
    return [d["datasetid"] for d in body["datasets"]]


def v2(client: TestClient, params: dict[str, str], headers: dict[str, str]) -> list[str]:
    body = ok(client, "/api/explore/v2.1/catalog/datasets", {**params, "limit": 100}, headers=headers).json()  # type: ignore[attr-defined]
    assert body["total_count"] == len(body["results"])
    return [d["dataset_id"] for d in body["results"]]


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.parametrize("audience", ["anonymous", "admin"])
@pytest.mark.parametrize(("query", "everyone", "staff_only", "why"), QUERIES, ids=[q[3] for q in QUERIES])
def test_the_same_words_find_the_same_datasets_everywhere(
    catalogue: tuple[TestClient, str, str], query: str, everyone: set[str], staff_only: set[str], why: str,
    audience: str,
) -> None:
    client, key, staff_token = catalogue
    admin = audience == "admin"
    headers = {"Authorization": f"Bearer {key}"} if admin else {}
    page, link = portal(client, query, staff_token if admin else None)
    answers = {
        "portal search page": page,
        "portal's API link": api_link(client, link, headers),
        "native ?q=": native(client, query, headers),
        "v1 datasets search ?q=": v1(client, query, headers),
    }
    if query:
        answers["v2.1 where=search()"] = v2(client, {"where": f"search({quoted(query)})"}, headers)
        answers["v2.1 bare-string where"] = v2(client, {"where": quoted(query)}, headers)
        answers["v2.1 q="] = v2(client, {"q": query}, headers)
    else:
        answers["v2.1 no where"] = v2(client, {}, headers)
    exported = ok(client, "/api/explore/v2.1/catalog/exports/json",
                  {"where": f"search({quoted(query)})"} if query else {}, headers=headers).json()  # type: ignore[attr-defined]
    answers["v2.1 catalog/exports/json"] = [d["dataset_id"] for d in exported]

    found = set(page)
    assert everyone <= found, f"{query!r} ({why}) misses {everyone - found}"
    if admin:
        assert staff_only <= found, f"{query!r}: an admin misses {staff_only - found}"
    else:
        assert not found & staff_only, f"{query!r}: the public sees {found & staff_only}"
    if not everyone and not staff_only:
        assert found == set()
    for name, ids in answers.items():
        assert len(ids) == len(set(ids)), f"{name} lists a dataset twice"
        assert set(ids) == found, f"{query!r}: {name} differs from the portal: {sorted(set(ids) ^ found)}"
        if query:  # relevance order is the service's, the same everywhere
            assert ids == page, f"{query!r}: {name} orders differently from the portal"
    if not query:  # no words: the portal lists by title, every API by dataset id
        api_orders = [ids for name, ids in answers.items() if not name.startswith("portal search")]
        assert all(ids == sorted(found) for ids in api_orders)

    # the catalogue's facets count exactly these datasets
    facets = ok(client, "/api/explore/v2.1/catalog/facets",
                {"facet": "publisher", **({"where": f"search({quoted(query)})"} if query else {})},
                headers=headers).json()  # type: ignore[attr-defined]
    counted = {f["name"]: f["count"] for f in facets["facets"][0]["facets"]}
    listed = ok(client, "/api/explore/v2.1/catalog/datasets",
                {"limit": 100, **({"where": f"search({quoted(query)})"} if query else {})}, headers=headers).json()  # type: ignore[attr-defined]
    publishers = Counter(d["metas"]["default"]["publisher"] for d in listed["results"]
                         if d["metas"]["default"]["publisher"])
    assert counted == dict(publishers)


def test_the_portal_link_keeps_facets_and_sort(catalogue: tuple[TestClient, str, str]) -> None:
    client, _, _ = catalogue
    text = ok(client, "/datasets", {"q": "gent", "organisation": "Stad Gent", "sort": "title"}).text  # type: ignore[attr-defined]
    page = CARD.findall(text)
    link = html.unescape(API_LINK.search(text).group(1))  # type: ignore[union-attr]
    assert "refine=default.publisher%3AStad+Gent" in link and "order_by=title" in link
    assert page and api_link(client, link, {}) == page


def test_refine_is_the_same_filter_in_v1_v2_and_the_portal(catalogue: tuple[TestClient, str, str]) -> None:
    client, _, _ = catalogue
    portal_ids = set(CARD.findall(ok(client, "/datasets", {"q": "fiets", "theme": "TRAN"}).text))  # type: ignore[attr-defined]
    assert "fietstelpalen-gent" in portal_ids
    v1_ids = {d["datasetid"] for d in ok(client, "/api/datasets/1.0/search/",
                                         {"q": "fiets", "refine.theme": "TRAN"}).json()["datasets"]}  # type: ignore[attr-defined]
    v2_ids = set(v2(client, {"where": 'search("fiets")', "refine": "theme:TRAN"}, {}))
    native_ids = set(native_ids_of(client, {"q": "fiets", "theme": "TRAN"}))
    assert portal_ids == v1_ids == v2_ids == native_ids


def native_ids_of(client: TestClient, params: dict[str, str]) -> list[str]:
    return [d["id"] for d in ok(client, "/api/belfort/v1/datasets", params).json()["datasets"]]  # type: ignore[attr-defined]
