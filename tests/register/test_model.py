"""Validating register entries: every field's rules, and hostile input refused clearly."""

from __future__ import annotations

import pytest

from belfort.errors import Conflict, InvalidRequest, NotFound
from belfort.platform import Platform
from belfort.register import store
from belfort.register.demo import ACTIVITIES
from belfort.register.model import check_guid, missing_for_publication, validate_activity

COMPLETE = ACTIVITIES[1][1]


def test_the_demo_entries_are_complete() -> None:
    for _, data in ACTIVITIES:
        assert missing_for_publication(validate_activity(data)) == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "name"),
    ({"name": "x" * 301}, "at most 300"),
    ({"name": "Twee\nregels"}, "one line"),
    ({"description": "x" * 20_001}, "at most 20000"),
    ({"description": "bell\x07"}, "control characters"),
    ({"audience": "iedereen"}, "audience"),
    ({"grantees": ["Politie, parket"]}, "splits labels on commas"),
    ({"grantees": ["A;B"]}, "';'"),
    ({"purposes": ["x" * 1001]}, "at most 1000"),
    ({"grantees": ["x"] * 51}, "at most 50"),
    ({"personal_data": [{"type": "Naam, adres"}]}, "commas"),
    ({"personal_data": [{"type": "Naam", "extra": 1}]}, "Extra inputs"),
    ({"personal_data": ["Naam"]}, "personal_data.0"),
    ({"colour": "red"}, "Extra inputs"),
    ({"purposes": "one string"}, "purposes"),
])
def test_bad_fields_are_refused_with_a_clear_message(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message) as info:
        validate_activity({**COMPLETE, **changes})
    assert info.value.details["problems"]


def test_text_is_cleaned_and_lists_deduplicated() -> None:
    data = validate_activity({**COMPLETE, "name": "  Naam  ", "grantees": ["IVAGO", " IVAGO ", "", "Stad Gent"],
                              "legal_basis_explained": "", "personal_data": [{"type": " Naam ", "description": ""}]})
    assert data.name == "Naam" and data.grantees == ["IVAGO", "Stad Gent"]
    assert data.legal_basis_explained is None
    assert data.personal_data[0].type == "Naam" and data.personal_data[0].description is None


def test_html_is_kept_as_text() -> None:
    """Markup is text to the register (the pages escape it; tests/register/test_pages.py)."""
    data = validate_activity({**COMPLETE, "name": "<script>alert(1)</script>"})
    assert data.name == "<script>alert(1)</script>"


def test_not_an_object() -> None:
    with pytest.raises(InvalidRequest, match="JSON object"):
        validate_activity(["name"])  # type: ignore[arg-type]


@pytest.mark.parametrize("guid", ["", "123", "0b8e4f3a-6c21-4d97-8a5e-2f1b9c7d4e6", "../etc/passwd",
                                  "0b8e4f3a-6c21-4d97-8a5e-2f1b9c7d4e60x", "g" * 36])
def test_bad_guids(guid: str) -> None:
    with pytest.raises(InvalidRequest, match="GUID"):
        check_guid(guid)


def test_guids_in_any_case() -> None:
    assert check_guid(" 0B8E4F3A-6C21-4D97-8A5E-2F1B9C7D4E60 ") == "0b8e4f3a-6c21-4d97-8a5e-2f1b9c7d4e60"


def test_store_rules(platform: Platform) -> None:
    with platform.db.session() as session:
        with pytest.raises(Conflict, match="needs description, category"):
            store.create_activity(session, "test", {"name": "Kaal"}, state="published")
        draft = store.create_activity(session, "test", {"name": "Kaal"})
        assert draft.state == "draft" and len(draft.id) == 36
        with pytest.raises(Conflict, match="needs"):
            store.change_activity_state(session, "test", draft, "published")
        with pytest.raises(InvalidRequest, match="unknown state"):
            store.change_activity_state(session, "test", draft, "gone")
        with pytest.raises(InvalidRequest, match="unknown field"):
            store.update_activity(session, "test", draft, {"colour": "red"})
        store.update_activity(session, "test", draft, COMPLETE)
        store.change_activity_state(session, "test", draft, "published")
        with pytest.raises(Conflict, match="needs purposes"):  # a published entry stays complete
            store.update_activity(session, "test", draft, {"purposes": []})
        with pytest.raises(Conflict, match="already exists"):
            store.create_activity(session, "test", COMPLETE, activity_id=draft.id)
        with pytest.raises(NotFound):
            store.get_activity(session, "not-a-guid")
        with pytest.raises(NotFound):
            store.get_activity(session, ACTIVITIES[0][0])
