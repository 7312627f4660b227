"""Link injection (issue 11, item 11): a path such as ``//evil.example/x`` must not become a
link to another site in the answer — not in the language switch, the paging and sorting
links, a redirect's ``Location`` or any other header.

The requests are sent raw over HTTP (``http.client``), so the server sees exactly the path
an attacker would send; a client library would normalise some of them away.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv, live_server

HOSTILE_PATHS = [
    "//evil.example/x",
    "//evil.example",
    "///evil.example/x",
    "/\\evil.example/x",
    "/\\/evil.example",
    "/%2F%2Fevil.example",
    "/%2F%2Fevil.example/x",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/datasets/%2F%2Fevil.example",
    "/datasets//evil.example",
    "//evil.example/datasets?page=2",
    "//evil.example/datasets/tellingen?p_start=0",
    "//evil.example/catalog",
    "/catalog/datasets/%2F%2Fevil.example",
    "//evil.example/api/explore/v2.1/catalog/datasets/tellingen/records?include_links=true",
    "/%09/evil.example",
    "/%2Fevil.example/",
    "//evil.example/x/",
    "//evil.example/verwerkingsregister?page=1",
]
# a page where everything about the path is legitimate but the query string is hostile
HOSTILE_QUERIES = [
    "/datasets?page=2&q=%2F%2Fevil.example",
    "/datasets/tellingen?p_sort=//evil.example&p_start=20",
]
LINK_ATTRIBUTE = re.compile(r'\b(?:href|src|action|formaction)\s*=\s*"([^"]*)"', re.IGNORECASE)
LINK_HEADERS = ("location", "content-location", "link", "refresh")


@pytest.fixture
def base(platform: Platform, tmp_path: Path) -> Iterator[str]:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "T"})
    with live_server(platform) as url:
        yield url


def raw_get(base: str, path: str, accept: str = "text/html") -> tuple[int, dict[str, str], str]:
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.putheader("Accept", accept)
        connection.endheaders()
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def off_site(link: str, own_host: str) -> bool:
    """Whether a link, followed from one of our pages, leaves the site."""
    link = link.strip().replace("&amp;", "&")
    if link.startswith(("#", "?")) or link == "":
        return False
    if re.match(r"^[\s/\\]*[/\\][\s]*[/\\]", link):  # // or /\ or \\: another host
        return True
    if link.startswith("/"):
        return False
    parts = urlsplit(link)
    if parts.scheme in ("http", "https"):
        return parts.hostname != own_host
    if parts.scheme in ("mailto", "data"):
        return False
    return parts.scheme != ""  # javascript: and other schemes; relative links stay here


def links_in(headers: dict[str, str], body: str) -> list[str]:
    links = LINK_ATTRIBUTE.findall(body)
    for name in LINK_HEADERS:
        value = headers.get(name)
        if value:
            links += re.findall(r"<([^>]*)>", value) if name == "link" else [value]
    if body.lstrip().startswith("{"):
        links += re.findall(r'"href"\s*:\s*"([^"]*)"', body)
    return links


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("accept", ["text/html", "application/json", "text/turtle"])
def test_no_link_in_any_answer_points_off_site(base: str, accept: str) -> None:
    host = urlsplit(base).hostname or ""
    for path in HOSTILE_PATHS + HOSTILE_QUERIES:
        for query in ("", "?lang=en"):
            target = path + (query if "?" not in path else query.replace("?", "&"))
            status, headers, body = raw_get(base, target, accept)
            assert status < 500, (target, status, body[:300])
            bad = [link for link in links_in(headers, body) if off_site(link, host)]
            assert not bad, (target, status, bad)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_404_pages_language_switch_stays_on_the_site(base: str) -> None:
    status, _, body = raw_get(base, "//evil.example/x")
    assert status == 404
    switch = re.search(r'<a href="([^"]*)" lang="en"', body)
    assert switch, body[:2000]
    assert switch.group(1).startswith("/") and not switch.group(1).startswith("//"), switch.group(1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_self_links_keep_the_route_and_the_query(base: str) -> None:
    """Rebuilt from the route, a page's links still go where they went before."""
    _, _, body = raw_get(base, "/datasets?page=1&q=tellingen")
    switch = re.search(r'<a href="([^"]*)" lang="en"', body)
    assert switch
    assert switch.group(1).replace("&amp;", "&") == "/datasets?page=1&q=tellingen&lang=en"
    _, _, body = raw_get(base, "/datasets/tellingen?p_start=0")
    switch = re.search(r'<a href="([^"]*)" lang="en"', body)
    assert switch
    assert switch.group(1).replace("&amp;", "&") == "/datasets/tellingen?p_start=0&lang=en"
