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


class _PgError(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__("boom")
        self.sqlstate = sqlstate


def test_only_an_unreachable_database_is_a_503() -> None:
    """Refused, dropped, shutting down, starting, an exhausted pool, SQLite locked: 503;
    a mistake in a statement stays a 500 (logged), never hidden behind "try again"."""
    import sqlite3

    from sqlalchemy.exc import OperationalError, ProgrammingError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    from belfort.api.errors import unreachable_database

    def operational(orig: BaseException) -> OperationalError:
        return OperationalError("SELECT 1", {}, orig)

    assert unreachable_database(operational(_PgError(None)))  # connection refused
    assert unreachable_database(operational(_PgError("08006")))  # connection failure
    assert unreachable_database(operational(_PgError("57P01")))  # admin shutdown
    assert unreachable_database(operational(_PgError("57P03")))  # starting up
    assert unreachable_database(PoolTimeout())
    assert unreachable_database(operational(sqlite3.OperationalError("database is locked")))
    assert not unreachable_database(operational(sqlite3.OperationalError("no such table: x")))
    assert not unreachable_database(operational(_PgError("40P01")))  # a deadlock: not "down"
    assert not unreachable_database(ProgrammingError("SELECT", {}, _PgError("42P01")))
    assert not unreachable_database(ValueError("x"))
