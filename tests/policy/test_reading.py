"""One way to read a dataset (belfort.policy.reading): the gate's answer, cached until the next
catalogue write, counted as a use; and the dialects that read through it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from belfort.errors import DatasetNotFound, NotFound, VersionNotFound
from belfort.linked import ldes
from belfort.platform import Platform
from belfort.policy import reading
from belfort.policy.principals import ANONYMOUS, CLI_ADMIN
from belfort.publishing import change_dataset_state, ingest_file, update_dataset_metadata
from tests.helpers import counts_csv, write


def _counts(
    platform: Platform, tmp_path: Path, dataset_id: str = "tellingen", **metadata: object
) -> None:
    ingest_file(
        platform,
        CLI_ADMIN,
        dataset_id,
        counts_csv(tmp_path),
        metadata={"title_nl": "Tellingen", **metadata},
    )


def test_the_readable_version_is_cached_until_the_next_catalogue_write(
    platform: Platform, tmp_path: Path
) -> None:
    _counts(platform, tmp_path)
    first = reading.readable(platform, ANONYMOUS, "tellingen")
    assert reading.readable(platform, ANONYMOUS, "tellingen") is first  # cached
    assert first.number == 1 and first.public and first.title_nl == "Tellingen"
    assert [f.name for f in first.schema.fields] == [
        f["name"] for f in first.table_schema["fields"]
    ]
    update_dataset_metadata(platform, CLI_ADMIN, "tellingen", {"title_nl": "Fietstellingen"})
    again = reading.readable(platform, ANONYMOUS, "tellingen")
    assert again is not first and again.title_nl == "Fietstellingen"


def test_not_found_is_not_cached_and_is_typed(platform: Platform, tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFound):
        reading.readable(platform, ANONYMOUS, "tellingen")
    _counts(platform, tmp_path)  # a write by the same process bumps the generation anyway
    assert reading.readable(platform, ANONYMOUS, "tellingen").dataset_id == "tellingen"
    with pytest.raises(VersionNotFound):
        reading.readable(platform, ANONYMOUS, "tellingen", 2)
    with pytest.raises(DatasetNotFound):
        reading.readable(platform, ANONYMOUS, "bad id\x00")


def test_restricted_datasets_are_staff_only_and_not_public(
    platform: Platform, tmp_path: Path
) -> None:
    _counts(platform, tmp_path, "intern", classification="internal",
            restriction_reason="privacy", classification_reason="test")
    with pytest.raises(NotFound):
        reading.readable(platform, ANONYMOUS, "intern")
    staff = reading.readable(platform, CLI_ADMIN, "intern")
    assert staff.dataset_id == "intern" and not staff.public


def test_every_read_counts_as_one_use_unless_asked_not_to(
    platform: Platform, tmp_path: Path
) -> None:
    _counts(platform, tmp_path)
    before = platform.usage.totals().get("tellingen", (0, 0))[0]
    reading.readable(platform, ANONYMOUS, "tellingen")
    reading.readable(platform, ANONYMOUS, "tellingen")  # a cached answer is a use too
    reading.readable_history(platform, ANONYMOUS, "tellingen")
    reading.readable(platform, ANONYMOUS, "tellingen", count_use=False)
    assert platform.usage.totals()["tellingen"][0] == before + 3


def test_the_history_ends_with_the_version_the_principal_may_read(
    platform: Platform, tmp_path: Path
) -> None:
    _counts(platform, tmp_path)
    second = write(tmp_path / "v2.csv", "tijdstip;aantal\n2024-01-01T00:00:00;1\n")
    ingest_file(platform, CLI_ADMIN, "tellingen", second, metadata={"title_nl": "Tellingen"})
    third = write(tmp_path / "v3.csv", "tijdstip;aantal\n2024-01-02T00:00:00;2\n")
    ingest_file(
        platform, CLI_ADMIN, "tellingen", third, metadata={"title_nl": "Tellingen"}, draft=True
    )
    public = reading.readable_history(platform, ANONYMOUS, "tellingen")
    assert public.current.number == 2 and [v.number for v in public.versions] == [1, 2]
    staff = reading.readable_history(platform, CLI_ADMIN, "tellingen")
    assert staff.current.number == 2  # the published one, as for everyone (drafts by number only)
    assert reading.readable(platform, CLI_ADMIN, "tellingen", 3).number == 3
    # the event streams read the same history
    source = ldes.load_source(platform, ANONYMOUS, "tellingen")
    assert [v.number for v in source.versions] == [1, 2] and source.public


def test_every_dialect_answers_from_the_same_readable_version(
    platform: Platform, client: TestClient, tmp_path: Path
) -> None:
    """Native, v1, v2.1, the portal, records as linked data and the event stream all stop
    seeing a dataset at the same moment: when the reading service says so."""
    _counts(platform, tmp_path)
    urls = [
        "/api/belfort/v1/datasets/tellingen/records",
        "/api/records/1.0/search/?dataset=tellingen",
        "/api/explore/v2.1/catalog/datasets/tellingen/records",
        "/datasets/tellingen",
        "/ldes/tellingen",
        "/def/tellingen",
    ]
    for url in urls:
        assert client.get(
            url,
            headers={"Accept": "text/turtle"} if url.startswith(("/ldes", "/def")) else {},
            follow_redirects=False,
        ).status_code in {200, 303}, url
    change_dataset_state(platform, CLI_ADMIN, "tellingen", "archived")
    for url in urls:
        assert (
            client.get(
                url,
                headers={"Accept": "text/turtle"} if url.startswith(("/ldes", "/def")) else {},
                follow_redirects=False,
            ).status_code
            == 404
        ), url
