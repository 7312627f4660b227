"""Refusals under an aggregation threshold map to 403 with a clear reason, in the native
JSON shape and in Opendatasoft's under /api/explore/v2.1/ (belfort.api.errors)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from belfort.api.errors import install_error_handlers
from belfort.errors import AggregatesOnly, BelfortError, DisclosureRefused


def app_raising(exc: BelfortError) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/api/belfort/v1/x")
    @app.get("/api/explore/v2.1/x")
    def raise_it() -> None:
        raise exc

    return TestClient(app, raise_server_exceptions=False)


def test_aggregates_only_is_403() -> None:
    client = app_raising(AggregatesOnly("only aggregates may be read from this dataset"))
    native = client.get("/api/belfort/v1/x")
    assert native.status_code == 403
    assert native.json() == {
        "error": "aggregates_only",
        "message": "only aggregates may be read from this dataset",
    }
    explore = client.get("/api/explore/v2.1/x")
    assert explore.status_code == 403 and explore.json()["error_code"] == "PermissionDenied"


def test_disclosure_refused_names_the_function() -> None:
    client = app_raising(
        DisclosureRefused("max can reveal single records", details={"function": "max"})
    )
    body = client.get("/api/belfort/v1/x").json()
    assert body["error"] == "disclosure_refused" and body["function"] == "max"
