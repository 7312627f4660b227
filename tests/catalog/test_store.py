"""Catalogue rules, on SQLite and PostgreSQL (the ``platform`` fixture runs both)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from belfort.catalog import store
from belfort.errors import Conflict, InvalidRequest, NotFound
from belfort.platform import Platform


def _add_version(platform: Platform, dataset_id: str, number: int) -> None:
    with platform.db.session() as session:
        dataset = store.find_dataset(session, dataset_id)
        store.add_version(
            session, dataset, number=number, table_schema={"fields": []}, row_count=0,
            byte_size=0, checksum="sha256:0", path=f"versions/{dataset_id}/{number}.parquet",
            source="t.csv", source_format="csv", source_details={}, validation={"valid": True},
        )


def test_new_dataset_is_open_draft_with_distributions(platform: Platform) -> None:
    with platform.db.session() as session:
        store.create_dataset(
            session, "fietstellingen", {"title_nl": "Fietstellingen", "themes": ["TRAN"]}
        )
    with platform.db.session() as session:
        data = store.dataset_to_dict(store.find_dataset(session, "fietstellingen"))
    assert data["classification"] == "open"
    assert data["state"] == "draft"
    assert data["themes"] == ["TRAN"]
    assert {d["format"] for d in data["distributions"]} == {"parquet", "csv", "json"}


@pytest.mark.parametrize("bad_id", ["", "Hoofdletters", "met spatie", "-begint", "a" * 101, "../x", "é"])
def test_identifiers_must_be_slugs(platform: Platform, bad_id: str) -> None:
    with platform.db.session() as session, pytest.raises(InvalidRequest, match="identifier"):
        store.create_dataset(session, bad_id, {"title_nl": "x"})


def test_restricted_classification_needs_a_reason(platform: Platform) -> None:
    with platform.db.session() as session, pytest.raises(InvalidRequest, match="reason"):
        store.create_dataset(session, "intern", {"title_nl": "x", "classification": "internal"})
    with platform.db.session() as session:
        store.create_dataset(
            session, "intern", {"title_nl": "x", "classification": "internal",
                                "restriction_reason": "privacy",
                                "classification_reason": "bevat namen van melders"},
        )


def test_metadata_errors_name_the_field(platform: Platform) -> None:
    with platform.db.session() as session, pytest.raises(InvalidRequest) as info:
        store.create_dataset(
            session, "x", {"title_nl": "x", "contact_point": {"email": "geen-adres"},
                           "frequency": "soms", "temporal": {"start": "2024-02-01", "end": "2024-01-01"}},
        )
    message = info.value.message
    assert "contact_point.email" in message and "frequency" in message and "temporal" in message


def test_update_keeps_other_fields_and_rechecks_the_whole(platform: Platform) -> None:
    with platform.db.session() as session:
        store.create_dataset(session, "d", {"title_nl": "Titel", "keywords": ["fiets"]})
    with platform.db.session() as session:
        dataset = store.find_dataset(session, "d")
        store.update_metadata(session, dataset, {"title_en": "Title"})
    with platform.db.session() as session:
        dataset = store.find_dataset(session, "d")
        assert (dataset.title_nl, dataset.title_en, dataset.keywords) == ("Titel", "Title", ["fiets"])
        with pytest.raises(InvalidRequest, match="reason"):
            store.update_metadata(session, dataset, {"classification": "confidential"})


def test_life_cycle(platform: Platform) -> None:
    with platform.db.session() as session:
        store.create_dataset(session, "d", {"title_nl": "D"})
    with platform.db.session() as session, pytest.raises(Conflict, match="no version"):
        store.change_state(session, store.find_dataset(session, "d"), "published")
    _add_version(platform, "d", 1)
    with platform.db.session() as session:
        dataset = store.find_dataset(session, "d")
        store.change_state(session, dataset, "published")
        assert dataset.published_version == 1
        store.change_state(session, dataset, "deprecated")
        store.change_state(session, dataset, "archived")
        with pytest.raises(Conflict, match="archived to published"):
            store.change_state(session, dataset, "published")
        with pytest.raises(Conflict, match="archived"):
            store.publish_version(session, dataset, 1)
        with pytest.raises(InvalidRequest, match="unknown state"):
            store.change_state(session, dataset, "weg")


def test_versions_are_numbered_and_unique(platform: Platform) -> None:
    with platform.db.session() as session:
        store.create_dataset(session, "d", {"title_nl": "D"})
    _add_version(platform, "d", 1)
    _add_version(platform, "d", 2)
    with platform.db.session() as session:
        assert store.next_version_number(session, "d") == 3
        with pytest.raises(NotFound):
            store.publish_version(session, store.find_dataset(session, "d"), 7)
    with pytest.raises(IntegrityError):  # the database refuses a duplicate number
        _add_version(platform, "d", 2)
