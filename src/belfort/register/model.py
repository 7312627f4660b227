"""A processing register entry as staff write it, and how that input is validated.

Every way in (JSON API, staff forms, demo) validates through ``validate_activity``, so
the same mistake gets the same clear message. Rules beyond plain types:

- one-line fields (name, category, …) hold no line breaks or control characters;
- list items and personal-data types hold no ``;`` (the register dataset separates
  multiple values with it), and labels the register site shows in lists (recipients,
  personal-data types, data subjects) hold no ``,`` either: the site splits the
  SPARQL ``group_concat`` on commas, so a comma would show one label as two;
- a *published* entry needs what the register site's queries require (name,
  description, category, processing department, legal basis, retention) and what
  GDPR art. 30(1) asks (purposes, data subjects, categories of personal data).
"""

from __future__ import annotations

import re
import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from belfort.errors import InvalidRequest, MetadataInvalid


class Audience(StrEnum):
    """Whose data: citizens, or the city's own staff (Ghent's two audiences)."""

    CITIZEN = "burger"
    EMPLOYEE = "werknemer stad"


class ActivityState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


LIST_SEPARATOR = ";"
# GDPR art. 6(1) grounds, as the staff form suggests them (free text is allowed)
LEGAL_BASES = (
    "Toestemming",
    "Uitvoering van een overeenkomst",
    "Wettelijke verplichting",
    "Vitaal belang",
    "Algemeen belang of openbaar gezag",
    "Gerechtvaardigd belang",
)

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ONE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_TEXT_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

ONE_LINE_FIELDS = ("name", "category", "processor", "controller", "legal_basis", "formal_framework", "retention")
TEXT_FIELDS = ("description", "legal_basis_explained", "third_country_transfers", "security_measures")
LIST_FIELDS = ("purposes", "data_subjects", "grantees")
LABEL_LISTS = ("data_subjects", "grantees")  # shown as labels split on commas by Ghent's site


def check_guid(value: str) -> str:
    """A register entry identifier: a GUID (any case in, lowercase out)."""
    text = (value or "").strip().lower()
    if not _GUID.match(text):
        raise InvalidRequest(
            f"invalid processing activity identifier {value[:60]!r}: expected a GUID "
            "like 3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b"
        )
    return text


def new_guid() -> str:
    return str(uuid.uuid4())


def _one_line(value: str | None, what: str) -> str | None:
    if value is not None and _ONE_LINE_BAD.search(value):
        raise ValueError(f"{what} must be one line of text without control characters")
    return value


def _label(value: str, what: str, *, commas: bool) -> str:
    _one_line(value, what)
    if LIST_SEPARATOR in value:
        raise ValueError(f"{what} may not contain ';' (it separates values): {value[:60]!r}")
    if not commas and "," in value:
        raise ValueError(
            f"{what} may not contain ',' (Ghent's register site splits labels on commas): {value[:60]!r}"
        )
    return value


class PersonalDataItem(BaseModel):
    """A category of personal data: a short type label and what exactly, about whom."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        return _label(value, "a personal-data type", commas=False)

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        if value is not None and _TEXT_BAD.search(value):
            raise ValueError("text may not contain control characters")
        return value or None


class ActivityInput(BaseModel):
    """One processing activity (GDPR art. 30(1)); see docs/processing-register.md."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=20_000)
    category: str | None = Field(default=None, max_length=200)
    processor: str | None = Field(default=None, max_length=200, description="Processing department.")
    controller: str = Field(default="Stad Gent", min_length=1, max_length=200)
    legal_basis: str | None = Field(default=None, max_length=200, description="GDPR art. 6 ground.")
    legal_basis_explained: str | None = Field(default=None, max_length=5000)
    formal_framework: str | None = Field(default=None, max_length=300, description="Law or regulation.")
    purposes: list[str] = Field(default_factory=list, max_length=20)
    data_subjects: list[str] = Field(default_factory=list, max_length=20)
    grantees: list[str] = Field(default_factory=list, max_length=50)
    personal_data: list[PersonalDataItem] = Field(default_factory=list, max_length=50)
    sensitive_personal_data: list[PersonalDataItem] = Field(default_factory=list, max_length=50)
    retention: str | None = Field(default=None, max_length=300)
    third_country_transfers: str | None = Field(default=None, max_length=5000)
    security_measures: str | None = Field(default=None, max_length=5000)
    audience: Audience = Audience.CITIZEN

    @field_validator(*ONE_LINE_FIELDS)
    @classmethod
    def _one_line_fields(cls, value: str | None) -> str | None:
        _one_line(value, "this field")
        return value or None

    @field_validator(*TEXT_FIELDS)
    @classmethod
    def _text_fields(cls, value: str | None) -> str | None:
        if value is not None and _TEXT_BAD.search(value):
            raise ValueError("text may not contain control characters")
        return value or None

    @field_validator(*LIST_FIELDS)
    @classmethod
    def _lists(cls, values: list[str], info: Any) -> list[str]:
        limit = 1000 if info.field_name == "purposes" else 200
        cleaned: list[str] = []
        for value in values:
            value = value.strip()
            if not value:
                continue
            if len(value) > limit:
                raise ValueError(f"an item is at most {limit} characters")
            _label(value, "an item", commas=info.field_name not in LABEL_LISTS)
            if value not in cleaned:
                cleaned.append(value)
        return cleaned


REQUIRED_TO_PUBLISH = (
    "description", "category", "processor", "legal_basis", "retention",
    "purposes", "data_subjects", "personal_data",
)


def missing_for_publication(activity: ActivityInput) -> list[str]:
    """The fields a published entry needs and this one lacks (empty: publishable)."""
    return [name for name in REQUIRED_TO_PUBLISH if not getattr(activity, name)]


def validate_activity(data: dict[str, Any]) -> ActivityInput:
    """ActivityInput from a plain dict, pydantic's errors turned into one clear message."""
    if not isinstance(data, dict):
        raise InvalidRequest("a processing activity is a JSON object")
    try:
        return ActivityInput(**data)
    except ValidationError as exc:  # each error also as data: pages say it in their language
        raise MetadataInvalid.from_errors("processing activity", [dict(e) for e in exc.errors()]) from None
    except TypeError:
        raise InvalidRequest("invalid processing activity: field names must be text") from None
