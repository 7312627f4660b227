"""The data dictionary's rules, on SQLite and PostgreSQL: set, update, clear, unknown fields,
oversized and hostile text; descriptions survive new versions."""

from __future__ import annotations

import pytest

from belfort.catalog import field_dictionary as fd
from belfort.catalog import store
from belfort.errors import InvalidRequest, UnknownField
from belfort.platform import Platform

FIELDS = [
    {"name": "telpunt", "type": "string", "title": "Telpunt"},
    {"name": "aantal", "type": "integer", "description": "uit het bestand"},
]


def _dataset(
    platform: Platform, fields: list[dict[str, str]] | None = None, number: int = 1
) -> None:
    with platform.db.session() as session:
        dataset = store.find_dataset(session, "tellingen")
        if dataset is None:
            dataset = store.create_dataset(session, "tellingen", {"title_nl": "Tellingen"})
        if fields is not None:
            store.add_version(
                session,
                dataset,
                number=number,
                table_schema={"fields": fields},
                row_count=0,
                byte_size=0,
                checksum="sha256:0",
                path=f"versions/tellingen/{number}.parquet",
                source="t.csv",
                source_format="csv",
                source_details={},
                validation={"valid": True},
            )


def _set(platform: Platform, texts: dict[str, dict[str, str | None]]) -> list[str]:
    with platform.db.session() as session:
        dataset = store.find_dataset(session, "tellingen")
        assert dataset is not None
        return fd.set_texts(session, dataset, fd.check_entries(texts), "tester")


def _described(platform: Platform) -> dict[str, fd.FieldTexts]:
    with platform.db.session() as session:
        dataset = store.find_dataset(session, "tellingen")
        assert dataset is not None
        return fd.descriptions(dataset)


def test_set_update_and_clear(platform: Platform) -> None:
    _dataset(platform, FIELDS)
    changed = _set(
        platform,
        {
            "aantal": {
                "title_nl": " Aantal fietsers ",
                "title_en": "Cyclists",
                "description_nl": "Per uur\ngeteld",
                "unit": "fietsers",
            }
        },
    )
    assert changed == ["aantal"]
    texts = _described(platform)["aantal"]
    assert texts.title_nl == "Aantal fietsers" and texts.description_nl == "Per uur\ngeteld"
    assert texts.title("en") == "Cyclists" and texts.description("en") == "Per uur\ngeteld"
    # the same texts again change nothing
    assert _set(platform, {"aantal": texts.to_dict()}) == []
    _set(platform, {"aantal": texts.merged({"unit": "fietsers/uur"})})
    assert _described(platform)["aantal"].unit == "fietsers/uur"
    assert _described(platform)["aantal"].title_nl == "Aantal fietsers"
    # empty texts remove the description
    assert _set(platform, {"aantal": {"title_nl": "", "title_en": None}}) == ["aantal"]
    assert "aantal" not in _described(platform)


def test_unknown_field_and_dataset_without_version(platform: Platform) -> None:
    _dataset(platform)
    with pytest.raises(UnknownField, match="no version"):
        _set(platform, {"aantal": {"title_nl": "Aantal"}})
    _dataset(platform, FIELDS)
    with pytest.raises(UnknownField, match="'bestaat_niet'") as info:
        _set(platform, {"aantal": {"title_nl": "Aantal"}, "bestaat_niet": {"title_nl": "x"}})
    assert info.value.http_status == 404
    assert _described(platform) == {}  # nothing of a refused change is kept


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("title_nl", "x" * 201, "too_long"),
        ("title_en", "x" * 201, "too_long"),
        ("description_nl", "x" * 5_001, "too_long"),
        ("unit", "x" * 51, "too_long"),
        ("title_nl", "Aan\x00tal", "control_character"),
        ("description_en", "nul\x00byte", "control_character"),
        ("unit", "km\nuur", "control_character"),
        ("title_nl", 12, "not_text"),
        ("titel", "x", "unknown_key"),
    ],
)
def test_bad_texts_are_refused_with_every_problem_named(
    platform: Platform, key: str, value: object, code: str
) -> None:
    _dataset(platform, FIELDS)
    with pytest.raises(InvalidRequest) as info:
        _set(platform, {"aantal": {key: value}})  # type: ignore[dict-item]
    assert info.value.http_status == 400
    assert [(p["field"], p["key"], p["code"]) for p in info.value.details["problems"]] == [
        ("aantal", key, code)
    ]
    assert _described(platform) == {}


def test_limits_are_inclusive(platform: Platform) -> None:
    _dataset(platform, FIELDS)
    _set(
        platform,
        {"aantal": {"title_nl": "x" * 200, "description_nl": "y" * 5_000, "unit": "z" * 50}},
    )
    assert _described(platform)["aantal"].unit == "z" * 50


def test_html_is_kept_as_text(platform: Platform) -> None:
    _dataset(platform, FIELDS)
    _set(platform, {"aantal": {"title_nl": "<script>alert(1)</script>"}})
    assert _described(platform)["aantal"].title_nl == "<script>alert(1)</script>"


def test_descriptions_survive_versions_and_hide_with_a_missing_field(platform: Platform) -> None:
    _dataset(platform, FIELDS)
    _set(platform, {"aantal": {"title_nl": "Aantal"}, "telpunt": {"title_en": "Counting point"}})
    _dataset(platform, [FIELDS[0]], number=2)  # version 2 lacks "aantal"
    described = _described(platform)
    assert described["aantal"].title_nl == "Aantal"  # kept ...
    shown = fd.entries([FIELDS[0]], described)
    assert [e.name for e in shown] == ["telpunt"]  # ... but not shown
    assert shown[0].label("en") == "Counting point" and shown[0].label("nl") == "Counting point"
    with pytest.raises(UnknownField):  # and no longer writable
        _set(platform, {"aantal": {"title_nl": "Aantal"}})
    _dataset(platform, FIELDS, number=3)  # the field comes back with its description
    assert fd.entries(FIELDS, _described(platform))[1].label("nl") == "Aantal"


def test_entries_fall_back_on_the_source_file(platform: Platform) -> None:
    entries = fd.entries(FIELDS, {})
    assert entries[0].label("nl") == "Telpunt" and entries[1].label("en") == "aantal"
    assert entries[1].description("nl") == "uit het bestand"
    assert fd.field_label(entries, "telpunt", "en") == "Telpunt"


def test_deleting_a_dataset_deletes_its_descriptions(platform: Platform) -> None:
    _dataset(platform, FIELDS)
    _set(platform, {"aantal": {"title_nl": "Aantal"}})
    with platform.db.session() as session:
        dataset = store.find_dataset(session, "tellingen")
        session.delete(dataset)
    from sqlalchemy import func, select

    from belfort.catalog.models import FieldDescription

    with platform.db.session() as session:
        assert session.scalar(select(func.count()).select_from(FieldDescription)) == 0
