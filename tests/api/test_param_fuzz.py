"""Every route's integer and path parameters, fuzzed: whatever number or text a client puts
there, the answer is never a 500 (issue 11, item 9).

Routes are enumerated from the application itself — the OpenAPI document and the portal's
routers — so a new route is fuzzed without anyone adding it here. Each parameter is tried
with a fixed list of hostile values (numbers beyond 64 bits, negative, floats, Unicode
digits, NUL, dot segments, very long text) and then with hypothesis' own draws, as an
anonymous caller and with an admin key; the staff pages' forms and the admin POSTs too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import counts_csv

HOSTILE_INTEGERS = [2**63, 2**63 - 1, -(2**63) - 1, 2**64, 10**30, -(10**30), 2**31, -1, 0, 1]
HOSTILE_TEXT = [
    *(str(n) for n in HOSTILE_INTEGERS),
    "9" * 5000, "1.5", "1e3", "-0", "+1", " 1 ", "1_000", "0x10", "NaN", "inf", "∞",
    "١٢٣", "１２", "²", "%00", "\x00", "..", "../..", "%2e%2e", "%2F", "/", "\\", "",
    "x" * 3000, "é", "'; DROP TABLE datasets; --", "\u202e", "{}", "[]", "null", "true",
]
# query parameters that hold numbers somewhere (declared or read by a portal page)
NUMERIC_QUERY = {"start", "rows", "limit", "offset", "page", "page_size", "p_start", "version",
                 "maxpoints"}
PORTAL_QUERY = ["page", "p_start", "version"]
REAL = {"dataset_id": "tellingen", "number": "1", "fmt": "csv", "format": "csv", "extension": "ttl",
        "page": "1", "service_name": "explore-v2.1", "tab": "table"}
METHODS = {"GET", "POST", "PATCH"}


def app_routes() -> list[tuple[str, str, frozenset[str], bool]]:
    """(method, path, integer query parameter names, in the API document) of every route:
    the OpenAPI document's operations, then the routes it leaves out (portal, staff)."""
    app = create_app(platform=None)
    found: list[tuple[str, str, frozenset[str], bool]] = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            numeric = frozenset(
                p["name"] for p in operation.get("parameters", [])
                if p.get("in") == "query" and _schema_type(p.get("schema", {})) == "integer"
            )
            numeric |= NUMERIC_QUERY & _names(operation)
            found.append((method.upper(), path, numeric, True))

    def walk(routes: list[Any]) -> Iterator[APIRoute]:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                yield from walk(inner.routes)
            elif isinstance(route, APIRoute) and not route.include_in_schema:
                yield route

    for route in walk(list(app.routes)):
        for method in sorted(route.methods & METHODS):
            found.append((method, route.path, frozenset(), False))
    return sorted(set(found))


def _schema_type(schema: dict[str, Any]) -> str | None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") in {"integer", "array"}:
            return "integer" if option["type"] == "integer" or option.get("items", {}).get(
                "type") == "integer" else None
    return None


def _names(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}


ROUTES = app_routes()
assert len(ROUTES) > 60, "the route enumeration found too few routes"


def path_names(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def fill(path: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        return quote(values.get(name, REAL.get(name, "x")), safe="")
    return re.sub(r"{(\w+)}", one, path)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """One open dataset with two versions and an internal one; a client and an admin key."""
    root = tmp_path_factory.mktemp("fuzz")
    database = f"sqlite:///{root / 'c.sqlite'}"
    platform = Platform(Settings(data_dir=root / "data", database_url=database,
                                 quota_per_address=0))
    files = root / "files"
    files.mkdir()
    for _ in range(2):
        ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(files), metadata={"title_nl": "T"})
    ingest_file(platform, CLI_ADMIN, "intern", counts_csv(files, "intern.csv"), metadata={
        "title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                            "classification_reason": "test"})
    with platform.db.session() as session:
        key = create_key(session, "fuzz admin").secret
    try:
        with TestClient(create_app(platform), raise_server_exceptions=False) as client:
            yield client, {"Authorization": f"Bearer {key}"}
    finally:
        platform.close()


def call(client: TestClient, method: str, url: str, params: dict[str, str],
         headers: dict[str, str]) -> int:
    if method == "GET":
        response = client.get(url, params=params, headers=headers, follow_redirects=False)
    else:
        response = client.request(method, url, params=params, headers=headers, content=b"{}",
                                  follow_redirects=False)
    assert response.status_code < 500 or response.status_code == 503, (
        method, url, params, response.status_code, response.text[:500])
    return response.status_code


def _ids(route: tuple[str, str, frozenset[str], bool]) -> str:
    return f"{route[0]} {route[1]}"


FUZZED = [r for r in ROUTES if path_names(r[1]) or r[2] or not r[3]]


@pytest.mark.parametrize("route", FUZZED, ids=_ids)
def test_hostile_values_in_every_parameter_are_never_a_500(
    world: tuple[TestClient, dict[str, str]], route: tuple[str, str, frozenset[str], bool]
) -> None:
    client, admin = world
    method, path, numeric, documented = route
    query_names = sorted(numeric) if documented else PORTAL_QUERY
    for i, value in enumerate(HOSTILE_TEXT):
        # the numbers with an admin key (which passes the gate, so they reach the catalogue)
        # and anonymously; other text alternately
        for headers in ([admin, {}] if i < len(HOSTILE_INTEGERS) else [(admin, {})[i % 2]]):
            for name in path_names(path):
                call(client, method, fill(path, {name: value}), {}, headers)
            for name in query_names:
                call(client, method, fill(path, {}), {name: value}, headers)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_values_in_parameters_are_never_a_500(
    world: tuple[TestClient, dict[str, str]], data: st.DataObject
) -> None:
    client, admin = world
    method, path, numeric, documented = data.draw(st.sampled_from(FUZZED))
    value = st.one_of(st.integers().map(str), st.integers(-(2**70), 2**70).map(str),
                      st.floats().map(str), st.text(max_size=40), st.sampled_from(HOSTILE_TEXT))
    paths = {name: data.draw(value) for name in path_names(path) if data.draw(st.booleans())}
    names = sorted(numeric) if documented else PORTAL_QUERY
    params = {name: data.draw(value) for name in names if data.draw(st.booleans())}
    call(client, method, fill(path, paths), params, data.draw(st.sampled_from([{}, admin])))


@pytest.mark.parametrize("number", [str(2**63), str(-(2**63) - 1), str(2**64), "1" + "0" * 30])
@pytest.mark.parametrize(("method", "url", "param"), [
    ("GET", "/api/records/1.0/search/?dataset=tellingen", "start"),
    ("GET", "/api/records/1.0/search/?dataset=tellingen", "rows"),
    ("GET", "/api/datasets/1.0/search/", "rows"),
    ("GET", "/api/datasets/1.0/search/", "start"),
    ("GET", "/api/belfort/v1/datasets/tellingen/records", "version"),
    ("GET", "/api/belfort/v1/datasets/tellingen/exports/csv", "version"),
    ("GET", "/api/belfort/v1/datasets/tellingen/versions/{n}", None),
    ("POST", "/api/belfort/v1/datasets/tellingen/versions/{n}/publish", None),
    ("GET", "/api/belfort/v1/audit", "cursor"),
    ("GET", "/api/belfort/v1/audit", "limit"),
])
def test_the_probes_numbers_beyond_64_bits_are_a_4xx(
    world: tuple[TestClient, dict[str, str]], number: str, method: str, url: str, param: str | None
) -> None:
    """The probe's list: each was a 500 (SQLite overflow) before."""
    client, admin = world
    url, _, dataset = url.partition("?dataset=")
    params = {"dataset": dataset} if dataset else {}
    if param:
        params[param] = number
    status = call(client, method, url.replace("{n}", number), params, admin)
    assert 400 <= status < 500


def test_the_staff_publish_form_refuses_a_huge_version(world: tuple[TestClient, dict[str, str]],
                                                       tmp_path: Path) -> None:
    client, admin = world
    key = admin["Authorization"].removeprefix("Bearer ")
    token = _csrf(client.get("/staff").text)
    signed_in = client.post("/staff/sign-in", data={"csrf": token, "key": key},
                            follow_redirects=False)
    assert signed_in.status_code in (302, 303)
    page = client.get("/staff/datasets/tellingen")
    response = client.post("/staff/datasets/tellingen", data={
        "csrf": _csrf(page.text), "action": "publish", "version": str(2**63)},
        follow_redirects=False)
    assert 400 <= response.status_code < 500, response.text[:300]
    client.cookies.clear()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.mark.parametrize("value", ["9999", "9999/12", "9999/12/31", "0000", "0001/01/01", "2024/13",
                                   "2024/02/30", "١٢٣٤", "9999-12-31", "2024/00"])
def test_date_refinements_at_the_calendars_edges_are_never_a_500(
    world: tuple[TestClient, dict[str, str]], value: str
) -> None:
    """A sibling found while fuzzing: ``refine.<date>=9999`` computed the year after 9999."""
    client, _ = world
    for url, params in [
        ("/api/records/1.0/search/", {"dataset": "tellingen", "refine.tijdstip": value}),
        ("/api/records/1.0/download/", {"dataset": "tellingen", "exclude.tijdstip": value}),
        ("/api/explore/v2.1/catalog/datasets/tellingen/records", {"refine": f"tijdstip:{value}"}),
        ("/api/explore/v2.1/catalog/datasets/tellingen/facets", {"exclude": f"tijdstip:{value}"}),
        ("/explore/dataset/tellingen/table/", {"refine.tijdstip": value}),
        ("/datasets/tellingen", {"p_q": value}),
    ]:
        call(client, "GET", url, params, {})
