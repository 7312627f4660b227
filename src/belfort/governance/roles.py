"""Who is responsible: the data owner, data steward, custodian and DPO of a dataset.

An organisation names the defaults of its datasets; a dataset may override any of them. Each
role is a person or team name and a contact e-mail; the e-mail is private (staff pages, API
for staff, reminders) unless ``email_public`` is set, and only then shown on the dataset page
and in the public metadata. Every change is audited.

Checked here, for every entry path (staff pages, API, CLI): a known role, a one-line name of
printable characters (no CR/LF: a name never reaches a mail header, but it may not smuggle one
either), a plain e-mail address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from belfort.catalog import store as catalog_store
from belfort.catalog.models import Dataset, Organisation, utcnow
from belfort.catalog.organisations import find_organisation
from belfort.errors import InvalidRequest, NotFound, UnknownTerm
from belfort.governance.models import GovernanceRole

ROLES = ("owner", "steward", "custodian", "dpo")
LABELS = {
    "owner": ("Data-eigenaar", "Data owner"),
    "steward": ("Data steward", "Data steward"),
    "custodian": ("Beheerder (custodian)", "Custodian"),
    "dpo": ("Functionaris voor gegevensbescherming", "Data protection officer"),
}
SCOPES = ("organisation", "dataset")
MAX_NAME = 200
MAX_EMAIL = 254
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}"
                   r"@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\.[A-Za-z]{2,63}")


@dataclass(frozen=True)
class RoleHolder:
    role: str
    name: str
    email: str | None
    email_public: bool
    source: str  # "dataset" (set on the dataset) or "organisation" (its default)

    def to_dict(self, *, private: bool) -> dict[str, Any]:
        out: dict[str, Any] = {"role": self.role, "name": self.name, "source": self.source}
        if private or self.email_public:
            out["email"] = self.email
        if private:
            out["email_public"] = self.email_public
        return out


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UnknownTerm(
            f"unknown role {str(role)[:40]!r}: use one of {', '.join(ROLES)}"
        )
    return role


def check_holder(data: Any) -> dict[str, Any]:
    """``{"name", "email", "email_public"}`` checked (InvalidRequest naming the problem)."""
    if not isinstance(data, dict):
        raise InvalidRequest("a role is an object with name, email and email_public")
    extra = sorted(set(data) - {"name", "email", "email_public"})
    if extra:
        raise InvalidRequest(f"unknown property {str(extra[0])[:40]!r} of a role")
    name, email, public = data.get("name"), data.get("email"), data.get("email_public", False)
    if not isinstance(name, str) or not name.strip():
        raise InvalidRequest("name: a person or team name is required")
    if len(name) > MAX_NAME:
        raise InvalidRequest(f"name: at most {MAX_NAME} characters")
    if not name.isprintable():
        raise InvalidRequest("name: one line of printable characters (no line breaks or "
                             "control characters)")
    if email is not None and not isinstance(email, str):
        raise InvalidRequest("email: a text")
    email = (email or "").strip() or None
    if email is not None and (len(email) > MAX_EMAIL or not EMAIL.fullmatch(email)):
        raise InvalidRequest("email: not a plain e-mail address (name@example.org)")
    if not isinstance(public, bool):
        raise InvalidRequest("email_public: true or false")
    return {"name": " ".join(name.split()), "email": email, "email_public": public}


def _scope_id(session: Session, scope: str, scope_id: str) -> str:
    if "\x00" in scope_id:  # PostgreSQL refuses the look-up itself
        raise NotFound(f"{scope} {scope_id[:90]!r} not found")
    if scope == "dataset":
        if len(scope_id) > 100 or session.get(Dataset, scope_id) is None:
            raise NotFound(f"dataset {scope_id[:90]!r} not found")
        return scope_id
    if scope == "organisation":
        org = session.get(Organisation, scope_id) if len(scope_id) <= 80 else None
        if org is None:
            raise NotFound(f"organisation {scope_id[:90]!r} not found")
        return org.slug
    raise InvalidRequest(f"scope must be one of {', '.join(SCOPES)}")


def _row(session: Session, scope: str, scope_id: str, role: str) -> GovernanceRole | None:
    return session.scalar(select(GovernanceRole).where(
        GovernanceRole.scope == scope, GovernanceRole.scope_id == scope_id,
        GovernanceRole.role == role))


def set_role(session: Session, actor: str, scope: str, scope_id: str, role: str,
             data: Any) -> GovernanceRole:
    """Set (add or change) one role of an organisation or dataset; audited."""
    check_role(role)
    holder = check_holder(data)
    scope_id = _scope_id(session, scope, scope_id)
    row = _row(session, scope, scope_id, role)
    if row is None:
        row = GovernanceRole(scope=scope, scope_id=scope_id, role=role)
        session.add(row)
    row.name, row.email, row.email_public = holder["name"], holder["email"], holder["email_public"]
    row.updated_by, row.updated_at = actor[:100], utcnow()
    session.flush()
    catalog_store.record_audit(session, actor, "governance.set_role",
                               scope_id if scope == "dataset" else None,
                               scope=scope, scope_id=scope_id, role=role)
    return row


def clear_role(session: Session, actor: str, scope: str, scope_id: str, role: str) -> bool:
    """Remove one role (a dataset then falls back on its organisation's); audited."""
    check_role(role)
    scope_id = _scope_id(session, scope, scope_id)
    row = _row(session, scope, scope_id, role)
    if row is None:
        return False
    session.delete(row)
    catalog_store.record_audit(session, actor, "governance.clear_role",
                               scope_id if scope == "dataset" else None,
                               scope=scope, scope_id=scope_id, role=role)
    return True


def organisation_slug(session: Session, dataset: Dataset) -> str | None:
    if not dataset.organisation:
        return None
    found = find_organisation(session, dataset.organisation)
    return found.slug if found is not None else None


def roles_of(session: Session, scope: str, scope_id: str) -> dict[str, RoleHolder]:
    """The roles set on one organisation or dataset itself (no fallback)."""
    rows = session.scalars(select(GovernanceRole).where(
        GovernanceRole.scope == scope, GovernanceRole.scope_id == scope_id))
    return {r.role: RoleHolder(r.role, r.name, r.email, r.email_public, scope) for r in rows}


def dataset_roles(session: Session, dataset: Dataset) -> list[RoleHolder]:
    """A dataset's roles in ``ROLES`` order: its own, else its organisation's default."""
    slug = organisation_slug(session, dataset)
    defaults = roles_of(session, "organisation", slug) if slug else {}
    own = roles_of(session, "dataset", dataset.id)
    return [own.get(r) or defaults[r] for r in ROLES if r in own or r in defaults]


def roles_to_list(holders: list[RoleHolder], *, private: bool) -> list[dict[str, Any]]:
    return [h.to_dict(private=private) for h in holders]
