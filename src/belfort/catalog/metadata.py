"""Dataset metadata as data teams write it: the validated input to the catalogue.

``DatasetMetadata`` is what the CLI options, the HTTP upload and the demo produce;
the catalogue store persists it. Validation lives here so every entry path gives the
same clear error for the same mistake.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from belfort.timezones import check_timezone

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?\Z")  # \Z: no trailing newline
GUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

#: The zone a time without an offset in a source file is read in, unless the dataset
#: (or BELFORT_DEFAULT_SOURCE_TIMEZONE for new datasets) says otherwise: Ghent's own.
DEFAULT_SOURCE_TIMEZONE = "Europe/Brussels"


class Classification(StrEnum):
    """How a dataset is protected. Ghent publishes open by default (data principle 1)."""

    OPEN = "open"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    STRICTLY_CONFIDENTIAL = "strictly-confidential"


class RestrictionReason(StrEnum):
    """Why a dataset is not open: a fixed list, counted on the public transparency page.

    ``classification_reason`` stays the free-text explanation beside it.
    """

    PRIVACY = "privacy"
    SECURITY = "security"
    THIRD_PARTY_RIGHTS = "third-party-rights"
    IN_PREPARATION = "in-preparation"


#: nl / en labels of each restriction reason (portal, transparency page, docs)
RESTRICTION_REASON_LABELS: dict[RestrictionReason, dict[str, str]] = {
    RestrictionReason.PRIVACY: {"nl": "privacy", "en": "privacy"},
    RestrictionReason.SECURITY: {"nl": "veiligheid", "en": "security"},
    RestrictionReason.THIRD_PARTY_RIGHTS: {"nl": "rechten van derden", "en": "third-party rights"},
    RestrictionReason.IN_PREPARATION: {"nl": "in voorbereiding", "en": "in preparation"},
}


class LifecycleState(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DEPRECATED = "deprecated"
    ARCHIVED = "archived"


# Allowed life-cycle moves. Re-publishing a deprecated dataset is allowed (a mistake
# undone); archived is final except for an admin restoring it to deprecated.
TRANSITIONS: dict[LifecycleState, set[LifecycleState]] = {
    LifecycleState.DRAFT: {LifecycleState.PUBLISHED, LifecycleState.ARCHIVED},
    LifecycleState.PUBLISHED: {LifecycleState.DEPRECATED, LifecycleState.ARCHIVED},
    LifecycleState.DEPRECATED: {LifecycleState.PUBLISHED, LifecycleState.ARCHIVED},
    LifecycleState.ARCHIVED: {LifecycleState.DEPRECATED},
}


class Frequency(StrEnum):
    """Update frequency, after the EU frequency vocabulary."""

    CONTINUOUS = "continuous"
    HOURLY = "hourly"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"
    IRREGULAR = "irregular"
    NEVER = "never"
    UNKNOWN = "unknown"


class ContactPoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(f"not an e-mail address: {value!r}")
        return value


class TemporalCoverage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TemporalCoverage:
        if self.start and self.end and self.end < self.start:
            raise ValueError("temporal coverage ends before it starts")
        return self


def _holds_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 20:
        return False
    if isinstance(value, dict):
        return any(_holds_nul(k, depth + 1) or _holds_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(v, depth + 1) for v in value)
    return False


class DatasetMetadata(BaseModel):
    """Descriptive metadata of a dataset (everything except versions and state)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title_nl: str = Field(min_length=1, max_length=300)
    title_en: str | None = Field(default=None, max_length=300)
    description_nl: str | None = Field(default=None, max_length=20_000)
    description_en: str | None = Field(default=None, max_length=20_000)
    organisation: str | None = Field(
        default=None, max_length=200, description="Publishing department or partner."
    )
    contact_point: ContactPoint = Field(default_factory=ContactPoint)
    themes: list[str] = Field(default_factory=list, max_length=20)
    keywords: list[str] = Field(default_factory=list, max_length=50)
    licence: str | None = Field(default=None, max_length=300)
    spatial: str | None = Field(
        default=None, max_length=500, description="Place name or URI, e.g. Gent."
    )
    temporal: TemporalCoverage = Field(default_factory=TemporalCoverage)
    frequency: Frequency = Frequency.UNKNOWN
    classification: Classification = Classification.OPEN
    restriction_reason: RestrictionReason | None = Field(
        default=None,
        description="Why the dataset is not open, from a fixed list: privacy, security, "
        "third-party-rights or in-preparation (required when not open; cleared when open).",
        validate_default=True,
    )
    classification_reason: str | None = Field(default=None, max_length=2000)
    listed: bool = Field(
        default=False,
        description="A dataset that is not open is named on the public transparency page "
        "(title, owner, classification and the reason it is not open), with a way to ask for "
        "access; unlisted, it stays invisible to whoever may not read it.",
    )
    steward: str | None = Field(default=None, max_length=200)
    record_key: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Fields whose values identify a record (stable record ids); empty: all fields.",
    )
    personal_data: bool = Field(
        default=False,
        description="The dataset holds personal data: it needs a processing register entry to be published.",
    )
    processing_activity: str | None = Field(
        default=None, max_length=36, description="Identifier of its processing register entry."
    )
    rdf_mapping: dict[str, Any] | None = Field(
        default=None,
        description="How its rows become linked data (docs/linked-data.md); None: derived from the schema.",
    )
    timezone: str = Field(
        default=DEFAULT_SOURCE_TIMEZONE,
        description=(
            "IANA time zone of the source: times without a UTC offset in its files are read in it "
            "(e.g. Europe/Brussels, UTC). A change applies to new versions only."
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        """No NUL byte in any text (PostgreSQL cannot store one; no metadata needs one)."""
        if _holds_nul(data):
            raise ValueError("metadata text may not contain NUL bytes")
        return data

    @field_validator("themes", "keywords", "record_key")
    @classmethod
    def _clean_terms(cls, values: list[str]) -> list[str]:
        cleaned: list[str] = []
        for value in values:
            value = value.strip()
            if not value:
                continue
            if len(value) > 100:
                raise ValueError("a theme or keyword is at most 100 characters")
            if value not in cleaned:
                cleaned.append(value)
        return cleaned

    @field_validator("processing_activity")
    @classmethod
    def _register_entry_id(cls, value: str | None) -> str | None:
        if not value:
            return None
        value = value.lower()
        if not GUID_PATTERN.match(value):
            raise ValueError("a processing register entry identifier is a GUID")
        return value

    @field_validator("restriction_reason")
    @classmethod
    def _restriction_reason(
        cls, value: RestrictionReason | None, info: ValidationInfo
    ) -> RestrictionReason | None:
        """Required when not open, from the fixed list; an open dataset has none."""
        classification = info.data.get("classification")
        if classification is None:
            return value  # the classification itself is wrong: that error says enough
        if classification == Classification.OPEN:
            return None
        if value is None:
            raise ValueError(
                f"classification {classification.value!r} needs a restriction reason from the "
                f"list: {', '.join(r.value for r in RestrictionReason)}"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("rdf_mapping", mode="before")
    @classmethod
    def _rdf_mapping(cls, value: Any) -> dict[str, Any] | None:
        """The mapping's shape (belfort.linked.mapping); field names are checked against a
        version's schema when one is ingested or published, or the metadata patched."""
        if value is None:
            return None
        from belfort.errors import InvalidRequest
        from belfort.linked.mapping import validate_mapping

        try:
            return validate_mapping(value)
        except InvalidRequest as exc:
            raise ValueError(exc.message) from None

    @model_validator(mode="after")
    def _reason_for_restriction(self) -> DatasetMetadata:
        if self.classification != Classification.OPEN and not self.classification_reason:
            raise ValueError(
                f"classification {self.classification.value!r} needs a stated reason: "
                "Ghent publishes open by default"
            )
        return self


def check_slug(identifier: str) -> str:
    """A dataset identifier: lowercase letters, digits and hyphens, 1–100 characters."""
    if not SLUG_PATTERN.fullmatch(identifier or ""):
        from belfort.errors import InvalidRequest

        raise InvalidRequest(
            f"invalid dataset identifier {identifier[:120]!r}: use 1-100 lowercase letters, "
            "digits and hyphens, starting and ending with a letter or digit"
        )
    return identifier
