"""Traceable use (belfort.usage): requests and rows served per dataset, summed across
processes that share a catalogue."""

from __future__ import annotations

import re
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
        platform.usage.record("a", requests=2, rows=10, public=True)
        other.usage.record("a", requests=1, rows=5, public=False)
        other.usage.record("b", requests=1, public=True)
        assert platform.usage.totals()["a"] == (2, 10)  # unsaved counts of this process included
        platform.usage.flush()
        other.usage.flush()
        other.usage.record("a", rows=1, public=True)
        other.usage.flush()
        assert platform.usage.totals() == {"a": (3, 16), "b": (1, 0)}
        assert platform.usage.public_totals() == {"a": (2, 11), "b": (1, 0)}
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
    platform.usage.record("x", requests=1, public=True)
    platform.usage.flush()  # logs, does not raise
    assert "could not store dataset usage" in caplog.text


def _rows_served(client: TestClient) -> int:
    page = client.get("/").text
    found = re.search(r"<strong>([^<]*)</strong> rijen opgevraagd", page)
    assert found, page[:3000]
    return int(re.sub(r"[^0-9]", "", found.group(1)))


def test_public_figures_count_the_publics_reads_of_public_data_only(
    platform: Platform, client: TestClient, admin_headers: dict[str, str], tmp_path: Path
) -> None:
    """Issue 11, item 10: an admin's export of an internal dataset (or of an open one) must
    not move the home page's "rows served"; the public's reads do."""
    ingest_file(platform, CLI_ADMIN, "tellingen", counts_csv(tmp_path), metadata={"title_nl": "Tellingen"})
    ingest_file(platform, CLI_ADMIN, "intern", counts_csv(tmp_path, "intern.csv"), metadata={
        "title_nl": "Intern", "classification": "internal", "restriction_reason": "privacy",
                                                            "classification_reason": "test"})
    client.get("/api/explore/v2.1/catalog/datasets/tellingen/exports/csv")  # the public: 5 rows
    before = _rows_served(client)
    assert before == 5
    for path in ("/api/explore/v2.1/catalog/datasets/intern/exports/csv",
                 "/api/belfort/v1/datasets/intern/exports/parquet",
                 "/api/records/1.0/download/?dataset=intern",
                 "/api/records/1.0/search/?dataset=intern",
                 "/api/belfort/v1/datasets/intern/records",
                 "/api/explore/v2.1/catalog/datasets/tellingen/exports/csv"):
        assert client.get(path, headers=admin_headers).status_code == 200, path
    platform.usage.flush()
    assert _rows_served(client) == before
    # traceable use still counts every read, for staff
    assert platform.usage.totals()["intern"][1] >= 5 * 4
