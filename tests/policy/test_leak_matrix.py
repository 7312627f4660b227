"""Issue 14, item 4: the leak matrix. Every GET route of the application (the APIs, linked
data, the portal, the staff pages, SensorThings, dashboards) × every restricted dataset ×
every kind of principal: nothing of a dataset a principal may not read — no value, no title,
no field name, no count — appears in any answer, and a dataset it may not see answers
exactly as one that does not exist. A route the matrix does not know fails
``test_every_get_route_is_in_the_matrix``.

Every restricted thing carries markers that occur nowhere else, not even in a URL the test
asks for: ``t<id>`` in a dataset's title, ``v<id>`` in its rows, ``r<id>`` in the reason it
is not open, and ``qzvgeheimveld`` as the name of a confidential field in an open dataset
(its values ``qzvgeheimwaarde``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.keys import create_key
from belfort.policy.policies import store_policy
from belfort.policy.principals import CLI_ADMIN, Role
from belfort.publishing import classify_field, ingest_file
from belfort.streams.sensors import SensorSpec, register_sensor
from tests.helpers import write
from tests.policy.test_gate_endpoints import CALLS

# dataset id → (classification, draft); each is restricted for somebody
RESTRICTED = {
    "qzvintern": ("internal", False),
    "qzvvertrouwelijk": ("confidential", False),
    "qzvstrikt": ("strictly-confidential", False),
    "qzvontwerp": ("open", True),
}
SECRET_FIELD = "qzvgeheimveld"
SECRET_VALUE = "qzvgeheimwaarde"


def markers(dataset_id: str) -> set[str]:
    """The markers of a restricted dataset (a reason only where it is not open)."""
    reason = {f"r{dataset_id}"} if RESTRICTED[dataset_id][0] != "open" else set()
    return {f"t{dataset_id}", f"v{dataset_id}"} | field_markers(dataset_id) | reason


def field_markers(dataset_id: str) -> set[str]:
    """A field of its own (``f<id>``) with values ``x<id>``: what a policy's field subset
    holds back (the granted principal below)."""
    return {f"f{dataset_id}", f"x{dataset_id}"}


def rows_csv(dataset_id: str, secret: bool = False) -> str:
    head = f"telpunt;tijdstip;aantal;f{dataset_id}" + (f";{SECRET_FIELD}" if secret else "")
    lines = [head]
    for i, place in enumerate(("Korenmarkt", "Veldstraat", "Graslei")):
        line = f"{place} v{dataset_id};2024-03-01 1{i}:00:00;{100 + i};x{dataset_id}{i}"
        lines.append(line + (f";{SECRET_VALUE}{i}" if secret else ""))
    return "\n".join(lines) + "\n"


# Routes that name no dataset: how to call them (several URLs where a parameter matters).
WIDE: dict[str, list[str]] = {
    "/": ["/"], "/about": ["/about"], "/api": ["/api"], "/api/console": ["/api/console"],
    "/api/": ["/api/"], "/health": ["/health"], "/openapi.json": ["/openapi.json"],
    "/security": ["/security"], "/.well-known/security.txt": ["/.well-known/security.txt"],
    "/datasets": ["/datasets", "/datasets?q=qzv", "/datasets?q=geheimveld",
                  "/datasets?q=Korenmarkt"],
    "/explore": ["/explore"], "/explore/": ["/explore/?q=qzv"],
    "/organisations": ["/organisations"], "/organisations/{key}": ["/organisations/stad-gent"],
    "/transparantie": ["/transparantie"], "/maps/base.geojson": ["/maps/base.geojson"],
    "/verwerkingsregister": ["/verwerkingsregister"],
    "/verwerkingsregister/{activity_id}": ["/verwerkingsregister/bestaat-niet"],
    "/dashboards": ["/dashboards"], "/dashboards/{dashboard_id}": ["/dashboards/gent"],
    "/dashboards/{dashboard_id}/tiles/{tile_id}": ["/dashboards/gent/tiles/drukte"],
    "/api/belfort/v1/datasets": ["/api/belfort/v1/datasets?limit=100",
                                 "/api/belfort/v1/datasets?q=qzv"],
    "/api/belfort/v1/organisations": ["/api/belfort/v1/organisations"],
    "/api/belfort/v1/organisations/{slug}": ["/api/belfort/v1/organisations/stad-gent"],
    "/api/belfort/v1/processing-activities": ["/api/belfort/v1/processing-activities"],
    "/api/belfort/v1/processing-activities/{activity_id}":
        ["/api/belfort/v1/processing-activities/bestaat-niet"],
    "/api/belfort/v1/transparency": ["/api/belfort/v1/transparency"],
    "/api/belfort/v1/access-requests": ["/api/belfort/v1/access-requests"],
    "/api/belfort/v1/access-requests/{request_id}":
        ["/api/belfort/v1/access-requests/0123456789abcdef"],
    "/api/belfort/v1/audit": ["/api/belfort/v1/audit"],
    "/api/belfort/v1/audit/public-key": ["/api/belfort/v1/audit/public-key"],
    "/api/belfort/v1/sensors": ["/api/belfort/v1/sensors"],
    "/api/belfort/v1/sensors/{sensor_id}": ["/api/belfort/v1/sensors/qzv-teller"],
    "/api/belfort/v1/sensors/{sensor_id}/observations":
        ["/api/belfort/v1/sensors/qzv-teller/observations"],
    "/api/belfort/v1/zones": ["/api/belfort/v1/zones"],
    "/api/belfort/v1/zones/{zone_id}": ["/api/belfort/v1/zones/korenmarkt"],
    "/api/belfort/v1/zones/{zone_id}/crowding": ["/api/belfort/v1/zones/korenmarkt/crowding"],
    "/api/belfort/v1/crowding": ["/api/belfort/v1/crowding"],
    "/api/belfort/v1/alert-rules": ["/api/belfort/v1/alert-rules"],
    "/api/belfort/v1/alerts": ["/api/belfort/v1/alerts", "/api/belfort/v1/alerts?state=all"],
    "/api/belfort/v1/alerts/{alert_id}": ["/api/belfort/v1/alerts/1"],
    "/api/belfort/v1/zones/{zone_id}/advice": ["/api/belfort/v1/zones/korenmarkt/advice"],
    "/api/belfort/v1/zone-links": ["/api/belfort/v1/zone-links"],
    "/api/belfort/v1/scenarios": ["/api/belfort/v1/scenarios"],
    "/api/belfort/v1/scenarios/{scenario_id}": ["/api/belfort/v1/scenarios/0123456789abcdef"],
    "/api/belfort/v1/scenarios/{scenario_id}/export":
        ["/api/belfort/v1/scenarios/0123456789abcdef/export?format=json"],
    "/scenarios": ["/scenarios", "/scenarios?a=0123456789abcdef"],
    "/api/belfort/v1/dashboards": ["/api/belfort/v1/dashboards"],
    "/api/belfort/v1/dashboards/{dashboard_id}": ["/api/belfort/v1/dashboards/gent"],
    # ODRL policies: admins and stewards only (401/403 here, before any look-up)
    "/api/belfort/v1/policies": ["/api/belfort/v1/policies",
                                 "/api/belfort/v1/policies?dataset=qzvvertrouwelijk"],
    "/api/belfort/v1/policies/purposes": ["/api/belfort/v1/policies/purposes"],
    "/api/belfort/v1/policies/{uid:path}": ["/api/belfort/v1/policies/urn:belfort:policy:qzv"],
    "/api/datasets/1.0/search/": ["/api/datasets/1.0/search/?rows=100",
                                  "/api/datasets/1.0/search/?q=qzv",
                                  "/api/datasets/1.0/search/?facet=theme"],
    "/api/explore/v2.1/catalog/datasets": ["/api/explore/v2.1/catalog/datasets?limit=100",
                                           "/api/explore/v2.1/catalog/datasets?where=%22qzv%22"],
    "/api/explore/v2.1/catalog/exports/{format}": ["/api/explore/v2.1/catalog/exports/json",
                                                   "/api/explore/v2.1/catalog/exports/csv"],
    "/api/explore/v2.1/catalog/facets": ["/api/explore/v2.1/catalog/facets"],
    "/catalog": ["/catalog"], "/catalog.{extension}": ["/catalog.ttl", "/catalog.jsonld"],
    "/catalog/organisations/{slug}": ["/catalog/organisations/stad-gent"],
    "/catalog/organisations/{slug}.{extension}": ["/catalog/organisations/stad-gent.ttl"],
    "/catalog/services/{service_name}": ["/catalog/services/sparql"],
    "/catalog/services/{service_name}.{extension}": ["/catalog/services/sparql.ttl"],
    "/sparql": ["/sparql?query=SELECT%20%3Fo%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D",
                "/sparql?query=SELECT%20*%20WHERE%20%7B%20GRAPH%20%3Fg%20%7B%20%3Fs%20%3Fp"
                "%20%3Fo%20%7D%20%7D%20LIMIT%20100000"],
    "/sta/v1.1": ["/sta/v1.1"], "/sta/v1.1/": ["/sta/v1.1/"],
    "/sta/v1.1/{resource:path}": ["/sta/v1.1/Things", "/sta/v1.1/Datastreams",
                                  "/sta/v1.1/Observations"],
}
# Portal routes that name a dataset: like CALLS, one URL template per route.
PORTAL_CALLS: dict[str, str] = {
    "/datasets/{dataset_id}": "/datasets/{id}",
    "/datasets/{dataset_id}/map.geojson": "/datasets/{id}/map.geojson",
    "/datasets/{dataset_id}/map.svg": "/datasets/{id}/map.svg",
    "/explore/dataset/{dataset_id}": "/explore/dataset/{id}",
    "/explore/dataset/{dataset_id}/": "/explore/dataset/{id}/",
    "/explore/dataset/{dataset_id}/download": "/explore/dataset/{id}/download?format=csv",
    "/explore/dataset/{dataset_id}/{tab}": "/explore/dataset/{id}/table",
    "/explore/dataset/{dataset_id}/{tab}/": "/explore/dataset/{id}/export/",
}
# Routes left out, and why.
EXEMPT = {
    # live pushes that stream until the client leaves; their payloads are the tiles'
    # (the tile route above) — tests/api/test_dashboards.py reads them with a deadline
    "/dashboards/{dashboard_id}/events", "/api/belfort/v1/dashboards/{dashboard_id}/events",
}
STAFF_PREFIX = "/staff"  # every staff page: the principals here are no staff (checked below)


def all_get_routes() -> set[str]:
    """The path of every GET route, including those left out of the OpenAPI document."""
    app = create_app(platform=None)
    paths: set[str] = set()
    for route in app.routes:
        included = getattr(route, "original_router", None)
        for r in included.routes if included is not None else [route]:
            methods = getattr(r, "methods", None) or set()
            if "GET" in methods and hasattr(r, "path"):
                paths.add(r.path)
    return paths


def test_every_get_route_is_in_the_matrix() -> None:
    known = ({p for m, p in CALLS if m == "GET"} | set(WIDE) | set(PORTAL_CALLS) | EXEMPT)
    missing = sorted(p for p in all_get_routes() - known if not p.startswith(STAFF_PREFIX))
    assert not missing, f"add these GET routes to the leak matrix in {__file__}: {missing}"


@pytest.fixture
def restricted(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(platform, CLI_ADMIN, "open-data", write(tmp_path / "o.csv", rows_csv("open", True)),
                metadata={"title_nl": "Open tellingen", "licence": "CC0-1.0"})
    classify_field(platform, CLI_ADMIN, "open-data", SECRET_FIELD, "confidential")
    for dataset_id, (level, draft) in RESTRICTED.items():
        metadata = {"title_nl": f"T{dataset_id} titel", "classification": level,
                    "classification_reason": f"r{dataset_id}" if level != "open" else None}
        ingest_file(platform, CLI_ADMIN, dataset_id,
                    write(tmp_path / f"{dataset_id}.csv", rows_csv(dataset_id)),
                    metadata={k: v for k, v in metadata.items() if v is not None}, draft=draft)
    with platform.db.session() as session:
        register_sensor(session, SensorSpec("qzv-teller", "QZV teller", "passanten", "count",
                                            dataset_id="qzvvertrouwelijk-live"))
    return platform


@pytest.fixture
def principals(restricted: Platform) -> Iterator[dict[str, tuple[dict[str, str], set[str]]]]:
    """principal → (its headers, the markers it must never see)."""
    with restricted.db.session() as session:
        reader = create_key(session, "lezer", Role.READ).secret
        granted = create_key(session, "onderzoeker", Role.READ)
        # a policy grants this key two fields of the confidential dataset, for research
        store_policy(session, json.dumps({
            "@context": "http://www.w3.org/ns/odrl.jsonld", "uid": "urn:belfort:policy:qzv",
            "target": "qzvvertrouwelijk", "assignee": f"urn:belfort:key:{granted.id}",
            "permission": [{"action": "read", "constraint": [
                {"leftOperand": "purpose", "operator": "eq",
                 "rightOperand": "dpv:ResearchAndDevelopment"},
                {"leftOperand": "belfort:fields", "operator": "isAnyOf",
                 "rightOperand": ["telpunt", "aantal"]}]}]}), actor="test")
    restricted.generation.bump()
    everything = {m for d in RESTRICTED for m in markers(d)}
    beyond_reader = everything - markers("qzvintern")
    yield {
        "anonymous": ({}, everything | {SECRET_FIELD, SECRET_VALUE}),
        "reader": ({"Authorization": f"Bearer {reader}"},
                   beyond_reader | {SECRET_FIELD, SECRET_VALUE}),
        # a device's credential reads nothing: refused, and nothing else said
        "device": ({"Authorization": "Bearer bfd_qzvnietgeldig"},
                   everything | {SECRET_FIELD, SECRET_VALUE}),
        # a reader granted two fields of qzvvertrouwelijk: it sees that dataset's title,
        # reason and the values of those fields, never its other field
        "granted": ({"Authorization": f"Bearer {granted.secret}",
                     "X-Belfort-Purpose": "dpv:ResearchAndDevelopment"},
                    (beyond_reader - markers("qzvvertrouwelijk"))
                    | field_markers("qzvvertrouwelijk") | {SECRET_FIELD, SECRET_VALUE}),
    }


def _leaks(text: str, markers: set[str]) -> list[str]:
    lowered = text.lower()
    return sorted(m for m in markers if m.lower() in lowered)


def _urls() -> list[str]:
    urls = [u for urls in WIDE.values() for u in urls]
    for dataset_id in [*RESTRICTED, "open-data"]:
        urls += [t.format(id=dataset_id) for (m, t) in CALLS.items() if m[0] == "GET"]
        urls += [t.format(id=dataset_id) for t in PORTAL_CALLS.values()]
    return urls


@pytest.mark.parametrize("who", ["anonymous", "reader", "device", "granted"])
def test_nothing_restricted_leaks_anywhere(
        restricted: Platform, principals: dict[str, tuple[dict[str, str], set[str]]],
        who: str) -> None:
    headers, hidden_markers = principals[who]
    problems: list[str] = []
    with TestClient(create_app(restricted)) as client:
        for url in _urls():
            r = client.get(url, headers=headers)
            if r.status_code >= 500:
                problems.append(f"{url}: {r.status_code}")
            leaked = _leaks(r.text, hidden_markers)
            if leaked:
                problems.append(f"{url}: {r.status_code} shows {leaked}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("who", ["anonymous", "reader", "device", "granted"])
def test_a_hidden_dataset_answers_as_one_that_does_not_exist(
        restricted: Platform, principals: dict[str, tuple[dict[str, str], set[str]]],
        who: str) -> None:
    headers, hidden_markers = principals[who]
    hidden = [d for d in RESTRICTED if markers(d) <= hidden_markers]
    templates = [t for (m, t) in CALLS.items() if m[0] == "GET"] + list(PORTAL_CALLS.values())
    problems = []
    with TestClient(create_app(restricted)) as client:
        for template in templates:
            absent = client.get(template.format(id="qzvbestaatniet"), headers=headers)
            for dataset_id in hidden:
                r = client.get(template.format(id=dataset_id), headers=headers)
                if r.status_code != absent.status_code:
                    problems.append(f"{template} {dataset_id}: {r.status_code} but "
                                    f"{absent.status_code} for a dataset that does not exist")
    assert not problems, "\n".join(problems)


def test_the_matrix_would_see_a_leak(restricted: Platform, admin_headers: dict[str, str]) -> None:
    """The control: an admin reads everything, so the same requests show every marker — the
    requests above do reach the data they must not show."""
    seen = ""
    with TestClient(create_app(restricted)) as client:
        for url in _urls():
            seen += client.get(url, headers=admin_headers).text.lower()
    everything = {m for d in RESTRICTED for m in markers(d)} | {SECRET_FIELD, SECRET_VALUE}
    assert not [m for m in everything if m.lower() not in seen]
