"""Staff sessions on the portal: signing in with an admin key starts one, signing out ends it.

The sign-in cookie holds a random session token (never the admin key); the catalogue keeps
only the token's SHA-256 hash, the key it was started with and when it expires. A session
counts only while it has not expired, has not been ended and its key is not revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from belfort.catalog.models import ApiKey, StaffSession, utcnow
from belfort.policy.principals import Kind, Principal, Role

MAX_TOKEN_LENGTH = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, principal: Principal, lifetime_seconds: float) -> str:
    """A new session for a principal signed in with a key; returns the cookie's token."""
    if principal.key_id is None:
        raise ValueError("a staff session needs a principal signed in with a key")
    now = utcnow()
    session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))  # tidy as we go
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=_hash(token), key_id=principal.key_id, created_at=now,
                             expires_at=now + timedelta(seconds=lifetime_seconds)))
    return token


def principal_of_session(session: Session, token: str) -> Principal | None:
    """The principal of a live session, or None (unknown, ended, expired or revoked key)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = session.execute(
        select(StaffSession.expires_at, ApiKey.id, ApiKey.role, ApiKey.name, ApiKey.revoked_at)
        .join(ApiKey, ApiKey.id == StaffSession.key_id)
        .where(StaffSession.token_hash == _hash(token))
    ).first()
    if row is None or row.expires_at <= utcnow() or row.revoked_at is not None:
        return None
    return Principal(role=Role(row.role), key_id=row.id, name=row.name, kind=Kind.KEY)


def end_session(session: Session, token: str) -> None:
    """Sign out: the token no longer opens anything."""
    if token and len(token) <= MAX_TOKEN_LENGTH:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _hash(token)))
