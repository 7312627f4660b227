"""Errors → HTTP branch on error types, never on message text (belfort.api.errors)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from belfort.api.errors import explore_error_code
from belfort.errors import DatasetNotFound, NotFound, QueryTimeout, VersionNotFound
from belfort.linked import sparql
from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from tests.helpers import counts_csv


def test_the_explore_error_code_follows_the_type_not_the_message() -> None:
    assert explore_error_code(DatasetNotFound("no such thing"), 404) == "DatasetNotFoundError"
    assert (
        explore_error_code(NotFound("dataset 'x' looks like a dataset message"), 404) == "NotFound"
    )
    assert explore_error_code(VersionNotFound("dataset 'x' has no version 9"), 404) == "NotFound"


def test_dataset_and_version_not_found_in_explore(
    platform: Platform, client: TestClient, tmp_path: Path
) -> None:
    ingest_file(
        platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"}
    )
    missing = client.get("/api/explore/v2.1/catalog/datasets/nope/records")
    assert missing.status_code == 404 and missing.json()["error_code"] == "DatasetNotFoundError"
    native = client.get("/api/belfort/v1/datasets/tellingen/versions/7")
    assert native.status_code == 404 and native.json()["error"] == "not_found"


def test_the_sparql_timeout_is_the_engines_query_timeout() -> None:
    assert sparql.QueryTimeout is QueryTimeout  # one type: the engine's and SPARQL's timeouts
    assert not any(
        isinstance(v, type) and issubclass(v, QueryTimeout) and v is not QueryTimeout
        for v in vars(sparql).values()
    )
