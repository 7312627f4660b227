"""Traceable use (belfort.usage): requests and rows served per dataset, summed across
processes that share a catalogue."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from belfort.platform import Platform
from belfort.policy.principals import CLI_ADMIN
from belfort.publishing import ingest_file
from belfort.settings import Settings
from tests.helpers import counts_csv


def test_counts_add_up_across_processes(platform: Platform, settings: Settings) -> None:
    other = Platform(settings)  # a second process on the same catalogue
    try:
        platform.usage.record("a", requests=2, rows=10)
        other.usage.record("a", requests=1, rows=5)
        other.usage.record("b", requests=1)
        assert platform.usage.totals()["a"] == (2, 10)  # unsaved counts of this process included
        platform.usage.flush()
        other.usage.flush()
        other.usage.record("a", rows=1)
        other.usage.flush()
        assert platform.usage.totals() == {"a": (3, 16), "b": (1, 0)}
    finally:
        other.close()


def test_api_calls_count_requests_and_rows(platform: Platform, client: TestClient, tmp_path: Path) -> None:
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"})
    client.get("/api/records/1.0/search/", params={"dataset": "tellingen", "rows": 2})
    client.get("/api/explore/v2.1/catalog/datasets/tellingen/records", params={"limit": 3})
    assert client.get("/api/explore/v2.1/catalog/datasets/tellingen/exports/csv").text.count("\n") == 6
    client.get("/api/belfort/v1/datasets/tellingen/exports/parquet")
    client.get("/api/records/1.0/search/", params={"dataset": "nope"})  # unknown: not counted
    assert platform.usage.totals() == {"tellingen": (4, 2 + 3 + 5 + 5)}
    home = client.get("/").text
    assert "Meest gebruikt" in home and "15</strong> rijen opgevraagd" in home


def test_a_failing_catalogue_never_fails_the_request(platform: Platform, caplog) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with platform.db.session() as session:
        session.execute(text("DROP TABLE dataset_usage"))
    platform.usage.record("x", requests=1)
    platform.usage.flush()  # logs, does not raise
    assert "could not store dataset usage" in caplog.text
