"""``/openapi.json`` is complete and true: it validates as OpenAPI 3, names and describes
every parameter a route reads (a route that reads an undeclared one fails), documents the
authentication scheme and each dialect's error body, and the answers of the records,
facets and catalogue endpoints match the shapes it promises."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from belfort.api.openapi_schemas import SUCCESS
from belfort.api.params import DeclaredQueryParams, Param, ParamSpec, UndeclaredParameter
from belfort.app import create_app
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.streams.sensors import SensorSpec, register_sensor
from tests.helpers import counts_csv

DS = "tellingen"
V2 = "/api/explore/v2.1/catalog"
NATIVE = "/api/belfort/v1"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return create_app(platform=None).openapi()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            yield method, path, op


def test_the_document_validates_as_openapi_3(client: TestClient) -> None:
    served = client.get("/openapi.json").json()
    assert served["openapi"].startswith("3.")
    validate(served)


def test_every_operation_has_a_summary_and_every_parameter_a_description(document: dict[str, Any]) -> None:
    problems = []
    for method, path, op in operations(document):
        if not op.get("summary"):
            problems.append(f"{method.upper()} {path}: no summary")
        for p in op.get("parameters", []):
            if not (p.get("description") or "").strip():
                problems.append(f"{method.upper()} {path}: parameter {p['name']} has no description")
    assert not problems, problems


# Every parameter each dialect's endpoints read, by hand or through FastAPI.
EXPECTED = {
    ("get", "/api/records/1.0/search/"): {"dataset", "q", "rows", "start", "sort", "facet", "refine.{field}",
                                          "exclude.{field}", "fields", "timezone", "format",
                                          "geofilter.distance", "geofilter.polygon"},
    ("get", "/api/records/1.0/download/"): {"dataset", "q", "rows", "start", "sort", "refine.{field}",
                                            "exclude.{field}", "fields", "timezone", "format", "csv_separator",
                                            "geofilter.distance", "geofilter.polygon"},
    ("get", "/api/records/1.0/analyze/"): {"dataset", "q", "refine.{field}", "exclude.{field}", "timezone",
                                           "geofilter.distance", "geofilter.polygon", "x", "precision",
                                           "y.{series}.func", "y.{series}.expr", "sort", "maxpoints"},
    ("get", "/api/datasets/1.0/search/"): {"q", "rows", "start", "refine.{facet}"},
    ("get", V2 + "/datasets/{dataset_id}/records"): {"select", "where", "group_by", "order_by", "limit", "offset",
                                                     "refine", "exclude", "timezone", "lang", "include_links",
                                                     "include_app_metas"},
    ("get", V2 + "/datasets/{dataset_id}/exports/{format}"): {
        "select", "where", "group_by", "order_by", "limit", "offset", "refine", "exclude", "timezone", "lang",
        "include_links", "include_app_metas", "use_labels", "delimiter", "list_separator", "quote_all",
        "with_bom"},
    ("get", V2 + "/datasets/{dataset_id}/facets"): {"facet", "where", "refine", "exclude", "timezone", "lang"},
    ("get", V2 + "/datasets"): {"select", "where", "group_by", "order_by", "limit", "offset", "refine", "exclude",
                                "timezone", "lang", "include_links", "include_app_metas"},
    ("get", V2 + "/facets"): {"facet", "where", "refine", "exclude", "timezone", "lang"},
    ("get", NATIVE + "/datasets/{dataset_id}/records"): {"version", "include_total", "select", "group_by",
                                                         "order_by", "limit", "offset", "{field}[__{op}]"},
    ("get", NATIVE + "/datasets"): {"q", "organisation", "theme", "state", "limit", "offset"},
}


def test_the_hand_parsed_parameters_are_documented(document: dict[str, Any]) -> None:
    for (method, path), names in EXPECTED.items():
        documented = {p["name"] for p in document["paths"][path][method].get("parameters", []) if p["in"] == "query"}
        assert names <= documented, (path, names - documented)


def test_dynamic_names_are_exploded_objects_with_a_name_pattern(document: dict[str, Any]) -> None:
    search = document["paths"]["/api/records/1.0/search/"]["get"]["parameters"]
    refine = next(p for p in search if p["name"] == "refine.{field}")
    assert refine["style"] == "form" and refine["explode"] is True
    assert refine["schema"]["type"] == "object"
    assert refine["schema"]["propertyNames"]["pattern"] == r"^(?:refine\..+)$"


def test_authentication_is_declared(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer", "description": schemes["bearer"]["description"]}
    assert (schemes["apikeyQuery"]["in"], schemes["apikeyQuery"]["name"]) == ("query", "apikey")
    assert (schemes["xApiKey"]["in"], schemes["xApiKey"]["name"]) == ("header", "X-API-Key")
    assert (schemes["apikeyHeader"]["in"], schemes["apikeyHeader"]["name"]) == ("header", "Authorization")
    assert {} in document["security"]  # anonymous calls are allowed and see open data
    upload = document["paths"][NATIVE + "/datasets/{dataset_id}/ingest"]["post"]
    assert {} not in upload["security"] and {"bearer": []} in upload["security"]
    assert {"401", "403"} <= set(upload["responses"])


def test_errors_are_documented_in_each_dialects_shape(document: dict[str, Any]) -> None:
    def schema(path: str, status: str, method: str = "get") -> str:
        return document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]

    assert schema(V2 + "/datasets/{dataset_id}/records", "400").endswith("/ExploreError")
    assert schema(V2 + "/datasets/{dataset_id}/records", "404").endswith("/ExploreError")
    assert schema("/api/records/1.0/search/", "400").endswith("/Error")
    assert schema(NATIVE + "/datasets/{dataset_id}/records", "404").endswith("/Error")
    assert schema(NATIVE + "/datasets", "429").endswith("/QuotaExceeded")
    for method, path, op in operations(document):
        assert "422" not in op["responses"], f"{method} {path}: Belfort answers 400, not 422"
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_declared_answer_shape_belongs_to_a_route(document: dict[str, Any]) -> None:
    for method, path in SUCCESS:
        assert method in document["paths"].get(path, {}), (method, path)


# -- the guard: a route reads only what it declares ---------------------------------------


def test_a_handler_reading_an_undeclared_parameter_fails(platform: Platform) -> None:
    app = create_app(platform)
    declared = ParamSpec(Param("a", "Declared."), Param("x.{name}", "Declared family.", pattern=r"x\..+"))

    @app.get("/api/test/undeclared", summary="reads one more than it declares", openapi_extra=declared.openapi())
    def undeclared(request: Request) -> dict[str, Any]:
        return {"a": request.query_params.get("a"), "secret": request.query_params.get("secret")}

    @app.get("/api/test/bulk", summary="parses the whole query string", openapi_extra=declared.openapi())
    def bulk(request: Request) -> dict[str, Any]:
        assert isinstance(request.query_params, DeclaredQueryParams)
        return {"items": request.query_params.multi_items(), "x.k": request.query_params.get("x.k")}

    with TestClient(app) as client:
        with pytest.raises(UndeclaredParameter, match="'secret'"):
            client.get("/api/test/undeclared", params={"a": "1"})
        # a handler that parses everything sees only the declared names (and the API key)
        got = client.get("/api/test/bulk", params=[("a", "1"), ("b", "2"), ("x.k", "3"), ("apikey", "k")]).json()
        assert got == {"items": [["a", "1"], ["x.k", "3"], ["apikey", "k"]], "x.k": "3"}


@pytest.fixture
def loaded(platform: Platform, tmp_path: Path) -> Platform:
    ingest_file(platform, CLI_ADMIN, DS, counts_csv(tmp_path),
                metadata={"title_nl": "Tellingen", "organisation": "Stad Gent", "themes": ["TRAN"],
                          "keywords": ["drukte"], "licence": "CC0"})
    with platform.db.session() as session:
        register_sensor(session, SensorSpec("korenmarkt-1", "Korenmarkt", "teller", "count"))
    return platform


# One request per documented GET route, giving every parameter it documents a value
# (so that every branch that reads one runs): a route that reads a parameter it does not
# declare raises UndeclaredParameter here. The table must cover every GET route.
SAMPLES: dict[str, list[tuple[str, str]]] = {
    "/api/": [],
    "/api/belfort/v1/organisations": [],
    "/api/belfort/v1/transparency": [],
    "/api/belfort/v1/access-requests": [("status", "pending")],
    "/api/belfort/v1/access-requests/{request_id}": [],
    "/api/belfort/v1/organisations/{slug}": [],
    "/api/belfort/v1/zones": [],
    "/api/belfort/v1/zones/{zone_id}": [],
    "/api/belfort/v1/zones/{zone_id}/crowding": [],
    "/api/belfort/v1/crowding": [],
    "/api/belfort/v1/alert-rules": [("zone", "korenmarkt")],
    "/api/belfort/v1/alerts": [("state", "recent"), ("limit", "10"), ("zone", "korenmarkt")],
    "/api/belfort/v1/alerts/{alert_id}": [],
    "/api/belfort/v1/zones/{zone_id}/advice": [],
    "/api/belfort/v1/zone-links": [],
    "/api/belfort/v1/scenarios": [],
    "/api/belfort/v1/scenarios/{scenario_id}": [],
    "/api/belfort/v1/scenarios/{scenario_id}/export": [("format", "json")],
    "/api/belfort/v1/sensors/{sensor_id}/forecast": [("hours", "12")],
    "/api/belfort/v1/zones/{zone_id}/forecast": [("hours", "12")],
    "/api/belfort/v1/forecast-models": [],
    "/api/belfort/v1/forecast-models/{version}": [],
    "/api/records/1.0/search/": [("dataset", DS), ("q", "aantal>=10"), ("rows", "2"), ("start", "0"),
                                 ("sort", "aantal"), ("facet", "telpunt"), ("refine.telpunt", "Korenmarkt"),
                                 ("exclude.telpunt", "Graslei"), ("fields", "telpunt,aantal"),
                                 ("timezone", "Europe/Brussels"), ("format", "json")],
    "/api/records/1.0/download/": [("dataset", DS), ("format", "csv"), ("csv_separator", ","), ("rows", "-1"),
                                   ("sort", "-aantal"), ("refine.telpunt", "Korenmarkt"), ("fields", "aantal")],
    "/api/records/1.0/analyze/": [("dataset", DS), ("x", "tijdstip"), ("precision", "hour"),
                                  ("y.som.func", "SUM"), ("y.som.expr", "aantal"), ("sort", "-som"),
                                  ("maxpoints", "10"), ("refine.open", "true")],
    "/api/datasets/1.0/search/": [("q", "tellingen"), ("rows", "5"), ("start", "0"), ("refine.theme", "TRAN")],
    "/api/datasets/1.0/{dataset_id}/": [],
    V2 + "/datasets": [("select", "dataset_id"), ("where", 'search("tellingen")'), ("order_by", "title"),
                       ("limit", "5"), ("offset", "0"), ("refine", "theme:TRAN"), ("exclude", "keyword:x"),
                       ("timezone", "UTC"), ("lang", "en"), ("include_links", "true"),
                       ("include_app_metas", "false")],
    V2 + "/datasets/{dataset_id}": [("lang", "en"), ("timezone", "UTC"), ("include_links", "false"),
                                    ("include_app_metas", "false")],
    V2 + "/exports/{format}": [("where", 'search("tellingen")'), ("order_by", "title"), ("limit", "-1"),
                               ("delimiter", ","), ("list_separator", "|"), ("quote_all", "true"),
                               ("with_bom", "false"), ("lang", "nl")],
    V2 + "/facets": [("facet", 'facet(name="theme", disjunctive=true)'), ("refine", "theme:TRAN"), ("lang", "nl")],
    V2 + "/datasets/{dataset_id}/records": [
        ("select", "telpunt, sum(aantal) as som"), ("where", "aantal > 0"), ("group_by", "telpunt"),
        ("order_by", "som desc"), ("limit", "5"), ("offset", "0"), ("refine", "open:true"),
        ("exclude", "telpunt:Graslei"), ("timezone", "Europe/Brussels"), ("lang", "nl"),
        ("include_links", "true"), ("include_app_metas", "true")],
    V2 + "/datasets/{dataset_id}/records/{record_id}": [("select", "telpunt"), ("lang", "nl"),
                                                        ("timezone", "UTC"), ("include_links", "false")],
    V2 + "/datasets/{dataset_id}/exports/{format}": [
        ("select", "telpunt, aantal"), ("where", "aantal > 0"), ("order_by", "aantal"), ("limit", "3"),
        ("use_labels", "true"), ("delimiter", "|"), ("list_separator", ";"), ("quote_all", "true"),
        ("with_bom", "false"), ("timezone", "Europe/Brussels")],
    V2 + "/datasets/{dataset_id}/facets": [("facet", "telpunt"), ("facet", "tijdstip"), ("where", "aantal > 0"),
                                           ("refine", "tijdstip:2024"), ("exclude", "telpunt:Graslei")],
    V2 + "/datasets/{dataset_id}/attachments": [],
    NATIVE + "/datasets": [("q", "tel"), ("organisation", "Stad Gent"), ("theme", "TRAN"), ("state", "published"),
                           ("limit", "5"), ("offset", "0")],
    NATIVE + "/datasets/{dataset_id}": [],
    NATIVE + "/datasets/{dataset_id}/versions/{number}": [],
    NATIVE + "/datasets/{dataset_id}/fields": [],
    NATIVE + "/datasets/{dataset_id}/metadata-quality": [],
    NATIVE + "/metadata-quality": [],
    NATIVE + "/quality": [("organisation", "stad-gent"), ("days", "30")],
    NATIVE + "/datasets/{dataset_id}/fields/{field}": [],
    NATIVE + "/datasets/{dataset_id}/quality": [("history", "true")],
    NATIVE + "/datasets/{dataset_id}/quality/history": [("limit", "10")],
    NATIVE + "/datasets/{dataset_id}/quality/rules": [],
    NATIVE + "/datasets/{dataset_id}/records": [("select", "telpunt,sum(aantal)"), ("group_by", "telpunt"),
                                                ("order_by", "-sum(aantal)"), ("limit", "5"), ("offset", "0"),
                                                ("aantal__gte", "10"), ("version", "1"), ("include_total", "false")],
    NATIVE + "/datasets/{dataset_id}/exports/{fmt}": [("select", "telpunt"), ("telpunt__ne", "Graslei"),
                                                      ("version", "1")],
    NATIVE + "/audit": [("dataset", DS), ("actor", "cli"), ("action", "ingest"),
                        ("since", "2026-01-01"), ("until", "2999-01-01T00:00:00Z"),
                        ("limit", "5"), ("cursor", "1000")],
    NATIVE + "/audit/public-key": [],
    NATIVE + "/processing-activities": [("q", "x"), ("audience", "burger"), ("processor", "p"),
                                        ("category", "c"), ("state", "published"), ("limit", "5"), ("offset", "0")],
    NATIVE + "/processing-activities/{activity_id}": [],
    NATIVE + "/sensors": [],
    NATIVE + "/sensors/{sensor_id}": [],
    NATIVE + "/sensors/{sensor_id}/observations": [
        ("since", "2026-01-01T00:00:00Z"), ("until", "2026-01-02T00:00:00Z"), ("property", "count"),
        ("limit", "5"), ("newest_first", "true")],
    NATIVE + "/dashboards": [],
    NATIVE + "/dashboards/{dashboard_id}": [],
    NATIVE + "/policies": [("dataset", DS)],
    NATIVE + "/policies/purposes": [],
    NATIVE + "/policies/{uid}": [],
    NATIVE + "/indicators": [],
    NATIVE + "/indicators/{code}": [],
    NATIVE + "/datasets/{dataset_id}/roles": [],
    NATIVE + "/organisations/{slug}/roles": [],
    NATIVE + "/governance/worklist": [("organisation", "stad-gent")],
}
# Answers that never end (Server-Sent Events): tests/api/test_dashboards.py reads them over
# real HTTP, where a client can go away; the test client here would wait for their end.
STREAMING = {NATIVE + "/dashboards/{dashboard_id}/events"}
# (Outside /api/ — /health and the linked-data routes — FastAPI reads the declared
# parameters; their HTML answers also read the portal's ``lang``.)

PATHS = {"dataset_id": DS, "number": "1", "fmt": "csv", "format": "csv", "activity_id": "none",
         "slug": "stad-gent", "field": "aantal", "sensor_id": "korenmarkt-1", "dashboard_id": "gent",
         "uid": "urn:belfort:policy:none", "alert_id": "1", "scenario_id": "0123456789abcdef",
         "version": "gbm-20261206T220000Z-ab12", "code": "bev_totaal"}


def _url(path: str, record_id: str) -> str:
    for name, value in {**PATHS, "record_id": record_id}.items():
        path = path.replace("{" + name + "}", value)
    return path


def test_every_get_route_reads_only_what_it_documents(loaded: Platform, admin_headers: dict[str, str]) -> None:
    app = create_app(loaded)
    documented = {path for method, path, _ in operations(app.openapi()) if method == "get"}
    missing = {p for p in documented if p not in SAMPLES and p.startswith("/api/")
               and p not in STREAMING}
    assert not missing, f"add a sample request for {sorted(missing)}"
    with TestClient(app) as client:  # raises the handler's exceptions, UndeclaredParameter included
        record_id = client.get(V2 + f"/datasets/{DS}/records", params={"include_links": "true"}
                               ).json()["results"][0]["_id"]
        for path, params in SAMPLES.items():
            assert path in documented, f"{path} is no longer a documented route"
            parameters = app.openapi()["paths"][path]["get"].get("parameters", [])
            for name, _ in params:
                assert _documents(parameters, name), f"{path}: the sample's {name!r} is not documented"
            r = client.get(_url(path, record_id), params=params, headers=admin_headers)
            expected = {200, 404} if "{activity_id}" in path or "{zone_id}" in path \
                or "{uid}" in path or "{request_id}" in path or "{alert_id}" in path \
                or "{scenario_id}" in path or "{version}" in path or "{code}" in path else {200}
            assert r.status_code in expected, (path, r.status_code, r.text[:300])


def _documents(parameters: list[dict[str, Any]], name: str) -> bool:
    return any(p["name"] == name or (p.get("x-belfort-name-pattern") and
                                     re.fullmatch(p["x-belfort-name-pattern"], name))
               for p in parameters)


# -- the answers have the documented shapes ------------------------------------------------


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


SHAPED = [
    ("/api/records/1.0/search/", {"dataset": DS, "facet": "telpunt"}),
    ("/api/records/1.0/analyze/", {"dataset": DS, "x": "telpunt", "y.n.func": "COUNT"}),
    ("/api/datasets/1.0/search/", {}),
    ("/api/datasets/1.0/{dataset_id}/", {}),
    (V2 + "/datasets", {}),
    (V2 + "/datasets/{dataset_id}", {}),
    (V2 + "/facets", {}),
    (V2 + "/datasets/{dataset_id}/records", {"include_links": "true"}),
    (V2 + "/datasets/{dataset_id}/records/{record_id}", {}),
    (V2 + "/datasets/{dataset_id}/facets", {"facet": "tijdstip", "refine": "tijdstip:2024"}),
    (V2 + "/datasets/{dataset_id}/attachments", {}),
    (NATIVE + "/datasets", {}),
    (NATIVE + "/datasets/{dataset_id}", {}),
    (NATIVE + "/datasets/{dataset_id}/versions/{number}", {}),
    (NATIVE + "/datasets/{dataset_id}/records", {"include_total": "false"}),
]


def test_answers_match_their_documented_shapes(loaded: Platform) -> None:
    app = create_app(loaded)
    document = app.openapi()
    with TestClient(app) as client:
        record_id = client.get(V2 + f"/datasets/{DS}/records", params={"include_links": "true"}
                               ).json()["results"][0]["_id"]
        for path, params in SHAPED:
            schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            r = client.get(_url(path, record_id), params=params)
            assert r.status_code == 200, (path, r.text[:300])
            errors = [e.message for e in _validator(document, schema).iter_errors(r.json())]
            assert not errors, (path, errors[:3])
        # a schema that can fail: a v1 answer is not a v2.1 one
        v1 = client.get("/api/records/1.0/search/", params={"dataset": DS}).json()
        assert not _validator(document, {"$ref": "#/components/schemas/ExploreRecords"}).is_valid(v1)
        # errors, in each dialect's shape
        cases = [
            (V2 + f"/datasets/{DS}/records", {"where": "nope >"}, "ExploreError", 400),
            (V2 + "/datasets/nope/records", {}, "ExploreError", 404),
            ("/api/records/1.0/search/", {"dataset": DS, "rows": "x"}, "Error", 400),
            (NATIVE + "/datasets/nope/records", {}, "Error", 404),
            (NATIVE + "/datasets", {"limit": "-1"}, "Error", 400),
        ]
        for path, params, name, status in cases:
            r = client.get(path, params=params)
            assert r.status_code == status, (path, r.text)
            assert _validator(document, {"$ref": f"#/components/schemas/{name}"}).is_valid(r.json()), r.text


def test_the_quota_answer_has_its_documented_shape(loaded: Platform) -> None:
    loaded.settings.quota_per_address = 1
    app = create_app(loaded)
    document = app.openapi()
    with TestClient(app) as client:
        client.get(NATIVE + "/datasets")
        r = client.get(NATIVE + "/datasets")
    assert r.status_code == 429
    assert _validator(document, {"$ref": "#/components/schemas/QuotaExceeded"}).is_valid(r.json()), r.text


def test_the_document_is_served_as_json(client: TestClient) -> None:
    r = client.get("/openapi.json")
    assert r.headers["content-type"].startswith("application/json")
    assert json.loads(r.content)["info"]["title"] == "Belfort"
