"""Publishing organisations: a catalogue table, managed by CLI, API and the staff pages.

A dataset names its organisation by the organisation's Dutch name (``Dataset.organisation``),
so the Opendatasoft ``publisher`` values and the DCAT agent URIs stay what clients know; a
name typed on any entry path is matched to a listed organisation (case, accents and spaces
do not matter; the slug and English name match too) or refused with the closest one.
Renaming an organisation renames it on its datasets in the same transaction.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from belfort.catalog.models import Dataset, Organisation
from belfort.errors import Conflict, InvalidRequest, NotFound, UnknownTerm
from belfort.linked.vocabularies import normalise

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?\Z")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
URL = re.compile(r"https?://[^\s<>\"]+")
FIELDS = ("name_nl", "name_en", "description_nl", "description_en", "contact_email", "homepage")


class OrganisationInput(BaseModel):
    """What may be set on an organisation (every field optional for a change)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name_nl: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    description_nl: str | None = Field(default=None, max_length=5000)
    description_en: str | None = Field(default=None, max_length=5000)
    contact_email: str | None = Field(default=None, max_length=254)
    homepage: str | None = Field(default=None, max_length=500)

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("may not contain NUL bytes")
        return value

    @field_validator("name_nl", "name_en")
    @classmethod
    def _one_line(cls, value: str | None) -> str | None:
        if value is not None and ("\n" in value or "\t" in value):
            raise ValueError("a name is one line")
        return " ".join(value.split()) if value else value

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and not EMAIL.fullmatch(value):
            raise ValueError("not an e-mail address")
        return value or None

    @field_validator("homepage")
    @classmethod
    def _homepage(cls, value: str | None) -> str | None:
        if value and not URL.fullmatch(value):
            raise ValueError("not a web address (http:// or https://)")
        return value or None


def _validated(data: dict[str, Any]) -> dict[str, Any]:
    try:
        checked = OrganisationInput(**data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in e['loc']) or 'organisation'}: "
            f"{str(e['msg']).removeprefix('Value error, ')}"
            for e in exc.errors()
        ]
        raise InvalidRequest(
            "invalid organisation: " + "; ".join(problems), details={"problems": problems}
        ) from None
    return checked.model_dump(exclude_unset=True)


def check_slug(slug: str) -> str:
    if not SLUG.fullmatch(slug or ""):
        raise InvalidRequest(
            f"invalid organisation identifier {slug[:90]!r}: use 1-80 lowercase "
            "letters, digits and hyphens"
        )
    return slug


def organisation_to_dict(org: Organisation, datasets: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"slug": org.slug, **{name: getattr(org, name) for name in FIELDS}}
    if datasets is not None:
        out["datasets"] = datasets
    return out


def list_organisations(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name_nl)))


def dataset_counts(
    session: Session, visible: Select[Dataset] | None = None
) -> dict[str, int]:
    """Every organisation name → how many datasets name it: of ``visible`` (a SELECT of the
    datasets someone may see, ``belfort.policy.gate.visible_datasets``), else of all."""
    datasets = (visible if visible is not None else select(Dataset)).subquery()
    query = select(datasets.c.organisation, func.count()).group_by(datasets.c.organisation)
    return {name: n for name, n in session.execute(query) if name}


def get_organisation(session: Session, slug: str) -> Organisation:
    org = session.get(Organisation, slug) if SLUG.fullmatch(slug or "") else None
    if org is None:
        raise NotFound(f"organisation {slug[:90]!r} not found")
    return org


def find_organisation(session: Session, value: str) -> Organisation | None:
    """The organisation a slug, name or English name means (case, accents, spaces ignored)."""
    key = normalise(value)
    if not key:
        return None
    for org in list_organisations(session):
        if key in (normalise(org.name_nl), normalise(org.name_en or ""), normalise(org.slug)):
            return org
    return None


def resolve_organisation(session: Session, value: str) -> str:
    """The listed organisation's Dutch name for what was typed; UnknownTerm otherwise."""
    found = find_organisation(session, value)
    if found is not None:
        return found.name_nl
    names = {normalise(o.name_nl): o.name_nl for o in list_organisations(session)}
    close = difflib.get_close_matches(normalise(value)[:200], list(names), n=1, cutoff=0.6)
    suggestion = names[close[0]] if close else None
    shown = value.strip()[:60]
    english = f"unknown organisation {shown!r}" + (
        f": did you mean {suggestion!r}?"
        if suggestion
        else ": add it first (belfort organisations add)"
    )
    dutch = f"Onbekende organisatie '{shown}'" + (
        f": bedoel je '{suggestion}'?" if suggestion else ": voeg ze eerst toe bij de organisaties."
    )
    raise UnknownTerm(
        english,
        details={
            "problems": [
                {
                    "field": "organisation",
                    "value": shown,
                    "suggestion": suggestion,
                    "message_nl": dutch,
                    "message_en": english,
                }
            ]
        },
    )


def add_organisation(session: Session, slug: str, data: dict[str, Any]) -> Organisation:
    check_slug(slug)
    values = _validated(data)
    if not values.get("name_nl"):
        raise InvalidRequest("an organisation needs a Dutch name (name_nl)")
    if session.get(Organisation, slug) is not None:
        raise Conflict(f"organisation {slug!r} already exists")
    clash = find_organisation(session, values["name_nl"])
    if clash is not None:
        raise Conflict(f"organisation {clash.slug!r} already has this name")
    org = Organisation(slug=slug, **values)
    session.add(org)
    session.flush()
    return org


def set_organisation(session: Session, slug: str, data: dict[str, Any]) -> Organisation:
    """Change an organisation; a new Dutch name is written to its datasets too."""
    org = get_organisation(session, slug)
    values = _validated(data)
    if "name_nl" in values and values["name_nl"] is None:
        raise InvalidRequest("an organisation needs a Dutch name (name_nl)")
    new_name = values.get("name_nl")
    if new_name and new_name != org.name_nl:
        clash = find_organisation(session, new_name)
        if clash is not None and clash.slug != org.slug:
            raise Conflict(f"organisation {clash.slug!r} already has this name")
        session.execute(
            update(Dataset).where(Dataset.organisation == org.name_nl).values(organisation=new_name)
        )
    for name, value in values.items():
        setattr(org, name, value)
    session.flush()
    return org
