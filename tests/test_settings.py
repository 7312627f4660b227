"""Settings that would only fail later are refused at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from belfort.settings import Settings


def test_missing_synonyms_file_is_refused_at_start_up(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        Settings(search_synonyms_file=tmp_path / "missing.txt")
    assert Settings(search_synonyms_file="").search_synonyms_file is None  # empty: the built-in list
    own = tmp_path / "synoniemen.txt"
    own.write_text("fiets, velo\n")
    assert Settings(search_synonyms_file=own).search_synonyms_file == own


@pytest.mark.parametrize("zone", ["", "Mars/Olympus", "../../etc", "localtime"])
def test_unknown_default_source_timezone_is_refused_at_start_up(zone: str) -> None:
    with pytest.raises(ValidationError, match="BELFORT_DEFAULT_SOURCE_TIMEZONE"):
        Settings(default_source_timezone=zone)


def test_default_source_timezone_applies_to_new_datasets_only(tmp_path: Path) -> None:
    from belfort.catalog.models import Dataset
    from belfort.platform import Platform
    from belfort.policy.principals import CLI_ADMIN
    from belfort.publishing import ingest_file
    from tests.helpers import write

    source = write(tmp_path / "t.csv", "tijd\n2024-01-15 12:00\n")
    url = f"sqlite:///{tmp_path / 'c.sqlite'}"
    brussels = Platform(Settings(data_dir=tmp_path / "d", database_url=url))
    try:
        ingest_file(brussels, CLI_ADMIN, "oud", source)
    finally:
        brussels.close()
    auckland = Platform(Settings(data_dir=tmp_path / "d", database_url=url,
                                 default_source_timezone="Pacific/Auckland"))
    try:
        ingest_file(auckland, CLI_ADMIN, "oud", source)
        ingest_file(auckland, CLI_ADMIN, "nieuw", source)
        ingest_file(auckland, CLI_ADMIN, "eigen", source, metadata={"timezone": "UTC"})
        with auckland.db.session() as session:
            zones = {d.id: (d.timezone, [v.source_details["timezone"] for v in d.versions])
                     for d in session.query(Dataset)}
    finally:
        auckland.close()
    assert zones == {
        "oud": ("Europe/Brussels", ["Europe/Brussels", "Europe/Brussels"]),
        "nieuw": ("Pacific/Auckland", ["Pacific/Auckland"]),
        "eigen": ("UTC", ["UTC"]),
    }
