"""Staff sessions on the portal: signing in (with an admin key, or as a person through the
OpenID Connect provider) starts one, signing out ends it.

The sign-in cookie holds a random session token (never the admin key nor the provider's
tokens); the catalogue keeps only the token's SHA-256 hash, when it expires, and either the
key it was started with or the person's principal (subject, name, role, organisation,
groups, staff roles, as the provider said at sign-in). A key's session counts only while it
has not expired, has not been ended and its key is neither revoked nor expired.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from belfort.catalog.models import ApiKey, StaffSession, utcnow
from belfort.policy.keys import principal_of_key, usable
from belfort.policy.principals import Kind, Principal, Role, StaffRole

MAX_TOKEN_LENGTH = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, principal: Principal, lifetime_seconds: float) -> str:
    """A new session for a principal signed in with a key or as a person; returns the
    cookie's token."""
    now = utcnow()
    row = StaffSession(created_at=now, expires_at=now + timedelta(seconds=lifetime_seconds))
    if principal.key_id is not None:
        row.key_id = principal.key_id
    elif principal.kind == Kind.PERSON and principal.subject:
        row.subject, row.person_name = principal.subject, principal.name
        row.role, row.organisation = principal.role.value, principal.organisation
        row.groups = sorted(principal.groups)
        row.staff_roles = sorted(r.value for r in principal.staff_roles)
    else:
        raise ValueError("a staff session needs a principal signed in with a key or as a person")
    session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))  # tidy as we go
    token = secrets.token_urlsafe(32)
    row.token_hash = _hash(token)
    session.add(row)
    return token


def principal_of_session(session: Session, token: str) -> Principal | None:
    """The principal of a live session, or None (unknown, ended, expired, or its key
    revoked or expired)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == _hash(token)))
    if row is None or row.expires_at <= utcnow():
        return None
    if row.key_id is not None:
        key = session.get(ApiKey, row.key_id)
        return principal_of_key(key) if key is not None and usable(key) else None
    if not row.subject or row.role not in {r.value for r in Role}:
        return None
    staff = {r.value for r in StaffRole}
    return Principal(role=Role(row.role), name=row.person_name or row.subject, kind=Kind.PERSON,
                     subject=row.subject, organisation=row.organisation,
                     groups=frozenset(str(g) for g in row.groups or []),
                     staff_roles=frozenset(
                         StaffRole(r) for r in row.staff_roles or [] if r in staff))


def end_session(session: Session, token: str) -> None:
    """Sign out: the token no longer opens anything."""
    if token and len(token) <= MAX_TOKEN_LENGTH:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))
